"""A label's page and feeds find the label with an EXISTS over published posts
(blog.navigation.label_in_use_or_none), not by counting every post that carries it."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from blog.models import Post
from blog.navigation import label_in_use_or_none
from tests.factories import make_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def labelled(an_author):
    make_post(author=an_author, labels=["β-interferon", "ms"])
    make_post(author=an_author, labels=["ms"])
    make_post(author=an_author, labels=["draft only"], status=Post.Status.DRAFT)
    make_post(
        author=an_author,
        labels=["scheduled only"],
        published_at=timezone.now() + timedelta(days=1),
    )


def test_a_label_in_use_is_found_with_one_exists_query(labelled):
    with CaptureQueriesContext(connection) as queries:
        label = label_in_use_or_none("β-interferon")
    assert label.name == "β-interferon"
    assert len(queries.captured_queries) == 1
    sql = queries.captured_queries[0]["sql"].upper()
    assert "EXISTS" in sql and "COUNT(" not in sql


@pytest.mark.parametrize("slug", ["draft-only", "scheduled-only", "nope", "", "<x>"])
def test_a_label_no_published_post_carries_is_none(labelled, slug):
    assert label_in_use_or_none(slug) is None


def test_the_label_page_and_feed_still_answer(client, labelled):
    page = client.get("/labels/ms/")
    assert page.status_code == 200
    assert "2 posts." in page.content.decode()
    assert client.get("/labels/ms/feeds/atom/").status_code == 200
    assert client.get("/labels/draft-only/").status_code == 404
    assert client.get("/labels/scheduled-only/feeds/rss/").status_code == 404
