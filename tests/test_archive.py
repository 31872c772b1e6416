"""The archive: year and month pages, and the sidebar's years and months (one query, cached)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from blog.models import Post
from blog.navigation import archive_months, archive_years
from tests.factories import make_post

pytestmark = pytest.mark.django_db


def at(year, month, day, hour=12):
    return datetime(year, month, day, hour, tzinfo=UTC)


@pytest.fixture
def dated(an_author):
    return {
        "nov12a": make_post(author=an_author, title="November one", published_at=at(2012, 11, 2)),
        "nov12b": make_post(author=an_author, title="November two", published_at=at(2012, 11, 20)),
        "mar12": make_post(author=an_author, title="March post", published_at=at(2012, 3, 5)),
        "jan13": make_post(author=an_author, title="January post", published_at=at(2013, 1, 9)),
        "draft": make_post(
            author=an_author,
            title="Draft in June",
            status=Post.Status.DRAFT,
            published_at=at(2012, 6, 1),
        ),
    }


def test_a_year_page_lists_that_years_posts(client, dated):
    response = client.get(reverse("blog:archive_year", args=[2012]))
    html = response.content.decode()
    assertContains(response, '<h1 class="page-title">Posts from 2012</h1>', html=True)
    assert html.index("November two") < html.index("November one") < html.index("March post")
    assertNotContains(response, "January post")
    assertNotContains(response, "Draft in June")


def test_a_month_page_lists_that_months_posts(client, dated):
    response = client.get(reverse("blog:archive_month", args=[2012, 11]))
    assert response.request["PATH_INFO"] == "/2012/11/"
    assertContains(response, "Posts from November 2012")
    assertContains(response, "November one")
    assertContains(response, "November two")
    assertNotContains(response, "March post")


@pytest.mark.parametrize(
    "path",
    [
        "/2011/",
        "/2012/06/",
        "/2012/07/",  # empty, or only a draft
        "/2012/13/",
        "/2012/00/",
        "/2012/1/",
        "/0000/",
        "/99999/",
        "/0999/",
        "/3000/",
        "/2012/11/?page=2",
        "/2012/?page=0",
        "/2012/?page=abc",
    ],
)
def test_an_empty_or_invalid_archive_page_is_not_found(client, dated, path):
    response = client.get(path)
    assert response.status_code == 404
    assertNotContains(response, "Draft in June", status_code=404)


def test_the_archive_groups_months_under_years_newest_first(dated):
    years = archive_years()
    assert [(y.year, y.count) for y in years] == [(2013, 1), (2012, 3)]
    assert [(m.month.month, m.count) for m in years[1].months] == [(11, 2), (3, 1)]


def test_the_archive_is_one_query_whatever_the_number_of_posts(
    dated, an_author, django_assert_num_queries
):
    for day in range(1, 20):
        make_post(author=an_author, published_at=at(2010, 1 + day % 12, day))
    with django_assert_num_queries(1):
        years = archive_years()
    assert [y.year for y in years] == [2013, 2012, 2010]


def test_the_archive_counts_months_in_the_site_time_zone(an_author, settings):
    settings.TIME_ZONE = "Australia/Sydney"
    make_post(author=an_author, published_at=at(2012, 10, 31, 20))  # 1 November in Sydney
    assert [(m.month.year, m.month.month) for m in archive_months()] == [(2012, 11)]


def test_the_sidebar_shows_years_and_months_with_counts(client, dated):
    response = client.get("/")
    html = response.content.decode()
    sidebar = html[
        html.index('class="widget archive-nav"') : html.index('class="widget label-nav"')
    ]
    assert '<summary>2013 <span class="count">(1)</span></summary>' in sidebar
    assert '<summary>2012 <span class="count">(3)</span></summary>' in sidebar
    assert '<a href="/2012/">All of 2012</a>' in sidebar
    assert '<a href="/2012/11/">November</a> <span class="count">(2)</span>' in sidebar
    assert '<a href="/2012/03/">March</a> <span class="count">(1)</span>' in sidebar
    assert sidebar.index("2013") < sidebar.index("2012")
    assert "/2012/06/" not in sidebar


def test_the_year_being_read_is_open_in_the_sidebar(client, dated):
    html = client.get("/2012/").content.decode()
    assert "<details open>\n<summary>2012 " in html
    assert "<details>\n<summary>2013 " in html


def test_no_link_hides_inside_a_summary(client, dated):
    """A link inside <summary> is an interactive element nested in another (axe flags it)."""
    import re

    html = client.get("/").content.decode()
    for summary in re.findall(r"<summary>(.*?)</summary>", html, re.S):
        assert "<a " not in summary


def sidebar_of(client, path="/"):
    html = client.get(path).content.decode()
    return html[html.index('class="widget archive-nav"') : html.index('class="widget label-nav"')]


def test_the_sidebar_is_cached_and_a_new_post_shows_at_once(client, dated, an_author):
    """The second page pays no query for the sidebar; publishing a post changes it at once."""
    sidebar_of(client)
    with CaptureQueriesContext(connection) as cold:
        sidebar_of(client, "/2012/")
    assert not any(
        "django_datetime_trunc" in q["sql"] or "DATE_TRUNC" in q["sql"].upper()
        for q in cold.captured_queries
    )
    make_post(author=an_author, title="Another November", published_at=at(2012, 11, 25))
    sidebar = sidebar_of(client)
    assert '<summary>2012 <span class="count">(4)</span></summary>' in sidebar
    assert '<a href="/2012/11/">November</a> <span class="count">(3)</span>' in sidebar


def test_a_scheduled_post_joins_the_cached_sidebar_when_its_time_comes(
    client, dated, an_author, monkeypatch
):
    from django.utils import timezone

    real_now = timezone.now()
    make_post(author=an_author, title="Scheduled", published_at=real_now + timedelta(hours=1))
    month = timezone.localtime(real_now + timedelta(hours=1))
    link = f'<a href="/{month:%Y}/{month:%m}/">'
    assert link not in sidebar_of(client)
    assert link not in sidebar_of(client)  # served from the cache
    monkeypatch.setattr(timezone, "now", lambda: real_now + timedelta(hours=1, seconds=1))
    assert link in sidebar_of(client)


def test_both_sidebar_widgets_share_one_cache_read_per_page(client, dated, monkeypatch):
    """With the database cache (no Redis) every read is a query: one per page, not one each."""
    from django.core.cache import cache

    reads = []
    real_get = cache.get

    def get(key, *args, **kwargs):
        reads.append(key)
        return real_get(key, *args, **kwargs)

    monkeypatch.setattr(cache, "get", get)
    client.get("/")
    assert len([key for key in reads if key.startswith("navigation:")]) == 1
