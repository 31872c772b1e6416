"""Whole-page cache for anonymous readers, shared by every worker through Django's cache.

Why not Django's own cache middleware: it cannot cache a page that holds a CSRF token for
a visitor without a cookie, and it cannot be invalidated on demand. Here:

- Only anonymous GET/HEAD requests with no pending message are served from or stored in the
  cache; responses that set cookies, carry ``Cache-Control: private/no-cache`` or are not 200
  are never stored.
- Per-visitor values are "hole-punched": cacheable renders emit a placeholder (``punch()``;
  ``{% csrf_input %}`` for the CSRF token), and every response, fresh or cached, gets the
  value for *this* request. So a cached page never breaks the next visitor's comment form,
  and the comment form's signed timestamp is as fresh as the request. Other apps register
  their punches by name in the PAGE_CACHE_PUNCHES setting.
- Invalidation is by generation: any change a reader should see calls ``invalidate()`` (from
  signals, which is cache-like work), and every key embeds the current generation, which is
  read from the shared cache on every request, so all workers agree at once.
- A stored page expires no later than the next scheduled post's publish time, so a scheduled
  post appears on the very first request after its time.
- Speed: a page is stored already split at its placeholders, with its ETag computed once,
  and each worker keeps recently served pages in a small in-process layer (keyed by the
  shared generation, so it can never serve a stale page); a hit costs one small cache read.
"""

import hashlib
import logging
import re
import threading
import time
from collections import OrderedDict
from contextlib import nullcontext
from functools import cache as memoize

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.db import DatabaseCache
from django.db import DatabaseError, router, transaction
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import patch_response_headers
from django.utils.crypto import salted_hmac
from django.utils.encoding import iri_to_uri
from django.utils.http import quote_etag, urlencode
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)
GENERATION_KEY = "page-cache:generation"
NEXT_PUBLISH_KEY = "page-cache:next-publish"
STORED_HEADERS = ("Content-Type", "Content-Language", "Last-Modified", "Link", "X-Robots-Tag")


@memoize
def _marker():
    """A per-deploy secret in every placeholder (derived from SECRET_KEY, so every worker
    agrees). Readers' text is in the same page: without it, a commenter could type a
    placeholder and have it filled, or break the page for everyone."""
    return salted_hmac("trialpress.page_cache.punch", "placeholder").hexdigest()[:24]


@memoize
def _pattern():
    return re.compile(b"__tp" + _marker().encode() + rb"__([a-z_]+)__([0-9]*)__")


def punch(name, arg=""):
    """A placeholder that PageCacheMiddleware fills for each request with PUNCHES[name]."""
    return f"__tp{_marker()}__{name}__{arg}__"


def csrf_placeholder():
    return punch("csrf")


@memoize
def _resolvers():
    """Every placeholder name we fill: the CSRF token, and those in PAGE_CACHE_PUNCHES."""
    resolvers = {"csrf": lambda request, arg: get_token(request)}
    for name, path in settings.PAGE_CACHE_PUNCHES.items():
        resolvers[name] = import_string(path)
    return resolvers


def is_enabled():
    return getattr(settings, "PAGE_CACHE_SECONDS", 0) > 0


def invalidate():
    """Make every cached page stale: the next request renders afresh.

    Never fails the change that called it: with the cache in the database, its table may
    not exist yet (a migration on a fresh install runs before ``createcachetable``), so
    the bump runs in a savepoint, which leaves the caller's transaction usable.
    """
    try:
        with _savepoint_if_database_cache():
            try:
                cache.incr(GENERATION_KEY)
            except ValueError:
                cache.set(GENERATION_KEY, int(time.time() * 1000), None)
            cache.delete(NEXT_PUBLISH_KEY)
    except DatabaseError as error:
        logger.warning("Could not invalidate the page cache: %s", error)


def _savepoint_if_database_cache():
    backend = caches["default"]
    if isinstance(backend, DatabaseCache):
        return transaction.atomic(using=router.db_for_write(backend.cache_model_class))
    return nullcontext()


def generation():
    """The current generation; it changes whenever anything a reader sees changes."""
    current = cache.get(GENERATION_KEY)
    if current is None:
        cache.add(GENERATION_KEY, int(time.time() * 1000), None)
        current = cache.get(GENERATION_KEY)
    return current


def _seconds_until_next_publish():
    """Seconds until the next scheduled post goes live (None if there is none)."""
    from django.utils import timezone

    from blog.models import Post

    next_at = cache.get(NEXT_PUBLISH_KEY)
    if next_at is None:
        upcoming = (
            Post.objects.filter(status=Post.Status.PUBLISHED, published_at__gt=timezone.now())
            .order_by("published_at")
            .values_list("published_at", flat=True)
            .first()
        )
        next_at = upcoming.timestamp() if upcoming else 0
        cache.set(NEXT_PUBLISH_KEY, next_at, settings.PAGE_CACHE_SECONDS)
    if not next_at:
        return None
    return next_at - time.time()


def _fill(request, name, arg):
    return str(_resolvers()[name](request, arg)).encode()


class CachedPage:
    """A response as stored: the body split at its placeholders, headers, ETag, expiry."""

    __slots__ = ("chunks", "headers", "etag", "expires_at", "has_punches")

    def __init__(self, response, expires_at):
        body = response.content
        self.chunks = []
        position = 0
        known = _resolvers()
        for match in _pattern().finditer(body):
            if match.group(1).decode() not in known:
                continue  # not ours to fill: left as the text it is
            self.chunks.append(body[position : match.start()])
            self.chunks.append((match.group(1).decode(), match.group(2).decode()))
            position = match.end()
        self.chunks.append(body[position:])
        self.has_punches = len(self.chunks) > 1
        self.headers = [(name, response[name]) for name in STORED_HEADERS if name in response]
        self.etag = hashlib.md5(body, usedforsecurity=False).hexdigest()
        self.expires_at = expires_at

    def __getstate__(self):
        return {slot: getattr(self, slot) for slot in self.__slots__}

    def __setstate__(self, state):
        for slot, value in state.items():
            setattr(self, slot, value)

    def body_for(self, request):
        if not self.has_punches:
            return self.chunks[0]
        return b"".join(
            chunk if isinstance(chunk, bytes) else _fill(request, *chunk) for chunk in self.chunks
        )

    def etag_for(self, request):
        """Stable for this visitor: the filled values change per request, the CSRF cookie not."""
        if not self.has_punches:
            return quote_etag(self.etag)
        cookie = request.META.get("CSRF_COOKIE", "")
        digest = hashlib.md5(f"{self.etag}:{cookie}".encode(), usedforsecurity=False)
        return quote_etag(digest.hexdigest())

    def respond(self, request, *, status):
        response = HttpResponse(self.body_for(request))
        for name, value in self.headers:
            response[name] = value
        response["ETag"] = self.etag_for(request)
        if self.has_punches:
            response["Vary"] = "Cookie"
        patch_response_headers(response, cache_timeout=0)
        response["X-Page-Cache"] = status
        return response


class LocalLayer:
    """A small per-process LRU of pages, so a hit needs no large read from the shared cache."""

    def __init__(self, max_entries):
        self.max_entries = max_entries
        self.entries = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            page = self.entries.get(key)
            if page is None:
                return None
            if page.expires_at <= time.time():
                del self.entries[key]
                return None
            self.entries.move_to_end(key)
            return page

    def put(self, key, page):
        with self.lock:
            self.entries[key] = page
            self.entries.move_to_end(key)
            while len(self.entries) > self.max_entries:
                self.entries.popitem(last=False)

    def clear(self):
        with self.lock:
            self.entries.clear()


local_layer = LocalLayer(max_entries=getattr(settings, "PAGE_CACHE_LOCAL_ENTRIES", 128))


def _key(request, current_generation):
    """The page's address with only the query parameters our views read.

    A shared link arrives as ``?utm_source=...&fbclid=<unique per visitor>``: keeping such
    parameters in the key would make every visitor of a popular post miss the cache.
    """
    kept = sorted(
        (name, value)
        for name in settings.PAGE_CACHE_QUERY_PARAMETERS
        for value in request.GET.getlist(name)
    )
    url = iri_to_uri(request.build_absolute_uri(request.path)) + "?" + urlencode(kept)
    digest = hashlib.sha256(url.encode()).hexdigest()
    return f"page-cache:{current_generation}:{request.method == 'HEAD'}:{digest}"


def _is_candidate(request):
    if request.method not in ("GET", "HEAD"):
        return False
    if request.path.startswith(settings.PAGE_CACHE_EXCLUDED_PREFIXES):
        return False
    if any(name in request.GET for name in settings.PAGE_CACHE_BYPASS_PARAMETERS):
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


def _lookup(key):
    page = local_layer.get(key)
    if page is None:
        page = cache.get(key)
        if page is not None and page.expires_at > time.time():
            local_layer.put(key, page)
        else:
            page = None
    return page


def _store(key, response):
    timeout = settings.PAGE_CACHE_SECONDS
    until_publish = _seconds_until_next_publish()
    if until_publish is not None:
        timeout = max(0, min(timeout, int(until_publish)))
    if timeout <= 0:
        return None
    page = CachedPage(response, expires_at=time.time() + timeout)
    cache.set(key, page, timeout)
    local_layer.put(key, page)
    return page


class PageCacheMiddleware:
    """Serve and store anonymous pages; must sit after the CSRF, auth and messages middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_enabled() or not _is_candidate(request):
            return self.get_response(request)

        try:
            key = _key(request, generation())
            page = _lookup(key)
        except DatabaseError:
            # The database cache shares the database's fate: serve uncached, and let the
            # view meet the failure (a styled 503), not this middleware (a bare 500).
            return self.get_response(request)
        request.page_cache_candidate = True
        if page is not None:
            return page.respond(request, status="hit")

        response = self.get_response(request)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        if _is_storable(request, response):
            try:
                page = _store(key, response)
            except DatabaseError:
                page = None
            if page is not None:
                return page.respond(request, status="miss")
        return self._fill_uncached(request, response)

    @staticmethod
    def _fill_uncached(request, response):
        """A response not stored (a 404, say) may still hold placeholders: fill them."""
        if not response.streaming and _pattern().search(response.content):
            page = CachedPage(response, expires_at=0)
            response.content = page.body_for(request)
            response["ETag"] = page.etag_for(request)
            response["Vary"] = "Cookie"
        return response
