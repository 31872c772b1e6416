"""Atom and RSS feeds: full content with disclosures and source, valid, conditional GET."""

import re
from datetime import timedelta

import feedparser
import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date

from blog.models import Disclosure, Post
from tests.factories import make_post

pytestmark = pytest.mark.django_db

FEEDS = ["blog:feed_atom", "blog:feed_rss"]
DOI = "10.1016/S0140-6736(12)61768-1"


@pytest.fixture
def feed_posts(an_author):
    now = timezone.now()
    older = make_post(
        author=an_author,
        title="Older post",
        labels=["trials"],
        published_at=now - timedelta(days=5),
    )
    newer = make_post(
        author=an_author,
        title="Newer post",
        labels=["alemtuzumab", "trials"],
        body="The **result** & more.",
        doi=DOI,
        disclosure=False,
        source_citation="Coles AJ et al. Lancet 2012.",
        published_at=now - timedelta(days=1),
    )
    Disclosure.objects.create(
        post=newer,
        person="Wren Ashdown",
        relationship=Disclosure.Relationship.CONSULTANCY,
        organisations="Genzyme",
        statement="Paid <consultancy> work.",
    )
    Post.objects.filter(pk=newer.pk).update(status=Post.Status.PUBLISHED)
    make_post(author=an_author, title="Draft post", status=Post.Status.DRAFT)
    return older, newer


def fetch(client, name, **headers):
    return client.get(reverse(name), headers=headers)


@pytest.mark.parametrize("name", FEEDS)
def test_the_feed_parses_without_errors_and_lists_published_posts_newest_first(
    client, feed_posts, name
):
    response = fetch(client, name)
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert [entry.title for entry in feed.entries] == ["Newer post", "Older post"]
    assert feed.feed.title == "Trialpress"


def full_content(entry, name):
    """Where the whole post is: Atom's <content>, RSS's <description>."""
    if name == "blog:feed_atom":
        (content,) = entry.content
        assert content.type == "text/html"
        return content.value
    return entry.summary


@pytest.mark.parametrize("name", FEEDS)
def test_each_item_carries_the_body_the_disclosures_and_the_source(client, feed_posts, name):
    feed = feedparser.parse(fetch(client, name).content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    content = full_content(feed.entries[0], name)
    assert "<strong>result</strong>" in content
    assert "Conflicts of interest" in content
    assert "Wren Ashdown" in content and "Consultancy" in content and "Genzyme" in content
    assert "Paid &lt;consultancy&gt; work." in content
    assert f'href="https://doi.org/{DOI}"' in content
    assert "Coles AJ et al. Lancet 2012." in content


def test_atom_puts_the_summary_in_summary_and_the_full_post_in_content(client, feed_posts):
    _, newer = feed_posts
    response = fetch(client, "blog:feed_atom")
    raw = response.content.decode()
    assert raw.count("<content ") == raw.count("<entry>") == 2
    assert '<content type="html">' in raw and '<summary type="text">' in raw
    entry = feedparser.parse(response.content).entries[0]
    assert entry.summary == newer.summary
    assert "<strong>" not in entry.summary and "Conflicts of interest" not in entry.summary
    assert "<strong>result</strong>" in entry.content[0].value


def test_atom_summary_is_plain_text_even_when_the_summary_looks_like_markup(client, an_author):
    make_post(author=an_author, summary="p<0·05 & <b>not bold</b>")
    entry = feedparser.parse(fetch(client, "blog:feed_atom").content).entries[0]
    assert entry.summary == "p<0·05 & <b>not bold</b>"
    assert entry.summary_detail.type == "text/plain"


@pytest.mark.parametrize("name", FEEDS)
def test_a_two_line_disclosure_statement_keeps_its_line_break(client, an_author, name):
    post = make_post(author=an_author, disclosure=False)
    Disclosure.objects.create(
        post=post,
        person="GG",
        relationship=Disclosure.Relationship.OTHER,
        statement="First line & <more>.\nSecond line.",
    )
    entry = feedparser.parse(fetch(client, name).content).entries[0]
    content = full_content(entry, name)
    assert "First line &amp; &lt;more&gt;.<br />Second line." in content.replace("<br>", "<br />")


@pytest.mark.parametrize("name", FEEDS)
def test_items_show_no_comment_count_so_approving_a_comment_leaves_the_feed_as_it_was(
    client, feed_posts, a_superuser, name
):
    """Approving a comment saves no post, so ETag and Last-Modified stay; the feed must too."""
    from comments.services import comment_approve
    from tests.test_comments_support import make_comment

    _, newer = feed_posts
    first = fetch(client, name)
    comment = make_comment(newer, status="held")
    comment_approve(comment=comment, moderator=a_superuser)
    newer.refresh_from_db()
    assert newer.comment_count == 1

    again = fetch(client, name)
    assert again.content == first.content
    assert (again["ETag"], again["Last-Modified"]) == (first["ETag"], first["Last-Modified"])
    content = full_content(feedparser.parse(first.content).entries[0], name)
    assert "Read the comments or add one on Trialpress</a>" in content
    assert b"1 comment" not in again.content and b"No comments" not in first.content


@pytest.mark.parametrize("name", [*FEEDS, "blog:label_feed_atom", "blog:label_feed_rss"])
def test_every_address_in_a_feed_comes_from_site_url_not_the_host_header(
    client, feed_posts, settings, name
):
    settings.SITE_URL = "https://trialpress.example"
    _, newer = feed_posts
    url = reverse(name, kwargs={"slug": "trials"}) if "label" in name else reverse(name)
    response = client.get(url, headers={"host": "localhost"})
    raw = response.content.decode()
    assert "localhost" not in raw and "testserver" not in raw
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    entry = feed.entries[0]
    assert entry.link == f"https://trialpress.example{newer.get_absolute_url()}"
    assert entry.id.startswith("tag:trialpress.example,")
    assert feed.feed.link.startswith("https://trialpress.example/")
    addresses = re.findall(r'(?:href="|<link>|<guid[^>]*>|<id>)(https?://[^"<]+)', raw)
    assert addresses
    outside = [a for a in addresses if not a.startswith("https://trialpress.example/")]
    assert outside == [f"https://doi.org/{DOI}"]
    if "atom" in name:
        (self_link,) = [link for link in feed.feed.links if link.rel == "self"]
        assert self_link.href == f"https://trialpress.example{url}"


@pytest.mark.parametrize("name", FEEDS)
def test_items_have_labels_author_name_and_dates(client, feed_posts, name):
    _, newer = feed_posts
    response = fetch(client, name)
    entry = feedparser.parse(response.content).entries[0]
    assert sorted(tag.term for tag in entry.tags) == ["alemtuzumab", "trials"]
    assert "Wren Ashdown" in entry.author
    assert entry.link == f"http://testserver{newer.get_absolute_url()}"
    assert entry.published_parsed[:6] == newer.published_at.utctimetuple()[:6]
    assert newer.author.email not in response.content.decode()
    assert "@" not in entry.author


def test_the_atom_feed_gives_updated_dates_and_stable_ids(client, feed_posts):
    _, newer = feed_posts
    entry = feedparser.parse(fetch(client, "blog:feed_atom").content).entries[0]
    newer.refresh_from_db()
    # No announced change: <updated> is the publish date (tests/test_corrections_feeds.py
    # covers a post with one).
    assert entry.updated_parsed[:6] == newer.published_at.utctimetuple()[:6]
    assert entry.id == f"tag:testserver,{newer.created_at:%Y-%m-%d}:post-{newer.pk}"


@pytest.mark.parametrize("name", FEEDS)
def test_a_conditional_get_with_the_etag_gets_304(client, feed_posts, name):
    first = fetch(client, name)
    assert first.status_code == 200 and first["ETag"]
    again = fetch(client, name, if_none_match=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""


@pytest.mark.parametrize("name", FEEDS)
def test_a_304_is_decided_before_the_feed_is_built(
    client, feed_posts, name, django_assert_num_queries
):
    """One query (count and newest dates of published posts), not the items and their tags."""
    etag = fetch(client, name)["ETag"]
    with django_assert_num_queries(1):
        assert fetch(client, name, if_none_match=etag).status_code == 304


@pytest.mark.parametrize("name", FEEDS)
def test_a_conditional_get_with_the_date_gets_304(client, feed_posts, name):
    first = fetch(client, name)
    assert fetch(client, name, if_modified_since=first["Last-Modified"]).status_code == 304
    past = http_date((timezone.now() - timedelta(days=30)).timestamp())
    assert fetch(client, name, if_modified_since=past).status_code == 200


@pytest.mark.parametrize("change", ["publish", "unpublish", "edit"])
def test_any_change_readers_would_see_changes_the_etag(client, feed_posts, an_author, change):
    older, _ = feed_posts
    etag = fetch(client, "blog:feed_atom")["ETag"]
    if change == "publish":
        make_post(author=an_author, title="Brand new")
    elif change == "unpublish":
        Post.objects.filter(pk=older.pk).update(status=Post.Status.DRAFT)
    else:
        older.title = "Retitled"
        older.save()
    response = fetch(client, "blog:feed_atom", if_none_match=etag)
    assert response.status_code == 200
    assert response["ETag"] != etag


def test_a_scheduled_post_going_live_changes_the_feed(client, an_author):
    make_post(author=an_author, title="Live")
    scheduled = make_post(
        author=an_author, title="Scheduled", published_at=timezone.now() + timedelta(hours=1)
    )
    first = fetch(client, "blog:feed_rss")
    assert b"Scheduled" not in first.content
    # Its time comes without the post being saved again.
    Post.objects.filter(pk=scheduled.pk).update(published_at=timezone.now() - timedelta(seconds=1))
    again = fetch(client, "blog:feed_rss", if_none_match=first["ETag"])
    assert again.status_code == 200
    assert b"Scheduled" in again.content


def test_an_empty_blog_still_has_valid_feeds(client, db):
    for name in FEEDS:
        feed = feedparser.parse(fetch(client, name).content)
        assert feed.bozo == 0 and feed.entries == []


def test_the_feed_is_limited_to_the_latest_twenty(client, an_author):
    for i in range(25):
        make_post(author=an_author, title=f"Post {i}")
    assert len(feedparser.parse(fetch(client, "blog:feed_atom").content).entries) == 20


def test_the_home_page_advertises_both_feeds(client, db):
    html = client.get("/").content.decode()
    atom, rss = reverse("blog:feed_atom"), reverse("blog:feed_rss")
    assert f'type="application/atom+xml" title="Trialpress (Atom)" href="{atom}"' in html
    assert f'type="application/rss+xml" title="Trialpress (RSS)" href="{rss}"' in html
