"""Where other apps add to a post without blog importing them.

An app that depends on blog (``trials``) registers here from its ``AppConfig.ready()``;
blog calls each hook at one place and knows nothing else about the app:

- ``register_section(place, render)``: ``render(post, context)`` returns HTML (marked safe
  by the app, which escapes what it puts in) for a place on the post page:
  ``"after_coi_box"`` (under the conflict-of-interest box, above the body) or
  ``"coi_box"`` (inside that box);
- ``register_feed_content(render, place="end")``: ``render(post)`` returns HTML for the
  post's feed content (Atom ``<content>``, RSS ``<description>``): at ``"end"`` (appended
  after everything) or ``"before_comments_link"`` (after the body, source and disclosures,
  before the "Read the comments" link; printed by ``{% post_feed_section %}``). The
  ``"coi_box"`` sections are also printed in the feed's conflicts-of-interest section;
- ``register_json_ld(contribute)``: ``contribute(post, data)`` may add to the post's
  JSON-LD dict in place;
- ``register_highwire(contribute)``: ``contribute(post, tags)`` returns the post's Highwire
  ``citation_*`` tags, as (name, content) pairs, with its additions;
- ``register_prefetch(*lookups)``: ``prefetch_related`` lookups the post page and the feeds
  add to their querysets, so a hook reads prefetched rows instead of querying per post;
- ``register_post_inline(inline_class)``: an inline on the admin's post page;
- ``register_demo_step(step)``: ``step(post=..., reset=...)`` runs after ``load_demo``
  brought a demo post in, inside the same transaction;
- ``register_author_name(resolve, related=())``: ``resolve(user)`` returns the author's
  public name, or "" to leave it to the next (``blog.metadata.author_name`` is the one
  function every page, feed and citation asks; the authors app answers with the profile's
  display name). ``related`` names the user's relations ``resolve`` reads (``"author_profile"``):
  blog selects them with the author wherever it loads posts for readers
  (``author_select_related()``), so a name costs no query per post;
- ``register_feed_freshness(latest)``: ``latest()`` returns an expression for the newest
  change (a datetime) to something the feeds print besides posts (an author's name); the
  feeds' ETag and Last-Modified include it, so a conditional GET is never answered with a
  stale 304.
- ``register_post_page_check(check)``: ``check(request, post)`` runs before a reader's post
  page renders: it returns a response to send instead (a redirect to the canonical address)
  or None, or raises ``Http404`` for a query that names no page (``?cpage=99``), so a bad
  address is answered before any template runs.

Registration is idempotent (registering the same callable twice keeps one).
"""

from django.utils.safestring import mark_safe

_sections = {}
_feed_content = {}
_json_ld = []
_highwire = []
_prefetches = []
_post_inlines = []
_demo_steps = []
_author_names = []
_author_related = []
_feed_freshness = []
_post_page_checks = []

PLACES = ("after_coi_box", "coi_box")
FEED_PLACES = ("end", "before_comments_link")


def _add(registry, item):
    if item not in registry:
        registry.append(item)


def register_section(place, render):
    if place not in PLACES:
        raise ValueError(f"Unknown place {place!r}; one of {', '.join(PLACES)}")
    _add(_sections.setdefault(place, []), render)


def register_feed_content(render, place="end"):
    if place not in FEED_PLACES:
        raise ValueError(f"Unknown feed place {place!r}; one of {', '.join(FEED_PLACES)}")
    _add(_feed_content.setdefault(place, []), render)


def register_json_ld(contribute):
    _add(_json_ld, contribute)


def register_highwire(contribute):
    _add(_highwire, contribute)


def register_prefetch(*lookups):
    for lookup in lookups:
        _add(_prefetches, lookup)


def register_post_inline(inline_class):
    _add(_post_inlines, inline_class)


def register_demo_step(step):
    _add(_demo_steps, step)


def register_author_name(resolve, related=()):
    _add(_author_names, resolve)
    for relation in related:
        _add(_author_related, relation)


def register_feed_freshness(latest):
    _add(_feed_freshness, latest)


def register_post_page_check(check):
    _add(_post_page_checks, check)


def post_page_response(request, post):
    """The first response a registered check gives instead of the post page, or None."""
    for check in _post_page_checks:
        response = check(request, post)
        if response is not None:
            return response
    return None


def sections(place, post, context):
    """The HTML every app adds at ``place`` for ``post``, joined (already safe)."""
    return mark_safe("".join(render(post, context) for render in _sections.get(place, ())))  # noqa: S308


def feed_content(post, place="end"):
    renders = _feed_content.get(place, ())
    return mark_safe("".join(render(post) for render in renders))  # noqa: S308


def extend_highwire(post, tags):
    for contribute in _highwire:
        tags = contribute(post, tags)
    return tags


def extend_json_ld(post, data):
    for contribute in _json_ld:
        contribute(post, data)
    return data


def prefetches():
    return list(_prefetches)


def post_inlines():
    return list(_post_inlines)


def run_demo_steps(*, post, reset):
    for step in _demo_steps:
        step(post=post, reset=reset)


def author_name(user):
    """The first name a registered resolver gives ``user``, or "" (blog.metadata falls back)."""
    for resolve in _author_names:
        name = resolve(user)
        if name:
            return name
    return ""


def author_select_related(author="author"):
    """``select_related`` lookups for a post's ``author`` and what its name is read from."""
    return [author, *(f"{author}__{relation}" for relation in _author_related)]


def feed_freshness():
    return [latest() for latest in _feed_freshness]
