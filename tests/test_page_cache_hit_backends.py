"""The shared cache's one-key read, made cheap for the generation read on every hit.

The database cache reads one key in one indexed query and lets the database compare its
expiry; the Redis cache keeps one client per connection pool. Both must answer exactly as
Django's own ``get`` does, and still fail soft.
"""

import threading
from datetime import timedelta

import pytest
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from pagecache.backends import forget_failures
from pagecache.store import CachedPage

pytestmark = pytest.mark.django_db

VALUES = [0, 7, 2**70, -3, "text ✓ Ωμέγα", b"\x00bytes", {"a": [1, 2]}, None, True, 1.5]


@pytest.fixture
def database_cache(settings):
    forget_failures()
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "pagecache.backends.FailSoftDatabaseCache",
            "LOCATION": "trialpress_cache_hit_tests",
        },
    }
    call_command("createcachetable", verbosity=0)
    cache = caches["default"]
    cache.clear()
    yield cache
    cache.clear()


def _django_get(cache, key, default=None, version=None):
    """Django's own DatabaseCache.get on the same table."""
    return DatabaseCache.get(cache, key, default, version)


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_the_database_read_gives_what_django_gives(database_cache, value):
    database_cache.set("k", value, None)
    assert database_cache.get("k", "missing") == _django_get(database_cache, "k", "missing")
    assert database_cache.get("k", "missing") == value


def test_the_read_is_seen_by_whatever_observes_queries(database_cache):
    """Unobserved, the read goes through the driver's cursor; logged (DEBUG, a test
    counting queries) or wrapped (a profiler's execute_wrapper), through Django's, so it is
    counted, and answers the same."""
    from django.test.utils import CaptureQueriesContext

    for value in VALUES:
        database_cache.set("k", value, None)
        with CaptureQueriesContext(connection) as logged:
            assert database_cache.get("k", "missing") == value
        reads = [q["sql"] for q in logged if "trialpress_cache_hit_tests" in q["sql"]]
        assert len(reads) == 1 and reads[0].startswith("SELECT")  # (in a test: a savepoint)
    seen = []

    def wrapper(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        assert database_cache.get("k", "missing") == VALUES[-1]
        assert database_cache.get("absent", "missing") == "missing"
    assert len([sql for sql in seen if "trialpress_cache_hit_tests" in sql]) == 2
    seen.clear()
    assert database_cache.get("k") == VALUES[-1]
    assert seen == []  # nothing observes now: the driver's cursor


def test_a_missing_key_a_default_and_a_version(database_cache):
    assert database_cache.get("absent") is None
    assert database_cache.get("absent", "fallback") == "fallback"
    database_cache.set("versioned", "one", version=1)
    database_cache.set("versioned", "two", version=2)
    assert database_cache.get("versioned", version=1) == "one"
    assert database_cache.get("versioned", version=2) == "two"
    assert database_cache.get("versioned", version=3) is None


def test_a_stored_page_reads_back_whole(database_cache):
    from django.http import HttpResponse

    page = CachedPage(HttpResponse("<p>A page</p>"), expires_at=10**10, key="full-key")
    database_cache.set("slot", page, 60)
    read = database_cache.get("slot")
    assert (read.key, read.chunks, read.etag, read.headers) == (
        "full-key",
        [b"<p>A page</p>"],
        page.etag,
        page.headers,
    )


def test_an_expired_row_is_a_miss_and_is_deleted(database_cache):
    database_cache.set("old", "stale", 60)
    table = connection.ops.quote_name("trialpress_cache_hit_tests")
    past = connection.ops.adapt_datetimefield_value(timezone.now() - timedelta(seconds=1))
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET expires = %s", [past])  # noqa: S608 - our table
    assert database_cache.get("old", "gone") == "gone"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 - our table
        assert cursor.fetchone()[0] == 0


def test_a_row_about_to_expire_is_still_read(database_cache):
    database_cache.set("soon", "still here", 5)
    assert database_cache.get("soon") == "still here"


def test_a_missing_table_is_a_miss_and_keeps_the_callers_transaction(settings):
    from blog.models import Label

    forget_failures()
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "pagecache.backends.FailSoftDatabaseCache",
            "LOCATION": "trialpress_cache_hit_never_created",
        },
    }
    with transaction.atomic():
        Label.objects.create(name="Kept label", slug="kept-label")
        assert caches["default"].get("anything", "default") == "default"
        assert Label.objects.filter(slug="kept-label").exists()  # the transaction still works
    assert Label.objects.filter(slug="kept-label").exists()


# Redis ---------------------------------------------------------------------------------------


@pytest.fixture
def fail_soft_redis(real_redis, settings):
    forget_failures()
    settings.CACHES = {
        "default": {
            **settings.CACHES["default"],
            "BACKEND": "pagecache.backends.FailSoftRedisCache",
        }
    }
    cache = caches["default"]
    cache.clear()
    yield cache
    cache.clear()


def test_the_redis_cache_reuses_one_client_per_pool(fail_soft_redis):
    backend = fail_soft_redis._cache
    assert backend.get_client("a") is backend.get_client("b")
    assert backend.get_client("a", write=True) is backend.get_client("a")  # one server


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_the_redis_read_gives_what_was_stored(fail_soft_redis, value):
    fail_soft_redis.set("k", value, None)
    assert fail_soft_redis.get("k", "missing") == value


def test_one_redis_client_serves_many_threads(fail_soft_redis):
    fail_soft_redis.set("shared", 0, None)
    errors, seen = [], []

    def reader():
        try:
            for _ in range(50):
                seen.append(fail_soft_redis.get("shared"))
                fail_soft_redis.incr("shared")
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=reader) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(seen) == 400
    assert fail_soft_redis.get("shared") == 400


def _own_connection(cache):
    client = cache._cache
    return client._own_connection(client._get_connection_pool(False))


def test_each_thread_reads_on_a_connection_of_its_own(fail_soft_redis):
    fail_soft_redis.set("k", "value", None)
    assert fail_soft_redis.get("k") == "value"
    mine = _own_connection(fail_soft_redis)
    assert fail_soft_redis.get("k") == "value"
    assert _own_connection(fail_soft_redis) is mine
    theirs = []
    thread = threading.Thread(target=lambda: theirs.append(_own_connection(fail_soft_redis)))
    thread.start()
    thread.join()
    assert theirs[0] is not mine


def test_a_connection_closed_by_redis_costs_no_miss(fail_soft_redis):
    """Redis restarted, or the connection killed: the read is made again through the
    client (and its retries), and the thread's connection is opened afresh."""
    import redis

    from tests.redis_support import REDIS_TEST_URL

    fail_soft_redis.set("k", 41, None)
    assert fail_soft_redis.get("k") == 41
    connection = _own_connection(fail_soft_redis)
    connection.send_command("CLIENT", "ID")
    connection_id = connection.read_response()
    admin = redis.Redis.from_url(REDIS_TEST_URL)
    assert admin.client_kill_filter(_id=connection_id) == 1
    assert fail_soft_redis.get("k") == 41  # no miss, no error logged as an outage
    assert fail_soft_redis.get("k") == 41  # and again on the reopened connection
    fail_soft_redis.incr("k")
    assert fail_soft_redis.get("k") == 42
