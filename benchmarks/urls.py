"""The site's URLs plus ``/bench/hello/``: the floor every page is compared with."""

from django.http import HttpResponse
from django.urls import include, path

import pagecache

# The floor is never a cache hit (nor a look-up): registered before any request resolves.
pagecache.register_excluded_prefix("/bench/")


def hello(request):
    return HttpResponse("Hello, world", content_type="text/plain; charset=utf-8")


urlpatterns = [
    path("bench/hello/", hello, name="bench_hello"),
    path("", include("config.urls")),
]

handler404 = "blog.views.page_not_found"
handler500 = "blog.views.server_error"
