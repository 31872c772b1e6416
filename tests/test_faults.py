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
