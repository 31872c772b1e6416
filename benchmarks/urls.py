"""The site's URLs plus ``/bench/hello/``: the floor every page is compared with."""

from django.http import HttpResponse
from django.urls import include, path

import pagecache

# The floor is never a cache hit (nor a look-up): registered before any request resolves.
pagecache.register_excluded_prefix("/bench/")


def hello(request):
    return HttpResponse("Hello, world", content_type="text/plain; charset=utf-8")


MAX_STATIC_BYTES = 4 * 1024 * 1024


def static_bytes(request, size):
    """``size`` bytes of HTML built once, no cache and no database: what sending a page this
    large costs on its own (the ceiling for a cached page of that size)."""
    if size > MAX_STATIC_BYTES:
        return HttpResponse(status=400)
    return HttpResponse(_bytes_of(size), content_type="text/html; charset=utf-8")


_BLOCKS = {}


def _bytes_of(size):
    if size not in _BLOCKS:
        _BLOCKS.clear()
        _BLOCKS[size] = (b"<p>" + b"x" * 76 + b"</p>\n") * (size // 84) + b"x" * (size % 84)
    return _BLOCKS[size]


urlpatterns = [
    path("bench/hello/", hello, name="bench_hello"),
    path("bench/bytes/<int:size>/", static_bytes, name="bench_bytes"),
    path("", include("config.urls")),
]

handler404 = "blog.views.page_not_found"
handler500 = "blog.views.server_error"
