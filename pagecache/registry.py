"""What other apps tell the page cache, each from its own ``AppConfig.ready()``.

The page cache knows no other app: an app registers the per-visitor values it punches into
pages (``register_placeholder``), the models whose changes readers see (``watch``), the
query parameters that make a request uncacheable (``register_bypass_parameter``), the
addresses never served from or stored in it (``register_excluded_prefix``), the query
parameters a view reads (``vary_on_query``; paginated generic list views are known without
it) and when stored pages stop being true (``register_expiry``).

A view that reads a query parameter must declare it: on a cacheable request the view is
given only the parameters its key holds (so what is stored depends on nothing else). The
test settings turn the page cache off, so declare it when you add the view, and test it
with the cache on as tests/test_page_cache.py does.
"""

import re
from dataclasses import dataclass

from pagecache.tokens import csrf_token

PLACEHOLDER_NAME = re.compile(r"[a-z_]+")


@dataclass(frozen=True)
class WatchRule:
    on_create: bool
    ignored_fields: frozenset


placeholders = {"csrf": lambda request, arg: csrf_token(request)}
watched = {}
bypass_parameters = set()
excluded_prefixes = ()
query_parameters = {}
expiries = []


def register_placeholder(name, fill):
    """``fill(request, arg)`` gives the value for ``pagecache.punch(name, arg)`` per request."""
    if not PLACEHOLDER_NAME.fullmatch(name):
        raise ValueError(f"A placeholder name is lower-case letters and _, not {name!r}")
    placeholders[name] = fill


def watch(*models, on_create=True, ignored_fields=()):
    """A saved, deleted or re-linked row of these models makes every cached page stale.

    ``on_create=False``: a new row shows nowhere by itself (a new account). A new row whose
    ``visible_to_readers`` attribute is false (a held comment) is ignored too. An update
    that touches only ``ignored_fields`` (``last_login``) is ignored.
    """
    for model in models:
        watched[model] = WatchRule(on_create=on_create, ignored_fields=frozenset(ignored_fields))


def register_bypass_parameter(name):
    """Requests carrying this query parameter are never served from or stored in the cache
    (the no-JavaScript reply form: rare, and any value is accepted)."""
    bypass_parameters.add(name)


def register_excluded_prefix(prefix):
    """Requests whose path starts with ``prefix`` (``"/admin/"``) are never served from or
    stored in the cache. A literal path, not a ``reverse()``: apps register before the URLs
    are loaded; a test checks each against the URL it stands for."""
    global excluded_prefixes
    if not (prefix.startswith("/") and prefix.endswith("/")):
        raise ValueError(f"An excluded prefix starts and ends with /, not {prefix!r}")
    if prefix not in excluded_prefixes:
        excluded_prefixes = (*excluded_prefixes, prefix)


def positive_int(value):
    """The canonical form of a page number (``2``), or None (``02``, ``+2``, ``last``, ``0``)."""
    if value.isascii() and value.isdigit() and not value.startswith("0") and len(value) <= 6:
        return value
    return None


def vary_on_query(view, name, validate=positive_int):
    """``view`` (a view class or function) reads ``?name=``: each valid value is its own
    page. ``validate(value)`` returns the canonical value, or None to serve uncached."""
    query_parameters.setdefault(view, {})[name] = validate


def register_expiry(next_change):
    """``next_change()`` returns the Unix time at which stored pages stop being true (the
    next scheduled post goes live), or None; no page is stored beyond it."""
    expiries.append(next_change)
