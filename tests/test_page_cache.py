"""The shared page cache: hits for anonymous readers, never stale, never breaks CSRF."""

import re
import time
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import given

import pagecache
from blog.models import Post
from tests.factories import make_post, make_user
from tests.strategies import any_script_text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 300
    settings.PAGE_CACHE_HEADER = True


def test_second_anonymous_request_is_served_from_the_cache(client, a_post):
    first = client.get("/")
    second = client.get("/")
    assert first["X-Page-Cache"] == "miss"
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert a_post.title in second.content.decode()


def test_a_cached_page_costs_no_database_query(client, a_post, django_assert_num_queries):
    client.get(a_post.get_absolute_url())
    with django_assert_num_queries(0):
        response = client.get(a_post.get_absolute_url())
    assert response["X-Page-Cache"] == "hit"


def test_publishing_a_post_shows_on_the_very_next_request(client, a_post):
    client.get("/")
    make_post(author=a_post.author, title="Fresh from the press")
    response = client.get("/")
    assert "Fresh from the press" in response.content.decode()
    assert response["X-Page-Cache"] == "miss"


def test_editing_a_post_shows_on_the_very_next_request(client, a_post):
    client.get(a_post.get_absolute_url())
    a_post.body = "A corrected paragraph."
    a_post.save()
    assert "A corrected paragraph." in client.get(a_post.get_absolute_url()).content.decode()


def test_renaming_a_label_shows_on_the_very_next_request(client, a_post):
    client.get("/")
    tag = a_post.tags.get()
    tag.name = "Neuroimmunology"
    tag.save()
    assert "Neuroimmunology" in client.get("/").content.decode()


def test_a_scheduled_post_appears_when_its_time_arrives(client, an_author):
    make_post(author=an_author, title="Already out")
    make_post(
        author=an_author,
        title="Scheduled for two seconds",
        published_at=timezone.now() + timedelta(seconds=2),
    )
    assert "Scheduled for two seconds" not in client.get("/").content.decode()
    assert client.get("/")["X-Page-Cache"] == "hit"
    time.sleep(2.2)
    assert "Scheduled for two seconds" in client.get("/").content.decode()
    # Once it is live, pages are stored again at once (not after PAGE_CACHE_SECONDS).
    assert client.get("/")["X-Page-Cache"] == "hit"


def test_logged_in_users_are_never_served_or_stored(client, a_post):
    anonymous_copy = client.get("/")
    staff = make_user(staff=True)
    client.force_login(staff)
    response = client.get("/")
    assert "X-Page-Cache" not in response
    client.logout()
    assert client.get("/")["X-Page-Cache"] == "hit"
    assert anonymous_copy["X-Page-Cache"] == "miss"


def test_staff_preview_of_a_draft_is_never_cached(client, a_draft):
    client.force_login(a_draft.author)
    assert client.get(a_draft.get_absolute_url()).status_code == 200
    client.logout()
    assert client.get(a_draft.get_absolute_url()).status_code == 404


def test_not_found_pages_are_not_stored(client, db):
    client.get("/2099/01/nothing-here/")
    response = client.get("/2099/01/nothing-here/")
    assert response.status_code == 404
    assert response.get("X-Page-Cache") != "hit"


def test_conditional_get_answers_304_for_a_page_without_a_comment_form(client, a_post):
    client.get("/")
    first = client.get("/")
    assert first["X-Page-Cache"] == "hit"
    again = client.get("/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""


def _token(response):
    match = re.search(r'name="security_token" value="([^"]+)"', response.content.decode())
    assert match, "the page has no comment form"
    return match.group(1)


def _comment_form(html, token, body):
    data = dict(
        re.findall(r'<input[^>]+type="hidden"[^>]+name="([^"]+)"[^>]+value="([^"]*)"', html)
    )
    data.update(
        security_token=token,
        name="Ann Reader",
        email="ann@example.org",
        body=body,
        competing_interests="None declared",
    )
    return data


def test_a_conditional_reload_after_commenting_gives_a_fresh_form(client, a_post, settings):
    """A comment token is single-use: a 304 would keep the browser's spent form, and the
    next comment would be refused ("already sent") or come back expired."""
    from django.core import signing

    from comments.forms import TOKEN_SALT
    from comments.models import Comment

    settings.COMMENT_MIN_SUBMIT_SECONDS = 0
    settings.COMMENT_RATE_LIMIT = "off"
    url = a_post.get_absolute_url()
    client.get(url)
    shown = client.get(url)
    assert shown["X-Page-Cache"] == "hit"
    spent = _token(shown)
    validators = {"HTTP_IF_MODIFIED_SINCE": "Fri, 01 Jan 2100 00:00:00 GMT"}
    if shown.has_header("ETag"):
        validators["HTTP_IF_NONE_MATCH"] = shown["ETag"]
    sent = client.post(
        f"/comments/post/{a_post.pk}/",
        _comment_form(shown.content.decode(), spent, "A first comment, held for moderation."),
        follow=True,
    )
    assert "awaiting moderation" in sent.content.decode()  # held: the page is unchanged

    for headers in (validators, {"HTTP_IF_MODIFIED_SINCE": validators["HTTP_IF_MODIFIED_SINCE"]}):
        reload = client.get(url, **headers)
        assert reload.status_code == 200 and reload["X-Page-Cache"] == "hit"
        fresh = _token(reload)
        assert fresh != spent
        nonces = {signing.loads(token, salt=TOKEN_SALT)["n"] for token in (fresh, spent)}
        assert len(nonces) == 2
    second = client.post(
        f"/comments/post/{a_post.pk}/",
        _comment_form(reload.content.decode(), fresh, "A second comment, a different one."),
        follow=True,
    )
    assert "already sent" not in second.content.decode()
    assert "awaiting moderation" in second.content.decode()
    assert Comment.objects.count() == 2


def _stored(html, last_modified="Wed, 01 Jan 2025 00:00:00 GMT"):
    from django.http import HttpResponse

    from pagecache.store import CachedPage

    response = HttpResponse(html)
    response["Last-Modified"] = last_modified
    return CachedPage(response, expires_at=time.time() + 60)


def test_only_a_page_whose_placeholders_are_stable_per_visitor_keeps_its_validators(rf):
    """CSRF alone: one ETag per cookie, Last-Modified kept. A comment token: neither."""
    csrf_only = _stored(f"<p>{pagecache.punch('csrf')}</p>")
    with_token = _stored(f"<p>{pagecache.punch('csrf')} {pagecache.punch('comment_token', 7)}</p>")
    request = rf.get("/", HTTP_COOKIE="csrftoken=" + "a" * 32)
    request.META["CSRF_COOKIE"] = "a" * 32
    first = csrf_only.respond(request, status="hit")
    assert first["ETag"] == csrf_only.respond(request, status="hit")["ETag"]
    assert first.has_header("Last-Modified")
    etags = {with_token.respond(request, status="hit")["ETag"] for _ in range(5)}
    assert len(etags) == 5
    assert not with_token.respond(request, status="hit").has_header("Last-Modified")


def _csrf_token(html):
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match, "the page has no CSRF input"
    return match.group(1)


def test_a_cached_page_never_breaks_the_next_visitors_comment_form(a_post, settings):
    """Two visitors: the second gets the first one's cached page, and can still comment."""
    settings.COMMENT_MIN_SUBMIT_SECONDS = 0
    settings.COMMENT_RATE_LIMIT = "off"
    url = a_post.get_absolute_url()
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first_page = first.get(url)
    second_page = second.get(url)
    assert second_page["X-Page-Cache"] == "hit"
    assert "__tp" not in second_page.content.decode()
    for visitor, page, name in ((first, first_page, "First"), (second, second_page, "Second")):
        html = page.content.decode()
        form_action = re.search(r'<form[^>]+action="([^"]*comments/post[^"]*)"', html).group(1)
        data = dict(
            re.findall(r'<input[^>]+type="hidden"[^>]+name="([^"]+)"[^>]+value="([^"]*)"', html)
        )
        data.update(
            csrfmiddlewaretoken=_csrf_token(html),
            name=f"{name} Visitor",
            email=f"{name.lower()}@example.org",
            body=f"{name} visitor's comment.",
            competing_interests="None declared",
        )
        response = visitor.post(form_action, data)
        assert response.status_code == 302, response.content.decode()[:500]
    assert set(a_post.comments.values_list("name", flat=True)) == {
        "First Visitor",
        "Second Visitor",
    }


def test_a_page_with_a_notice_is_neither_served_from_nor_stored_in_the_cache(a_post, settings):
    settings.COMMENT_MIN_SUBMIT_SECONDS = 0
    settings.COMMENT_RATE_LIMIT = "off"
    url = a_post.get_absolute_url()
    reader = Client()
    reader.get(url)  # stores the page
    commenter = Client()
    html = commenter.get(url).content.decode()
    data = dict(
        re.findall(r'<input[^>]+type="hidden"[^>]+name="([^"]+)"[^>]+value="([^"]*)"', html)
    )
    data.update(
        name="Noticed",
        email="noticed@example.org",
        body="Hold me.",
        competing_interests="None declared",
    )
    action = re.search(r'<form[^>]+action="([^"]*comments/post[^"]*)"', html).group(1)
    response = commenter.post(action, data, follow=True)
    assert "awaiting moderation" in response.content.decode()
    assert "awaiting moderation" not in reader.get(url).content.decode()
    assert Post.objects.get(pk=a_post.pk).comments.count() == 1


def test_the_comment_forms_signed_timestamp_is_fresh_on_a_cached_page(client, a_post):
    """Otherwise a page cached for five minutes would let a bot pass the 'too fast' check."""
    from django.core import signing

    from comments.forms import TOKEN_SALT

    def rendered_at(response):
        token = re.search(r'name="security_token" value="([^"]+)"', response.content.decode())
        return signing.loads(token.group(1), salt=TOKEN_SALT)["t"]

    first = client.get(a_post.get_absolute_url())
    time.sleep(0.05)
    second = client.get(a_post.get_absolute_url())
    assert second["X-Page-Cache"] == "hit"
    assert rendered_at(second) > rendered_at(first)


def test_a_new_held_comment_keeps_the_cached_pages(client, a_post):
    """Commenters' own GETs stay cache hits while their comments wait for moderation."""
    from comments.models import Comment

    client.get(a_post.get_absolute_url())
    Comment.objects.create(post=a_post, name="Held", email="h@example.org", body="Wait.")
    assert client.get(a_post.get_absolute_url())["X-Page-Cache"] == "hit"


def test_approving_a_comment_shows_it_on_the_very_next_request(client, a_post):
    from comments.models import Comment
    from comments.services import comment_approve

    comment = Comment.objects.create(
        post=a_post, name="Patient Reader", email="p@example.org", body="Finally approved."
    )
    assert "Finally approved." not in client.get(a_post.get_absolute_url()).content.decode()
    comment_approve(comment=comment, moderator=make_user(staff=True))
    response = client.get(a_post.get_absolute_url())
    assert "Finally approved." in response.content.decode()
    assert response["X-Page-Cache"] == "miss"


def test_another_workers_change_is_seen_although_this_worker_holds_the_page(client, a_post):
    """The in-process layer is keyed by the shared generation: a change made elsewhere
    (here: only the shared generation moves) makes this worker render afresh."""
    client.get("/")
    assert client.get("/")["X-Page-Cache"] == "hit"
    Post.objects.filter(pk=a_post.pk).update(title="Changed by another worker")
    pagecache.invalidate()  # what that worker's signal does, in the shared cache
    response = client.get("/")
    assert response["X-Page-Cache"] == "miss"
    assert "Changed by another worker" in response.content.decode()


def test_a_page_served_from_the_shared_cache_alone_is_complete(client, a_post):
    """A worker that has never seen the page gets it from the shared cache."""
    from pagecache.store import local_layer

    client.get(a_post.get_absolute_url())
    home = client.get("/")
    local_layer.clear()
    second = client.get(a_post.get_absolute_url())
    assert second["X-Page-Cache"] == "hit"
    assert a_post.title in second.content.decode() and _token(second)
    assert client.get("/")["ETag"] == home["ETag"]  # a page without a single-use token


def test_tracking_parameters_share_the_cached_page(client, a_post):
    """A post shared on social media arrives with a unique fbclid per visitor."""
    url = a_post.get_absolute_url()
    assert client.get(url)["X-Page-Cache"] == "miss"
    assert client.get(url + "?utm_source=mastodon&fbclid=abc1")["X-Page-Cache"] == "hit"
    assert client.get(url + "?fbclid=abc2&utm_medium=social")["X-Page-Cache"] == "hit"


def test_the_parameters_the_views_read_keep_their_own_pages(client, an_author):
    for n in range(12):
        make_post(author=an_author, title=f"Listed post {n}")
    first = client.get("/")
    second = client.get("/?page=2&utm_source=x")
    assert second["X-Page-Cache"] == "miss"
    assert second.content != first.content
    assert client.get("/?utm_source=y&page=2")["X-Page-Cache"] == "hit"
    assert client.get("/?page=abc").status_code == 404


@pytest.mark.parametrize(
    "typed",
    [
        "__tp_punch__comment_token__x__",
        "__tp_punch__csrf____",
        "__tp_punch__nothing__1__",
    ],
)
def test_a_placeholder_typed_by_a_reader_is_shown_as_typed(client, a_post, typed):
    """Placeholders carry a secret derived from SECRET_KEY: one a commenter types (in any
    field) is never filled, and cannot break the page for the next reader."""
    from comments.models import Comment

    Comment.objects.create(
        post=a_post,
        name=typed,
        email="p@example.org",
        body=f"`{typed}` and {typed}",
        website=f"https://example.org/?t={typed}",
        status=Comment.Status.APPROVED,
    )
    for _ in range(2):  # the rendering that stores the page, then a hit
        response = client.get(a_post.get_absolute_url())
        assert response.status_code == 200
        assert typed in response.content.decode()
    assert response["X-Page-Cache"] == "hit"
    for url in ("/comments/feeds/latest/", f"/comments/feeds/post/{a_post.pk}/"):
        assert client.get(url).status_code == 200


def test_a_label_that_looks_like_a_placeholder_cannot_take_the_site_down(client, a_post):
    a_post.tags.add("__tp_punch__x__y__")
    for url in ("/", "/labels/", "/feeds/atom/", a_post.get_absolute_url()):
        assert client.get(url).status_code == 200, url


def test_renaming_an_author_shows_on_the_very_next_request(client, a_post):
    client.get(a_post.get_absolute_url())
    author = a_post.author
    author.first_name, author.last_name = "Alasdair", "Coles"
    author.save()
    assert "Alasdair Coles" in client.get(a_post.get_absolute_url()).content.decode()


def test_a_sign_in_keeps_the_cached_pages(client, a_post):
    client.get("/")
    before = pagecache.generation()
    client.force_login(a_post.author)  # updates last_login
    client.logout()
    assert pagecache.generation() == before
    assert client.get("/")["X-Page-Cache"] == "hit"


@pytest.mark.parametrize("parameter", ["reply", "replyto"])
def test_reply_form_pages_bypass_the_cache(client, a_post, parameter):
    """?reply= (and the older ?replyto=) takes any value: caching each would let a flood
    fill the cache."""
    for n in range(3):
        response = client.get(f"{a_post.get_absolute_url()}?{parameter}={n}")
        assert "X-Page-Cache" not in response
    assert client.get(a_post.get_absolute_url())["X-Page-Cache"] == "miss"


def test_rejecting_a_comment_hides_it_on_the_very_next_request(client, a_post):
    from comments.models import Comment
    from comments.services import comment_approve, comment_reject

    moderator = make_user(staff=True)
    comment = Comment.objects.create(
        post=a_post, name="Soon Gone", email="g@example.org", body="Regrettable words."
    )
    comment_approve(comment=comment, moderator=moderator)
    assert "Regrettable words." in client.get(a_post.get_absolute_url()).content.decode()
    assert client.get(a_post.get_absolute_url())["X-Page-Cache"] == "hit"
    comment_reject(comment=comment, moderator=moderator)
    assert "Regrettable words." not in client.get(a_post.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/labels/",
        "/labels/neurology/",
        "archive_year",
        "archive_month",
        "/feeds/atom/",
        "/feeds/rss/",
        "/feeds/labels/neurology/atom/",
        "/comments/feeds/latest/",
        "/sitemap.xml",
    ],
)
def test_lists_archives_and_feeds_are_served_from_the_cache(client, a_post, url):
    from django.urls import NoReverseMatch, reverse

    local = timezone.localtime(a_post.published_at)
    if url == "archive_year":
        url = f"/{local.year}/"
    elif url == "archive_month":
        url = f"/{local.year}/{local.month:02d}/"
    elif url.startswith("/feeds/labels/"):
        try:
            url = reverse("blog:label_feed_atom", kwargs={"slug": "neurology"})
        except NoReverseMatch:
            pytest.fail("no per-label Atom feed URL")
    first = client.get(url)
    assert first.status_code == 200, url
    second = client.get(url)
    assert second["X-Page-Cache"] == "hit", url
    assert second.content == first.content


# Cache key flooding (issue 10 item 5): only what changes the page makes a new entry ----------


def _stored_entries():
    """How many entries the shared cache holds (the tests' cache is local memory)."""
    from django.core.cache import caches

    return len(caches["default"]._cache)


def test_query_strings_a_view_ignores_store_nothing_new(client, a_post):
    """5,300 such requests grew the SQLite cache from 0.6 to 74 MB: each stored a page."""
    post_url = a_post.get_absolute_url()
    for url in (post_url, "/feeds/atom/", "/labels/"):
        client.get(url)
    before = _stored_entries()
    for n in range(60):
        for url in (post_url, "/feeds/atom/", "/labels/"):
            response = client.get(f"{url}?page={n * 7919}&x{n}=y&utm_source={n}")
            assert response.status_code == 200
            assert response["X-Page-Cache"] == "hit", url
    assert a_post.title in client.get(f"{post_url}?page=999").content.decode()
    assert _stored_entries() == before


def test_host_case_port_and_trailing_dot_variants_share_one_page(client, a_post):
    url = a_post.get_absolute_url()
    first = client.get(url)
    before = _stored_entries()
    for host in ("TESTSERVER", "testserver:8080", "testserver:1", "testserver.", "TestServer:443"):
        response = client.get(url, HTTP_HOST=host)
        assert response.status_code == 200, host
        assert response["X-Page-Cache"] == "hit", host
        assert response.content.count(b"csrfmiddlewaretoken") == first.content.count(
            b"csrfmiddlewaretoken"
        )
    assert _stored_entries() == before


def test_a_wildcard_allowed_host_shares_the_sites_pages(client, a_post, settings):
    """With ALLOWED_HOSTS = .example.org, any subdomain is valid: none gets its own pages."""
    settings.ALLOWED_HOSTS = [".example.org", "testserver"]
    settings.SITE_URL = "https://www.example.org"
    url = a_post.get_absolute_url()
    client.get(url, HTTP_HOST="www.example.org")
    before = _stored_entries()
    for n in range(20):
        response = client.get(url, HTTP_HOST=f"junk{n}.example.org")
        assert response["X-Page-Cache"] == "hit"
    assert _stored_entries() == before


def test_page_numbers_key_list_pages_only_in_their_canonical_form(client, an_author):
    for n in range(12):
        make_post(author=an_author, title=f"Listed post {n}")
    assert client.get("/?page=2")["X-Page-Cache"] == "miss"
    assert client.get("/?page=2")["X-Page-Cache"] == "hit"
    before = _stored_entries()
    for variant in ("02", "+2", " 2", "2.0", "last", "2&page=2"):
        response = client.get(f"/?page={variant}")
        assert response.get("X-Page-Cache") is None, variant  # served uncached, not stored
        assert response.status_code in (200, 404), variant
    for missing in ("999", "0", "-1", "abc", "9" * 40):
        assert client.get(f"/?page={missing}").status_code == 404, missing
    assert _stored_entries() == before


def test_a_view_never_sees_a_parameter_the_key_does_not_hold(rf, a_post):
    """What is stored can depend only on the key: the view gets the parameters it reads."""
    from django.urls import resolve

    from pagecache.middleware import address

    request = rf.get("/?page=2&utm_source=x&q=anything")
    request.user = type("Anonymous", (), {"is_authenticated": False})()
    key = address(request, resolve("/").func)
    assert dict(request.GET) == {"page": ["2"]}
    assert "utm_source" not in key and "q=" not in key
    detail = rf.get(a_post.get_absolute_url() + "?page=2")
    address(detail, resolve(a_post.get_absolute_url()).func)
    assert dict(detail.GET) == {}


def test_the_cache_holds_at_most_max_entries_pages(client, an_author, settings):
    settings.PAGE_CACHE_MAX_ENTRIES = 4
    posts = [make_post(author=an_author, title=f"Bounded {n}") for n in range(25)]
    for post in posts:
        response = client.get(post.get_absolute_url())
        assert post.title in response.content.decode()
    slots = [key for key in _cache_keys() if "page-cache:slot:" in key]
    assert 1 <= len(slots) <= 4


def test_each_worker_keeps_at_most_page_cache_local_entries_pages(client, an_author, settings):
    from pagecache.store import local_layer

    settings.PAGE_CACHE_LOCAL_ENTRIES = 3
    local_layer.clear()
    for n in range(8):
        post = make_post(author=an_author, title=f"Local {n}")
        assert post.title in client.get(post.get_absolute_url()).content.decode()
        assert len(local_layer.entries) <= 3
    assert len(local_layer.entries) == 3
    settings.PAGE_CACHE_LOCAL_ENTRIES = 0  # off: nothing kept
    post = make_post(author=an_author, title="Local off")
    client.get(post.get_absolute_url())
    assert len(local_layer.entries) == 0


def _cache_keys():
    from django.core.cache import caches

    return list(caches["default"]._cache)


def test_a_page_larger_than_its_share_of_the_byte_budget_is_served_uncached(
    client, a_post, settings
):
    settings.PAGE_CACHE_MAX_ENTRIES = 10
    settings.PAGE_CACHE_MAX_BYTES = 10 * 1024  # 1 KB a page: smaller than any page here
    for _ in range(2):
        response = client.get(a_post.get_absolute_url())
        assert response.status_code == 200
        assert a_post.title in response.content.decode()
        assert "__tp" not in response.content.decode()
        assert "X-Page-Cache" not in response  # neither stored nor served from the cache
    assert not [key for key in _cache_keys() if "page-cache:slot:" in key]


def test_many_invalidations_do_not_pile_up_pages(client, a_post):
    """A new generation overwrites its page's slot: old generations leave nothing behind."""
    url = a_post.get_absolute_url()
    for n in range(20):
        Post.objects.filter(pk=a_post.pk).update(title=f"Revision {n}")
        pagecache.invalidate()
        assert f"Revision {n}" in client.get(url).content.decode()
    assert len([key for key in _cache_keys() if "page-cache:slot:" in key]) == 1


def test_the_state_header_is_off_in_production(client, a_post, settings):
    """X-Page-Cache tells anyone which pages are cached (and so what others read)."""
    settings.PAGE_CACHE_HEADER = False
    settings.DEBUG = False
    for _ in range(2):
        response = client.get(a_post.get_absolute_url())
        assert response.status_code == 200
        assert "X-Page-Cache" not in response
    settings.DEBUG = True
    assert client.get(a_post.get_absolute_url())["X-Page-Cache"] == "hit"


# A deploy never serves the previous deploy's pages (issue 11) -------------------------------


def test_a_changed_setting_is_on_the_very_next_page(client, a_post, settings):
    """A changed SITE_URL kept the old canonical link for minutes."""
    from pagecache.deploy import deploy_version

    url = a_post.get_absolute_url()
    assert 'href="http://testserver/' in client.get(url).content.decode()
    assert client.get(url)["X-Page-Cache"] == "hit"
    settings.SITE_URL = "https://trials.example.org"
    deploy_version.cache_clear()  # a new deploy: new processes
    try:
        html = client.get(url).content.decode()
        assert 'rel="canonical" href="https://trials.example.org/' in html
        assert "http://testserver/" not in html
    finally:
        deploy_version.cache_clear()


def _version_in_subprocess(tmp_path, **env):
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    code = (
        "import django; django.setup();"
        "from pagecache.deploy import deploy_version; print(deploy_version())"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=root,
        env={
            "PATH": os.environ["PATH"],
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "PYTHONHASHSEED": "random",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip().splitlines()[-1]


def test_every_worker_of_a_deploy_agrees_on_its_version_and_a_new_deploy_differs(tmp_path):
    first = _version_in_subprocess(tmp_path)
    assert _version_in_subprocess(tmp_path) == first  # another worker, another hash seed
    assert _version_in_subprocess(tmp_path, SITE_URL="https://elsewhere.example") != first
    assert _version_in_subprocess(tmp_path, SITE_NAME="Renamed") != first
    assert _version_in_subprocess(tmp_path, DEPLOY_VERSION="abc123") != first
    assert _version_in_subprocess(tmp_path, SECRET_KEY="another-secret") != first


def test_an_edited_template_gives_a_new_version(settings, tmp_path):
    from pagecache.deploy import deploy_version

    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "extra.html").write_text("<p>one</p>")
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], templates]}
    ]
    deploy_version.cache_clear()
    try:
        before = deploy_version()
        (templates / "extra.html").write_text("<p>two</p>")
        deploy_version.cache_clear()
        assert deploy_version() != before
    finally:
        deploy_version.cache_clear()


def test_a_registered_parameter_keys_its_view_and_is_validated(client, a_post):
    """Django's sitemap reads ?p= (blog registers it): page 1 is its own entry, a page past
    the end is Django's 404, and neither changes what the plain sitemap serves."""
    plain = client.get("/sitemap.xml")
    assert client.get("/sitemap.xml?p=1")["X-Page-Cache"] == "miss"
    assert client.get("/sitemap.xml?p=1")["X-Page-Cache"] == "hit"
    assert client.get("/sitemap.xml?p=2").status_code == 404
    assert client.get("/sitemap.xml?p=01").get("X-Page-Cache") is None
    assert client.get("/sitemap.xml")["X-Page-Cache"] == "hit"
    assert client.get("/sitemap.xml").content == plain.content


@given(name=any_script_text(max_size=12), value=any_script_text(max_size=30))
def test_any_query_string_in_any_script_stores_nothing_new(client, a_post, name, value):
    """Typed or forged query strings, in any script: served, never a 500, never a new page."""
    from urllib.parse import urlencode

    for url in ("/", a_post.get_absolute_url(), "/feeds/atom/"):
        client.get(url)
    before = _stored_entries()
    for url in ("/", a_post.get_absolute_url(), "/feeds/atom/", "/labels/"):
        for query in (urlencode({name: value}), urlencode({"page": value})):
            response = client.get(f"{url}?{query}")
            assert response.status_code in (200, 404), (url, query)
            assert "__tp" not in response.content.decode()
    assert _stored_entries() <= before + 1  # at most /labels/ itself


def test_the_deploy_digest_reads_no_installed_package(settings, tmp_path):
    """With the virtualenv inside the project (the Makefile's .venv), every installed app
    (django.contrib.*, taggit) was read: ~1,300 files, 137 ms on each worker's first page."""
    import os
    import site
    import sys
    from pathlib import Path

    from pagecache import deploy

    project = Path(__file__).resolve().parent.parent
    # Every installed package "inside the project", as with the Makefile's .venv:
    settings.BASE_DIR = Path(os.path.commonpath([project, Path(sys.prefix).resolve()]))
    installed = [Path(p).resolve() for p in (sys.prefix, *site.getsitepackages())]
    files = [path.resolve() for _label, path in deploy.digested_files()]
    assert any(path.is_relative_to(project) for path in files)
    assert not [
        path
        for path in files
        if "site-packages" in path.parts or any(path.is_relative_to(p) for p in installed)
    ]
    assert project / "templates" / "base.html" in files
    assert project / "blog" / "models.py" in files

    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "extra.html").write_text("<p>one</p>")
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], templates]}
    ]
    before = deploy._files_digest()
    (templates / "extra.html").write_text("<p>two</p>")
    assert deploy._files_digest() != before


def test_the_deploy_digest_skips_what_the_project_generates(settings, tmp_path):
    from pagecache import deploy

    templates = tmp_path / "templates"
    for name in (".venv/lib", "node_modules/x", ".git", "site-packages", "mine"):
        (templates / name).mkdir(parents=True)
        (templates / name / "page.html").write_text("<p>x</p>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [templates]}]
    labels = [label for label, _path in deploy.digested_files() if label.endswith("page.html")]
    assert labels == ["templates/mine/page.html"]


def test_no_admin_or_comment_form_address_is_ever_stored(
    a_post, a_superuser, settings, monkeypatch
):
    """Whatever the request (anonymous or signed in, GET, HEAD or POST, valid or not), no
    address under the admin or the comment form's target is ever a stored page."""
    from django.urls import reverse

    from pagecache import store

    settings.COMMENT_MIN_SUBMIT_SECONDS = 0
    settings.COMMENT_RATE_LIMIT = "off"
    stored = []
    real_store = store.store

    def recording_store(address, current_generation, response):
        stored.append(address)
        return real_store(address, current_generation, response)

    monkeypatch.setattr(store, "store", recording_store)
    target = reverse("comments:post", args=[a_post.pk])
    admin_pages = [
        reverse("admin:index"),
        reverse("admin:login"),
        reverse("admin:logout"),
        reverse("admin:blog_post_changelist"),
        reverse("admin:blog_post_change", args=[a_post.pk]),
        reverse("admin:jsi18n"),
    ]
    anonymous, editor = Client(), Client()
    editor.force_login(a_superuser)
    html = anonymous.get(a_post.get_absolute_url()).content.decode()
    data = dict(
        re.findall(r'<input[^>]+type="hidden"[^>]+name="([^"]+)"[^>]+value="([^"]*)"', html)
    )
    for visitor in (anonymous, editor):
        for url in [*admin_pages, target, target + "?page=2", target + "x/"]:
            for _ in range(2):
                visitor.get(url)
                visitor.head(url)
        visitor.post(target, {**data, "body": ""})  # refused: the post page with errors
        visitor.post(
            target,
            {
                **data,
                "name": "A",
                "email": "a@example.org",
                "body": "Fine.",
                "competing_interests": "None declared",
            },
        )
    assert any(a_post.get_absolute_url() in address for address in stored)  # it records
    assert [a for a in stored if "/admin/" in a or "/comments/post/" in a] == []


def test_the_excluded_prefixes_are_where_the_admin_and_the_comment_form_are(a_post):
    from django.urls import reverse

    from pagecache import registry

    for url in (reverse("admin:index"), reverse("comments:post", args=[a_post.pk])):
        assert url.startswith(registry.excluded_prefixes), url


def test_a_registered_prefix_is_neither_served_from_nor_stored_in_the_cache(
    client, a_post, monkeypatch
):
    from pagecache import registry

    url = a_post.get_absolute_url()
    monkeypatch.setattr(registry, "excluded_prefixes", registry.excluded_prefixes)
    registry.register_excluded_prefix(url)
    for _ in range(2):
        response = client.get(url)
        assert a_post.title in response.content.decode()
        assert "X-Page-Cache" not in response
    with pytest.raises(ValueError, match="starts and ends with /"):
        registry.register_excluded_prefix("admin")
