"""Relative addresses in a feed entry made absolute, so a feed reader can follow them.

A post's HTML is written for its page: images at ``/media/…``, footnote links at ``#fn-1``.
A feed reader shows the entry on another origin, with no ``xml:base`` most readers honour, so
``src``, every ``srcset`` candidate and ``href`` that is a relative reference is resolved
against the post's own address: ``#fn-1`` -> ``https://site/2026/…/slug/#fn-1``,
``/media/x.jpg`` -> ``https://site/media/x.jpg``. Absolute addresses (``https:``,
``mailto:``, ``//host``) are left alone.

The input is our own sanitised HTML (``blog.markup``) and our templates' escaped output, so
a linear tokenizer is enough: comments are skipped, start tags are found by a regex whose
parts cannot overlap, and inside each tag only the three attributes are rewritten. Text
(which may contain ``href="/x"`` written by an author) is never touched.
"""

import functools
import html
import re
from urllib.parse import urljoin, urlsplit

from blog.metadata import absolute_url

_NAME = r"[^\s\"'<>/=]+"
_VALUE = r"\"[^\"<]*\"|'[^'<]*'|[^\s\"'<>=`]+"
_TOKEN = re.compile(
    r"<!--[^<]*?-->"  # a comment: skipped whole
    rf"|<[a-zA-Z][a-zA-Z0-9]*(?:\s+{_NAME}(?:\s*=\s*(?:{_VALUE}))?)*\s*/?>"  # a start tag
)
"""No part of a tag or comment may hold ``<`` (the sanitiser escapes it inside attribute
values): a match that starts at one ``<`` ends before the next, so the scan is linear."""
_TAG_NAME = re.compile(r"<[a-zA-Z][a-zA-Z0-9]*")
_ATTRIBUTE = re.compile(
    rf"(?P<space>\s+)(?P<name>{_NAME})(?:(?P<equals>\s*=\s*)(?P<value>{_VALUE}))?"
)
"""One attribute; applied in order from the tag's name on, so every match starts at an
attribute (never inside another one's quoted value)."""
_ADDRESSES = frozenset({"src", "href", "srcset"})


def _absolute(address, base):
    """``address`` (unescaped) resolved against ``base`` when it is a relative reference."""
    parts = urlsplit(address)
    if parts.scheme or parts.netloc or not address.strip():
        return address
    return urljoin(base, address.strip())


def _absolute_srcset(value, base):
    candidates = []
    for candidate in value.split(","):
        words = candidate.split()
        if words:
            words[0] = _absolute(words[0], base)
        candidates.append(" ".join(words))
    return ", ".join(candidates)


def _rewrite_attribute(match, base):
    name, quoted = match["name"].lower(), match["value"]
    if name not in _ADDRESSES or quoted is None:
        return match[0]
    value = html.unescape(quoted[1:-1] if quoted[0] in "\"'" else quoted)
    resolved = _absolute_srcset(value, base) if name == "srcset" else _absolute(value, base)
    if resolved == value:
        return match[0]
    escaped = html.escape(resolved, quote=True)
    return f'{match["space"]}{match["name"]}{match["equals"]}"{escaped}"'


def _rewrite_tag(match, base):
    tag = match[0]
    name = _TAG_NAME.match(tag)
    if name is None:  # a comment
        return tag
    attributes = tag[name.end() :]
    return name[0] + _ATTRIBUTE.sub(lambda found: _rewrite_attribute(found, base), attributes)


def absolute_addresses(fragment, *, base):
    """``fragment`` with every relative ``src``, ``srcset`` and ``href`` resolved against
    ``base`` (an absolute address: the post's own)."""
    if "=" not in fragment:
        return fragment
    return _TOKEN.sub(lambda match: _rewrite_tag(match, base), fragment)


def with_absolute_addresses(render):
    """Decorates ``render(post)`` (a feed entry's HTML): its addresses made absolute
    against the post's own address on SITE_URL."""

    @functools.wraps(render)
    def rendered(post, *args, **kwargs):
        base = absolute_url(post.get_absolute_url())
        return absolute_addresses(render(post, *args, **kwargs), base=base)

    return rendered
