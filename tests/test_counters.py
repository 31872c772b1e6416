"""Counters (limits.Counter) keep their window, count exactly and survive any cache."""

import os
import uuid
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comments import ratelimit
from limits import counters
from limits.models import Counter
from tests.factories import make_user
from tests.redis_support import REDIS_TEST_URL

NO_RETURNING_IS_SQLITE_ONLY = (
    "SQLite before 3.35 only: PostgreSQL always has RETURNING, and Django's own inserts "
    "need it there (psycopg has no lastrowid)"
)


@pytest.fixture(params=["upsert", "row lock", "no RETURNING"])
def either_path(request, monkeypatch):
    """The one-statement upsert (SQLite, PostgreSQL), the row-lock path other engines use,
    and the same on a database without RETURNING (SQLite before 3.35)."""
    if request.param == "row lock":
        monkeypatch.setattr(counters, "_UPSERT_VENDORS", set())
    if request.param == "no RETURNING":
        if connection.vendor != "sqlite":
            pytest.skip(NO_RETURNING_IS_SQLITE_ONLY)
        monkeypatch.setattr(connection.features, "can_return_columns_from_insert", False)


@pytest.mark.django_db
def test_a_counter_keeps_the_window_it_was_created_with(fake_clock, either_path):
    first = counters.counter_hit(key="k", window=900)
    assert first == (1, fake_clock.now + 900)
    for n in range(2, 12):
        fake_clock.advance(89)  # 890 s later, still inside the window
        assert counters.counter_hit(key="k", window=900) == (n, first.expires_at)
    fake_clock.advance(10)  # 900 s after the first hit: the window is over
    again = counters.counter_hit(key="k", window=900)
    assert again == (1, fake_clock.now + 900)


@pytest.mark.django_db
def test_peek_reads_without_counting_and_ignores_expired_rows(fake_clock):
    assert counters.counter_peek(key="k") == counters.NONE
    counters.counter_hit(key="k", window=60)
    counters.counter_hit(key="k", window=60)
    assert counters.counter_peek(key="k").count == 2
    assert counters.counter_peek(key="k").seconds_left() == 60
    fake_clock.advance(60)
    assert counters.counter_peek(key="k") == counters.NONE


@pytest.fixture
def limits(settings):
    settings.ADMIN_LOGIN_MAX_FAILURES = 3
    settings.ADMIN_LOGIN_LOCKOUT_SECONDS = 900


def _login(client, password, ip="203.0.113.5"):
    return client.post(
        reverse("admin:login"), {"username": "editor", "password": password}, REMOTE_ADDR=ip
    )


@pytest.mark.django_db
def test_a_fifteen_minute_lockout_lasts_fifteen_minutes_not_five(client, limits, fake_clock):
    make_user(username="editor", staff=True, password="right-password")
    for _ in range(3):
        _login(client, "wrong")
        fake_clock.advance(100)  # every failure after the first leaves the window as it was
    for elapsed in (301, 500, 590):  # since the last failure; the first was 200 s before it
        fake_clock.now = 1_800_000_000 + 200 + elapsed
        response = _login(client, "right-password")
        assert response.status_code == 429, elapsed
    fake_clock.now = 1_800_000_000 + 900
    assert _login(client, "right-password").status_code == 302


@pytest.mark.django_db
def test_hourly_and_daily_comment_limits_outlast_five_minutes():
    start = 3600 * 500_000
    assert ratelimit.hit("198.51.100.1", "2/h", now=start)
    assert ratelimit.hit("198.51.100.1", "2/h", now=start + 10)
    for later in (301, 1800, 3599):
        assert not ratelimit.hit("198.51.100.1", "2/h", now=start + later), later
    assert ratelimit.hit("198.51.100.1", "2/h", now=start + 3600)
    day = 86400 * 20_000
    assert ratelimit.hit("198.51.100.1", "1/d", now=day)
    assert not ratelimit.hit("198.51.100.1", "1/d", now=day + 86399)


@pytest.mark.django_db
def test_a_flood_that_culls_the_database_page_cache_lifts_no_lockout(client, limits, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "test_flooded_cache",
            "OPTIONS": {"MAX_ENTRIES": 20, "CULL_FREQUENCY": 1},  # a cull empties it
        }
    }
    call_command("createcachetable", verbosity=0)
    make_user(username="editor", staff=True, password="right-password")
    for _ in range(3):
        _login(client, "wrong")
    for n in range(200):
        cache.set(f"junk-page-{n}", "x" * 100)
    assert _login(client, "right-password").status_code == 429


@pytest.mark.django_db
def test_expired_rows_are_purged_every_ten_minutes(monkeypatch, fake_clock):
    monkeypatch.setattr(counters, "_next_purge", fake_clock.now + 600)
    for n in range(5):
        counters.counter_hit(key=f"old{n}", window=10)
    fake_clock.advance(599)
    counters.counter_hit(key="new", window=10)
    assert Counter.objects.count() == 6  # not yet
    fake_clock.advance(1)
    counters.counter_hit(key="newer", window=10)
    assert set(Counter.objects.values_list("key", flat=True)) == {"new", "newer"}
    fake_clock.advance(20)
    counters.counter_hit(key="newest", window=10)
    assert Counter.objects.count() == 3  # the next purge is ten minutes on


@pytest.mark.postgres_only
@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="needs PostgreSQL: the in-memory SQLite test database is not shared by threads",
)
@pytest.mark.django_db
def test_simultaneous_hits_are_each_counted_once():
    """Eight threads, each with its own connection in autocommit, as eight workers would be.

    Not a transactional test: its flush would empty the roles' groups for later tests. The
    threads' rows are committed outside the test's transaction, so a thread deletes them.
    """
    key = f"busy-{uuid.uuid4()}"

    def in_a_thread(work):
        try:
            return work()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=8) as pool:
        hit = partial(in_a_thread, lambda: counters.counter_hit(key=key, window=60).count)
        seen = list(pool.map(lambda _: hit(), range(80)))
        try:
            assert sorted(seen) == list(range(1, 81))
            assert Counter.objects.get(key=key).count == 80
        finally:
            pool.submit(in_a_thread, Counter.objects.filter(key=key).delete).result()


@pytest.mark.django_db
def test_one_hit_is_one_statement(django_assert_num_queries, monkeypatch):
    """The upsert returns the new count: no read-then-write to race with another worker."""
    monkeypatch.setattr(counters, "_next_purge", float("inf"))
    counters.counter_hit(key="k", window=60)
    with django_assert_num_queries(1):
        assert counters.counter_hit(key="k", window=60).count == 2


@pytest.mark.django_db
def test_without_returning_a_hit_uses_no_returning_and_counts_right(fake_clock, monkeypatch):
    """Django 5.2 accepts SQLite 3.31; RETURNING came in 3.35."""
    if connection.vendor != "sqlite":
        pytest.skip(NO_RETURNING_IS_SQLITE_ONLY)
    monkeypatch.setattr(connection.features, "can_return_columns_from_insert", False)
    monkeypatch.setattr(counters, "_next_purge", float("inf"))
    start = fake_clock.now
    with CaptureQueriesContext(connection) as queries:
        first = counters.counter_hit(key="a", window=60)
        fake_clock.advance(30)
        second = counters.counter_hit(key="a", window=60)
        other = counters.counter_hit(key="b", window=10)
        fake_clock.advance(30)  # "a" expired: a new window
        again = counters.counter_hit(key="a", window=60)
    assert first == (1, start + 60)
    assert second == (2, start + 60)
    assert other == (1, start + 30 + 10)
    assert again == (1, fake_clock.now + 60)
    assert Counter.objects.get(key="a").count == 1
    assert not [q["sql"] for q in queries.captured_queries if "RETURNING" in q["sql"].upper()]


@pytest.mark.redis
@pytest.mark.django_db
def test_on_redis_evicting_every_key_lifts_no_lockout_and_no_rate_limit(
    client, limits, real_redis, settings
):
    """``allkeys-lru`` may evict any key in Redis; the counters are not there to evict."""
    import redis

    make_user(username="editor", staff=True, password="right-password")
    for _ in range(3):
        _login(client, "wrong")
    assert not [ratelimit.hit("198.51.100.7", "2/m", now=60.0) for _ in range(3)][-1]
    real_redis.set("a-page", "<html>")
    redis.Redis.from_url(REDIS_TEST_URL).flushdb()  # the worst eviction: everything
    assert _login(client, "right-password").status_code == 429
    assert not ratelimit.hit("198.51.100.7", "2/m", now=61.0)


def test_bad_throttle_settings_and_a_proxy_without_a_client_header_fail_the_checks(settings):
    from limits.checks import throttle_settings

    assert throttle_settings(None) == []
    settings.ADMIN_LOGIN_MAX_FAILURES = 0
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.CLIENT_IP_HEADER = "REMOTE_ADDR"
    assert [problem.id for problem in throttle_settings(None)] == ["limits.E001", "limits.W001"]
    settings.CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    assert [problem.id for problem in throttle_settings(None)] == ["limits.E001"]
