"""Rendered HTML is stored when content is saved and never rendered per request."""

import feedparser
import pytest

from blog import markup
from comments.models import Comment

pytestmark = pytest.mark.django_db


def test_pages_and_feeds_never_run_the_markdown_pipeline(client, a_post, monkeypatch):
    Comment.objects.create(
        post=a_post,
        name="Reader",
        email="r@example.org",
        body="*Stored* once.",
        status=Comment.Status.APPROVED,
    )

    def refuse(*args, **kwargs):
        raise AssertionError("Markdown rendered during a request")

    monkeypatch.setattr(markup, "_render", refuse)
    page = client.get(a_post.get_absolute_url())
    assert page.status_code == 200
    assert "<em>Stored</em> once." in page.content.decode()
    for url in (
        "/",
        "/feeds/atom/",
        "/feeds/rss/",
        "/comments/feeds/latest/",
        f"/comments/feeds/post/{a_post.pk}/",
        "/labels/neurology/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    feed = feedparser.parse(client.get("/comments/feeds/latest/").content)
    assert feed.entries and "Stored" in feed.entries[0].summary
