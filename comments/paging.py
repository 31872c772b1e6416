"""A post's thread in pages of top-level conversations (issue 19: huge threads).

A page holds ``COMMENTS_PER_PAGE`` top-level comments with all their replies (0: one page
for the whole thread), in the order ``COMMENTS_ORDER`` names ("oldest" or "newest"
conversation first; the replies inside one stay oldest first). Its address is the post's
with ``?cpage=N`` (page 1: the post's own address).

One query a page, whatever the thread's size, on the (post, status, thread_path) index:
every approved comment whose ``thread_path`` falls between the page's first top-level
comment and the next page's first (each found by LIMIT/OFFSET in a scalar subquery), with
the number of top-level comments (for the number of pages). A conversation's comments
share its root's path as a prefix, and the roots are consecutive in path order, so that
range holds exactly the page's conversations; its bounds are whole roots' paths, which
sort the same under any collation (PostgreSQL's included).
"""

from dataclasses import dataclass
from html import escape

from django.conf import settings
from django.db.models import CharField, Count, Q, Subquery, Value
from django.http import Http404

from comments.models import THREAD_PATH_DIGITS, Comment
from pagecache.registry import positive_int

PAGE_PARAMETER = "cpage"
ROOT_PATH_LENGTH = THREAD_PATH_DIGITS + 1  # "0000000123/"


def per_page():
    return settings.COMMENTS_PER_PAGE


def newest_first():
    return settings.COMMENTS_ORDER == "newest"


def requested_number(request):
    """The page ``?cpage=`` asks for: 1 without it; a 404 for anything but a canonical
    positive whole number (``02``, ``0``, ``last``), so each page has one address."""
    raw = request.GET.get(PAGE_PARAMETER) if request is not None else None
    if raw is None:
        return 1
    canonical = positive_int(raw)
    if canonical is None:
        raise Http404("No such page of comments.")
    return int(canonical)


def _conversations_newest_first(rows):
    conversations = []
    for row in rows:
        if row.depth == 0 or not conversations:
            conversations.append([])
        conversations[-1].append(row)
    return [row for conversation in reversed(conversations) for row in conversation]


@dataclass
class PageOfThread:
    """What one page shows: ``rows`` in display order (before the visibility walk),
    ``number`` of ``count`` pages."""

    rows: list
    number: int = 1
    count: int = 1

    @property
    def paged(self):
        return self.count > 1


def _root_at(roots, offset):
    """The path of the conversation at ``offset`` in page order (NULL past the end)."""
    return Subquery(roots.values("thread_path")[offset : offset + 1])


def fetch(post, number, fields):
    """The rows of page ``number`` of the post's approved thread (a 404 past the end), in
    one query whatever the thread's size: its bounds and the number of conversations are
    scalar subqueries on the index (the database runs each once)."""
    approved = Comment.objects.approved().for_post(post)
    size = per_page()
    if not size:
        if number != 1:
            raise Http404("No such page of comments.")
        return PageOfThread(list(approved.in_thread_order().values_list(*fields, named=True)))
    newest = newest_first()
    roots = approved.filter(depth=0).order_by("-thread_path" if newest else "thread_path")
    start = (number - 1) * size
    if newest:
        # From the page's oldest conversation (none on the last page: no lower bound) to
        # the conversation just before the page (none on page 1: no upper bound).
        low = _root_at(roots, start + size - 1)
        high = _root_at(roots, start - 1) if start else Value(None, CharField())
        in_page = Q(thread_path__gte=low) | Q(low_bound__isnull=True)
        if start:
            in_page &= Q(thread_path__lt=high)
    else:
        # From the page's first conversation (none past the end: no rows) to the next
        # page's first (none on the last page: no upper bound).
        low, high = _root_at(roots, start), _root_at(roots, start + size)
        in_page = Q(thread_path__gte=low) & (Q(thread_path__lt=high) | Q(high_bound__isnull=True))
    conversations = Subquery(
        roots.order_by().values("post_id").annotate(n=Count("pk")).values("n")[:1]
    )
    rows = list(
        approved.alias(low_bound=low, high_bound=high)
        .filter(in_page)
        .annotate(conversations=conversations)
        .in_thread_order()
        .values_list(*fields, "conversations", named=True)
    )
    if not rows:
        if number != 1:
            raise Http404("No such page of comments.")
        return PageOfThread([])
    if newest:
        rows = _conversations_newest_first(rows)
    pages = -(-rows[0].conversations // size)
    if number > pages:  # rows of hidden conversations only (newest first, past the end)
        raise Http404("No such page of comments.")
    return PageOfThread(rows, number=number, count=pages)


def page_of(comment):
    """The page of the thread a comment is on (for a held one, where its conversation will
    be), never past the last page: a held top-level comment whose place is the first of a
    page that does not exist yet (the last page is full) gets the last one. One query: the
    conversations before its own, and all of them."""
    size = per_page()
    if not size:
        return 1
    root = comment.thread_path[:ROOT_PATH_LENGTH]
    side = "thread_path__gt" if newest_first() else "thread_path__lt"
    counts = (
        Comment.objects.approved()
        .filter(post_id=comment.post_id, depth=0)
        .aggregate(before=Count("pk", filter=Q(**{side: root})), roots=Count("pk"))
    )
    last = max(1, -(-counts["roots"] // size))
    return min(counts["before"] // size + 1, last)


def page_url(post_url, number, fragment=""):
    """Page ``number``'s address: page 1 is the post's own."""
    query = f"?{PAGE_PARAMETER}={number}" if number > 1 else ""
    return f"{post_url}{query}{fragment}"


def location(comment):
    """Where a comment is read in its thread: its page, scrolled to it."""
    return page_url(comment.post.get_absolute_url(), page_of(comment), f"#{comment.anchor}")


def _pages_shown(number, count):
    """The page numbers the pager lists: the first, the last, and two on each side of this
    one; None where a run is left out (200 pages are not 200 links)."""
    wanted = {1, count, *range(number - 2, number + 3)}
    shown, last = [], 0
    for n in sorted(n for n in wanted if 1 <= n <= count):
        if n > last + 1:
            shown.append(None)
        shown.append(n)
        last = n
    return shown


def pager_html(page, post_url):
    """``<nav>`` with Older/Newer and the page numbers, plain links (no JavaScript)."""
    if not page.paged:
        return ""
    url = escape(post_url)
    number, count = page.number, page.count
    earlier, later = ("Newer", "Older") if newest_first() else ("Older", "Newer")
    items = []
    if number > 1:
        href = page_url(url, number - 1, "#comments")
        items.append(f'<li><a href="{href}" rel="prev">{earlier} comments</a></li>')
    for n in _pages_shown(number, count):
        if n is None:
            items.append("<li>\u2026</li>")
        elif n == number:
            items.append(f'<li><a aria-current="page">{n}</a></li>')
        else:
            label = f"Page {n}"
            href = page_url(url, n, "#comments")
            items.append(f'<li><a href="{href}" aria-label="{label}">{n}</a></li>')
    if number < count:
        href = page_url(url, number + 1, "#comments")
        items.append(f'<li><a href="{href}" rel="next">{later} comments</a></li>')
    return f'<nav class="comment-pages" aria-label="Comment pages"><ul>{"".join(items)}</ul></nav>'


def head_links_html(page, canonical):
    """The head's canonical address of this page and its rel="prev"/"next" neighbours."""
    url = escape(canonical)
    links = [f'<link rel="canonical" href="{page_url(url, page.number)}">']
    if page.number > 1:
        links.append(f'<link rel="prev" href="{page_url(url, page.number - 1)}">')
    if page.number < page.count:
        links.append(f'<link rel="next" href="{page_url(url, page.number + 1)}">')
    return "\n  ".join(links)
