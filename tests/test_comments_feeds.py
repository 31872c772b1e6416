"""Comment feeds: approved comments only, never an email address."""

from datetime import timedelta

import feedparser
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment
from comments.services import comment_approve, comment_reject
from tests.factories import make_post
from tests.test_comments_support import make_comment

Status = Comment.Status


def parse(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return feedparser.parse(response.content), response.content.decode()


def test_post_feed_lists_the_posts_approved_comments_newest_first(client, a_post, an_author):
    first = make_comment(a_post, name="Ann", body="first *one*")
    second = make_comment(a_post, name="Bo", body="second", website="https://bo.example")
    make_comment(a_post, status=Status.HELD, body="held one")
    make_comment(make_post(author=an_author), body="elsewhere")
    feed, raw = parse(client, reverse("comments:feed_post", args=[a_post.pk]))
    assert feed.feed.title == "Comments on \u201cA published write-up\u201d"
    assert [e.link for e in feed.entries] == [  # each comment's own, citable page
        f"{settings.SITE_URL}{second.get_response_url()}",
        f"{settings.SITE_URL}{first.get_response_url()}",
    ]
    assert [e.id for e in feed.entries] == [  # the ids stay as they were
        f"{settings.SITE_URL}{a_post.get_absolute_url()}#comment-{second.pk}",
        f"{settings.SITE_URL}{a_post.get_absolute_url()}#comment-{first.pk}",
    ]
    assert feed.entries[1].summary == (
        "<p>first <em>one</em></p><p>Competing interests: None declared</p>"
    )
    assert feed.entries[0].author == "Bo"
    assert "held one" not in raw and "elsewhere" not in raw


def test_site_feed_lists_recent_approved_comments_on_published_posts(client, a_post, a_draft):
    make_comment(a_post, body="visible")
    make_comment(a_draft, body="on a draft")
    make_comment(a_post, status=Status.SPAM, body="spam")
    feed, raw = parse(client, reverse("comments:feed_latest"))
    assert [e.summary for e in feed.entries] == [
        "<p>visible</p><p>Competing interests: None declared</p>"
    ]
    assert feed.entries[0].title == "Ann Reader on \u201cA published write-up\u201d"


@pytest.mark.parametrize("fixture", ["a_draft", "a_scheduled_post"])
def test_no_feed_for_unpublished_posts(db, client, request, fixture):
    post = request.getfixturevalue(fixture)
    assert client.get(reverse("comments:feed_post", args=[post.pk])).status_code == 404


def test_feed_query_count_is_fixed(client, a_post, django_assert_max_num_queries):
    for n in range(40):
        make_comment(a_post, body=f"c{n}")
    with django_assert_max_num_queries(3):
        client.get(reverse("comments:feed_latest"))
    with django_assert_max_num_queries(3):
        client.get(reverse("comments:feed_post", args=[a_post.pk]))


def test_entries_link_to_the_site_address_whatever_the_host_asked(client, a_post, settings):
    settings.SITE_URL = "https://trials.example"
    settings.ALLOWED_HOSTS = ["*"]
    comment = make_comment(a_post, body="linked")
    for url in (reverse("comments:feed_post", args=[a_post.pk]), reverse("comments:feed_latest")):
        response = client.get(url, HTTP_HOST="evil.example")
        feed = feedparser.parse(response.content)
        assert feed.entries[0].link == f"https://trials.example{comment.get_response_url()}"
        place = f"{a_post.get_absolute_url()}#comment-{comment.pk}"
        assert feed.entries[0].id == f"https://trials.example{place}"
        assert feed.feed.link.startswith("https://trials.example/")
        assert "evil.example" not in response.content.decode()


def test_each_entry_carries_the_competing_interests_escaped_once(client, a_post):
    make_comment(a_post, competing_interests='Paid by A&B <Pharma> "quoted"')
    feed, raw = parse(client, reverse("comments:feed_post", args=[a_post.pk]))
    assert feed.entries[0].summary.endswith(
        "<p>Competing interests: Paid by A&amp;B &lt;Pharma&gt; &quot;quoted&quot;</p>"
    )
    assert "<Pharma>" not in raw and "&lt;Pharma&gt;" not in raw  # escaped as HTML, then XML


@pytest.mark.parametrize("feed", ["post", "latest"])
def test_approving_an_older_held_comment_changes_last_modified_and_etag(
    client, a_post, a_superuser, feed
):
    """A reader asking If-Modified-Since must not get a 304 and miss it."""
    url = (
        reverse("comments:feed_post", args=[a_post.pk])
        if feed == "post"
        else reverse("comments:feed_latest")
    )
    week_ago = timezone.now() - timedelta(days=7)
    held = make_comment(a_post, status=Status.HELD, body="held for a week")
    Comment.objects.filter(pk=held.pk).update(created_at=week_ago)
    newer = make_comment(a_post, body="newer")
    Comment.objects.filter(pk=newer.pk).update(created_at=week_ago + timedelta(days=1))
    before = client.get(url)
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=before["Last-Modified"]).status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH=before["ETag"]).status_code == 304

    comment_approve(comment=held, moderator=a_superuser)
    # HTTP dates count whole seconds: let the approval be a minute old when it is read.
    Comment.objects.filter(pk=held.pk).update(moderated_at=timezone.now() - timedelta(minutes=1))
    after = client.get(url, HTTP_IF_MODIFIED_SINCE=before["Last-Modified"])
    assert after.status_code == 200 and "held for a week" in after.content.decode()
    assert after["Last-Modified"] != before["Last-Modified"]
    assert client.get(url, HTTP_IF_NONE_MATCH=before["ETag"]).status_code == 200

    comment_reject(comment=held, moderator=a_superuser)  # and leaving the feed too
    gone = client.get(url, HTTP_IF_MODIFIED_SINCE=after["Last-Modified"])
    assert gone.status_code == 200 and "held for a week" not in gone.content.decode()


def test_a_new_held_comment_does_not_change_the_feed(client, a_post):
    make_comment(a_post, body="shown")
    url = reverse("comments:feed_post", args=[a_post.pk])
    before = client.get(url)
    make_comment(a_post, status=Status.HELD, body="waiting")
    assert client.get(url, HTTP_IF_NONE_MATCH=before["ETag"]).status_code == 304


def test_an_empty_feed_has_a_stable_etag_and_no_invented_date(client, a_post):
    url = reverse("comments:feed_post", args=[a_post.pk])
    first = client.get(url)
    assert "Last-Modified" not in first
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
