"""Engines: the cache is shared across processes, SQLite is tuned for concurrent writers,
and Redis-backed behaviour (rate limit, page cache) works against a real Redis."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache, caches

from comments import ratelimit
from tests.factories import make_post
from tests.test_settings_env import settings_in_subprocess

ROOT = Path(__file__).resolve().parent.parent
REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")


def test_without_redis_the_cache_is_the_database_shared_by_every_worker():
    configured = settings_in_subprocess(["CACHES"])["CACHES"]
    assert set(configured) == {"default"}  # rate-limit counters live in limits.Counter
    for alias, table in (("default", "trialpress_cache"),):
        assert configured[alias]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
        assert configured[alias]["LOCATION"] == table


def test_with_redis_url_the_cache_is_redis():
    configured = settings_in_subprocess(["CACHES"], REDIS_URL="redis://cache.internal:6379/2")
    assert set(configured["CACHES"]) == {"default"}  # counters: limits.Counter, not Redis
    cache_settings = configured["CACHES"]["default"]
    assert cache_settings["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert cache_settings["LOCATION"] == "redis://cache.internal:6379/2"


def test_database_url_switches_the_engine_with_nothing_else_changed():
    databases = settings_in_subprocess(
        ["DATABASES"], DATABASE_URL="postgres://u@db.internal:5432/tp"
    )["DATABASES"]
    assert databases["default"]["ENGINE"] == "django.db.backends.postgresql"
    assert databases["default"]["HOST"] == "db.internal"


def test_sqlite_is_tuned_for_concurrent_writers():
    options = settings_in_subprocess(["DATABASES"])["DATABASES"]["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in options["init_command"]
    assert "busy_timeout" in options["init_command"]


def test_a_sqlite_file_database_opens_in_wal_mode(tmp_path):
    code = (
        "import django; django.setup();"
        "from django.db import connection;"
        "c = connection.cursor(); c.execute('PRAGMA journal_mode'); print(c.fetchone()[0])"
    )
    env = {
        "PATH": os.environ["PATH"],
        "DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.strip() == "wal"


def _redis_answers():
    try:
        import redis

        redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1).ping()
        return True
    except Exception:  # noqa: BLE001 - any failure means no Redis here
        return False


@pytest.fixture
def real_redis(settings):
    if not _redis_answers():
        message = f"REDIS TESTS SKIPPED: no Redis answers at {REDIS_TEST_URL}"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " and CI=true requires it")
        pytest.skip(message)
    settings.CACHES = {
        alias: {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_TEST_URL,
            "KEY_PREFIX": f"trialpress-test-{os.getpid()}-{alias}",
        }
        for alias in ("default",)
    }
    for each in caches.all():
        each.clear()
    yield cache
    for each in caches.all():
        each.clear()


@pytest.mark.django_db
def test_with_redis_the_rate_limit_is_counted_in_the_database_not_in_redis(real_redis):
    """Redis may evict keys (allkeys-lru); counters live where every worker sees them."""
    import redis

    from limits.models import Counter

    assert ratelimit.hit("198.51.100.7", "3/m", now=60.0)
    assert ratelimit.hit("198.51.100.7", "3/m", now=60.0)
    assert Counter.objects.get(key__contains="198.51.100.7").count == 2
    assert not redis.Redis.from_url(REDIS_TEST_URL).keys("*198.51.100.7*")
    assert ratelimit.hit("198.51.100.7", "3/m", now=60.0)
    assert not ratelimit.hit("198.51.100.7", "3/m", now=60.0)


@pytest.mark.django_db
def test_the_page_cache_works_on_redis_and_is_invalidated(real_redis, client, settings):
    settings.PAGE_CACHE_SECONDS = 300
    post = make_post(title="Stored in Redis")
    assert client.get("/")["X-Page-Cache"] == "miss"
    assert client.get("/")["X-Page-Cache"] == "hit"
    post.title = "Renamed in Redis"
    post.save()
    response = client.get("/")
    assert "Renamed in Redis" in response.content.decode()
    assert response["X-Page-Cache"] == "miss"


def test_a_fresh_install_migrates_before_its_cache_table_exists(tmp_path):
    """`make run` migrates, then creates the cache tables: data migrations that touch
    models with cache-invalidating signals must not need the cache table yet."""
    env = {
        "PATH": os.environ["PATH"],
        "DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
    }
    for command in (["migrate", "--no-input"], ["createcachetable"], ["load_demo"]):
        result = subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert result.returncode == 0, result.stdout + result.stderr
