"""Reader navigation built from published posts: labels in use and the archive by month.

Each helper is one query whatever the number of posts, so list pages keep a fixed budget.
The sidebar asks ``sidebar_archive()`` and ``sidebar_labels()`` instead: the same figures,
kept in the shared cache for the current page-cache generation (which changes whenever a
post, a label or a comment a reader sees changes) and until the next scheduled post goes
live, so most pages pay two small cache reads instead of two aggregations over every post.
``rendered_sidebar()`` goes further: each worker keeps the sidebar's finished HTML in its own
memory, keyed by the shared generation (read on every request, so a change shows on the very
next request on any worker), so a page pays one cache read for it and renders no template.
"""

import copy
from dataclasses import dataclass, field
from datetime import date

from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef
from django.db.models.functions import TruncMonth
from django.urls import get_script_prefix, get_urlconf
from django.utils import timezone
from taggit.models import Tag

import pagecache
from blog.models import Post, label_has_address

SIDEBAR_CACHE_SECONDS = 24 * 3600


def labels_in_use():
    """Labels with at least one published post, each with ``num_posts``, by name (one query)."""
    return (
        Tag.objects.filter(post__in=Post.objects.published())
        .annotate(num_posts=Count("post", distinct=True))
        .order_by("name")
    )


def listed_labels():
    """``labels_in_use()`` that can be addresses: what the label index, the sidebar and the
    sitemap list (a label stored around the admin's checks is left out and logged)."""
    return [label for label in labels_in_use() if label_has_address(label)]


def label_in_use_or_none(slug):
    """The label with this slug if a published post carries it (one query: an EXISTS over
    published posts, not a count of them all)."""
    carried = Post.objects.published().filter(tags=OuterRef("pk"))
    return Tag.objects.filter(Exists(carried), slug=slug).order_by().first()


@dataclass
class ArchiveYear:
    year: int
    count: int = 0
    months: list = field(default_factory=list)


@dataclass
class ArchiveMonth:
    month: date
    count: int


def archive_months():
    """Months with published posts, newest first, as ``ArchiveMonth`` (one query).

    TruncMonth works in the current time zone (settings.TIME_ZONE), the same zone
    post addresses and archive pages use, so a post near midnight on the last day of
    a month is counted under the month its address shows.
    """
    rows = (
        Post.objects.published()
        .annotate(month=TruncMonth("published_at"))
        .values("month")
        .annotate(count=Count("pk"))
        .order_by("-month")
    )
    return [ArchiveMonth(month=row["month"].date(), count=row["count"]) for row in rows]


def archive_years():
    """The archive grouped by year, newest first: what the sidebar shows (one query)."""
    years = []
    for month in archive_months():
        if not years or years[-1].year != month.month.year:
            years.append(ArchiveYear(year=month.month.year))
        years[-1].count += month.count
        years[-1].months.append(month)
    return years


@dataclass(frozen=True)
class LabelCount:
    name: str
    slug: str
    num_posts: int


def _next_publish_timestamp():
    """When the next scheduled post goes live (None if none is waiting): one query."""
    upcoming = (
        Post.objects.filter(status=Post.Status.PUBLISHED, published_at__gt=timezone.now())
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )
    return upcoming.timestamp() if upcoming else None


def _sidebar(request=None):
    """``{"years": [...], "labels": [...]}``, computed at most once per generation.

    The entry records until when it holds (the next scheduled publication), since a
    scheduled post going live does not change the generation. With ``request``, both
    widgets of one page share one look-up (with the database cache, each read is a query).
    """
    memo = getattr(request, "_sidebar_navigation", None)
    if memo is not None:
        return memo
    entry = _sidebar_entry(request)
    if request is not None:
        request._sidebar_navigation = entry
    return entry


def _sidebar_entry(request=None):
    key = f"navigation:{pagecache.generation_for(request)}:{timezone.get_current_timezone_name()}"
    entry = cache.get(key)
    now = timezone.now().timestamp()
    if entry is not None and (entry["until"] is None or entry["until"] > now):
        return entry
    until = _next_publish_timestamp()
    entry = {
        "years": archive_years(),
        "labels": [
            LabelCount(label.name, label.slug, label.num_posts) for label in listed_labels()
        ],
        "until": until,
    }
    timeout = SIDEBAR_CACHE_SECONDS
    if until is not None:
        timeout = max(1, min(timeout, int(until - now) + 1))
    cache.set(key, entry, timeout)
    return entry


def sidebar_archive(request=None):
    """``archive_years()`` for the sidebar, from the shared cache when it is fresh."""
    return _sidebar(request)["years"]


def sidebar_labels(request=None):
    """``labels_in_use()`` for the sidebar (name, slug, num_posts), cached likewise."""
    return _sidebar(request)["labels"]


_rendered_sidebars = {}


def rendered_sidebar(request, open_year, render):
    """The sidebar's HTML, ``render()`` at most once per worker, generation, time zone,
    script prefix and URLconf, and open year (the year a page is about, else the newest),
    and never past the next scheduled post (the navigation's ``until``). Without a
    generation (the cache cannot be read) it is rendered every time."""
    current = pagecache.generation_for(request)
    if current is None:
        return render()
    key = (
        current,
        timezone.get_current_timezone_name(),
        get_script_prefix(),
        get_urlconf(),
        open_year,
    )
    now = timezone.now().timestamp()
    found = _rendered_sidebars.get(key)
    if found is not None and (found[1] is None or found[1] > now):
        return found[0]
    html = render()
    until = _sidebar(request)["until"]
    if (
        any(other[0] != current for other in list(_rendered_sidebars))
        or len(_rendered_sidebars) > 256
    ):
        _rendered_sidebars.clear()  # only the current generation is kept
    _rendered_sidebars[key] = (html, until)
    return html


_kept = {}
KEPT_LIMIT = 10_000


def _kept_per_generation(key, request, compute, *, keep=lambda value: True):
    """``compute()``, kept in this worker's memory under ``key`` for the current page-cache
    generation, and never past the next scheduled post (which goes live without moving the
    generation on). A value ``keep`` refuses (a label nobody uses: any text may be asked
    for) is not kept. Without a generation (the cache cannot be read), computed each time."""
    current = pagecache.generation_for(request)
    if current is None:
        return compute()
    key = (current, *key)
    found = _kept.get(key)
    if found is not None and (found[1] is None or found[1] > timezone.now().timestamp()):
        return found[0]
    value = compute()
    if keep(value):
        until = _sidebar(request)["until"]
        if len(_kept) > KEPT_LIMIT or any(other[0] != current for other in list(_kept)):
            _kept.clear()  # only the current generation is kept
        _kept[key] = (value, until)
    return value


_kept_posts = {}
KEPT_POSTS_LIMIT = 256  # posts (with their body HTML) in each worker's memory, at most


def kept_post(key, request, fetch):
    """``fetch()``: a published post with what its page prefetches, kept in this worker's
    memory for the current generation (any change a reader should see moves it on: the
    post, its labels, disclosures, trial record, comment count), so a post page reads the
    post from the database only the first time after a change. Each request gets its own
    shallow copy: what a render sets on the post stays on that request's copy. Without a
    generation (the cache cannot be read) it is fetched each time; a missing post (an
    exception from ``fetch``) is never kept."""
    current = pagecache.generation_for(request)
    if current is None:
        return fetch()
    key = (current, *key)
    found = _kept_posts.get(key)
    if found is None or (found[1] is not None and found[1] <= timezone.now().timestamp()):
        post = fetch()
        until = _sidebar(request)["until"]
        if len(_kept_posts) >= KEPT_POSTS_LIMIT or any(
            other[0] != current for other in list(_kept_posts)
        ):
            _kept_posts.clear()  # only the current generation is kept
        _kept_posts[key] = found = (post, until)
    return copy.copy(found[0])


_kept_lists = {}
KEPT_LISTS_LIMIT = 128  # pages of lists of posts (their text left in the database), at most


def kept_list(key, request, fetch):
    """``fetch()``: one page of a list of posts (the home page, a label's, an archive's, an
    author's), kept in this worker's memory for the current generation and never past the
    next scheduled post, as ``kept_post`` keeps a post: a list page reads its posts from
    the database only the first time after a change. ``key``: the view, its arguments, the
    page and its length; the time zone (an archive's month is the site's) and the URLconf
    are added. Each request gets shallow copies of the posts. Without a generation, fetched
    each time."""
    current = pagecache.generation_for(request)
    if current is None:
        return fetch()
    key = (current, timezone.get_current_timezone_name(), get_script_prefix(), get_urlconf(), *key)
    found = _kept_lists.get(key)
    if found is None or (found[1] is not None and found[1] <= timezone.now().timestamp()):
        posts = list(fetch())
        until = _sidebar(request)["until"]
        if len(_kept_lists) >= KEPT_LISTS_LIMIT or any(
            other[0] != current for other in list(_kept_lists)
        ):
            _kept_lists.clear()  # only the current generation is kept
        _kept_lists[key] = found = (posts, until)
    return [copy.copy(post) for post in found[0]]


def neighbours(post, request, find):
    """``(find(post, older=True), find(post, older=False))``, kept per generation and post:
    a post page reads them from the database only the first time after a change."""
    return _kept_per_generation(
        ("neighbours", post.pk, post.published_at),
        request,
        lambda: (find(post, older=True), find(post, older=False)),
    )


def kept_count(key, request, count):
    """``count()`` (a list's ``COUNT`` of published posts), kept per generation, ``key`` and
    time zone (an archive's month is the site's)."""
    return _kept_per_generation(
        ("count", timezone.get_current_timezone_name(), *key), request, count
    )


def kept_label_in_use_or_none(slug, request=None):
    """``label_in_use_or_none(slug)``, kept per generation when there is such a label."""
    return _kept_per_generation(
        ("label", slug),
        request,
        lambda: label_in_use_or_none(slug),
        keep=lambda label: label is not None,
    )
