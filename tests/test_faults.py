"""Faults: the database unavailable gives a styled 503 and keeps the commenter's text."""

import logging
import re

import pytest
from django.core.cache import caches
from django.db import OperationalError, connection
from django.test import Client

from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_down(monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr("django.db.backends.utils.CursorWrapper.execute", refuse)
    monkeypatch.setattr("django.db.backends.utils.CursorWrapper.executemany", refuse)


def test_public_pages_answer_a_styled_503(client, a_post, database_down):
    response = client.get("/")
    assert response.status_code == 503
    assert "Temporarily unavailable" in response.content.decode()
    assert response["Retry-After"] == "30"
    assert "Traceback" not in response.content.decode()


def test_a_comment_post_keeps_the_text_when_the_database_is_down(client, a_post, database_down):
    response = client.post(
        f"/comments/post/{a_post.pk}/",
        {"name": "Ann", "email": "ann@example.org", "body": "My <careful> words & thoughts"},
    )
    assert response.status_code == 503
    html = response.content.decode()
    assert "My &lt;careful&gt; words &amp; thoughts" in html
    assert "try again" in html.lower()


@pytest.fixture
def database_cache(settings):
    """The default set-up without Redis: the page cache lives in the database too."""
    from django.core.management import call_command

    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "pagecache.backends.FailSoftDatabaseCache",
            "LOCATION": "trialpress_cache",
        },
    }
    settings.PAGE_CACHE_SECONDS = 300
    call_command("createcachetable", verbosity=0)


@pytest.mark.parametrize("path", ["/", "/feeds/atom/", "/sitemap.xml", "post"])
def test_with_the_cache_in_the_database_an_outage_is_still_a_503(
    a_post, database_cache, monkeypatch, path
):
    from django.test import Client

    url = a_post.get_absolute_url() if path == "post" else path
    reader = Client(raise_request_exception=False)
    assert reader.get(url).status_code == 200  # stored in the database cache

    def refuse(*args, **kwargs):
        raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr("django.db.backends.utils.CursorWrapper.execute", refuse)
    response = reader.get(url)
    assert response.status_code == 503
    assert "Temporarily unavailable" in response.content.decode()


def test_the_503_log_says_what_failed(client, a_post, database_down, caplog):
    with caplog.at_level(logging.ERROR, logger="config.middleware"):
        assert client.get("/").status_code == 503
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "OperationalError" in logged
    assert "could not connect to server" in logged
    assert f"{connection.vendor} database" in logged
    assert "GET /" in logged


def test_an_outage_noticed_outside_a_view_is_a_503_too(a_post, monkeypatch):
    """A signed-in user's session is read by middleware, before any view runs."""
    from django.test import Client

    from tests.factories import make_user

    editor = Client(raise_request_exception=False)
    editor.force_login(make_user(staff=True))

    def refuse(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("django.db.backends.utils.CursorWrapper.execute", refuse)
    response = editor.get("/")
    assert response.status_code == 503
    assert "Temporarily unavailable" in response.content.decode()


# A cache that is missing, down or full is a slower site, never a broken one (issue 11) -------


@pytest.fixture
def missing_cache_table(settings):
    """The database cache configured, its table never created (no `createcachetable`)."""
    from pagecache.backends import forget_failures

    forget_failures()
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "pagecache.backends.FailSoftDatabaseCache",
            "LOCATION": "trialpress_cache_never_created",
        },
    }
    settings.PAGE_CACHE_SECONDS = 300


def _comment_data(html, **fields):
    data = dict(
        re.findall(r'<input[^>]+type="hidden"[^>]+name="([^"]+)"[^>]+value="([^"]*)"', html)
    )
    data.update(competing_interests="None declared", **fields)
    return data


@pytest.mark.parametrize("path", ["/", "/feeds/atom/", "/sitemap.xml", "/labels/", "post"])
def test_a_missing_cache_table_serves_pages_uncached_and_logs_it(
    a_post, missing_cache_table, caplog, path
):
    url = a_post.get_absolute_url() if path == "post" else path
    reader = Client(raise_request_exception=False)
    with caplog.at_level(logging.ERROR, logger="pagecache.backends"):
        for _ in range(2):
            response = reader.get(url)
            assert response.status_code == 200, response.content[:300]
    if path in ("/", "post"):
        assert a_post.title in response.content.decode()
    assert "trialpress_cache_never_created" in caplog.text


def test_a_missing_cache_table_still_takes_comments_and_sign_ins(
    a_post, missing_cache_table, settings
):
    settings.COMMENT_MIN_SUBMIT_SECONDS = 0
    settings.COMMENT_RATE_LIMIT = "off"
    reader = Client(raise_request_exception=False)
    html = reader.get(a_post.get_absolute_url()).content.decode()
    action = re.search(r'<form[^>]+action="([^"]*comments/post[^"]*)"', html).group(1)
    data = _comment_data(html, name="Kept", email="kept@example.org", body="Still taken.")
    assert reader.post(action, data).status_code == 302
    assert a_post.comments.filter(body="Still taken.").exists()

    make_user(username="editor", staff=True, password="a long pass phrase")
    editor = Client(raise_request_exception=False)
    editor.get("/admin/login/")
    response = editor.post(
        "/admin/login/", {"username": "editor", "password": "a long pass phrase", "next": "/admin/"}
    )
    assert response.status_code == 302
    assert editor.get("/admin/").status_code == 200


def test_a_change_inside_a_transaction_survives_a_failing_cache(a_post, missing_cache_table):
    """Invalidating fails in a savepoint: the author's save still commits (PostgreSQL)."""
    from django.db import transaction

    from blog.models import Post

    with transaction.atomic():
        a_post.title = "Saved although the cache failed"
        a_post.save()
        assert Post.objects.filter(title="Saved although the cache failed").exists()
    assert Post.objects.get(pk=a_post.pk).title == "Saved although the cache failed"


class _BrokenCache:
    """Whatever cache an operator configures, failing on every call."""

    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise ConnectionError("cache host unreachable")

        return fail


def test_a_cache_backend_that_raises_never_fails_a_page(a_post, settings, monkeypatch):
    """The page cache does not count on the fail-soft backends: it guards its own calls."""
    settings.PAGE_CACHE_SECONDS = 300
    monkeypatch.setattr("pagecache.store.cache", _BrokenCache())
    reader = Client(raise_request_exception=False)
    for url in ("/", a_post.get_absolute_url(), "/feeds/atom/"):
        response = reader.get(url)
        assert response.status_code == 200, url
        assert "__tp" not in response.content.decode()
    a_post.title = "Edited while the cache was down"
    a_post.save()
    assert "Edited while the cache was down" in reader.get("/").content.decode()
    assert caches["default"] is not None


def test_a_dropped_generation_write_still_makes_pages_fresh(a_post, settings, monkeypatch):
    """A fail-soft cache may drop the write that moves the generation on (a locked database):
    the generation is then deleted, so no worker keeps serving the old pages."""
    settings.PAGE_CACHE_SECONDS = 300
    reader = Client()
    reader.get(a_post.get_absolute_url())
    default = caches["default"]

    def incr_whose_write_is_dropped(key, delta=1, version=None):
        return default.get(key, version=version) + delta  # what BaseCache.incr returns

    monkeypatch.setattr(default, "incr", incr_whose_write_is_dropped)
    a_post.title = "Fresh although the write was dropped"
    a_post.save()
    monkeypatch.undo()
    assert (
        "Fresh although the write was dropped"
        in reader.get(a_post.get_absolute_url()).content.decode()
    )


class _UnreachableCache:
    """What the fail-soft backends answer while Redis is down: nothing stored, nothing read."""

    def get(self, key, default=None, version=None):
        return default

    def incr(self, key, delta=1, version=None):
        raise ValueError(key)

    def __getattr__(self, name):
        return lambda *args, **kwargs: False


def test_a_change_made_while_the_cache_was_unreachable_shows_when_it_is_back(
    a_post, settings, monkeypatch
):
    settings.PAGE_CACHE_SECONDS = 300
    reader = Client()
    reader.get(a_post.get_absolute_url())  # stored before the outage
    monkeypatch.setattr("pagecache.store.cache", _UnreachableCache())
    a_post.title = "Edited during the outage"
    a_post.save()
    assert "Edited during the outage" in reader.get(a_post.get_absolute_url()).content.decode()
    monkeypatch.undo()  # the cache is back, still holding the page from before
    assert "Edited during the outage" in reader.get(a_post.get_absolute_url()).content.decode()
