"""Where pages are kept: bounded slots in Django's "default" cache, and a per-process layer.

- **Bounded.** A page goes into one of ``PAGE_CACHE_MAX_ENTRIES`` slots, chosen by its
  address (method, host, path, the query parameters its view reads); the slot's value names
  the full key (deploy version, generation, address), checked on every read. So the cache
  never holds more than MAX_ENTRIES pages, whatever the traffic, the number of invalidations
  or of deploys: a new page, or a newer version of the same page, overwrites the slot. A page
  larger than ``PAGE_CACHE_MAX_BYTES / PAGE_CACHE_MAX_ENTRIES`` is served uncached, so the
  pages together never exceed PAGE_CACHE_MAX_BYTES.
- **Invalidation by generation.** Any change a reader should see calls ``invalidate()``; every
  key embeds the current generation, read from the shared cache on every request, so all
  workers agree at once. A cache that cannot be read gives no generation, and then nothing is
  served from any layer.
- **Deploy version.** Every key embeds ``pagecache.deploy.deploy_version()``: pages stored by
  a previous deploy (other settings, templates or code) are never served by the next one.
- **Placeholders.** Per-visitor values are punched (``punch()``) and filled for each request
  by the functions in the registry (the CSRF token; others registered by apps).
- A stored page expires no later than the next registered expiry (a scheduled post).
- **Conditional GETs.** A page whose placeholders are all stable for a visitor (the CSRF
  token, for one cookie) answers a reload with 304. A page with any other (the single-use
  comment token) never does: its ETag hashes the values filled in, and it has no
  Last-Modified, so the browser always gets a fresh form.
- Speed: a page is stored already split at its placeholders, with its ETag computed once,
  and each worker keeps recently served pages in a small in-process layer keyed by the
  shared generation; a hit costs one small cache read.
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
from django.core.cache.backends.db import BaseDatabaseCache
from django.db import router, transaction
from django.http import HttpResponse
from django.utils.crypto import salted_hmac
from django.utils.http import http_date, quote_etag

from pagecache import compression, registry
from pagecache.backends import CACHE_ERRORS
from pagecache.deploy import deploy_version

logger = logging.getLogger(__name__)
GENERATION_KEY = "page-cache:generation"
NEXT_CHANGE_KEY = "page-cache:next-change"
STORED_HEADERS = ("Content-Type", "Content-Language", "Last-Modified", "Link", "X-Robots-Tag")
STABLE_PLACEHOLDERS = frozenset({"csrf"})  # the same for a visitor whatever the request


@memoize
def _marker():
    """A per-deploy secret in every placeholder (derived from SECRET_KEY, so every worker
    agrees). Readers' text is in the same page: without it, a commenter could type a
    placeholder and have it filled, or break the page for everyone."""
    return salted_hmac("trialpress.page_cache.punch", "placeholder").hexdigest()[:24]


@memoize
def placeholder_pattern():
    return re.compile(b"__tp" + _marker().encode() + rb"__([a-z_]+)__([0-9]*)__")


def punch(name, arg=""):
    """A placeholder that the page cache fills for each request with the registered value."""
    return f"__tp{_marker()}__{name}__{arg}__"


def csrf_placeholder():
    return punch("csrf")


def is_enabled():
    return getattr(settings, "PAGE_CACHE_SECONDS", 0) > 0


def _savepoint_if_database_cache():
    """With the cache in the database, a failed cache query inside the caller's transaction
    must not break that transaction (PostgreSQL): run it in a savepoint."""
    backend = caches["default"]
    if isinstance(backend, BaseDatabaseCache):
        return transaction.atomic(using=router.db_for_write(backend.cache_model_class))
    return nullcontext()


class _PendingInvalidation:
    """Set when a change could not reach the cache (Redis down): this process moves the
    generation on as soon as the cache answers again, so pages stored before the outage are
    not served after it."""

    pending = False


def invalidate():
    """Make every cached page stale: the next request renders afresh. Never fails the
    change that called it.

    If the generation cannot be moved on (a cache that refuses writes, Redis out of memory,
    a fail-soft database cache that dropped the write), it is deleted, which a full cache
    still allows: a new one starts at the next read. If the cache cannot be reached at all,
    this process tries again at its next request (``_PendingInvalidation``).
    """
    reached, already_pending = False, _PendingInvalidation.pending
    try:
        with _savepoint_if_database_cache():
            try:
                new = cache.incr(GENERATION_KEY)
                reached = cache.get(GENERATION_KEY) == new
            except ValueError:  # missing, or the backend refused the write
                pass
            if not reached:
                cache.delete(GENERATION_KEY)
                cache.add(GENERATION_KEY, time.time_ns(), None)
                reached = cache.get(GENERATION_KEY) is not None
            cache.delete(NEXT_CHANGE_KEY)
    except CACHE_ERRORS as error:
        if not already_pending:
            logger.error("Could not invalidate the page cache: %r", error)
    _PendingInvalidation.pending = not reached
    if not reached and not already_pending:
        logger.error("Page cache not reached: the change is applied when it answers again")


def generation():
    """The current generation (it changes whenever anything a reader sees changes), or None
    when the cache cannot be read or written: then nothing may be served from any layer."""
    if _PendingInvalidation.pending:
        invalidate()
        if _PendingInvalidation.pending:
            return None
    try:
        current = cache.get(GENERATION_KEY)
        if current is None:
            cache.add(GENERATION_KEY, time.time_ns(), None)
            current = cache.get(GENERATION_KEY)
    except CACHE_ERRORS as error:
        logger.warning("Page cache unavailable, serving uncached: %r", error)
        return None
    return current


def _seconds_until_next_change():
    """Seconds until stored pages stop being true (None if nothing is scheduled).

    The time is kept in the shared cache; once it has passed (the scheduled post is live),
    the next one is looked up at once: kept until its entry expired, a past time would
    keep every page from being stored for up to PAGE_CACHE_SECONDS."""
    next_at = cache.get(NEXT_CHANGE_KEY)
    now = time.time()
    if next_at is None or 0 < next_at <= now:
        upcoming = [
            at for at in (expiry() for expiry in registry.expiries) if at is not None and at > now
        ]
        next_at = min(upcoming) if upcoming else 0
        cache.set(NEXT_CHANGE_KEY, next_at, settings.PAGE_CACHE_SECONDS)
    if not next_at:
        return None
    return next_at - now


def _fill(request, name, arg):
    return str(registry.placeholders[name](request, arg)).encode()


def show_state_header():
    """X-Page-Cache tells anyone which pages are cached: only with DEBUG or when asked."""
    return settings.DEBUG or getattr(settings, "PAGE_CACHE_HEADER", False)


class CachedPage:
    """A response as stored: the body split at its placeholders, headers, ETag, expiry, and
    the full key it was stored under (a slot holds one page at a time)."""

    __slots__ = (
        "key",
        "chunks",
        "headers",
        "etag",
        "expires_at",
        "has_punches",
        "volatile",
        "size",
        "gzip",
    )

    def __init__(self, response, expires_at, key="", *, compress=False):
        body = response.content
        self.key = key
        self.size = len(body)
        self.chunks = []
        position = 0
        for match in placeholder_pattern().finditer(body):
            if match.group(1).decode() not in registry.placeholders:
                continue  # not ours to fill: left as the text it is
            self.chunks.append(body[position : match.start()])
            self.chunks.append((match.group(1).decode(), match.group(2).decode()))
            position = match.end()
        self.chunks.append(body[position:])
        self.has_punches = len(self.chunks) > 1
        # A value that differs for each request (a single-use comment token) must never be
        # answered with a 304: the browser would keep the form it has. Such a page has no
        # Last-Modified, and its ETag hashes the values it was given (never the same twice).
        self.volatile = any(
            isinstance(chunk, tuple) and chunk[0] not in STABLE_PLACEHOLDERS
            for chunk in self.chunks
        )
        self.headers = [
            (name, response[name])
            for name in STORED_HEADERS
            if name in response and not (self.volatile and name == "Last-Modified")
        ]
        self.etag = hashlib.md5(body, usedforsecurity=False).hexdigest()
        self.expires_at = expires_at
        # Compressed once, for the browsers that ask (pagecache.compression): a stored page
        # only, since compressing costs more than a hit.
        self.gzip = (
            compression.GzipPage(self.chunks[::2])
            if compress and self.size >= compression.MIN_BYTES
            else None
        )

    def __getstate__(self):
        return {slot: getattr(self, slot) for slot in self.__slots__}

    def __setstate__(self, state):
        for slot in self.__slots__:  # a page pickled by other code reads as incomplete
            if slot in state:
                setattr(self, slot, state[slot])
            else:
                setattr(self, slot, None)

    @property
    def compressed_only(self):
        """True once ``keep_compressed_only()`` dropped the uncompressed pieces."""
        return self.chunks[0] is None

    def keep_compressed_only(self):
        """Keep the compressed pieces alone (a long page: both copies would not fit its
        share); a client that does not ask for gzip gets them inflated (``render``)."""
        self.chunks = [None if isinstance(chunk, bytes) else chunk for chunk in self.chunks]

    @property
    def stored_bytes(self):
        """The bytes this page keeps: its pieces, uncompressed and compressed."""
        kept = 0 if self.compressed_only else self.size
        return kept + (self.gzip.size if self.gzip is not None else 0)

    def _uncompressed_chunks(self):
        if not self.compressed_only:
            return self.chunks
        pieces = iter(range(len(self.gzip.pieces)))
        return [
            chunk if chunk is not None else self.gzip.inflate(next(pieces)) for chunk in self.chunks
        ]

    def render(self, request, *, compressed=False):
        """The body for this request, placeholders filled once, and its ETag; gzip-compressed
        if ``compressed`` (and the page was compressed when stored).

        A CSRF token is masked afresh per request, but any of them does for one cookie: a
        page with only that one gets an ETag stable for the visitor (a 304 on reload). The
        values of any other placeholder are hashed in too: a fresh page, never a 304. The
        compressed body's ETag is the same, weak (as Django's GZipMiddleware makes it).
        """
        compressed = compressed and self.gzip is not None
        if not self.has_punches:
            if compressed:
                return self.gzip.body(), "W/" + quote_etag(self.etag)
            return self._uncompressed_chunks()[0], quote_etag(self.etag)
        chunks = self.chunks if compressed else self._uncompressed_chunks()
        values = []
        volatile = []
        for chunk in chunks[1::2]:
            value = _fill(request, *chunk)
            values.append(value)
            if chunk[0] not in STABLE_PLACEHOLDERS:
                volatile.append(value)
        cookie = request.META.get("CSRF_COOKIE", "")  # read after filling: it may be new
        digest = hashlib.md5(f"{self.etag}:{cookie}".encode(), usedforsecurity=False)
        for value in volatile:
            digest.update(b":" + value)
        if compressed:
            return self.gzip.body(values), "W/" + quote_etag(digest.hexdigest())
        parts = [chunks[0]]
        for n, value in enumerate(values, start=1):
            parts.append(value)
            parts.append(chunks[2 * n])
        return b"".join(parts), quote_etag(digest.hexdigest())

    def respond(self, request, *, status):
        compressed = self.gzip is not None and compression.wants_gzip(request)
        body, etag = self.render(request, compressed=compressed)
        response = HttpResponse(body, headers=self.headers)  # the stored Content-Type included
        response["ETag"] = etag
        if compressed:
            response["Content-Encoding"] = "gzip"
        vary = _VARY[self.has_punches, self.gzip is not None]
        if vary:
            response["Vary"] = vary
        # What patch_response_headers(response, cache_timeout=0) sets (no stored header is
        # one of these), without its date formatting and Cache-Control parsing on every hit.
        response["Expires"] = _http_date_now()
        response["Cache-Control"] = "max-age=0"
        if show_state_header():
            response["X-Page-Cache"] = status
        return response


# (has placeholders, compressed when stored) -> Vary: what else makes this answer differ.
_VARY = {
    (False, False): "",
    (True, False): "Cookie",
    (False, True): "Accept-Encoding",
    (True, True): "Cookie, Accept-Encoding",
}
_formatted_second = (None, "")


def _http_date_now():
    """``http_date(time.time())``, formatted once a second (it shows whole seconds)."""
    global _formatted_second
    second = int(time.time())
    at, text = _formatted_second
    if at != second:
        text = http_date(second)
        _formatted_second = (second, text)
    return text


class LocalLayer:
    """A small per-process LRU of pages, so a hit needs no large read from the shared cache."""

    def __init__(self, max_entries=None):
        self._max_entries = max_entries
        self.entries = OrderedDict()
        self.lock = threading.Lock()

    @property
    def max_entries(self):
        """PAGE_CACHE_LOCAL_ENTRIES unless given: up to this many pages, each at most
        ``max_page_bytes()``, in every worker's memory (0 turns the layer off)."""
        if self._max_entries is not None:
            return self._max_entries
        return max(0, settings.PAGE_CACHE_LOCAL_ENTRIES)

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
            limit = self.max_entries
            while len(self.entries) > limit:
                self.entries.popitem(last=False)

    def clear(self):
        with self.lock:
            self.entries.clear()


local_layer = LocalLayer()


def max_entries():
    return max(1, settings.PAGE_CACHE_MAX_ENTRIES)


# A page up to this many times its share is compressed to see if it fits (HTML compresses
# five to ten times); a larger one is served uncached without trying.
COMPRESSED_SHARE_FACTOR = 8


def max_page_bytes():
    return settings.PAGE_CACHE_MAX_BYTES // max_entries()


def slot_key(address):
    """The shared-cache key of the one slot this address may occupy."""
    digest = hashlib.sha256(address.encode("utf-8", "surrogatepass")).digest()
    return f"page-cache:slot:{int.from_bytes(digest[:8], 'big') % max_entries()}"


def full_key(address, current_generation):
    text = f"{deploy_version()}|{current_generation}|{address}"
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def lookup(address, current_generation):
    key = full_key(address, current_generation)
    page = local_layer.get(key)
    if page is not None:
        return page
    try:
        page = cache.get(slot_key(address))
    except CACHE_ERRORS as error:
        logger.warning("Page cache unavailable, serving uncached: %r", error)
        return None
    if page is None or getattr(page, "key", None) != key or page.expires_at <= time.time():
        return None
    local_layer.put(key, page)
    return page


def store(address, current_generation, response):
    """Store the response in its slot; the stored page, or None if it was not stored.

    What a page keeps (``stored_bytes``) fits its share of PAGE_CACHE_MAX_BYTES: its
    pieces, uncompressed and compressed; where both do not fit, the compressed ones alone
    (a long thread on one page, that needs compressing most); where those do not fit
    either, nothing. A page more than ``COMPRESSED_SHARE_FACTOR`` times its share is not
    even compressed to see (it would cost every miss).
    """
    share = max_page_bytes()
    if len(response.content) > share * COMPRESSED_SHARE_FACTOR:
        logger.info("Page not cached: %d bytes is over the per-page share", len(response.content))
        return None
    try:
        timeout = settings.PAGE_CACHE_SECONDS
        until_change = _seconds_until_next_change()
        if until_change is not None:
            timeout = max(0, min(timeout, int(until_change)))
        if timeout <= 0:
            return None
        key = full_key(address, current_generation)
        page = CachedPage(response, expires_at=time.time() + timeout, key=key, compress=True)
        if page.stored_bytes > share and page.gzip is not None:
            if page.gzip.size <= share:
                page.keep_compressed_only()
            else:
                page.gzip = None
        if page.stored_bytes > share:
            logger.info("Page not cached: %d bytes is over the per-page share", page.size)
            return None
        cache.set(slot_key(address), page, timeout)
    except CACHE_ERRORS as error:
        logger.warning("Could not store a page in the cache: %r", error)
        return None
    local_layer.put(key, page)
    return page
