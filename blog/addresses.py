"""Post and label addresses without a ``reverse()`` per call.

``reverse()`` walks the resolver and reads three thread-locals each time: a list page asks
for some thirty addresses and the feed sixty, about a tenth of their time. Here it runs once
per URLconf and script prefix, on sample values; each address is then the part before the
sample's tail, the values, and the slug quoted exactly as ``reverse()`` quotes it. A URLconf
whose address does not end as expected, and any value the URL patterns would refuse, go to
``reverse()`` itself (which raises ``NoReverseMatch`` as before).
"""

import re
from urllib.parse import quote

from django.urls import get_resolver, get_script_prefix, get_urlconf, reverse
from django.utils.http import RFC3986_SUBDELIMS

# The URL patterns' own rules (blog.urls): slugs of SLUG_PATTERN, four-digit years 1000-2999.
_SLUG = re.compile(r"[-\w]+\Z")
_SAFE = RFC3986_SUBDELIMS + "/~:@"
_POST_TAIL = "2000/01/s/"
_LABEL_TAIL = "s/"
_heads = {}


def _head(name, kwargs, tail):
    """What ``reverse(name, kwargs=kwargs)`` gives before ``tail``, or None if it does not
    end with it; remembered per URLconf (its resolver) and script prefix."""
    key = (name, get_resolver(get_urlconf()), get_script_prefix())
    try:
        return _heads[key]
    except KeyError:
        pass
    sample = reverse(name, kwargs=kwargs)
    head = sample[: -len(tail)] if sample.endswith("/" + tail) else None
    if len(_heads) > 64:  # URLconfs swapped by tests: keep the memo small
        _heads.clear()
    _heads[key] = head
    return head


def _quoted_slug(slug):
    return slug if slug.isascii() else quote(slug, safe=_SAFE)


def post_address(year, month, slug):
    """``reverse("blog:post_detail", kwargs={"year": year, "month": month, "slug": slug})``."""
    if 1000 <= year <= 2999 and 1 <= month <= 12 and _SLUG.match(slug):
        head = _head("blog:post_detail", {"year": 2000, "month": "01", "slug": "s"}, _POST_TAIL)
        if head is not None:
            return f"{head}{year:04d}/{month:02d}/{_quoted_slug(slug)}/"
    return reverse("blog:post_detail", kwargs={"year": year, "month": f"{month:02d}", "slug": slug})


def label_address(slug):
    """``reverse("blog:label_detail", kwargs={"slug": slug})``."""
    if _SLUG.match(slug):
        head = _head("blog:label_detail", {"slug": "s"}, _LABEL_TAIL)
        if head is not None:
            return f"{head}{_quoted_slug(slug)}/"
    return reverse("blog:label_detail", kwargs={"slug": slug})
