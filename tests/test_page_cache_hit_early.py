"""A hit is answered before the address is resolved, and keeps every rule of a hit.

Once a worker has stored or served a page, it knows the page's view (``resolved_views``), so
the next request for that address is looked up in ``PageCacheMiddleware.__call__``: no URL
resolution, no ``process_view``. Every middleware above the page cache still handles the
request and the response, so the hit keeps its security headers and its CSRF cookie, and a
signed-in reader or one with a pending notice is still never served from the cache.
"""

import re

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.handlers.base import BaseHandler
from django.http import HttpResponse
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client, RequestFactory

import pagecache
from blog.models import Post
from pagecache.middleware import ResolvedViews
from tests.factories import make_user

pytestmark = pytest.mark.django_db

SECURITY_HEADERS = {
    "Content-Security-Policy",
    "Permissions-Policy",
    "X-Frame-Options",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
}


@pytest.fixture(autouse=True)
def _page_cache_on(page_cache_with_header):
    """Every test here runs with the page cache on (tests/conftest.py)."""


@pytest.fixture
def resolutions(monkeypatch):
    """The addresses resolved by Django's handler, in order."""
    resolved = []
    original = BaseHandler.resolve_request

    def resolve_request(handler, request):
        resolved.append(request.path)
        return original(handler, request)

    monkeypatch.setattr(BaseHandler, "resolve_request", resolve_request)
    return resolved


def _page_token(response):
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode())
    assert match, "the page has no CSRF input"
    return match.group(1)


def _without_tokens(response):
    """The page with its per-request values (CSRF and comment tokens) blanked out."""
    html = response.content.decode()
    return re.sub(r'(name="(?:csrfmiddlewaretoken|security_token)" value=")[^"]+', r"\1", html)


def test_a_hit_for_a_known_address_is_answered_without_resolving_it(a_post, resolutions):
    url = a_post.get_absolute_url()
    first = Client().get(url)
    assert first["X-Page-Cache"] == "miss" and resolutions == [url]
    hit = Client().get(url)
    assert hit["X-Page-Cache"] == "hit"
    assert resolutions == [url]  # not resolved again
    assert _without_tokens(hit) == _without_tokens(first)
    assert a_post.title in hit.content.decode()


def test_an_early_hit_has_every_header_the_stored_page_had(a_post):
    url = a_post.get_absolute_url()
    miss = Client().get(url)
    hit = Client().get(url)
    assert hit["X-Page-Cache"] == "hit"
    assert set(hit.headers) == set(miss.headers)
    assert set(hit.headers) >= SECURITY_HEADERS
    for name in SECURITY_HEADERS | {"Content-Type", "Vary", "Cache-Control"}:
        assert hit[name] == miss[name], name
    assert hit["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in hit["Content-Security-Policy"]
    assert hit["Cache-Control"] == "max-age=0"
    assert hit["Vary"] == "Cookie, Accept-Encoding"  # compressed for the browsers that ask
    assert int(hit["Content-Length"]) == len(hit.content)
    assert not hit.has_header("Last-Modified")  # the page has a single-use comment token
    assert re.fullmatch(r"\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT", hit["Expires"])


def test_an_early_hit_on_a_page_without_a_form_keeps_its_validators(client, a_post):
    miss = client.get("/")
    hit = client.get("/")
    assert hit["X-Page-Cache"] == "hit"
    assert hit["ETag"] == miss["ETag"]  # the same cookie: the same validator
    again = client.get("/", HTTP_IF_NONE_MATCH=hit["ETag"])
    assert again.status_code == 304 and again.content == b""


def test_an_early_hit_sets_the_csrf_cookie_for_a_visitor_without_one(a_post, settings):
    settings.COMMENT_MIN_SUBMIT_SECONDS = 0
    settings.COMMENT_RATE_LIMIT = "off"
    url = a_post.get_absolute_url()
    Client().get(url)
    visitor = Client(enforce_csrf_checks=True)
    hit = visitor.get(url)
    assert hit["X-Page-Cache"] == "hit"
    cookie = hit.cookies["csrftoken"].value
    assert _unmask_cipher_token(_page_token(hit)) == cookie
    html = hit.content.decode()
    data = dict(
        re.findall(r'<input[^>]+type="hidden"[^>]+name="([^"]+)"[^>]+value="([^"]*)"', html)
    )
    data.update(
        name="Early Visitor",
        email="early@example.org",
        body="Sent from a page served before resolving.",
        competing_interests="None declared",
    )
    action = re.search(r'<form[^>]+action="([^"]*comments/post[^"]*)"', html).group(1)
    assert visitor.post(action, data).status_code == 302
    assert a_post.comments.filter(name="Early Visitor").exists()


def test_a_returning_visitor_keeps_their_csrf_secret_on_an_early_hit(a_post):
    url = a_post.get_absolute_url()
    reader = Client()
    first = reader.get(url)
    secret = first.cookies["csrftoken"].value
    hit = reader.get(url)
    assert hit["X-Page-Cache"] == "hit"
    assert _unmask_cipher_token(_page_token(hit)) == secret
    assert hit.cookies["csrftoken"].value == secret  # renewed, not replaced


def test_a_signed_in_reader_is_never_served_a_known_page(a_post, resolutions):
    url = a_post.get_absolute_url()
    Client().get(url)
    assert Client().get(url)["X-Page-Cache"] == "hit"
    staff = Client()
    staff.force_login(make_user(username="editor", staff=True))
    response = staff.get(url)
    assert "X-Page-Cache" not in response
    assert response.status_code == 200 and a_post.title in response.content.decode()
    assert resolutions.count(url) == 2  # the first visit and the signed-in one


def test_a_reader_with_a_pending_notice_is_never_served_a_known_page(a_post):
    url = a_post.get_absolute_url()
    Client().get(url)
    assert Client().get(url)["X-Page-Cache"] == "hit"
    storage = CookieStorage(RequestFactory().get(url))
    storage.add(constants.SUCCESS, "Your comment is awaiting moderation.")
    carrier = HttpResponse()
    storage.update(carrier)
    reader = Client()
    reader.cookies["messages"] = carrier.cookies["messages"].value
    response = reader.get(url)
    assert "X-Page-Cache" not in response
    assert "Your comment is awaiting moderation." in response.content.decode()
    assert Client().get(url)["X-Page-Cache"] == "hit"  # the stored page is untouched


def test_a_bypass_parameter_or_an_invalid_page_number_on_a_known_address(client, a_post):
    url = a_post.get_absolute_url()
    client.get(url)
    assert client.get(url)["X-Page-Cache"] == "hit"
    assert "X-Page-Cache" not in client.get(f"{url}?reply=1")
    client.get("/?page=1")
    assert client.get("/?page=1")["X-Page-Cache"] == "hit"  # 1 is a canonical page number
    response = client.get("/?page=01")
    assert "X-Page-Cache" not in response and response.status_code == 200


def test_a_change_is_seen_on_the_next_early_request_with_one_generation_read(
    client, a_post, generation_reads
):
    client.get("/")
    assert client.get("/")["X-Page-Cache"] == "hit"
    Post.objects.filter(pk=a_post.pk).update(title="Changed on another server")
    pagecache.invalidate()
    reads = generation_reads
    reads.clear()
    response = client.get("/")
    assert response["X-Page-Cache"] == "miss"
    assert "Changed on another server" in response.content.decode()
    assert len(reads) == 1  # read before resolving, handed on to process_view
    assert client.get("/")["X-Page-Cache"] == "hit"


def test_the_known_views_are_kept_per_urlconf_and_bounded():
    known = ResolvedViews(max_entries=3)
    rf = RequestFactory()

    def view(request):
        return None

    def other_view(request):
        return None

    for n in range(5):
        known.remember(rf.get(f"/page-{n}/"), view)
    assert [known.get(rf.get(f"/page-{n}/")) for n in range(5)] == [None, None, view, view, view]
    elsewhere = rf.get("/page-4/")
    elsewhere.urlconf = "tests.urls_mounted_blog"
    assert known.get(elsewhere) is None
    known.remember(elsewhere, other_view)
    assert known.get(elsewhere) is other_view
    assert known.get(rf.get("/page-4/")) is view


def test_an_address_without_a_query_string_parses_none_but_honours_a_set_query(monkeypatch):
    from django.http import QueryDict

    from pagecache import registry
    from pagecache.middleware import address

    def listing(request):
        return None

    monkeypatch.setitem(registry.query_parameters, listing, {"page": registry.positive_int})
    plain = RequestFactory().get("/listing/")
    assert address(plain, listing).endswith("|GET|/listing/|")
    assert "GET" not in plain.__dict__  # nothing parsed, nothing replaced
    with_page = RequestFactory().get("/listing/", {"page": "3", "utm_source": "feed"})
    assert address(with_page, listing).endswith("|GET|/listing/|page=3")
    assert dict(with_page.GET) == {"page": ["3"]}  # the view sees only what the key holds
    set_by_code = RequestFactory().get("/listing/")
    set_by_code.GET = QueryDict("page=4")
    assert address(set_by_code, listing).endswith("|GET|/listing/|page=4")
