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


def test_the_label_page_finds_its_label_once_per_generation(client, labelled, an_author):
    from blog import navigation

    client.get("/labels/ms/")
    with CaptureQueriesContext(connection) as warm:
        assert client.get("/labels/ms/").status_code == 200
    assert not [q for q in warm.captured_queries if "EXISTS" in q["sql"].upper()]
    Post.objects.filter(status=Post.Status.PUBLISHED).delete()
    assert client.get("/labels/ms/").status_code == 404  # the very next request
    assert not [key for key in navigation._kept if key[1:] == ("label", "nope")]


def test_unknown_labels_are_not_kept(client, labelled):
    from blog import navigation

    for n in range(20):
        assert client.get(f"/labels/unknown-{n}/").status_code == 404
    assert not [key for key in navigation._kept if "label" in key and key[-1].startswith("unknown")]
