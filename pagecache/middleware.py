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

A page rendered with the stock ``{% csrf_token %}`` (or any code that calls Django's
``get_token()`` while the page is rendered) holds this visitor's token: it is never stored
(``{% csrf_input %}`` punches a placeholder instead, filled for each visitor), and the first
such page of each view logs a warning saying so. ``get_token()`` marks the request with
``CSRF_COOKIE_NEEDS_UPDATE``: the mark is lifted before the view runs and read after the
page is rendered, then put back for the CSRF middleware. Filling placeholders calls
``get_token()`` too, but only once the page is stored or served.

A hit is answered before the URL is resolved: resolving (~50 µs on this site's URLconf)
would only name the view again. Each worker remembers the view of every address it has
stored or served (``resolved_views``, per URLconf), so from then on the look-up for that
address happens in ``__call__``, with the same rules (anonymous, no pending message, the
same key), after every middleware above this one has run on the request; each of them
still handles the response on its way out (the CSRF cookie, the security headers,
conditional GETs). A miss goes on to the view as before, with the generation already read
(``request_memo``: once a request).
"""

import logging
import threading
from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.messages.storage.session import SessionStorage
from django.http import QueryDict
from django.http.request import split_domain_port
from django.utils.functional import SimpleLazyObject, empty
from django.utils.http import urlencode
from django.views.generic.list import MultipleObjectMixin

from pagecache import registry, request_memo, store

logger = logging.getLogger(__name__)
CANDIDATE = "page_cache_candidate"
CSRF_MARK = "CSRF_COOKIE_NEEDS_UPDATE"  # set by django.middleware.csrf.get_token()
warned_views = set()  # views whose stock CSRF token was reported (once each, per process)
RESOLVED_VIEWS_MAX = 4096


class ResolvedViews:
    """``(URLconf, path) -> view`` for the addresses this worker has stored or served, at most
    ``RESOLVED_VIEWS_MAX`` (the oldest are dropped): the view tells which query parameters
    the key holds, so a hit needs no URL resolution."""

    def __init__(self, max_entries=RESOLVED_VIEWS_MAX):
        self.max_entries = max_entries
        self.views = {}
        self.lock = threading.Lock()

    @staticmethod
    def _key(request):
        return (getattr(request, "urlconf", None) or settings.ROOT_URLCONF, request.path_info)

    def get(self, request):
        return self.views.get(self._key(request))

    def remember(self, request, view_func):
        key = self._key(request)
        if self.views.get(key) is view_func:
            return
        with self.lock:
            while len(self.views) >= self.max_entries:
                del self.views[next(iter(self.views))]
            self.views[key] = view_func

    def clear(self):
        with self.lock:
            self.views.clear()


resolved_views = ResolvedViews()


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


def _without_query(request):
    """True if the request has no query parameters: none to read, validate or drop (the
    query string is empty and nothing has set ``request.GET``), so none is parsed."""
    return not request.META.get("QUERY_STRING") and "GET" not in request.__dict__


def address(request, view_func):
    """What identifies this page, or None if this request must be served uncached."""
    kept = []
    if not _without_query(request):
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
    # A HEAD is answered with the GET's page (Django renders the same body; the server
    # sends the headers only), so both share one stored page.
    return "|".join((request.scheme, host_bucket(request), "GET", request.path, urlencode(kept)))


def _is_candidate(request):
    if request.method not in ("GET", "HEAD"):
        return False
    if registry.excluded_prefixes and request.path.startswith(registry.excluded_prefixes):
        return False
    if not _without_query(request) and any(
        name in request.GET for name in registry.bypass_parameters
    ):
        return False
    messages = getattr(request, "_messages", None)
    user = getattr(request, "user", None)
    if _without_session_state(request, messages, user):
        return not messages._queued_messages  # added during this request, none stored
    if messages is not None and len(messages):
        return False
    return not (user is not None and user.is_authenticated)


# Django's own message storages: they keep waiting messages in the messages cookie or in
# the session, and nowhere else.
_COOKIE_OR_SESSION_STORAGES = (CookieStorage, SessionStorage, FallbackStorage)


def _without_session_state(request, messages, user):
    """True when the request carries neither the session cookie nor the messages cookie and
    the user has not been looked up yet (AuthenticationMiddleware's lazy ``request.user``):
    then no one is signed in and no message waits, and neither the session nor the message
    storage needs loading to know it. A first visit (every request ``wrk`` makes) is one;
    ~15 µs a hit. Anything else (another message storage, a user set by other code) is
    asked as before."""
    cookies = request.COOKIES
    return (
        settings.SESSION_COOKIE_NAME not in cookies
        and CookieStorage.cookie_name not in cookies
        and type(messages) in _COOKIE_OR_SESSION_STORAGES
        and isinstance(user, SimpleLazyObject)
        and user._wrapped is empty
    )


def _is_storable(request, response):
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    cache_control = response.get("Cache-Control", "")
    if "private" in cache_control or "no-cache" in cache_control or "no-store" in cache_control:
        return False
    messages = getattr(request, "_messages", None)
    return not (messages is not None and messages.used)


def _asked_for_csrf_token(request):
    """True if the page asked for this visitor's CSRF token while it was rendered (the
    stock ``{% csrf_token %}``); the CSRF middleware's mark is put back either way."""
    asked = bool(request.META.get(CSRF_MARK))
    if asked or getattr(request, "_page_cache_csrf_mark", False):
        request.META[CSRF_MARK] = True
    return asked


def _warn_stock_csrf_token(request):
    """Tell the developer why a page is never cached, once per view and process."""
    view = getattr(request, "_page_cache_view", None)
    view = getattr(view, "view_class", view)  # as_view() functions all share one name
    if view in warned_views:
        return
    warned_views.add(view)
    name = f"{getattr(view, '__module__', '?')}.{getattr(view, '__qualname__', view)}"
    logger.warning(
        "Page not cached: %s (view %s) was rendered with the stock {%% csrf_token %%}, or "
        "called get_token(), which writes this visitor's token into the page. Use "
        "{%% csrf_input %%} (pagecache's page_cache_tags) in cacheable pages. Logged once "
        "per view.",
        request.path,
        name,
    )


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
        current = request_memo.generation_for(request)  # read once a request, kept on it
        if current is None:  # the cache cannot be read: serve uncached
            return None
        setattr(request, CANDIDATE, True)
        request._page_cache_slot = (page_address, current)
        page = store.lookup(page_address, current)
        if page is None:
            # Watch for get_token() while the view renders: lift the mark (a malformed
            # cookie replaced before the view set it) and remember it for later.
            request._page_cache_csrf_mark = request.META.pop(CSRF_MARK, False)
            request._page_cache_view = view_func
            return None
        request._page_cache_slot = None
        resolved_views.remember(request, view_func)
        return page.respond(request, status="hit")

    def _serve_before_resolving(self, request):
        """The hit for an address whose view this worker knows, or None (go on to the view)."""
        if not store.is_enabled():
            return None
        view_func = resolved_views.get(request)
        if view_func is None or not _is_candidate(request):
            return None
        page_address = address(request, view_func)
        if page_address is None:
            return None
        current = request_memo.generation_for(request)  # process_view reads it from there
        if current is None:
            return None
        page = store.lookup(page_address, current)
        if page is None:
            return None
        return page.respond(request, status="hit")

    def __call__(self, request):
        response = self._serve_before_resolving(request)
        if response is not None:
            return response
        response = self.get_response(request)
        slot = getattr(request, "_page_cache_slot", None)
        if slot is None:
            return response
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        asked_for_token = _asked_for_csrf_token(request)
        if _is_storable(request, response):
            if asked_for_token:
                _warn_stock_csrf_token(request)
            else:
                page = store.store(*slot, response)
                if page is not None:
                    resolved_views.remember(request, request._page_cache_view)
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
