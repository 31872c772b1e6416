"""Corrections for readers: a change to a public post needs a kind and a note; announced
changes show as "Updated <date>", a corrections box and a public before/after page, in
the feeds and the JSON-LD; drafts' history and minor fixes are never public."""

import json
import re

import feedparser
import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from blog.models import Post, PostRevision
from blog.services import post_publish, post_unpublish, post_upsert
from tests.factories import make_post
from tests.strategies import any_script_text
from tests.test_admin_posts import change_data, change_url, existing_rows

pytestmark = pytest.mark.django_db

Kind = PostRevision.Kind


@pytest.fixture
def admin_client(client, a_superuser):
    client.force_login(a_superuser)
    return client


def edit(post, *, kind="", note="", disclosures=None, **fields):
    """Change a post through the services, as an import would."""
    data = {"title": post.title, "body": post.body, "summary": post.summary, **fields}
    rows = disclosures
    if rows is None:
        rows = list(post.disclosures.values("person", "relationship", "organisations", "statement"))
    post_upsert(
        slug=post.slug,
        author=post.author,
        fields=data,
        disclosures=rows,
        change_kind=kind,
        change_note=note,
    )
    post.refresh_from_db()
    return post


def change_url_for(post, number):
    year, month, slug = post.address_parts
    return reverse(
        "blog:post_change", kwargs={"year": year, "month": month, "slug": slug, "number": number}
    )


def diff_of(html):
    return "".join(re.findall(r'<div class="diff">(.*?)</div>', html, re.S))


def json_ld(html):
    raw = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    return json.loads(raw)


# --- the rule -------------------------------------------------------------------------
def test_a_public_post_cannot_change_without_a_kind_and_note(a_post):
    with pytest.raises(ValidationError) as excinfo:
        edit(a_post, body="The hazard ratio was 0.51.")
    assert set(excinfo.value.message_dict) == {"change_kind", "change_note"}
    a_post.refresh_from_db()
    assert a_post.body != "The hazard ratio was 0.51."


def test_a_public_post_changes_with_a_note_and_is_announced(a_post):
    edit(a_post, body="The hazard ratio was 0.51.", kind=Kind.CORRECTION, note="HR was 0.15.")
    revision = a_post.revisions.get(announced=True)
    assert (revision.kind, revision.note) == ("correction", "HR was 0.15.")
    assert a_post.announced_at == revision.created_at


def test_a_minor_fix_needs_no_note_and_is_not_announced(a_post):
    edit(a_post, body="A typo fixed.", kind=Kind.MINOR)
    assert not a_post.revisions.filter(announced=True).exists()
    assert a_post.revisions.filter(kind="minor").exists()
    assert a_post.announced_at is None


def test_a_change_to_the_disclosures_is_never_minor(a_post):
    rows = [{"person": "Wren Ashdown", "relationship": "consultancy", "organisations": "Genzyme"}]
    with pytest.raises(ValidationError) as excinfo:
        edit(a_post, disclosures=rows, kind=Kind.MINOR)
    assert "always announced" in excinfo.value.message_dict["change_kind"][0]
    edit(a_post, disclosures=rows, kind=Kind.DISCLOSURES, note="Consultancy for Genzyme added.")
    assert a_post.revisions.filter(announced=True, kind="disclosures").exists()


def test_labels_or_comments_need_no_note(a_post):
    a_post.comments_open = False
    post_upsert(
        slug=a_post.slug,
        author=a_post.author,
        fields={
            "title": a_post.title,
            "body": a_post.body,
            "summary": a_post.summary,
            "comments_open": False,
        },
        labels=["a new label"],
        disclosures=list(a_post.disclosures.values("person", "relationship", "statement")),
    )
    assert not a_post.revisions.filter(announced=True).exists()


def test_a_draft_changes_freely(a_draft):
    edit(a_draft, body="Anything at all.")
    assert not a_draft.revisions.filter(announced=True).exists()


def test_unpublish_edit_republish_is_still_announced(a_post):
    post_unpublish(post=a_post)
    edit(a_post, body="Rewritten while unpublished.")
    with pytest.raises(ValidationError):
        post_publish(post=a_post)
    a_post.refresh_from_db()
    assert a_post.status == Post.Status.DRAFT
    post_publish(post=a_post, change_kind=Kind.UPDATE, change_note="Rewritten.")
    assert a_post.revisions.filter(announced=True).count() == 1


def test_the_admin_refuses_a_change_without_a_note_and_keeps_what_was_typed(admin_client, a_post):
    data = change_data(a_post, rows=existing_rows(a_post), body="Brand new numbers.")
    response = admin_client.post(change_url(a_post), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "choose what kind of change" in html and "write a change note" in html
    assert "Brand new numbers." in html
    a_post.refresh_from_db()
    assert a_post.body != "Brand new numbers."


def test_the_admin_saves_a_change_with_its_note(admin_client, a_post):
    data = change_data(
        a_post,
        rows=existing_rows(a_post),
        body="Brand new numbers.",
        change_kind="update",
        change_note="Five-year data added.",
    )
    assert admin_client.post(change_url(a_post), data).status_code == 302
    assert a_post.revisions.get(announced=True).note == "Five-year data added."


def test_the_admin_refuses_a_silent_disclosure_removal(admin_client, a_post):
    from blog.models import Disclosure

    extra = Disclosure.objects.create(
        post=a_post,
        person="Co-author",
        relationship="honoraria",
        organisations="Bayer",
        position=1,
    )
    data = change_data(a_post, rows=existing_rows(a_post, delete={extra.pk}), change_kind="minor")
    response = admin_client.post(change_url(a_post), data)
    assert response.status_code == 200
    assert "always announced" in response.content.decode()
    assert a_post.disclosures.count() == 2


@pytest.mark.parametrize("kind", ["bogus", "x" * 200])
def test_a_forged_kind_is_a_form_error(admin_client, a_post, kind):
    data = change_data(
        a_post, rows=existing_rows(a_post), body="New.", change_kind=kind, change_note="n"
    )
    response = admin_client.post(change_url(a_post), data)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_a_note_too_long_is_a_form_error(admin_client, a_post):
    data = change_data(
        a_post,
        rows=existing_rows(a_post),
        body="New.",
        change_kind="update",
        change_note="n" * 2001,
    )
    response = admin_client.post(change_url(a_post), data)
    assert response.status_code == 200
    assert "at most 2000 characters" in response.content.decode()


# --- the page -------------------------------------------------------------------------
def test_the_page_shows_updated_and_the_corrections_box(client, a_post):
    edit(
        a_post,
        body="HR 0.51 (p<0·001 & n=202).",
        kind=Kind.CORRECTION,
        note="The HR read <0.15> & was wrong.",
    )
    html = client.get(a_post.get_absolute_url()).content.decode()
    assert 'Updated <a href="#corrections">' in html
    box = re.search(r'<aside class="corrections-box".*?</aside>', html, re.S).group(0)
    assert "<strong>Correction</strong>" in box
    assert "The HR read &lt;0.15&gt; &amp; was wrong." in box
    number = a_post.revisions.get(announced=True).number
    assert change_url_for(a_post, number) in box


def test_no_box_and_no_updated_line_without_an_announced_change(client, a_post):
    edit(a_post, body="Typo fixed.", kind=Kind.MINOR)
    html = client.get(a_post.get_absolute_url()).content.decode()
    assert "corrections-box" not in html and "Updated" not in html


def test_the_change_page_shows_before_and_after(client, a_post):
    before = a_post.body
    edit(a_post, body="Relapses fell by 55%.", kind=Kind.CORRECTION, note="Was 49%.")
    number = a_post.revisions.get(announced=True).number
    response = client.get(change_url_for(a_post, number))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<ins>" in html and "<del>" in html
    assert "Was 49%." in html
    removed = "".join(re.findall(r"<del>(.*?)</del>", diff_of(html)))
    assert removed and removed in before


def test_the_change_page_never_shows_a_draft_s_history(client, an_author):
    """Draft edits before publication are never the "before" of a public change."""
    post = make_post(author=an_author, status=Post.Status.DRAFT, body="Secret draft 1.")
    edit(post, body="Secret draft 2.")
    edit(post, body="As published.")
    post_publish(post=post)
    edit(post, body="As corrected.", kind=Kind.CORRECTION, note="Fixed.")
    number = post.revisions.get(announced=True).number
    html = client.get(change_url_for(post, number)).content.decode()
    assert "Secret draft" not in html
    assert re.findall(r"<del>(.*?)</del>", diff_of(html)) == ["published"]
    assert re.findall(r"<ins>(.*?)</ins>", diff_of(html)) == ["corrected"]


@pytest.mark.parametrize("which", ["minor", "draft", "missing", "unpublished", "wrong-month"])
def test_the_change_page_is_404_unless_public_and_announced(client, a_post, which):
    edit(a_post, body="Announced.", kind=Kind.UPDATE, note="Update.")
    announced = a_post.revisions.get(announced=True).number
    edit(a_post, body="Minor.", kind=Kind.MINOR)
    minor = a_post.revisions.get(kind="minor").number
    url = change_url_for(a_post, announced)
    if which == "minor":
        url = change_url_for(a_post, minor)
    elif which == "draft":
        url = change_url_for(a_post, 1)
    elif which == "missing":
        url = change_url_for(a_post, 9999)
    elif which == "unpublished":
        post_unpublish(post=a_post)
    elif which == "wrong-month":
        year, month, slug = a_post.address_parts
        url = url.replace(f"/{year}/{month:02d}/", f"/{year - 1}/{month:02d}/")
    assert client.get(url).status_code == 404


def test_the_page_cache_shows_a_new_correction_at_once(client, a_post, settings):
    settings.PAGE_CACHE_SECONDS = 300
    client.get(a_post.get_absolute_url())
    edit(a_post, body="Corrected.", kind=Kind.CORRECTION, note="A fresh correction.")
    assert "A fresh correction." in client.get(a_post.get_absolute_url()).content.decode()


def test_the_post_page_costs_the_same_for_1_and_50_revisions(client, a_post):
    """The corrections box is one query (announced changes), whatever the history."""
    edit(a_post, body="Change 0.", kind=Kind.CORRECTION, note="Note 0.")
    url = a_post.get_absolute_url()
    client.get(url)  # the sidebar is cached from here on
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for n in range(1, 50):
        kind = Kind.MINOR if n % 2 else Kind.UPDATE
        edit(a_post, body=f"Change {n}.", kind=kind, note=f"Note {n}.")
    client.get(url)
    with CaptureQueriesContext(connection) as fifty:
        html = client.get(url).content.decode()
    assert len(fifty) == len(one)
    assert html.count("See the text before and after") == 25


# --- feeds and JSON-LD ------------------------------------------------------------------
def test_the_feeds_carry_the_updated_date_and_the_notes(client, a_post):
    edit(a_post, body="Corrected text.", kind=Kind.CORRECTION, note="The dose was 12 mg.")
    revision = a_post.revisions.get(announced=True)
    atom = feedparser.parse(client.get(reverse("blog:feed_atom")).content).entries[0]
    assert atom.updated_parsed[:6] == revision.created_at.utctimetuple()[:6]
    assert "The dose was 12 mg." in atom.content[0].value
    assert "Corrections and updates" in atom.content[0].value
    rss = feedparser.parse(client.get(reverse("blog:feed_rss")).content).entries[0]
    assert "The dose was 12 mg." in rss.description


def test_the_json_ld_lists_each_correction(client, a_post):
    edit(a_post, body="Corrected text.", kind=Kind.CORRECTION, note="p<0·001 & n=202")
    data = json_ld(client.get(a_post.get_absolute_url()).content.decode())
    (comment,) = data["correction"]
    assert comment["@type"] == "CorrectionComment"
    assert comment["text"] == "Correction: p<0·001 & n=202"
    assert comment["url"].endswith(
        change_url_for(a_post, a_post.revisions.get(announced=True).number)
    )
    assert data["dateModified"] >= comment["datePublished"][:19]


def test_no_correction_in_the_json_ld_without_one(client, a_post):
    assert "correction" not in json_ld(client.get(a_post.get_absolute_url()).content.decode())


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    note=any_script_text(max_size=120),
    kind=st.sampled_from([Kind.CORRECTION, Kind.CLARIFICATION, Kind.UPDATE]),
)
def test_any_note_reads_as_typed_on_the_page_and_in_the_json_ld(client, an_author, note, kind):
    post = make_post(author=an_author)
    edit(post, body=f"Changed {note}", kind=kind, note=note)
    html = client.get(post.get_absolute_url()).content.decode()
    assert json_ld(html)["correction"][0]["text"].endswith(note.strip())
    from django.utils.html import escape

    assert escape(note.strip()) in html


def test_a_feed_validator_changes_with_a_disclosure_only_change(client, a_post):
    """A change to the disclosures alone does not save the post row: the ETag still moves,
    so a feed reader never gets a 304 for an entry whose notes changed."""
    url = reverse("blog:feed_atom")
    etag = client.get(url)["ETag"]
    rows = [{"person": "Wren Ashdown", "relationship": "consultancy", "organisations": "Bayer"}]
    edit(a_post, disclosures=rows, kind=Kind.DISCLOSURES, note="Consultancy for Bayer.")
    response = client.get(url, headers={"if-none-match": etag})
    assert response.status_code == 200
    assert "Consultancy for Bayer." in response.content.decode()


def test_the_feeds_query_count_does_not_grow_with_changes(client, an_author):
    posts = [make_post(author=an_author, doi=f"10.1234/p{n}") for n in range(3)]
    edit(posts[0], body="Changed.", kind=Kind.UPDATE, note="One.")
    url = reverse("blog:feed_atom")
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n, post in enumerate(posts):
        for m in range(3):
            edit(post, body=f"Changed {n} {m}.", kind=Kind.UPDATE, note=f"Note {m}.")
    with CaptureQueriesContext(connection) as many:
        html = client.get(url).content.decode()
    assert len(many) == len(few)
    assert html.count("Note 2.") == 3
