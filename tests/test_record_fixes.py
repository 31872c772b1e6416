"""Fixes from the tryout of the public record (issue 13): line endings, the dates feeds
and JSON-LD give a changed post, the import's errors, the compare pages and the admin."""

import pytest

from blog.diffs import compare_snapshots
from blog.models import Disclosure, PostRevision
from blog.revisions import reader_fields
from blog.services import post_upsert
from tests.factories import make_post
from tests.test_admin_posts import change_data, change_url, existing_rows

pytestmark = pytest.mark.django_db

Kind = PostRevision.Kind

BODY = "First paragraph.\n\nSecond paragraph,\nwith a second line.\n"


def crlf(text):
    return text.replace("\n", "\r\n")


@pytest.fixture
def admin_client(client, a_superuser):
    client.force_login(a_superuser)
    return client


@pytest.fixture
def multiline_post(an_author):
    post = make_post(
        author=an_author,
        title="A published write-up",
        body=BODY,
        summary="One line.\nAnother line.",
        source_citation="Cohen JA, et al.\nLancet 2012.",
        labels=["neurology"],
    )
    post.disclosures.update(statement="Nothing.\nReally nothing.")
    return post


def browser_rows(post):
    """The disclosure rows as a browser sends them: textareas with CRLF."""
    return [{**row, "statement": crlf(row["statement"])} for row in existing_rows(post)]


# --- 1. line endings ----------------------------------------------------------------------
def test_an_unchanged_admin_save_with_crlf_needs_no_note(admin_client, multiline_post):
    post = multiline_post
    data = change_data(
        post,
        rows=browser_rows(post),
        body=crlf(post.body),
        summary=crlf(post.summary),
        source_citation=crlf(post.source_citation),
    )
    response = admin_client.post(change_url(post), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    post.refresh_from_db()
    assert "\r" not in post.body + post.summary + post.source_citation
    assert "\r" not in post.disclosures.get().statement
    assert not post.revisions.filter(announced=True).exists()


def test_a_labels_only_change_with_crlf_needs_no_note(admin_client, multiline_post):
    post = multiline_post
    data = change_data(
        post,
        rows=browser_rows(post),
        body=crlf(post.body),
        summary=crlf(post.summary),
        source_citation=crlf(post.source_citation),
        tags="neurology, multiple sclerosis",
    )
    response = admin_client.post(change_url(post), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert sorted(post.tags.names()) == ["multiple sclerosis", "neurology"]


def test_a_body_stored_with_crlf_is_normalised_on_the_next_save(admin_client, multiline_post):
    """A post saved before the fix kept the browser's \\r: the next save, changing nothing
    readers read, needs no note and stores \\n."""
    post = multiline_post
    type(post).objects.filter(pk=post.pk).update(body=crlf(BODY))
    data = change_data(
        post,
        rows=browser_rows(post),
        body=crlf(BODY),
        summary=crlf(post.summary),
        source_citation=crlf(post.source_citation),
        tags="neurology, ms",
    )
    response = admin_client.post(change_url(post), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    post.refresh_from_db()
    assert post.body == BODY.strip()  # the form strips the ends, as Django's fields do


def test_the_services_store_one_line_ending(multiline_post):
    post = multiline_post
    post_upsert(
        slug=post.slug,
        author=post.author,
        fields={"title": post.title, "body": crlf(BODY), "summary": "One line.\rAnother line."},
        labels=["neurology"],
        disclosures=[
            {
                "person": "Ada",
                "relationship": Disclosure.Relationship.NONE,
                "statement": "Nothing.\r\nReally nothing.",
            }
        ],
        change_kind=Kind.DISCLOSURES,
        change_note="Disclosure reworded.",
    )
    post.refresh_from_db()
    assert post.body == BODY
    assert post.summary == "One line.\nAnother line."
    assert post.disclosures.get().statement == "Nothing.\nReally nothing."


def test_line_endings_alone_are_no_change_and_no_diff():
    before = {"body": BODY, "disclosures": [{"person": "A", "statement": "x\ny"}]}
    after = {"body": crlf(BODY), "disclosures": [{"person": "A", "statement": "x\r\ny"}]}
    assert compare_snapshots(before, after, fields=reader_fields()) == []
    from blog.corrections import changed_reader_fields

    assert changed_reader_fields(before, after) == []
