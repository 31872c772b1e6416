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
  signals, which is cache-like work), and every key embeds the current generation.
- A stored page expires no later than the next scheduled post's publish time, so a scheduled
  post appears on the very first request after its time.
"""

import hashlib
import re
import time
from functools import cache as memoize

from django.conf import settings
from django.core.cache import cache
from django.middleware.csrf import get_token
from django.utils.cache import patch_response_headers
from django.utils.encoding import iri_to_uri
from django.utils.http import quote_etag
from django.utils.module_loading import import_string

PUNCH_PATTERN = re.compile(rb"__tp_punch__([a-z_]+)__([A-Za-z0-9_-]*)__")
GENERATION_KEY = "page-cache:generation"
NEXT_PUBLISH_KEY = "page-cache:next-publish"


def punch(name, arg=""):
    """A placeholder that PageCacheMiddleware fills for each request with PUNCHES[name]."""
    return f"__tp_punch__{name}__{arg}__"


CSRF_PLACEHOLDER = punch("csrf")


@memoize
def _resolver(name):
    if name == "csrf":
        return lambda request, arg: get_token(request)
    return import_string(settings.PAGE_CACHE_PUNCHES[name])


def is_enabled():
    return getattr(settings, "PAGE_CACHE_SECONDS", 0) > 0


def invalidate():
    """Make every cached page stale: the next request renders afresh."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, int(time.time() * 1000), None)
    cache.delete(NEXT_PUBLISH_KEY)


def _generation():
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        generation = int(time.time() * 1000)
        cache.add(GENERATION_KEY, generation, None)
        generation = cache.get(GENERATION_KEY, generation)
    return generation


def _seconds_until_next_publish():
    """Seconds until the next scheduled post goes live (None if there is none)."""
    from blog.models import Post

    next_at = cache.get(NEXT_PUBLISH_KEY)
    if next_at is None:
        upcoming = (
            Post.objects.filter(status=Post.Status.PUBLISHED, published_at__gt=_now())
            .order_by("published_at")
            .values_list("published_at", flat=True)
            .first()
        )
        next_at = upcoming.timestamp() if upcoming else 0
        cache.set(NEXT_PUBLISH_KEY, next_at, settings.PAGE_CACHE_SECONDS)
    if not next_at:
        return None
    return next_at - time.time()


def _now():
    from django.utils import timezone

    return timezone.now()


def _key(request):
    url = iri_to_uri(request.build_absolute_uri())
    digest = hashlib.sha256(url.encode()).hexdigest()
    return f"page-cache:{_generation()}:{request.method == 'HEAD'}:{digest}"


def _is_candidate(request):
    if request.method not in ("GET", "HEAD"):
        return False
    if request.path.startswith(getattr(settings, "PAGE_CACHE_EXCLUDED_PREFIXES", ("/admin/",))):
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


def _fill(request, match):
    name, arg = match.group(1).decode(), match.group(2).decode()
    return str(_resolver(name)(request, arg)).encode()


def _personalise(request, response, etag_source):
    """Fill this request's values into the placeholders, and set an ETag that is stable
    for this visitor (it ignores the filled values, which change with every request)."""
    body = response.content
    if b"__tp_punch__" in body:
        response.content = PUNCH_PATTERN.sub(lambda match: _fill(request, match), body)
        # The CSRF token is per visitor: the ETag must vary with the visitor's CSRF cookie.
        etag_source += request.META.get("CSRF_COOKIE", "").encode()
        response.headers["Vary"] = "Cookie"
    if not response.has_header("ETag"):
        response["ETag"] = quote_etag(hashlib.md5(etag_source, usedforsecurity=False).hexdigest())
    return response


class PageCacheMiddleware:
    """Serve and store anonymous pages; must sit after the CSRF, auth and messages middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_enabled() or not _is_candidate(request):
            return self.get_response(request)

        request.page_cache_candidate = True
        key = _key(request)
        cached = cache.get(key)
        if cached is not None:
            cached["X-Page-Cache"] = "hit"
            return _personalise(request, cached, cached.content)

        response = self.get_response(request)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        if _is_storable(request, response):
            timeout = settings.PAGE_CACHE_SECONDS
            until_publish = _seconds_until_next_publish()
            if until_publish is not None:
                timeout = max(0, min(timeout, int(until_publish)))
            if timeout > 0:
                patch_response_headers(response, cache_timeout=0)
                response["X-Page-Cache"] = "miss"
                cache.set(key, response, timeout)
        return _personalise(request, response, response.content)
