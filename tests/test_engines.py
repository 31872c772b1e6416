"""Engines: the cache is shared across processes, SQLite is tuned for concurrent writers,
and Redis-backed behaviour (rate limit, page cache) works against a real Redis."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from comments import ratelimit
from tests.factories import make_post
from tests.redis_support import REDIS_TEST_URL
from tests.test_settings_env import settings_in_subprocess

ROOT = Path(__file__).resolve().parent.parent


def test_without_redis_the_cache_is_the_database_shared_by_every_worker():
    from django.core.cache.backends.db import DatabaseCache
    from django.utils.module_loading import import_string

    configured = settings_in_subprocess(["CACHES"])["CACHES"]
    assert set(configured) == {"default"}  # rate-limit counters live in limits.Counter
    assert configured["default"]["BACKEND"] == "pagecache.backends.FailSoftDatabaseCache"
    assert configured["default"]["LOCATION"] == "trialpress_cache"
    assert issubclass(import_string(configured["default"]["BACKEND"]), DatabaseCache)


def test_with_redis_url_the_cache_is_redis():
    from django.core.cache.backends.redis import RedisCache
    from django.utils.module_loading import import_string

    configured = settings_in_subprocess(["CACHES"], REDIS_URL="redis://cache.internal:6379/2")
    assert set(configured["CACHES"]) == {"default"}  # counters: limits.Counter, not Redis
    default = configured["CACHES"]["default"]
    assert issubclass(import_string(default["BACKEND"]), RedisCache)
    assert default["BACKEND"] == "pagecache.backends.FailSoftRedisCache"
    assert default["LOCATION"] == "redis://cache.internal:6379/2"
    assert default["OPTIONS"]["socket_timeout"] <= 1  # a hung Redis holds no request long


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
    settings.PAGE_CACHE_HEADER = True
    post = make_post(title="Stored in Redis")
    assert client.get("/")["X-Page-Cache"] == "miss"
    assert client.get("/")["X-Page-Cache"] == "hit"
    post.title = "Renamed in Redis"
    post.save()
    response = client.get("/")
    assert "Renamed in Redis" in response.content.decode()
    assert response["X-Page-Cache"] == "miss"


def test_migrate_alone_creates_every_database_cache_table(tmp_path):
    """The Django deploy runs `migrate`, never `createcachetable`: data migrations that touch
    watched models run before any cache table exists, and migrate leaves the tables there."""
    database = tmp_path / "fresh.sqlite3"
    env = {
        "PATH": os.environ["PATH"],
        "DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"sqlite:///{database}",
        "REDIS_URL": "",
    }
    for command in (["migrate", "--no-input"], ["load_demo"]):
        result = subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert result.returncode == 0, result.stdout + result.stderr

    import sqlite3

    configured = settings_in_subprocess(["CACHES"], REDIS_URL="")["CACHES"]
    database_caches = {
        each["LOCATION"] for each in configured.values() if "DatabaseCache" in each["BACKEND"]
    }
    assert "trialpress_cache" in database_caches
    with sqlite3.connect(database) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    assert database_caches <= tables


# Redis down or full (issue 10 item 5): uncached pages, never a 500 ---------------------------


def _free_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _redis_default_cache(settings, url):
    from pagecache.backends import forget_failures

    forget_failures()
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "pagecache.backends.FailSoftRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": f"trialpress-test-{os.getpid()}-default",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        },
    }
    settings.PAGE_CACHE_SECONDS = 300
    settings.PAGE_CACHE_HEADER = True


def _every_reader_page_answers(post):
    from django.test import Client

    reader = Client(raise_request_exception=False)
    for url in ("/", post.get_absolute_url(), "/feeds/atom/", "/labels/", "/sitemap.xml"):
        response = reader.get(url)
        assert response.status_code == 200, (url, response.content[:300])
        assert "__tp" not in response.content.decode()
    return reader


@pytest.mark.django_db
def test_redis_unreachable_serves_pages_uncached_and_sign_in_works(settings, caplog):
    _redis_default_cache(settings, f"redis://127.0.0.1:{_free_port()}/0")  # nobody listens
    post = make_post(title="Served while Redis is down")
    with caplog.at_level("ERROR", logger="pagecache.backends"):
        reader = _every_reader_page_answers(post)
    assert "X-Page-Cache" not in reader.get("/")  # neither served from nor stored
    assert "Served while Redis is down" in reader.get("/").content.decode()
    assert "ConnectionError" in caplog.text
    post.title = "Edited while Redis is down"
    post.save()  # invalidation fails soft: the author's change is kept
    assert "Edited while Redis is down" in reader.get("/").content.decode()
    from tests.factories import make_user

    make_user(username="editor", staff=True, password="a long pass phrase")
    from django.test import Client

    editor = Client(raise_request_exception=False)
    response = editor.post(
        "/admin/login/", {"username": "editor", "password": "a long pass phrase", "next": "/admin/"}
    )
    assert response.status_code == 302


@pytest.fixture
def full_redis(tmp_path):
    """A private Redis (not the shared one) with maxmemory and noeviction, then filled up."""
    import shutil
    import time

    import redis

    server = shutil.which("redis-server")
    if server is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true requires redis-server for the full-Redis test")
        pytest.skip("REDIS TESTS SKIPPED: no redis-server here")
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603 - the system's redis-server, fixed arguments
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--maxmemory", "3mb", "--maxmemory-policy", "noeviction", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        client = redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=1)
        deadline = time.monotonic() + 20
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.1)
        n = 0
        while True:
            try:
                client.set(f"filler:{n}", b"x" * 50_000)
            except redis.exceptions.OutOfMemoryError:
                break
            n += 1
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.django_db
def test_a_full_redis_refusing_writes_serves_pages_uncached(settings, full_redis, caplog):
    _redis_default_cache(settings, full_redis)
    post = make_post(title="Served while Redis is full")
    with caplog.at_level("ERROR", logger="pagecache.backends"):
        reader = _every_reader_page_answers(post)
    assert "OutOfMemoryError" in caplog.text
    post.title = "Edited while Redis is full"
    post.save()
    assert "Edited while Redis is full" in reader.get(post.get_absolute_url()).content.decode()
