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

from collections import namedtuple
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from html import escape

from django.conf import settings
from django.db import connections, router
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


class _PageQuery:
    """The SQL of a page and its row type, built once per process for each shape (the
    fields, the order, whether the thread is paged, whether the page is the first).

    Django's ORM spent about as long building this query (three subqueries) as the rest of
    the post page took, for a query that runs in a fraction of a millisecond. Only quoted
    names from the model's ``_meta`` go into the text; every value is a parameter. Each
    column gets the ORM's own converters (SQLite keeps datetimes as text), so the rows are
    what ``values_list(..., named=True)`` gave (tests/test_comment_paging_sql.py compares).
    """

    def __init__(self, fields, *, paged, newest, first_page, connection):
        meta = Comment._meta
        quote = connection.ops.quote_name
        table = quote(meta.db_table)
        path, post, status, depth = (
            quote(meta.get_field(name).column)
            for name in ("thread_path", "post", "status", "depth")
        )
        columns = [
            (meta.pk if name == "pk" else meta.get_field(name)).get_col(meta.db_table)
            for name in fields
        ]
        select = ", ".join(f"{table}.{quote(column.target.column)}" for column in columns)
        where = f"{post} = %s AND {status} = %s"
        self.paged, self.newest, self.first_page = paged, newest, first_page
        if paged:
            roots = f"FROM {table} R WHERE R.{post} = %s AND R.{status} = %s AND R.{depth} = 0"
            direction = "DESC" if newest else "ASC"
            root = f"(SELECT R.{path} {roots} ORDER BY R.{path} {direction} LIMIT 1 OFFSET %s)"
            select += f", (SELECT COUNT(*) {roots})"
            if newest:
                # From the page's oldest conversation (none on the last page: no lower
                # bound) to the one just before the page (none on page 1: no upper bound).
                where += f" AND ({path} >= {root} OR {root} IS NULL)"
                if not first_page:
                    where += f" AND {path} < {root}"
            else:
                # From the page's first conversation (none past the end: no rows) to the
                # next page's first (none on the last page: no upper bound).
                where += f" AND {path} >= {root} AND ({path} < {root} OR {root} IS NULL)"
        self.sql = f"SELECT {select} FROM {table} WHERE {where} ORDER BY {path}"  # noqa: S608
        self.converters = [
            (index, converter)
            for index, column in enumerate(columns)
            if (converter := _converter(column, connection)) is not None
        ]
        self.row = namedtuple("Row", (*fields, "conversations") if paged else fields)

    def params(self, post_id, number, size):
        """The values, in the order of their placeholders in ``sql``."""
        approved = [post_id, Comment.Status.APPROVED]
        if not self.paged:
            return approved
        start = (number - 1) * size
        if self.newest:
            bounds = [*approved, start + size - 1] * 2
            if not self.first_page:
                bounds += [*approved, start - 1]
        else:
            bounds = [*approved, start] + [*approved, start + size] * 2
        return [*approved, *approved, *bounds]  # the count's, the page's, its bounds'

    def rows(self, connection, post_id, number, size):
        with connection.cursor() as cursor:
            cursor.execute(self.sql, self.params(post_id, number, size))
            fetched = cursor.fetchall()
        make, converters = self.row._make, self.converters
        if not converters:
            return [make(row) for row in fetched]
        rows = []
        for values in fetched:
            values = list(values)
            for index, convert in converters:
                values[index] = convert(values[index])
            rows.append(make(values))
        return rows


def _converter(column, connection):
    """One function for what the ORM's converters do to the column's values (None: none).
    A datetime SQLite's adapter already parsed (naive, in the connection's zone) only needs
    its zone, which is all Django's converter does then, at a fifth of the cost."""
    functions = [
        *connection.ops.get_db_converters(column),
        *column.get_db_converters(connection),
    ]
    if not functions:
        return None

    def convert(value):
        for function in functions:
            value = function(value, column, connection)
        return value

    if (
        connection.vendor == "sqlite"
        and settings.USE_TZ
        and column.output_field.get_internal_type() == "DateTimeField"
        and len(functions) == 1
    ):
        zone = connection.timezone

        def convert_datetime(value):
            if type(value) is datetime and value.tzinfo is None:
                return value.replace(tzinfo=zone)
            return convert(value)

        return convert_datetime
    return convert


@lru_cache(maxsize=64)
def _page_query(fields, paged, newest, first_page, vendor):
    return _PageQuery(
        fields,
        paged=paged,
        newest=newest,
        first_page=first_page,
        connection=connections[router.db_for_read(Comment)],
    )


def fetch(post, number, fields):
    """The rows of page ``number`` of the post's approved thread (a 404 past the end), in
    one query whatever the thread's size: its bounds and the number of conversations are
    scalar subqueries on the (post, status, thread_path) index (the database runs each
    once). ``fields``: the comment's own columns (a tuple)."""
    size = per_page()
    if not size and number != 1:
        raise Http404("No such page of comments.")
    connection = connections[router.db_for_read(Comment)]
    newest = newest_first()
    query = _page_query(tuple(fields), bool(size), newest, number == 1, connection.vendor)
    rows = query.rows(connection, post.pk, number, size)
    if newest:
        rows = _conversations_newest_first(rows)
    if not size:
        return PageOfThread(rows)
    if not rows:
        if number != 1:
            raise Http404("No such page of comments.")
        return PageOfThread([])
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
    connection = connections[router.db_for_read(Comment)]
    with connection.cursor() as cursor:
        cursor.execute(
            _page_of_sql(connection.vendor, newest_first()),
            [root, comment.post_id, Comment.Status.APPROVED],
        )
        before, roots = cursor.fetchone()
    last = max(1, -(-roots // size))
    return min((before or 0) // size + 1, last)


@lru_cache(maxsize=8)
def _page_of_sql(vendor, newest):
    """``page_of``'s counts, built once (every POST asks: the ORM's aggregate with a
    filtered Count cost seven times the statement). Names from the model, values as
    parameters."""
    connection = connections[router.db_for_read(Comment)]
    quote, meta = connection.ops.quote_name, Comment._meta
    path, post, status, depth = (
        quote(meta.get_field(name).column) for name in ("thread_path", "post", "status", "depth")
    )
    side = ">" if newest else "<"
    return (
        f"SELECT SUM(CASE WHEN {path} {side} %s THEN 1 ELSE 0 END), COUNT(*) "  # noqa: S608
        f"FROM {quote(meta.db_table)} WHERE {post} = %s AND {status} = %s AND {depth} = 0"
    )


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


def pager_html(page, post_url, label="Comment pages"):
    """``<nav>`` with Older/Newer and the page numbers, plain links (no JavaScript). The
    section shows it above the thread and below it, each with its own ``label`` (two
    landmarks with one name cannot be told apart in a screen reader's list)."""
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
            href = page_url(url, n, "#comments")
            items.append(f'<li><a href="{href}" aria-label="Page {n}">{n}</a></li>')
    if number < count:
        href = page_url(url, number + 1, "#comments")
        items.append(f'<li><a href="{href}" rel="next">{later} comments</a></li>')
    return (
        f'<nav class="comment-pages" aria-label="{escape(label)}"><ul>{"".join(items)}</ul></nav>'
    )


def head_links_html(page, canonical):
    """The head's canonical address of this page and its rel="prev"/"next" neighbours."""
    url = escape(canonical)
    links = [f'<link rel="canonical" href="{page_url(url, page.number)}">']
    if page.number > 1:
        links.append(f'<link rel="prev" href="{page_url(url, page.number - 1)}">')
    if page.number < page.count:
        links.append(f'<link rel="next" href="{page_url(url, page.number + 1)}">')
    return "\n".join(links)
