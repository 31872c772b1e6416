"""The import report an operator reads (issue 17 tryout 14)."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from imports.pipeline import import_parsed
from imports.records import ItemKind
from tests.test_import_pipeline import item, wxr

DATA = "tests/data/imports/"


@pytest.mark.django_db
def test_the_report_counts_published_labels_and_addresses():
    report = import_parsed(
        wxr(
            item("1", labels=("Ménière", "MS"), old_urls=("http://old.example.org/a/",)),
            item("2", labels=("MS",), old_urls=("http://old.example.org/b/",)),
        ),
        publish_with_disclosure="None.",
    )
    text = report.as_text()
    assert text.startswith("Import of a WordPress (WXR) file:")
    assert "posts: 2 created, 2 published" in text
    assert "labels: 2 created" in text
    assert "old addresses: 2 created" in text


@pytest.mark.django_db
def test_image_lines_name_their_post_and_lines_are_grouped():
    body = '<p><img src="http://old.example.org/a.png" alt="A"></p>'
    report = import_parsed(wxr(item("1", title="Pictures", body_html=body)))
    text = report.as_text()
    assert "  Images (1):" in text
    assert (
        "post \u201cPictures\u201d: image left as a link (no --media folder): "
        "http://old.example.org/a.png"
    ) in text


@pytest.mark.django_db
def test_skipped_entries_are_counted_per_entry_not_per_kind(tmp_path):
    attachments = "".join(
        f"<item><title>A{n}</title><wp:post_id>{100 + n}</wp:post_id>"
        "<wp:post_type>attachment</wp:post_type></item>"
        for n in range(5)
    )
    menu = "<item><wp:post_id>200</wp:post_id><wp:post_type>nav_menu_item</wp:post_type></item>"
    path = tmp_path / "x.xml"
    path.write_text(
        '<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"><channel>'
        f"<wp:wxr_version>1.2</wp:wxr_version>{attachments}{menu}</channel></rss>",
        encoding="utf-8",
    )

    out = StringIO()
    call_command("import_wxr", str(path), stdout=out)
    text = out.getvalue()
    assert "entries: 6 skipped" in text
    assert "Skipped (2):" in text and "attachment: 5 items skipped" in text


@pytest.mark.django_db
def test_a_blogger_report_is_named_blogger():
    out = StringIO()
    call_command("import_blogger", DATA + "blogger-small.xml", stdout=out)
    assert out.getvalue().startswith("Import of a Blogger file:")


# ---------------------------------------------------------------- issue 17 re-check 14, G
def closed_pages(n):
    return wxr(
        *(
            item(str(k), title=f"Page {k}", kind=ItemKind.PAGE, comments_open=False)
            for k in range(1, n + 1)
        )
    )


@pytest.mark.django_db
def test_notes_that_repeat_per_post_are_one_line_with_a_count_and_three_examples():
    report = import_parsed(closed_pages(5))
    text = report.as_text()
    assert (
        "5 posts: comments were closed on the old blog: closed here "
        "(e.g. \u201cPage 1\u201d, \u201cPage 2\u201d, \u201cPage 3\u201d; -v 2 lists all)"
    ) in text
    assert "5 posts: are pages: imported as posts labelled \u201cpage\u201d (e.g." in text
    assert "Page 4" not in text and "Page 5" not in text
    assert text.count("comments were closed") == 1
    full = report.as_text(verbose=True)
    assert full.count("comments were closed on the old blog: closed here") == 5
    assert "page \u201cPage 5\u201d: comments were closed on the old blog" in full
    assert "page \u201cPage 5\u201d is a page: imported as a post labelled \u201cpage\u201d" in full


@pytest.mark.django_db
def test_a_note_that_happens_once_keeps_its_own_line():
    text = import_parsed(closed_pages(1)).as_text()
    assert "page \u201cPage 1\u201d: comments were closed on the old blog: closed here" in text
    assert "1 posts" not in text


@pytest.mark.django_db
def test_not_applied_says_where_the_disclosure_came_from():
    from blog.models import Disclosure, Post

    import_parsed(wxr(item("1"), item("2")), publish_with_disclosure="None.")
    for post in Post.objects.all():
        Disclosure.objects.filter(post=post).update(statement="Consults for Sanofi.")
    report = import_parsed(
        wxr(item("1"), item("2")), publish_with_disclosure="Nothing.", overwrite=True
    )
    text = report.as_text()
    assert (
        "2 posts: already have a disclosure (from an earlier import or an editor): the one "
        "given with --publish-with-disclosure was not applied"
    ) in text
    assert "already has its own disclosure" not in text


def test_the_command_lists_every_post_with_verbosity_2(db, tmp_path):
    from blog.models import Post

    players = tmp_path / "closed.xml"
    text = Path(DATA, "wxr-players.xml").read_text(encoding="utf-8")
    closed = text.replace(
        "<wp:status>publish</wp:status>",
        "<wp:status>publish</wp:status><wp:comment_status>closed</wp:comment_status>",
    )
    players.write_text(closed, encoding="utf-8")
    short, full = StringIO(), StringIO()
    call_command("import_wxr", str(players), stdout=short, stderr=StringIO())
    Post.objects.all().delete()
    call_command("import_wxr", str(players), "-v", "2", stdout=full, stderr=StringIO())
    assert short.getvalue().count("comments were closed") == 1
    assert (
        "2 posts: comments were closed on the old blog: closed here "
        "(e.g. \u201cFlash talk\u201d, \u201cPodcast and clip\u201d)"
    ) in short.getvalue()
    assert full.getvalue().count("comments were closed") == 2


@pytest.mark.django_db
def test_our_own_export_from_a_local_address_gets_no_title_advice(settings):
    from imports.records import ParsedFile

    def local(generator):
        return ParsedFile(
            format="wxr",
            site_url="http://localhost:8000",
            site_title="Trialpress",
            generator=generator,
            items=[item("1")],
        )

    ours = import_parsed(local("Trialpress")).as_text()
    assert "give each its own title" not in ours and "a local one" not in ours
    theirs = import_parsed(local("https://wordpress.org/?v=6.4.2")).as_text()
    assert "give each its own title before exporting" in theirs


@pytest.mark.django_db
def test_the_generator_is_read_from_our_export(tmp_path):
    from imports.wxr import parse_wxr

    path = tmp_path / "site.xml"
    call_command("export_wxr", "-o", str(path), stdout=StringIO(), stderr=StringIO())
    assert parse_wxr(path).generator == "Trialpress"
    assert parse_wxr(DATA + "wxr-players.xml").generator == ""
