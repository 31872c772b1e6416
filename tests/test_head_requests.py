"""HEAD: the GET's headers and no body, through the real WSGI handler (the test client
strips bodies itself, so it would hide a body sent), and the page cache answers a HEAD and
a GET with one stored page."""

import io
import sys
from contextlib import contextmanager

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client

from pagecache import store
from pagecache.middleware import resolved_views

pytestmark = pytest.mark.django_db


@contextmanager
def connections_kept():
    """As Django's test client does: the test's transaction stays open across a request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def wsgi(method, path):
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        "SERVER_PROTOCOL": "HTTP/1.1",
    }
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"], answer["headers"] = status, dict(headers)

    with connections_kept():
        response = WSGIHandler()(environ, start_response)
        body = b"".join(response)
        response.close()
    return answer["status"], answer["headers"], body


@pytest.mark.parametrize("path", ["/", "/labels/", "/no-such-page/", "/admin/login/"])
def test_a_head_gets_the_gets_headers_and_no_body(path):
    get_status, get_headers, get_body = wsgi("GET", path)
    head_status, head_headers, head_body = wsgi("HEAD", path)
    assert head_body == b"" and get_body
    assert head_status == get_status
    assert int(head_headers["Content-Length"]) == len(get_body)
    assert head_headers["Content-Type"] == get_headers["Content-Type"]


def test_a_head_and_a_get_share_one_cached_page(settings, a_post):
    settings.PAGE_CACHE_SECONDS = 300
    settings.PAGE_CACHE_HEADER = True
    resolved_views.clear()
    url = a_post.get_absolute_url()
    assert Client().head(url)["X-Page-Cache"] == "miss"
    get = Client().get(url)
    assert get["X-Page-Cache"] == "hit"
    assert a_post.title in get.content.decode()
    assert len(store.local_layer.entries) == 1
    resolved_views.clear()
