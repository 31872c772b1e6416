"""A post's older and newer neighbours are kept in each worker's memory per page-cache
generation (blog.navigation.neighbours): found once after a change, then read from memory;
a new post, another worker's change and a scheduled post going live show at once."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from blog import navigation, views
from blog.models import Post
from tests.factories import make_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def trio(an_author):
    return [
        make_post(
            author=an_author, title=f"Post {n}", published_at=datetime(2020, 1, n + 1, tzinfo=UTC)
        )
        for n in range(3)
    ]


@pytest.fixture
def finds(monkeypatch):
    calls = []
    real = views._neighbour

    def counting(post, *, older):
        calls.append((post.pk, older))
        return real(post, older=older)

    monkeypatch.setattr(views, "_neighbour", counting)
    return calls


def nav_of(client, post):
    html = client.get(post.get_absolute_url()).content.decode()
    if 'class="post-nav"' not in html:
        return ""
    return html[
        html.index('class="post-nav"') : html.index("</nav>", html.index('class="post-nav"'))
    ]


def test_neighbours_are_found_once_per_generation(client, trio, finds):
    nav = nav_of(client, trio[1])
    assert f'rel="next" href="{trio[2].get_absolute_url()}"' in nav
    assert f'rel="prev" href="{trio[0].get_absolute_url()}"' in nav
    assert len(finds) == 2
    assert nav_of(client, trio[1]) == nav
    assert len(finds) == 2


def test_a_new_post_is_the_newer_neighbour_on_the_next_request(client, trio, an_author, finds):
    assert "Newer post" not in nav_of(client, trio[2])
    newest = make_post(
        author=an_author, title="Newest <b>", published_at=datetime(2020, 2, 1, tzinfo=UTC)
    )
    nav = nav_of(client, trio[2])
    assert f'rel="next" href="{newest.get_absolute_url()}"' in nav
    assert "Newest &lt;b&gt;" in nav


def test_another_workers_change_is_seen(client, trio, finds):
    nav_of(client, trio[1])
    kept = navigation._kept.copy()
    Post.objects.get(pk=trio[2].pk).delete()
    navigation._kept.update(kept)  # as if this worker had not seen the change
    assert "Newer post" not in nav_of(client, trio[1])


def test_a_scheduled_post_going_live_becomes_the_newer_neighbour(
    client, trio, an_author, monkeypatch
):
    real_now = timezone.now()
    scheduled = make_post(
        author=an_author, title="Scheduled", published_at=real_now + timedelta(hours=1)
    )
    newest = make_post(author=an_author, title="Newest", published_at=real_now - timedelta(hours=1))
    assert "Scheduled" not in nav_of(client, newest)
    assert "Scheduled" not in nav_of(client, newest)
    monkeypatch.setattr(timezone, "now", lambda: real_now + timedelta(hours=1, seconds=1))
    assert f'rel="next" href="{scheduled.get_absolute_url()}"' in nav_of(client, newest)


def test_without_a_readable_cache_neighbours_are_found_each_time(client, trio, finds, monkeypatch):
    monkeypatch.setattr("pagecache.store.generation", lambda: None)
    nav_of(client, trio[1])
    nav_of(client, trio[1])
    assert len(finds) == 4


def test_a_neighbour_without_an_address_is_left_out(client, trio):
    Post.objects.filter(pk=trio[2].pk).update(slug="bad slug")
    assert "Newer post" not in nav_of(client, trio[1])
    assert "Older post" in nav_of(client, trio[1])
