"""A list page's post count (its paginator's ``COUNT``) is kept per page-cache generation
(``blog.navigation.kept_count``): a page after the first asks the database for its posts
only, and a change still shows on the very next request: a new post, one unpublished, a
scheduled one going live, another author's page."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pagecache.store import GENERATION_KEY
from tests.factories import make_post, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_a_page(settings):
    settings.BLOG_POSTS_PER_PAGE = 2


@pytest.fixture
def posts(an_author, two_a_page):
    return [
        make_post(
            author=an_author, published_at=datetime(2013, 3, day, 9, tzinfo=UTC), labels=["ms"]
        )
        for day in (1, 2)
    ]


def counts_in(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response, [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]


@pytest.mark.parametrize("url", ["/", "/labels/ms/", "/2013/", "/2013/03/"])
def test_the_second_request_does_not_count_again(client, posts, url):
    first, counted = counts_in(client, url)
    assert first.status_code == 200 and counted
    second, counted_again = counts_in(client, url)
    assert second.status_code == 200 and not counted_again
    assert first.content.count(b'<article class="post-summary"') == 2
    assert second.content.count(b'<article class="post-summary"') == 2


@pytest.mark.parametrize("url", ["/", "/labels/ms/", "/2013/", "/2013/03/"])
def test_a_new_post_shows_on_the_very_next_request(client, posts, an_author, url):
    assert client.get(url + "?page=2").status_code == 404  # two posts: one page
    make_post(author=an_author, published_at=datetime(2013, 3, 3, 9, tzinfo=UTC), labels=["ms"])
    assert client.get(url + "?page=2").status_code == 200


def test_an_unpublished_post_leaves_the_count_at_once(client, posts, an_author):
    third = make_post(author=an_author, published_at=datetime(2013, 3, 3, 9, tzinfo=UTC))
    assert client.get("/?page=2").status_code == 200
    third.status = third.Status.DRAFT
    third.save()
    assert client.get("/?page=2").status_code == 404


def test_a_scheduled_post_going_live_is_counted_without_a_change(
    client, posts, an_author, monkeypatch
):
    real_now = timezone.now()
    make_post(author=an_author, published_at=real_now + timedelta(hours=1))
    generation = cache.get(GENERATION_KEY)
    assert client.get("/?page=2").status_code == 404
    assert client.get("/?page=2").status_code == 404
    monkeypatch.setattr(timezone, "now", lambda: real_now + timedelta(hours=1, seconds=1))
    assert client.get("/?page=2").status_code == 200
    assert cache.get(GENERATION_KEY) == generation  # no change moved the generation on


def test_each_list_keeps_its_own_count(client, posts, an_author):
    """Keys hold the view and its arguments: the home page's count is not a label's."""
    other = make_user(first_name="Bea", last_name="Other")
    for day in (4, 5, 6):
        make_post(author=other, published_at=datetime(2014, 1, day, 9, tzinfo=UTC), labels=["x"])
    assert client.get("/labels/ms/?page=2").status_code == 404
    assert client.get("/labels/x/?page=2").status_code == 200
    assert client.get("/?page=3").status_code == 200  # five posts
    assert client.get("/2013/?page=2").status_code == 404
    assert client.get("/2014/?page=2").status_code == 200


def test_without_a_readable_cache_the_count_is_asked_every_time(client, posts, monkeypatch):
    monkeypatch.setattr("pagecache.store.generation", lambda: None)
    assert counts_in(client, "/")[1]
    assert counts_in(client, "/")[1]


def test_a_month_archive_counts_its_posts_in_the_time_zone_of_the_request(
    client, an_author, settings
):
    """1 March 2013 at 05:00 UTC is still February in Pago Pago (UTC-11): there, March has
    one post and no second page, whatever count another time zone kept."""
    settings.BLOG_POSTS_PER_PAGE = 1
    make_post(author=an_author, title="Edge", published_at=datetime(2013, 3, 1, 5, tzinfo=UTC))
    make_post(author=an_author, title="Later", published_at=datetime(2013, 3, 2, 9, tzinfo=UTC))
    in_utc = client.get("/2013/03/?page=2")
    with timezone.override("Pacific/Pago_Pago"):
        in_pago_pago = client.get("/2013/03/?page=2")
    assert in_utc.status_code == 200
    assert "Edge" in in_utc.content.decode()
    assert in_pago_pago.status_code == 404
