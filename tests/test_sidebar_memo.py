"""The sidebar's HTML is kept in each worker's memory per page-cache generation
(blog.navigation.rendered_sidebar): a page after the first renders none of its templates and
reads none of its cached figures, and a change still shows on the very next request."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from blog import navigation
from pagecache.store import GENERATION_KEY
from tests.factories import make_post

pytestmark = pytest.mark.django_db

SIDEBAR_TEMPLATES = {"blog/_archive_nav.html", "blog/_label_nav.html", "blog/_sidebar_widgets.html"}


@pytest.fixture
def posts(an_author):
    make_post(author=an_author, published_at=datetime(2012, 11, 2, 9, tzinfo=UTC), labels=["ms"])
    make_post(author=an_author, published_at=datetime(2013, 3, 5, 9, tzinfo=UTC), labels=["ms"])


def sidebar_of(response):
    html = response.content.decode()
    return html[html.index('<aside class="sidebar"') : html.index("</aside>")]


def templates_of(response):
    return {template.name for template in response.templates}


def test_the_second_page_renders_no_sidebar_template_and_reads_no_figures(
    client, posts, monkeypatch
):
    # The label page's own look-ups (the label, its post count) are kept per generation
    # too, and their first miss asks the navigation entry until when they hold: those are
    # the label page's reads, not the sidebar's. Warm them, then forget the sidebar.
    client.get("/labels/ms/")
    navigation._rendered_sidebars.clear()
    first = client.get("/")
    assert templates_of(first) >= SIDEBAR_TEMPLATES
    reads = []
    real_get = cache.get
    monkeypatch.setattr(
        cache, "get", lambda key, *a, **k: reads.append(key) or real_get(key, *a, **k)
    )
    second = client.get("/labels/ms/")
    assert not SIDEBAR_TEMPLATES & templates_of(second)
    assert not [key for key in reads if key.startswith("navigation:")]
    assert sidebar_of(second) == sidebar_of(first)
    assert '<a href="/labels/ms/">ms</a> <span class="count">(2)</span>' in sidebar_of(second)


def test_a_change_shows_on_the_very_next_request(client, posts, an_author):
    client.get("/")
    make_post(author=an_author, published_at=datetime(2014, 1, 5, 9, tzinfo=UTC), labels=["β-ifn"])
    sidebar = sidebar_of(client.get("/"))
    assert '<a href="/2014/01/">January</a> <span class="count">(1)</span>' in sidebar
    assert '<a href="/labels/%CE%B2-ifn/">β-ifn</a> <span class="count">(1)</span>' in sidebar


def test_another_worker_moving_the_generation_on_is_seen_at_once(client, posts, an_author):
    """Another worker's change moves the shared generation: this worker's memo is not used."""
    client.get("/")
    stale = navigation._rendered_sidebars.copy()
    make_post(author=an_author, published_at=datetime(2015, 6, 5, 9, tzinfo=UTC))
    navigation._rendered_sidebars.update(stale)  # as if this worker had not seen the change
    assert '<a href="/2015/06/">June</a>' in sidebar_of(client.get("/"))


def test_each_open_year_and_time_zone_has_its_own_sidebar(client, posts, settings):
    assert "<details open>\n<summary>2013 " in sidebar_of(client.get("/"))
    assert "<details open>\n<summary>2012 " in sidebar_of(client.get("/2012/"))
    assert "<details>\n<summary>2013 " in sidebar_of(client.get("/2012/"))
    settings.TIME_ZONE = "Pacific/Kiritimati"
    with timezone.override("Pacific/Kiritimati"):
        assert "<details open>\n<summary>2013 " in sidebar_of(client.get("/"))


def test_without_a_readable_cache_the_sidebar_is_rendered_every_time(
    client, posts, an_author, monkeypatch
):
    monkeypatch.setattr("pagecache.store.generation", lambda: None)
    assert templates_of(client.get("/")) >= SIDEBAR_TEMPLATES
    assert templates_of(client.get("/")) >= SIDEBAR_TEMPLATES
    assert not navigation._rendered_sidebars or all(
        key[0] is not None for key in navigation._rendered_sidebars
    )


def test_a_scheduled_post_going_live_leaves_the_kept_sidebar(client, posts, an_author, monkeypatch):
    real_now = timezone.now()
    make_post(author=an_author, published_at=real_now + timedelta(hours=1))
    month = timezone.localtime(real_now + timedelta(hours=1))
    link = f'<a href="/{month:%Y}/{month:%m}/">'
    generation = cache.get(GENERATION_KEY)
    assert link not in sidebar_of(client.get("/"))
    assert link not in sidebar_of(client.get("/"))
    monkeypatch.setattr(timezone, "now", lambda: real_now + timedelta(hours=1, seconds=1))
    assert link in sidebar_of(client.get("/"))
    assert cache.get(GENERATION_KEY) == generation  # no change moved the generation on
