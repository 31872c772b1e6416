"""Feed items are rendered once per worker and change (blog.feeds.full_content): kept under
the shared page-cache generation and the feed's own state, so a second GET renders no item
template and fetches no disclosures, and any change shows on the very next GET."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from blog import feeds
from blog.models import Disclosure, PaperNotice
from tests.factories import make_post

pytestmark = pytest.mark.django_db

FEEDS = ["/feeds/atom/", "/feeds/rss/", "/labels/ms/feeds/atom/", "/labels/ms/feeds/rss/"]


@pytest.fixture
def posts(an_author):
    return [
        make_post(author=an_author, title=f"Post {n}", labels=["ms"], doi="10.1000/xyz.1")
        for n in range(3)
    ]


def templates_of(response):
    return [template.name for template in response.templates]


@pytest.mark.parametrize("address", FEEDS)
def test_a_second_get_renders_no_item_and_fetches_no_disclosures(client, posts, address):
    first = client.get(address)
    assert templates_of(first).count("blog/feed_item.html") == 3
    with CaptureQueriesContext(connection) as warm:
        second = client.get(address)
    assert "blog/feed_item.html" not in templates_of(second)
    assert second.content == first.content
    assert not [q for q in warm.captured_queries if "blog_disclosure" in q["sql"]]
    assert "I have nothing to disclose." in second.content.decode()


def test_a_changed_disclosure_shows_on_the_next_get(client, posts):
    client.get("/feeds/atom/")
    disclosure = Disclosure.objects.filter(post=posts[0]).get()
    disclosure.statement = "Consultancy fees from <Acme> & Co"
    disclosure.save()
    page = client.get("/feeds/atom/").content.decode()
    assert "Consultancy fees from &amp;lt;Acme&amp;gt; &amp;amp; Co" in page


def test_a_notice_about_the_paper_shows_on_the_next_get(client, posts):
    client.get("/feeds/rss/")
    PaperNotice.objects.create(paper_doi="10.1000/xyz.1", kind=PaperNotice.Kind.RETRACTION)
    assert "Retraction" in client.get("/feeds/rss/").content.decode()


def test_another_workers_change_is_seen_although_this_worker_kept_items(client, posts):
    client.get("/feeds/atom/")
    kept = feeds._kept_items.copy()
    posts[1].title = "Renamed"
    posts[1].summary = "A new summary"
    posts[1].save()
    feeds._kept_items.update(kept)  # as if this worker had not seen the change
    page = client.get("/feeds/atom/").content.decode()
    assert "A new summary" in page


def test_without_a_readable_cache_items_are_rendered_every_time(client, posts, monkeypatch):
    monkeypatch.setattr("pagecache.store.generation", lambda: None)
    assert templates_of(client.get("/feeds/atom/")).count("blog/feed_item.html") == 3
    assert templates_of(client.get("/feeds/atom/")).count("blog/feed_item.html") == 3


def test_the_feed_keeps_its_etag_and_304(client, posts):
    first = client.get("/feeds/atom/")
    assert "Last-Modified" in first and "ETag" in first
    again = client.get("/feeds/atom/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


@pytest.mark.parametrize("address", FEEDS)
def test_a_warm_feed_reads_its_state_and_nothing_else(client, posts, address):
    """The posts are kept with their items (blog.feeds.feed_posts): a second GET reads the
    feed's state (and a label feed its label), not the posts, their labels or authors."""
    first = client.get(address)
    with CaptureQueriesContext(connection) as warm:
        second = client.get(address)
    assert second.content == first.content
    state = [q["sql"] for q in warm.captured_queries if "COUNT" in q["sql"].upper()]
    assert len(state) == 1  # how many posts are live, their newest dates
    assert len(warm.captured_queries) == (2 if "labels" in address else 1)


def test_another_workers_change_is_seen_although_this_worker_kept_posts(client, posts):
    client.get("/feeds/atom/")
    kept = feeds._kept_feed_posts.copy()
    posts[2].title = "Renamed by another worker"
    posts[2].save()
    feeds._kept_feed_posts.update(kept)  # as if this worker had not seen the change
    assert "Renamed by another worker" in client.get("/feeds/atom/").content.decode()


def test_a_post_unpublished_without_signals_leaves_the_feed_on_the_next_get(client, posts):
    """A bulk update moves no generation; the feed's state (read on every GET) sees it."""
    from blog.models import Post

    assert "Post 1" in client.get("/feeds/rss/").content.decode()
    Post.objects.filter(pk=posts[1].pk).update(status=Post.Status.DRAFT)
    page = client.get("/feeds/rss/").content.decode()
    assert "Post 1" not in page and "Post 0" in page and "Post 2" in page


def test_each_label_has_its_own_kept_posts(client, an_author, posts):
    make_post(author=an_author, title="Only in cardiology", labels=["cardiology"])
    assert "Only in cardiology" not in client.get("/labels/ms/feeds/atom/").content.decode()
    assert "Only in cardiology" in client.get("/labels/cardiology/feeds/atom/").content.decode()
    assert "Only in cardiology" not in client.get("/labels/ms/feeds/atom/").content.decode()
