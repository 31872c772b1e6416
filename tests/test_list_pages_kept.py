"""A list page's posts (one page of the home page, a label's, an archive's, an author's) are
kept per page-cache generation (``blog.navigation.kept_list``), as their count is: a warm list
page reads nothing from the database, and a change still shows on the very next request."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from blog import navigation
from blog.models import Post
from pagecache.store import GENERATION_KEY
from tests.factories import make_post

pytestmark = pytest.mark.django_db

LISTS = ["/", "/labels/ms/", "/2013/", "/2013/03/"]


@pytest.fixture
def posts(an_author, settings):
    settings.BLOG_POSTS_PER_PAGE = 2
    return [
        make_post(
            author=an_author,
            title=f"Day {day} of the trial",
            published_at=datetime(2013, 3, day, 9, tzinfo=UTC),
            labels=["ms"],
        )
        for day in (1, 2, 3)
    ]


def titles(response):
    html = response.content.decode()
    names = ("Day 1 of the trial", "Day 2 of the trial", "Day 3 of the trial", "Renamed")
    return [name for name in names if name in html]


@pytest.mark.parametrize("url", LISTS)
def test_a_warm_list_page_reads_no_post(client, posts, url):
    first = client.get(url)
    with CaptureQueriesContext(connection) as warm:
        second = client.get(url)
    assert not [q for q in warm.captured_queries if "blog_post" in q["sql"]]
    assert second.content == first.content
    assert titles(second) == ["Day 2 of the trial", "Day 3 of the trial"]
    assert titles(client.get(url + "?page=2")) == ["Day 1 of the trial"]  # each page its own


@pytest.mark.parametrize("url", LISTS)
def test_a_renamed_post_shows_on_the_very_next_request(client, posts, url):
    client.get(url)
    posts[2].title = "Renamed"
    posts[2].save()
    assert titles(client.get(url)) == ["Day 2 of the trial", "Renamed"]


def test_another_workers_change_is_seen_although_this_worker_kept_the_list(client, posts):
    client.get("/")
    kept = navigation._kept_lists.copy()
    posts[2].title = "Renamed"
    posts[2].save()
    navigation._kept_lists.update(kept)  # as if this worker had not seen the change
    assert "Renamed" in client.get("/").content.decode()


def test_a_scheduled_post_going_live_shows_without_a_change(client, posts, an_author, monkeypatch):
    real_now = timezone.now()
    make_post(author=an_author, title="Scheduled", published_at=real_now + timedelta(hours=1))
    generation = cache.get(GENERATION_KEY)
    assert "Scheduled" not in client.get("/").content.decode()
    assert "Scheduled" not in client.get("/").content.decode()
    monkeypatch.setattr(timezone, "now", lambda: real_now + timedelta(hours=1, seconds=1))
    assert "Scheduled" in client.get("/").content.decode()
    assert cache.get(GENERATION_KEY) == generation


def test_each_request_gets_its_own_copies(posts, rf):
    """What one render sets on a post stays on that request's copy."""
    fetches = []

    def fetch():
        fetches.append(1)
        return list(Post.objects.order_by("pk"))

    first = navigation.kept_list(("test",), rf.get("/"), fetch)
    second = navigation.kept_list(("test",), rf.get("/"), fetch)
    assert len(fetches) == 1
    assert [post.pk for post in first] == [post.pk for post in second] == [p.pk for p in posts]
    assert all(a is not b for a, b in zip(first, second, strict=True))
    first[0].title = "Set by one render"
    third = navigation.kept_list(("test",), rf.get("/"), fetch)
    assert third[0].title == posts[0].title


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_a_month_archive_in_another_time_zone_is_its_own_list(client, an_author, settings, zone):
    """1 March 2013 at 05:00 UTC is still February in Pago Pago (UTC-11)."""
    settings.BLOG_POSTS_PER_PAGE = 10
    make_post(author=an_author, title="Edge", published_at=datetime(2013, 3, 1, 5, tzinfo=UTC))
    client.get("/2013/03/")
    with timezone.override(zone):
        response = client.get("/2013/03/")
    shown = response.status_code == 200 and "Edge" in response.content.decode()
    assert shown == (zone == "Pacific/Kiritimati")
