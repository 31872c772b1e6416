"""import_blogger: a small Blogger backup written for the tests (tests/data/imports), the
hostile files, idempotency, dry runs, the publish rule and the old Blogger addresses."""

from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from blog.models import Label, Post
from comments.models import Comment
from imports.blogger import parse_blogger, parse_date
from imports.models import ImportedItem, LegacyAddress
from imports.records import ItemKind, ItemStatus

DATA = Path(__file__).parent / "data" / "imports"
SMALL = DATA / "blogger-small.xml"
TITLE = "Σκλήρυνση κατά πλάκας: CARE-MS II"


def run(path=SMALL, *args):
    out = StringIO()
    call_command("import_blogger", str(path), *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def state():
    return (
        sorted(Post.objects.values_list("title", "slug", "status", "body")),
        sorted(Comment.objects.values_list("name", "status", "depth", "created_at")),
        sorted(Label.objects.values_list("name", flat=True)),
        get_user_model().objects.count(),
        LegacyAddress.objects.count(),
        ImportedItem.objects.count(),
    )


# ---------------------------------------------------------------- the parser alone
def test_parser_tells_posts_pages_drafts_and_settings_apart():
    parsed = parse_blogger(SMALL)
    kinds = {item.title: (item.kind, item.status) for item in parsed.items}
    assert kinds[TITLE] == (ItemKind.POST, ItemStatus.PUBLISHED)
    assert kinds["A draft about ocrelizumab"] == (ItemKind.POST, ItemStatus.DRAFT)
    assert kinds["About"] == (ItemKind.PAGE, ItemStatus.PUBLISHED)
    assert parsed.site_url == "blog-777"
    assert any("settings" in line for line in parsed.skipped)
    assert any("template" in line for line in parsed.skipped)
    assert any("post-3004" in line and "not in the file" in line for line in parsed.skipped)


def test_parser_labels_comments_and_threads():
    first = next(i for i in parse_blogger(SMALL).items if i.title == TITLE)
    assert first.labels == ("Multiple sclerosis", "Ménière's disease", "β-interferon")
    assert first.old_urls == ("http://small.example.blogspot.com/2012/05/first-post.html",)
    assert first.slug == "first-post"
    # thr:total says 99; three comment entries reply to it (one by https address only).
    comments = {c.source_id.rsplit("-", 1)[-1]: c for c in first.comments}
    assert set(comments) == {"3001", "3002", "3003"}
    assert comments["3002"].parent_source_id == "tag:blogger.com,1999:blog-777.post-3001"
    assert comments["3003"].parent_source_id == "3999"
    assert comments["3001"].author_email == ""  # noreply@blogger.com is nobody's address
    assert comments["3001"].author_url == "http://christos.example.org/"


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2008-11-11T16:01:25.943-08:00", "2008-11-11T16:01:25.943000-08:00"),
        ("2012-08-02T11:00:00Z", "2012-08-02T11:00:00+00:00"),
        ("2012-08-02 11:00:00", "2012-08-02T11:00:00+00:00"),
    ],
)
def test_dates(text, iso):
    assert parse_date(text).isoformat() == iso


@pytest.mark.parametrize("text", ["", "last Tuesday", "2012-13-45T99:00:00Z", "0000-00-00"])
def test_odd_dates_are_none(text):
    assert parse_date(text) is None


# ---------------------------------------------------------------- the import
@pytest.mark.django_db
def test_import_creates_drafts_labels_comments_and_reports():
    report = run()
    post = Post.objects.get(title=TITLE)
    assert post.status == Post.Status.DRAFT  # no disclosure given: nothing is published
    assert post.slug == "first-post"
    assert post.published_at.isoformat() == "2012-05-14T16:30:00+00:00"
    assert post.updated_at.isoformat() == "2012-05-15T17:00:00+00:00"
    assert sorted(post.tags.names()) == ["Multiple sclerosis", "Ménière's disease", "β-interferon"]
    assert "<strong>49%</strong>" in post.body_html
    assert "p&lt;0·0001 &amp;amp; n=202" not in post.body_html
    assert "p&lt;0·0001 &amp; n=202" in post.body_html
    assert "<script" not in post.body_html and "javascript:" not in post.body_html
    assert "alert(1)" not in post.body_html
    # The draft reuses the label whatever its case; the page is a post labelled "page".
    assert Post.objects.get(title="A draft about ocrelizumab").tags.names()[0] == (
        "Multiple sclerosis"
    )
    assert list(Post.objects.get(title="About").tags.names()) == ["page"]
    assert Post.objects.filter(title="Untitled").count() == 1
    assert not Post.objects.filter(title="The same id again").exists()
    # Comments: dates and threading kept; the orphan reply is top-level.
    by_name = {c.name: c for c in Comment.objects.all()}
    assert set(by_name) == {"Χρήστος", "Ada Writer", "Orphan"}
    assert by_name["Ada Writer"].parent == by_name["Χρήστος"]
    assert by_name["Orphan"].parent is None
    assert by_name["Χρήστος"].created_at.isoformat() == "2012-05-16T15:00:00+00:00"
    assert by_name["Χρήστος"].status == Comment.Status.APPROVED
    assert "<em>thanks</em>" in by_name["Χρήστος"].body_html
    post.refresh_from_db()
    assert post.comment_count == 3
    # Authors: inactive, unusable passwords.
    ada = get_user_model().objects.get(first_name="Ada")
    assert not ada.is_active and not ada.has_usable_password()
    for expected in (
        "3999, which is not in the file",
        "'last Tuesday at noon' cannot be read",
        "has no title",
        "appears twice",
        "is a page",
        "post-3004: its post is not in the file",
        "image left as a link",
        "imported as drafts",
    ):
        assert expected in report


@pytest.mark.django_db
def test_a_second_run_updates_and_never_duplicates(tmp_path):
    run()
    first = state()
    report = run()
    assert state() == first
    assert "posts: 3 unchanged" in report and "comments: 3 unchanged" in report
    edited = tmp_path / "edited.xml"
    edited.write_text(
        SMALL.read_text(encoding="utf-8").replace("Not finished.", "Now finished."),
        encoding="utf-8",
    )
    report = run(edited)
    assert "1 updated" in report
    assert Post.objects.count() == 4
    assert "Now finished." in Post.objects.get(title="A draft about ocrelizumab").body


@pytest.mark.django_db
def test_dry_run_changes_nothing():
    before = state()
    report = run(SMALL, "--dry-run")
    assert "dry run" in report and "posts: 3 created" in report
    assert state() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("malformed.xml", "not well-formed XML: mismatched tag at line 2"),
        ("billion-laughs.xml", "declares a DTD"),
        ("external-entity.xml", "declares a DTD"),
        ("dtd.xml", "declares a DTD"),
        ("missing.xml", "Cannot read"),
    ],
)
def test_hostile_files_end_with_a_clear_error_and_change_nothing(name, says, a_post):
    before = state()
    with pytest.raises(CommandError, match="Nothing was imported|Cannot read") as caught:
        run(DATA / name)
    assert says in str(caught.value)
    assert state() == before


@pytest.mark.django_db
def test_a_file_over_the_size_cap_is_refused_before_reading(settings, a_post):
    settings.IMPORT_MAX_BYTES = 1000
    before = state()
    with pytest.raises(CommandError, match="IMPORT_MAX_BYTES"):
        run()
    assert state() == before


@pytest.mark.django_db
def test_a_failure_midway_undoes_everything(monkeypatch, a_post):
    from imports import pipeline

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(pipeline, "comment_import", broken)
    before = state()
    with pytest.raises(RuntimeError):
        run()
    assert state() == before


@pytest.mark.django_db
def test_publish_with_disclosure_publishes_through_the_rule():
    run(SMALL, "--publish-with-disclosure", "The author declared no interests on the old blog.")
    post = Post.objects.get(title=TITLE)
    assert post.status == Post.Status.PUBLISHED
    assert [d.statement for d in post.disclosures.all()] == [
        "The author declared no interests on the old blog."
    ]
    assert post.revisions.exists()  # published through blog.services.post_publish
    assert Post.objects.get(title="A draft about ocrelizumab").status == Post.Status.DRAFT


@pytest.mark.django_db
def test_a_blank_disclosure_publishes_nothing():
    run(SMALL, "--publish-with-disclosure", "   ")
    assert not Post.objects.filter(status=Post.Status.PUBLISHED).exists()


@pytest.mark.django_db
def test_old_blogger_addresses_redirect_permanently(client, django_assert_max_num_queries):
    run(SMALL, "--publish-with-disclosure", "None.")
    post = Post.objects.get(title=TITLE)
    page = Post.objects.get(title="About")
    # The slug is the Blogger one here; the imported address works whatever it becomes.
    Post.objects.filter(pk=post.pk).update(slug="renamed")
    post.refresh_from_db()
    with django_assert_max_num_queries(6):
        response = client.get("/2012/05/first-post.html?m=1")
    assert response.status_code == 301
    assert response["Location"] == post.get_absolute_url()
    assert client.get("/p/about.html").headers["Location"] == page.get_absolute_url()
    # A post unpublished again is not revealed by its old address.
    Post.objects.filter(pk=page.pk).update(status=Post.Status.DRAFT)
    assert client.get("/p/about.html").status_code == 404


@pytest.mark.django_db
def test_the_blogger_address_goes_to_the_imported_post_when_another_has_its_slug(client):
    from tests.factories import make_post

    other = make_post(slug="first-post", title="An older post here")
    run(SMALL, "--publish-with-disclosure", "None.")
    imported = Post.objects.get(title=TITLE)
    assert imported.slug == "first-post-2"
    response = client.get("/2012/05/first-post.html")
    assert response["Location"] == imported.get_absolute_url()
    # Addresses the import did not record still go where blog's own redirect sends them.
    local = other.address_parts
    response = client.get(f"/{local[0]}/{local[1]:02d}/first-post.html")
    assert response["Location"] == other.get_absolute_url()


@pytest.mark.django_db
def test_reimporting_an_edited_public_post_is_an_announced_update(tmp_path):
    run(SMALL, "--publish-with-disclosure", "None.")
    edited = tmp_path / "edited.xml"
    edited.write_text(
        SMALL.read_text(encoding="utf-8").replace("Second line", "Second line, corrected"),
        encoding="utf-8",
    )
    run(edited, "--publish-with-disclosure", "None.")
    post = Post.objects.get(title=TITLE)
    assert "corrected" in post.body
    last = post.revisions.order_by("-number").first()
    assert last.announced and "new import" in last.note
    assert post.disclosures.count() == 1  # the disclosure is kept, not added twice


@pytest.mark.django_db
def test_a_cached_404_still_redirects(client, settings):
    settings.PAGE_CACHE_SECONDS = 60
    assert client.get("/p/about.html").status_code == 404
    run(SMALL, "--publish-with-disclosure", "None.")
    assert client.get("/p/about.html").status_code == 301


@pytest.mark.django_db
def test_no_progress_bar_off_a_terminal():
    err = StringIO()
    call_command("import_blogger", str(SMALL), stdout=StringIO(), stderr=err)
    assert err.getvalue() == ""
