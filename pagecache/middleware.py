"""Serve and store whole pages for anonymous readers.

Why not Django's own cache middleware: it cannot cache a page that holds a CSRF token for
a visitor without a cookie, and it cannot be invalidated on demand.

Only anonymous GET/HEAD requests with no pending message are served from or stored in the
cache; responses that set cookies, carry ``Cache-Control: private/no-cache`` or are not 200
are never stored. The look-up happens in ``process_view``, once the URL has named its view,
because the key holds only what changes the page:

- the scheme and a normalised host: lower case, no port, no trailing dot, and one of
  SITE_URL's host and the literal ALLOWED_HOSTS; any other allowed host (a wildcard such as
  ``.example.org``) shares SITE_URL's pages, which are built from SITE_URL, not the Host;
- the path;
- the query parameters the view reads, each validated (``page`` on a paginated list: a
  canonical positive whole number). A request with an invalid value (``?page=02``,
  ``?page=last``) is served uncached; every other parameter (``utm_source``, ``fbclid``,
  ``?page=`` on a post or a feed) is ignored, and the view does not see it either, so what
  is stored can only depend on the key.
"""

import logging
from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings
from django.http import QueryDict
from django.http.request import split_domain_port
from django.utils.http import urlencode
from django.views.generic.list import MultipleObjectMixin

from pagecache import registry, store

logger = logging.getLogger(__name__)
CANDIDATE = "page_cache_candidate"


def _paginated_list(view_class):
    if not (isinstance(view_class, type) and issubclass(view_class, MultipleObjectMixin)):
        return False
    return bool(view_class.paginate_by) or (
        view_class.get_paginate_by is not MultipleObjectMixin.get_paginate_by
    )


@lru_cache(maxsize=512)
def parameters_read_by(view_func):
    """{name: validate} for the query parameters this view reads (registered in ready())."""
    view_class = getattr(view_func, "view_class", None)
    read = {}
    if _paginated_list(view_class):
        read[view_class.page_kwarg] = registry.positive_int
    for view in (view_func, view_class):
        read.update(registry.query_parameters.get(view, {}))
    return read


@lru_cache(maxsize=8)
def _known_hosts(site_url, allowed_hosts):
    site_host, _port = split_domain_port(urlsplit(site_url).netloc)
    literal = {h.lower().rstrip(".") for h in allowed_hosts if h[:1] not in ("", ".", "*")}
    return site_host, frozenset(literal | {site_host})


def host_bucket(request):
    host, _port = split_domain_port(request.get_host())
    site_host, known = _known_hosts(settings.SITE_URL, tuple(settings.ALLOWED_HOSTS))
    return host if host in known else site_host


def address(request, view_func):
    """What identifies this page, or None if this request must be served uncached."""
    kept = []
    for name, validate in parameters_read_by(view_func).items():
        values = request.GET.getlist(name)
        if len(values) > 1:
            return None
        if values:
            canonical = validate(values[0])
            if canonical is None:
                return None
            kept.append((name, canonical))
    kept.sort()
    request.GET = QueryDict(urlencode(kept), encoding=request.encoding)
    return "|".join(
        (request.scheme, host_bucket(request), request.method, request.path, urlencode(kept))
    )


def _is_candidate(request):
    if request.method not in ("GET", "HEAD"):
        return False
    if registry.excluded_prefixes and request.path.startswith(registry.excluded_prefixes):
        return False
    if any(name in request.GET for name in registry.bypass_parameters):
        return False
    messages = getattr(request, "_messages", None)
    if messages is not None and len(messages):
        return False
    user = getattr(request, "user", None)
    return not (user is not None and user.is_authenticated)


def _is_storable(request, response):
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    cache_control = response.get("Cache-Control", "")
    if "private" in cache_control or "no-cache" in cache_control or "no-store" in cache_control:
        return False
    messages = getattr(request, "_messages", None)
    return not (messages is not None and messages.used)


class PageCacheMiddleware:
    """Serve and store anonymous pages; must sit after the CSRF, auth and messages middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not store.is_enabled() or not _is_candidate(request):
            return None
        page_address = address(request, view_func)
        if page_address is None:
            return None
        current = store.generation()
        if current is None:  # the cache cannot be read: serve uncached
            return None
        setattr(request, CANDIDATE, True)
        request._page_cache_slot = (page_address, current)
        page = store.lookup(page_address, current)
        if page is None:
            return None
        request._page_cache_slot = None
        return page.respond(request, status="hit")

    def __call__(self, request):
        response = self.get_response(request)
        slot = getattr(request, "_page_cache_slot", None)
        if slot is None:
            return response
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        if _is_storable(request, response):
            page = store.store(*slot, response)
            if page is not None:
                return page.respond(request, status="miss")
        return self._fill_uncached(request, response)

    @staticmethod
    def _fill_uncached(request, response):
        """A response not stored (a 404, say) may still hold placeholders: fill them."""
        if not response.streaming and store.placeholder_pattern().search(response.content):
            page = store.CachedPage(response, expires_at=0)
            response.content, response["ETag"] = page.render(request)
            if page.volatile:
                response.headers.pop("Last-Modified", None)
            response["Vary"] = "Cookie"
        return response
