"""Fixtures named as nouns. Factories live in tests/factories.py."""

import gc
from datetime import timedelta

import pytest
from django.core.cache import caches
from django.utils import timezone

from blog.models import Post
from tests import strategies  # noqa: F401  (loads the Hypothesis profile for every test)
from tests.factories import make_post, make_user


@pytest.fixture(autouse=True)
def _clear_cache():
    from blog import navigation
    from pagecache.store import local_layer

    for each in caches.all():
        each.clear()
    local_layer.clear()
    navigation._kept_posts.clear()
    navigation._kept_lists.clear()
    yield
    for each in caches.all():
        each.clear()
    local_layer.clear()
    navigation._kept_posts.clear()
    navigation._kept_lists.clear()


@pytest.fixture
def an_author(db):
    """A staff member of the Authors group (created by the roles migration)."""
    from django.contrib.auth.models import Group

    author = make_user(username="author", staff=True, first_name="Wren", last_name="Ashdown")
    author.groups.add(Group.objects.get(name="Authors"))
    return author


@pytest.fixture
def a_superuser(db):
    return make_user(username="admin", superuser=True)


@pytest.fixture
def a_post(db, an_author):
    return make_post(author=an_author, title="A published write-up", labels=["neurology"])


@pytest.fixture
def a_draft(db, an_author):
    return make_post(
        author=an_author, title="A draft write-up", status=Post.Status.DRAFT, labels=["neurology"]
    )


@pytest.fixture
def a_scheduled_post(db, an_author):
    return make_post(
        author=an_author,
        title="A scheduled write-up",
        published_at=timezone.now() + timedelta(days=3),
        labels=["neurology"],
    )


@pytest.fixture(autouse=True)
def _no_counter_purge_mid_test(monkeypatch):
    """Purging expired counters happens on a clock (limits.counters): keep it out of query
    counts; tests/test_counters.py tests it."""
    from limits import counters

    monkeypatch.setattr(counters, "_next_purge", float("inf"))


class FakeClock:
    """``time.time()`` for everything that reads it (counters, rate limits), moved by hand."""

    def __init__(self, start):
        self.now = float(start)

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += seconds


@pytest.fixture
def generation_reads(monkeypatch):
    """Each read of the shared page-cache generation (``pagecache.store.generation``) from
    now on appends to this list; the reads still happen."""
    from pagecache import store

    reads = []
    real = store.generation

    def counted():
        reads.append(1)
        return real()

    monkeypatch.setattr(store, "generation", counted)
    return reads


@pytest.fixture
def fake_clock(monkeypatch):
    import time

    clock = FakeClock(1_800_000_000)
    monkeypatch.setattr(time, "time", clock)
    return clock


@pytest.fixture
def real_redis(settings):
    """The default cache on the test Redis, emptied before and after. Without a Redis the
    test says so loudly and skips, except under CI=true, where it fails."""
    import os

    from tests.redis_support import REDIS_TEST_URL, redis_answers

    if not redis_answers():
        message = f"REDIS TESTS SKIPPED: no Redis answers at {REDIS_TEST_URL}"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " and CI=true requires it")
        pytest.skip(message)
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_TEST_URL,
            "KEY_PREFIX": f"trialpress-test-{os.getpid()}-default",
        }
    }
    caches["default"].clear()
    yield caches["default"]
    caches["default"].clear()


@pytest.fixture
def page_cache_with_header(settings):
    """The page cache on, saying hit or miss (X-Page-Cache), with no view remembered from
    another test (``resolved_views``) before or after."""
    from pagecache.middleware import resolved_views

    settings.PAGE_CACHE_SECONDS = 300
    settings.PAGE_CACHE_HEADER = True
    resolved_views.clear()
    yield
    resolved_views.clear()


@pytest.fixture
def heap_of_earlier_tests_frozen():
    """For tests that measure one call's CPU time (``process_time``): the objects the
    earlier tests of the session left behind are frozen out of the garbage collector (a cheap
    move to its permanent generation; collected as usual after the test). A full collection
    of that heap, late in the suite, is uninterruptible and counted as CPU: hundreds of
    milliseconds that are not the call's cost. A worker's heap is a fraction of that."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
