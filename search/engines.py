"""Searching published posts on each engine, behind one interface: ``search_posts(query)``.

It returns ``SearchHits``, which Django's Paginator pages like a queryset: ``count()`` and
slices. Told which page will be read (``page=(offset, limit)``), the count comes with that
page, from one ranking query (``COUNT(*) OVER ()``): ranking every match is the expensive
part, so it is done once. Every hit carries ``snippet``: the body's
best passage with the matched words between ``search.text.MARK_START``/``MARK_END``
(turned into ``<mark>`` by ``search.snippets`` after escaping).

Order: best match first (SQLite FTS5 ``bm25``; PostgreSQL ``ts_rank``), newest first
among equals.

- SQLite: the FTS5 table ``search_fts`` (tokenizer ``porter unicode61 remove_diacritics 2``:
  accents folded, English stems) over ``search_document`` (external content, kept in step
  by triggers made in the migration). A phrase per part: ``"w1 w2"``, words only, so no
  FTS5 syntax typed by a reader is ever interpreted. The tokenizer folds Latin accents
  only; the ``folded`` column (every field folded in Python) catches the rest (Greek).
- PostgreSQL: ``vector`` (weighted, folded words, ``english`` stems; GIN index) matched by
  ``phraseto_tsquery`` per part, ranked by ``ts_rank`` and highlighted by ``ts_headline``
  with the ``trialpress_search`` configuration (``unaccent`` when the migration could
  install it, so "Meniere" highlights "Ménière"; plain English otherwise).
"""

from functools import reduce
from operator import and_

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection
from django.db.models import Count, F, Window

from blog.models import Post
from search.models import SearchDocument
from search.text import MARK_END, MARK_START, folded_words

SNIPPET_TOKENS = 30
HEADLINE_CONFIG = "trialpress_search"
# bm25 weights per FTS5 column (title, summary, body, labels, author, identifiers, folded).
BM25_WEIGHTS = (10.0, 4.0, 1.0, 4.0, 2.0, 10.0, 0.5)


def search_posts(query, *, page=None):
    """The hits for ``query``; ``page=(offset, limit)``: the slice that will be read."""
    if query.is_empty:
        return SearchHits.empty()
    if connection.vendor == "postgresql":
        return PostgresHits(query, page=page)
    return SqliteHits(query, page=page)


class SearchHits:
    """What Paginator needs: ``count()`` and slicing into a list of posts.

    Subclasses give ``_fetch_page(offset, limit)`` -> (posts, total of all matches, or None
    when the page is empty) and ``_fetch_count()``.
    """

    def __init__(self, query, *, page=None):
        self.query = query
        self._count = None
        self._expected = page
        self._pages = {}

    @classmethod
    def empty(cls):
        hits = cls(None)
        hits._count = 0
        return hits

    def count(self):
        if self._count is None and self._expected is not None:
            self._page(*self._expected)
        if self._count is None:
            self._count = self._fetch_count()
        return self._count

    def __len__(self):
        return self.count()

    def __getitem__(self, page):
        if not isinstance(page, slice):
            raise TypeError("SearchHits are read a page (a slice) at a time")
        if self._count == 0:
            return []
        start = page.start or 0
        return self._page(start, page.stop - start)

    def _page(self, offset, limit):
        """The posts from ``offset``; a page already read serves a shorter slice of itself
        (Paginator asks for ``[0:1]`` when one match is all there is)."""
        fetched = self._pages.get(offset)
        if fetched is None or fetched[0] < limit:
            posts, total = self._fetch_page(offset, limit)
            fetched = self._pages[offset] = (limit, posts)
            if total is not None:
                self._count = total
            elif offset == 0:
                self._count = 0
        return fetched[1][:limit]


class SqliteHits(SearchHits):
    """Queries: the page's ids in order with the count; their snippets; the listing's two.

    The matches are found (and ranked) in a materialised CTE, so SQLite runs the FTS5 query
    once. Never ``search_fts.rowid IN (published posts)``: FTS5 then runs the whole query
    again for each of the 10,000 rowids (4 seconds for a DOI); snippets are made for the
    page's ten posts only.
    """

    def _match(self):
        """Each part as a phrase, as typed or folded (the ``folded`` column holds words
        whose accents SQLite's tokenizer keeps, such as Greek)."""
        parts = []
        for words in self.query.phrases:
            typed, folded = " ".join(words), folded_words(" ".join(words))
            parts.append(f'"{typed}"' if typed == folded else f'("{typed}" OR "{folded}")')
        return " AND ".join(parts)

    def _published_ids(self):
        sql, params = Post.objects.published().values("pk").query.sql_with_params()
        return sql, list(params)

    def _fetch_count(self):
        published, params = self._published_ids()
        with connection.cursor() as cursor:
            cursor.execute(
                "WITH hits AS MATERIALIZED (SELECT rowid AS id FROM search_fts "  # noqa: S608
                f"WHERE search_fts MATCH %s) SELECT COUNT(*) FROM hits WHERE id IN ({published})",
                [self._match(), *params],
            )
            return cursor.fetchone()[0]

    def _fetch_page(self, offset, limit):
        published, params = self._published_ids()
        weights = ", ".join(str(w) for w in BM25_WEIGHTS)
        match = self._match()
        with connection.cursor() as cursor:
            cursor.execute(
                "WITH hits AS MATERIALIZED (SELECT rowid AS id, "  # noqa: S608
                f"bm25(search_fts, {weights}) AS rank FROM search_fts "
                "WHERE search_fts MATCH %s) "
                "SELECT hits.id, COUNT(*) OVER () FROM hits "
                "JOIN blog_post ON blog_post.id = hits.id "
                f"WHERE hits.id IN ({published}) "
                "ORDER BY hits.rank, blog_post.published_at DESC, blog_post.id DESC "
                "LIMIT %s OFFSET %s",
                [match, *params, limit, offset],
            )
            rows = cursor.fetchall()
            if not rows:
                return [], None
            ids, total = [row[0] for row in rows], rows[0][1]
            marks = ", ".join(["%s"] * len(ids))
            cursor.execute(
                "SELECT rowid, snippet(search_fts, 2, %s, %s, %s, %s) FROM search_fts "  # noqa: S608
                f"WHERE search_fts MATCH %s AND rowid IN ({marks})",
                [MARK_START, MARK_END, " … ", SNIPPET_TOKENS, match, *ids],
            )
            snippets = dict(cursor.fetchall())
        posts = {post.pk: post for post in Post.objects.filter(pk__in=ids).for_listing()}
        hits = []
        for pk in ids:
            post = posts.get(pk)
            if post is not None:
                post.snippet = snippets.get(pk) or ""
                hits.append(post)
        return hits, total


class PostgresHits(SearchHits):
    """Queries: the page of posts with their authors, ranked, with the count; their labels;
    the page's headlines (``ts_headline`` is costly: PostgreSQL would run it for every row an
    OFFSET skips, so it runs on the page's ten documents only)."""

    def _tsquery(self):
        parts = (
            SearchQuery(folded_words(" ".join(words)), search_type="phrase", config="english")
            for words in self.query.phrases
        )
        return reduce(and_, parts)

    def _matching(self):
        return Post.objects.published().filter(search_document__vector=self._tsquery())

    def _fetch_count(self):
        return self._matching().count()

    def _fetch_page(self, offset, limit):
        tsquery = self._tsquery()
        posts = list(
            self._matching()
            .for_listing()
            .annotate(
                rank=SearchRank(F("search_document__vector"), tsquery),
                total=Window(Count("pk")),
            )
            .order_by("-rank", "-published_at", "-pk")[offset : offset + limit]
        )
        if not posts:
            return [], None
        headlines = dict(
            SearchDocument.objects.filter(pk__in=[post.pk for post in posts])
            .annotate(
                snippet=SearchHeadline(
                    "body",
                    tsquery,
                    config=HEADLINE_CONFIG,
                    start_sel=MARK_START,
                    stop_sel=MARK_END,
                    max_words=SNIPPET_TOKENS,
                    min_words=SNIPPET_TOKENS // 2,
                    max_fragments=2,
                    fragment_delimiter=" … ",
                )
            )
            .values_list("pk", "snippet")
        )
        for post in posts:
            post.snippet = headlines.get(post.pk, "")
        return posts, posts[0].total
