"""A reader's post page reads the post (and its labels, disclosures and trial record) from
the database once per page-cache generation in each worker (issue 19: the post's own fetch
was the largest part of a post page): blog.navigation.kept_post. A change a reader should
see shows on the very next request; drafts and staff previews are never kept."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from blog import navigation
from blog.models import Disclosure, Post
from tests.factories import make_post

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _uncached_pages(settings):
    settings.PAGE_CACHE_SECONDS = 0  # the page itself is rendered every time


def post_table_reads(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return response, [q["sql"] for q in context.captured_queries if 'FROM "blog_post"' in q["sql"]]


def test_the_second_reader_gets_the_post_without_reading_it_again(client, a_post):
    first, reads = post_table_reads(client, a_post.get_absolute_url())
    assert any('"blog_post"."slug" =' in sql for sql in reads)
    second, reads = post_table_reads(client, a_post.get_absolute_url())
    assert not any('"blog_post"."slug" =' in sql for sql in reads)
    assert a_post.title in second.content.decode()
    assert second.content.count(b"neurology") == first.content.count(b"neurology") > 0


def test_an_edit_shows_on_the_very_next_request(client, a_post):
    client.get(a_post.get_absolute_url())
    a_post.title = "A corrected title"
    a_post.save()
    assert "A corrected title" in client.get(a_post.get_absolute_url()).content.decode()


def test_a_new_disclosure_shows_on_the_very_next_request(client, a_post):
    client.get(a_post.get_absolute_url())
    Disclosure.objects.create(
        post=a_post,
        person="Wren Ashdown",
        relationship=Disclosure.Relationship.CONSULTANCY,
        organisations="Sanofi Genzyme",
        statement="Advisory board, 2011.",
    )
    assert "Sanofi Genzyme" in client.get(a_post.get_absolute_url()).content.decode()


def test_unpublishing_hides_the_post_at_once(client, a_post):
    client.get(a_post.get_absolute_url())
    a_post.status = Post.Status.DRAFT
    a_post.save()
    assert client.get(a_post.get_absolute_url()).status_code == 404


def test_a_staff_preview_of_a_draft_is_never_kept_for_readers(client, a_draft, an_author):
    client.force_login(an_author)
    assert client.get(a_draft.get_absolute_url()).status_code == 200
    client.logout()
    assert client.get(a_draft.get_absolute_url()).status_code == 404
    assert not any(post.pk == a_draft.pk for post, _until in navigation._kept_posts.values())


def test_a_scheduled_post_goes_live_on_time_though_nothing_changed(client, an_author, monkeypatch):
    real_now = timezone.now()
    scheduled = make_post(author=an_author, title="Embargoed", published_at=real_now)
    Post.objects.filter(pk=scheduled.pk).update(published_at=real_now + timedelta(hours=1))
    scheduled.refresh_from_db()
    assert client.get(scheduled.get_absolute_url()).status_code == 404
    monkeypatch.setattr(timezone, "now", lambda: real_now + timedelta(hours=1, seconds=1))
    assert "Embargoed" in client.get(scheduled.get_absolute_url()).content.decode()


def test_what_a_render_sets_on_the_post_stays_on_that_request(rf, a_post):
    def fetch():
        return Post.objects.get(pk=a_post.pk)

    request = rf.get("/")
    first = navigation.kept_post(("post", a_post.slug), request, fetch)
    first.set_by_a_render = "first request"
    second = navigation.kept_post(("post", a_post.slug), rf.get("/"), fetch)
    assert second.pk == first.pk and second is not first
    assert not hasattr(second, "set_by_a_render")


def test_each_worker_keeps_a_bounded_number_of_posts(rf, an_author, monkeypatch):
    monkeypatch.setattr(navigation, "KEPT_POSTS_LIMIT", 3)
    posts = [make_post(author=an_author, title=f"Post {n}") for n in range(5)]
    for post in posts:
        navigation.kept_post(("post", post.slug), rf.get("/"), lambda post=post: post)
        assert len(navigation._kept_posts) <= 3


def test_without_a_readable_cache_the_post_is_read_each_time(client, a_post, monkeypatch):
    monkeypatch.setattr("pagecache.store.generation", lambda: None)
    client.get(a_post.get_absolute_url())
    _response, reads = post_table_reads(client, a_post.get_absolute_url())
    assert any('"blog_post"."slug" =' in sql for sql in reads)
    assert not navigation._kept_posts
