"""The page cache never stores a page rendered with the stock ``{% csrf_token %}``.

That tag writes this visitor's CSRF token into the page (and, for a visitor without a cookie,
a token for a cookie the first visitor alone receives): stored, every later visitor would be
served someone else's token, and their forms would fail. ``{% csrf_input %}`` punches a
placeholder that is filled for each visitor, so its pages are stored.

The views here live in this module's own URLconf (``pytest.mark.urls``), on addresses the
page cache treats like any reader's page.
"""

import logging
import re

import pytest
from django.http import HttpResponse, HttpResponseNotFound
from django.middleware.csrf import _unmask_cipher_token
from django.template import engines
from django.test import Client
from django.urls import path

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

rendered = []  # one entry per time a view really rendered (not served from the cache)

STOCK = "<form method='post'>{% csrf_token %}<button>Send</button></form><p>{{ n }}</p>"
PUNCHED = (
    "{% load page_cache_tags %}"
    "<form method='post'>{% csrf_input %}<button>Send</button></form><p>{{ n }}</p>"
)


def _render(source, name):
    def view(request):
        rendered.append(name)
        html = engines["django"].from_string(source).render({"n": len(rendered)}, request)
        return HttpResponse(html)

    return view


def _token_view(request):
    """A page that asks for the token in Python rather than in a template."""
    from django.middleware.csrf import get_token

    rendered.append("python")
    return HttpResponse(f"<meta name='csrf' content='{get_token(request)}'>")


urlpatterns = [
    path("stock/", _render(STOCK, "stock")),
    path("punched/", _render(PUNCHED, "punched")),
    path("token-in-python/", _token_view),
    path("gone/", lambda request: HttpResponseNotFound("<p>Gone.</p>")),
    path("token-lookalike/", _render(PUNCHED + "<p>" + "aB3" * 21 + "x</p>", "lookalike")),
]


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 300
    settings.PAGE_CACHE_HEADER = True
    rendered.clear()
    from pagecache import middleware

    middleware.warned_views.clear()
    yield
    rendered.clear()


def _page_secret(response):
    """The CSRF secret behind the token written in the page."""
    match = re.search(r"""(?:value|content)=['"]([A-Za-z0-9]{64})['"]""", response.content.decode())
    assert match, response.content.decode()
    return _unmask_cipher_token(match.group(1))


def _cookie_secret(client):
    return client.cookies["csrftoken"].value


def test_a_page_with_the_stock_csrf_token_is_rendered_afresh_for_each_visitor():
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first_page = first.get("/stock/")
    second_page = second.get("/stock/")
    assert rendered == ["stock", "stock"]
    assert second_page.get("X-Page-Cache") != "hit"
    assert _page_secret(first_page) == _cookie_secret(first)
    assert _page_secret(second_page) == _cookie_secret(second)
    assert _cookie_secret(first) != _cookie_secret(second)  # never the first visitor's token
    assert "<p>2</p>" in second_page.content.decode()


def test_a_returning_visitor_with_a_cookie_is_not_stored_either():
    visitor, other = Client(), Client()
    visitor.get("/stock/")  # receives its cookie
    again = visitor.get("/stock/")  # has it now: get_token renews, creates nothing
    third = other.get("/stock/")
    assert rendered == ["stock", "stock", "stock"]
    assert _page_secret(again) == _cookie_secret(visitor)
    assert _page_secret(third) == _cookie_secret(other) != _cookie_secret(visitor)


def test_a_page_asking_for_the_token_in_python_is_not_stored():
    first, second = Client(), Client()
    first.get("/token-in-python/")
    page = second.get("/token-in-python/")
    assert rendered == ["python", "python"]
    assert _page_secret(page) == _cookie_secret(second)


def test_a_page_with_csrf_input_is_stored_and_filled_for_each_visitor():
    first, second, third = Client(), Client(), Client()
    first_page = first.get("/punched/")
    second_page = second.get("/punched/")
    third_page = third.get("/punched/")
    assert rendered == ["punched"]
    assert first_page["X-Page-Cache"] == "miss"
    assert second_page["X-Page-Cache"] == third_page["X-Page-Cache"] == "hit"
    for visitor, page in ((first, first_page), (second, second_page), (third, third_page)):
        assert "__tp" not in page.content.decode()
        assert _page_secret(page) == _cookie_secret(visitor)
    assert len({_cookie_secret(c) for c in (first, second, third)}) == 3


def test_text_that_looks_like_a_token_does_not_stop_a_page_being_stored():
    """Nothing reads the body for tokens: a reader's 64 letters and digits are just text."""
    Client().get("/token-lookalike/")
    assert Client().get("/token-lookalike/")["X-Page-Cache"] == "hit"
    assert rendered == ["lookalike"]


def test_a_stored_csrf_input_page_lets_each_visitor_post_its_form():
    """The filled token is the visitor's own: it passes the CSRF check for that visitor,
    and only for that one."""
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.get("/punched/")
    page = second.get("/punched/")
    assert page["X-Page-Cache"] == "hit"
    for visitor, html in ((second, page), (first, page)):
        token = re.search(r"""value=['"]([A-Za-z0-9]{64})['"]""", html.content.decode())[1]
        answer = visitor.post("/punched/", {"csrfmiddlewaretoken": token})
        assert answer.status_code == (200 if visitor is second else 403)


def test_a_visitor_with_a_malformed_cookie_still_gets_the_stored_page_and_a_new_cookie():
    """Django replaces a malformed cookie before any view runs (it sets the same flag that
    get_token sets): that is not the page asking for a token, so the page is stored."""
    visitor = Client()
    visitor.cookies["csrftoken"] = "not a token!"
    page = visitor.get("/punched/")
    assert page["X-Page-Cache"] == "miss"
    assert "csrftoken" in page.cookies  # the replacement cookie is still sent
    assert _page_secret(page) == page.cookies["csrftoken"].value
    assert Client().get("/punched/")["X-Page-Cache"] == "hit"
    assert rendered == ["punched"]


def test_a_malformed_cookie_is_replaced_on_a_page_that_is_not_stored():
    visitor = Client()
    visitor.cookies["csrftoken"] = "not a token!"
    page = visitor.get("/gone/")
    assert page.status_code == 404
    assert len(page.cookies["csrftoken"].value) == 32


def test_a_malformed_cookie_does_not_hide_a_stock_csrf_token():
    visitor = Client()
    visitor.cookies["csrftoken"] = "not a token!"
    visitor.get("/stock/")
    Client().get("/stock/")
    assert rendered == ["stock", "stock"]


def test_the_refusal_is_logged_once_with_what_to_do(caplog):
    with caplog.at_level(logging.WARNING, logger="pagecache.middleware"):
        for _ in range(3):
            Client().get("/stock/")
        Client().get("/punched/")
        Client().get("/gone/")
    warnings = [r.getMessage() for r in caplog.records if r.name == "pagecache.middleware"]
    assert len(warnings) == 1, warnings
    assert "/stock/" in warnings[0]
    assert "{% csrf_input %}" in warnings[0] and "csrf_token" in warnings[0]
    with caplog.at_level(logging.WARNING, logger="pagecache.middleware"):
        for _ in range(2):
            Client().get("/token-in-python/")
    warnings = [r.getMessage() for r in caplog.records if r.name == "pagecache.middleware"]
    assert len(warnings) == 2 and "_token_view" in warnings[1], warnings


def test_with_the_page_cache_off_the_stock_tag_works_as_ever(settings):
    settings.PAGE_CACHE_SECONDS = 0
    visitor = Client()
    page = visitor.get("/stock/")
    assert _page_secret(page) == _cookie_secret(visitor)
    assert "X-Page-Cache" not in page
