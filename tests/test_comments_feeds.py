"""Comment feeds: approved comments only, never an email address."""

import feedparser
import pytest
from django.urls import reverse

from comments.models import Comment
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
    assert [e.link for e in feed.entries] == [
        f"http://testserver{second.get_absolute_url()}",
        f"http://testserver{first.get_absolute_url()}",
    ]
    assert feed.entries[1].summary == "<p>first <em>one</em></p>"
    assert feed.entries[0].author == "Bo"
    assert "held one" not in raw and "elsewhere" not in raw


def test_site_feed_lists_recent_approved_comments_on_published_posts(client, a_post, a_draft):
    make_comment(a_post, body="visible")
    make_comment(a_draft, body="on a draft")
    make_comment(a_post, status=Status.SPAM, body="spam")
    feed, raw = parse(client, reverse("comments:feed_latest"))
    assert [e.summary for e in feed.entries] == ["<p>visible</p>"]
    assert feed.entries[0].title == "Ann Reader on \u201cA published write-up\u201d"


@pytest.mark.parametrize("fixture", ["a_draft", "a_scheduled_post"])
def test_no_feed_for_unpublished_posts(client, request, fixture):
    post = request.getfixturevalue(fixture)
    assert client.get(reverse("comments:feed_post", args=[post.pk])).status_code == 404


def test_feed_query_count_is_fixed(client, a_post, django_assert_max_num_queries):
    for n in range(40):
        make_comment(a_post, body=f"c{n}")
    with django_assert_max_num_queries(3):
        client.get(reverse("comments:feed_latest"))
    with django_assert_max_num_queries(3):
        client.get(reverse("comments:feed_post", args=[a_post.pk]))
