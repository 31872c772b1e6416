"""Issue 15 in the comment feeds (the post's and the site's): an edited comment says so and
its entry is updated then (a reader asking If-Modified-Since gets the new text); the
commenter's title, when there is one, is the entry's title."""

from datetime import timedelta

import feedparser
import pytest
from django.urls import reverse
from django.utils import timezone

from comments import services
from comments.models import Comment
from tests.test_comments_support import make_comment

pytestmark = pytest.mark.django_db

Status = Comment.Status
FEEDS = ["post", "latest"]


def feed_url(kind, post):
    if kind == "post":
        return reverse("comments:feed_post", args=[post.pk])
    return reverse("comments:feed_latest")


def parse(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return feedparser.parse(response.content), response.content.decode()


def aged(comment, **ages):
    """Move the comment's times into the past (HTTP dates count whole seconds)."""
    Comment.objects.filter(pk=comment.pk).update(
        **{field: timezone.now() - age for field, age in ages.items()}
    )
    comment.refresh_from_db()
    return comment


@pytest.mark.parametrize("kind", FEEDS)
def test_an_edited_comment_says_so_and_is_updated_when_edited(client, a_post, kind):
    comment = make_comment(a_post, body="Original text.")
    services.comment_edit(comment_id=comment.pk, body="Corrected *text*.")
    comment = aged(comment, created_at=timedelta(minutes=10), edited_at=timedelta(minutes=3))
    make_comment(a_post, body="never edited")
    feed, _raw = parse(client, feed_url(kind, a_post))
    edited, plain = sorted(feed.entries, key=lambda e: "never" in e.summary)
    assert "Corrected <em>text</em>." in edited.summary
    assert "(edited" in edited.summary and "Original text" not in edited.summary
    assert edited.updated_parsed[:6] == comment.edited_at.utctimetuple()[:6]
    assert edited.published_parsed[:6] == comment.created_at.utctimetuple()[:6]
    assert "(edited" not in plain.summary


@pytest.mark.parametrize("kind", FEEDS)
def test_an_edit_changes_last_modified_and_the_etag(client, a_post, kind):
    comment = aged(make_comment(a_post, body="Before."), created_at=timedelta(minutes=10))
    url = feed_url(kind, a_post)
    before = client.get(url)
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=before["Last-Modified"]).status_code == 304
    services.comment_edit(comment_id=comment.pk, body="After.")
    aged(comment, edited_at=timedelta(minutes=2))
    after = client.get(url, HTTP_IF_MODIFIED_SINCE=before["Last-Modified"])
    assert after.status_code == 200 and "After." in after.content.decode()
    assert client.get(url, HTTP_IF_NONE_MATCH=before["ETag"]).status_code == 200


@pytest.mark.parametrize("kind", FEEDS)
def test_an_edit_that_sends_the_comment_back_to_the_queue_moves_last_modified(client, a_post, kind):
    """Approved by the rules (never moderated), then edited into a safety hold."""
    aged(make_comment(a_post, body="Older."), created_at=timedelta(minutes=20))
    comment = aged(make_comment(a_post, body="Fine."), created_at=timedelta(minutes=10))
    url = feed_url(kind, a_post)
    before = client.get(url)
    services.comment_edit(comment_id=comment.pk, body="My NHS number is 943 476 5919.")
    comment = aged(comment, edited_at=timedelta(minutes=2))
    assert comment.status == Status.HELD
    after = client.get(url, HTTP_IF_MODIFIED_SINCE=before["Last-Modified"])
    assert after.status_code == 200 and f"#comment-{comment.pk}<" not in after.content.decode()
    # The number's parts, not "943" alone: a timestamp's digits may hold that.
    assert "943 476" not in after.content.decode() and "476 5919" not in after.content.decode()


@pytest.mark.parametrize("kind", FEEDS)
def test_the_title_is_the_entrys_title_and_untitled_ones_keep_theirs(client, a_post, kind):
    make_comment(a_post, name="Ann", title="Masking was incomplete", body="titled")
    make_comment(a_post, name="Bo", body="untitled")
    feed, _raw = parse(client, feed_url(kind, a_post))
    titles = {e.summary.split("</p>")[0]: e.title for e in feed.entries}
    assert titles == {
        "<p>titled": "Masking was incomplete \u2014 Ann on \u201cA published write-up\u201d",
        "<p>untitled": "Bo on \u201cA published write-up\u201d",
    }
    assert {e.author for e in feed.entries} == {"Ann", "Bo"}


@pytest.mark.parametrize("kind", FEEDS)
def test_a_hostile_title_is_text_escaped_once(client, a_post, kind):
    title = '<script>alert(1)</script> p<0\u00b7001 & "n=202"'
    make_comment(a_post, title=title, body="b")
    feed, raw = parse(client, feed_url(kind, a_post))
    assert feed.entries[0].title == f"{title} \u2014 Ann Reader on \u201cA published write-up\u201d"
    assert "<script>" not in raw
    assert "&amp;lt;" not in raw  # escaped once, as XML text


def test_titles_and_edits_cost_no_query_per_entry(client, a_post, django_assert_max_num_queries):
    for n in range(30):
        comment = make_comment(a_post, title=f"T{n}" if n % 2 else "", body=f"c{n}")
        if n % 3 == 0:
            services.comment_edit(comment_id=comment.pk, body=f"edited {n}")
    for kind in FEEDS:
        with django_assert_max_num_queries(3):
            feed, _raw = parse(client, feed_url(kind, a_post))
        assert len(feed.entries) == 30


@pytest.mark.parametrize("kind", FEEDS)
def test_an_entry_keeps_its_id_and_links_the_citable_page(client, a_post, kind, settings):
    """The entry's id is the comment's place on the post's page, as before the thread had
    pages (a changed id shows readers old entries as new); its link is the citable page."""
    settings.COMMENTS_PER_PAGE = 1
    first = make_comment(a_post, body="First.")
    second = make_comment(a_post, body="Second, on page 2.")
    feed, _raw = parse(client, feed_url(kind, a_post))
    by_text = {("Second" in entry.summary): entry for entry in feed.entries}
    for comment, entry in ((first, by_text[False]), (second, by_text[True])):
        assert entry.id == f"{settings.SITE_URL}{a_post.get_absolute_url()}#comment-{comment.pk}"
        assert entry.link == f"{settings.SITE_URL}/comments/{comment.pk}/"
