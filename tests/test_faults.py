"""Faults: the database unavailable gives a styled 503 and keeps the commenter's text."""

import pytest
from django.db import OperationalError

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
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "trialpress_cache",
        }
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
