"""A month's page selects its posts by a date range in TIME_ZONE (blog.views.month_bounds),
the same posts as extracting the year and month from each date: posts a second either side
of midnight at a month's end, in zones far from UTC and zones whose clocks change at
midnight."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from blog.models import Post
from blog.views import month_bounds
from tests.factories import make_post

pytestmark = pytest.mark.django_db

ZONES = ["UTC", "Australia/Sydney", "Pacific/Kiritimati", "America/Adak", "America/Santiago"]


def titles(client, path):
    response = client.get(path)
    if response.status_code == 404:
        return set()
    return {post.title for post in response.context["posts"]}


@pytest.mark.parametrize(
    ("zone", "first_of_november"),
    [
        ("UTC", datetime(2012, 11, 1, 0, tzinfo=UTC)),
        ("Australia/Sydney", datetime(2012, 10, 31, 13, tzinfo=UTC)),  # summer time, +11
        ("America/Adak", datetime(2012, 11, 1, 9, tzinfo=UTC)),  # -9 in October
    ],
)
def test_posts_a_second_either_side_of_midnight_land_in_their_own_month(
    client, settings, an_author, zone, first_of_november
):
    settings.TIME_ZONE = zone
    make_post(
        author=an_author, title="last second", published_at=first_of_november - timedelta(seconds=1)
    )
    make_post(author=an_author, title="first second", published_at=first_of_november)
    with timezone.override(zone):
        assert titles(client, "/2012/10/") == {"last second"}
        assert titles(client, "/2012/11/") == {"first second"}


def test_december_runs_to_the_first_of_january(client, settings, an_author):
    settings.TIME_ZONE = "Pacific/Kiritimati"  # +14
    new_year = datetime(2012, 12, 31, 10, tzinfo=UTC)  # 1 January 2013, 00:00 there
    make_post(author=an_author, title="old year", published_at=new_year - timedelta(microseconds=1))
    make_post(author=an_author, title="new year", published_at=new_year)
    with timezone.override("Pacific/Kiritimati"):
        assert titles(client, "/2012/12/") == {"old year"}
        assert titles(client, "/2013/01/") == {"new year"}


def test_the_month_page_extracts_no_date_parts(client, an_author):
    make_post(author=an_author, published_at=datetime(2012, 11, 2, tzinfo=UTC))
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/2012/11/").status_code == 200
    sql = " ".join(q["sql"] for q in queries.captured_queries).lower()
    assert "django_datetime_extract" not in sql and "extract(" not in sql


@given(
    zone=st.sampled_from(ZONES),
    year=st.integers(1901, 2998),
    month=st.integers(1, 12),
    offset=st.integers(-50 * 3600, 50 * 3600),
)
def test_the_bounds_hold_what_the_year_and_month_lookups_hold(zone, year, month, offset):
    with timezone.override(zone):
        start, end = month_bounds(year, month)
        moment = (start + timedelta(seconds=offset)).astimezone(UTC)
        local = timezone.localtime(moment)
        assert (start <= moment < end) == ((local.year, local.month) == (year, month))
        assert end > start


def test_the_bounds_select_what_the_lookups_selected(an_author):
    for hours in range(-30, 30, 7):
        make_post(
            author=an_author, published_at=datetime(2013, 3, 1, tzinfo=UTC) + timedelta(hours=hours)
        )
    for zone in ZONES:
        with timezone.override(zone):
            start, end = month_bounds(2013, 2)
            by_range = set(Post.objects.filter(published_at__gte=start, published_at__lt=end))
            by_parts = set(Post.objects.filter(published_at__year=2013, published_at__month=2))
            assert by_range == by_parts
