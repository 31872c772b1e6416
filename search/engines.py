"""Searching published posts on each engine, behind one interface: ``search_posts(query)``.

It returns ``SearchHits``, which Django's Paginator pages like a queryset: ``count()`` and
slices. Told which page will be read (``page=(offset, limit)``), the count comes with that
page, from the one query that ranks. Every hit carries ``people`` (the document's author
field: the author's name, then the disclosures) and ``snippet``: the body's
best passage with the matched words between ``search.text.MARK_START``/``MARK_END``
(words matched through accent folding that the engine's highlighter missed are marked by
``search.snippets.accents_highlighted``; all turned into ``<mark>`` after escaping).

Order: best match first (SQLite FTS5 ``bm25``; PostgreSQL ``ts_rank``), newest first
among equals.

Speed: ranking is the costly part (every match's rank must be known before the best ten
are), so only the newest ``RANKED_NEWEST`` published matches are ranked. Up to that many
matches, nothing changes: all are ranked and counted exactly. Above it, the reader is told
"more than 1,000 posts found; the best matches among the newest 1,000 are shown" and pages
within those (``SearchHits.capped``); the count above it is "more than", not exact
(counting every match costs what ranking them did). Finding the newest matches is cheap on
both engines: an index on ``published_at`` read backwards, stopping at ``RANKED_NEWEST + 1``
(the one more says whether there are more). Measured with ``python -m benchmarks.search``.

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
from operator import and_, or_

from django.contrib.postgres.search import SearchHeadline, SearchQuery
from django.db import connection

from blog.models import Post
from search.models import SearchDocument
from search.snippets import accents_highlighted
from search.text import MARK_END, MARK_START, folded_words

SNIPPET_TOKENS = 30
RANKED_NEWEST = 1000  # above this many matches, only the newest this many are ranked
HEADLINE_CONFIG = "trialpress_search"
# bm25 weights per FTS5 column (title, summary, body, labels, author, identifiers, folded).
BM25_WEIGHTS = (10.0, 4.0, 1.0, 4.0, 2.0, 10.0, 0.5)


def search_posts(query, *, page=None, some_words=False):
    """The hits for ``query``; ``page=(offset, limit)``: the slice that will be read.
    ``some_words``: posts that match at least one of the query's groups (its words or
    their synonyms), best first, rather than all of them (what the page shows when no
    post has every word)."""
    if query.is_empty:
        return SearchHits.empty()
    if connection.vendor == "postgresql":
        return PostgresHits(query, page=page, some_words=some_words)
    return SqliteHits(query, page=page, some_words=some_words)


class SearchHits:
    """What Paginator needs: ``count()`` and slicing into a list of posts.

    Subclasses give ``_fetch_page(offset, limit)`` -> (posts, the number of matches counted
    up to ``RANKED_NEWEST + 1``, or None when the page is empty). ``count()`` is at most
    ``RANKED_NEWEST`` (the ranked, pageable matches); ``capped`` says there are more.
    """

    def __init__(self, query, *, page=None, some_words=False):
        self.query = query
        self.some_words = some_words
        self.capped = False
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
            self._page(0, 1)
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
                self._count = min(total, RANKED_NEWEST)
                self.capped = total > RANKED_NEWEST
            elif offset == 0:
                self._count = 0
        return fetched[1][:limit]

    def _fetch_page(self, offset, limit):
        raise NotImplementedError


class SqliteHits(SearchHits):
    """Queries: the page's ids in order with the count; their snippets; the listing's two.

    One query finds the matches (FTS5, ids only: cheap; SQLite runs that subquery once into
    an ephemeral list), keeps the newest ``RANKED_NEWEST + 1`` published ones (the covering
    index on ``(status, published_at)`` read backwards, stopping there), and ranks the
    newest ``RANKED_NEWEST`` with ``bm25``. FTS5 computes ``bm25`` only inside a MATCH
    scan, so the ranking scan is bounded by the candidates' rowid range (cheap in FTS5):
    about ``RANKED_NEWEST`` rows when ids follow publication dates, as they do when posts
    are written in order; never fewer than the candidates, so the result is exact whatever
    the order. Never ``search_fts.rowid IN (...)``: FTS5 then runs the whole query again
    per rowid (4 s for a DOI over 10,000 posts; 0.9 s for one word and 1,000 rowids).
    Snippets are made for the page's ten posts only.
    """

    def _match(self):
        """Each group a choice among its synonyms (OR), every group required (AND), or
        any (OR) for ``some_words``. Only words reach FTS5: its syntax is ours alone."""
        groups = [_sqlite_group(group) for group in self.query.groups]
        return (" OR " if self.some_words else " AND ").join(groups)

    def _published(self):
        """Published posts' ids and dates (from the index alone: no row is read)."""
        query = Post.objects.published().order_by().values_list("id", "published_at").query
        sql, params = query.sql_with_params()
        return sql, list(params)

    def _fetch_page(self, offset, limit):
        published, params = self._published()
        weights = ", ".join(str(w) for w in BM25_WEIGHTS)
        match = self._match()
        with connection.cursor() as cursor:
            cursor.execute(
                "WITH newest AS MATERIALIZED (SELECT id, published_at "  # noqa: S608
                f"FROM ({published}) WHERE id IN "
                "(SELECT rowid FROM search_fts WHERE search_fts MATCH %s) "
                "ORDER BY published_at DESC, id DESC LIMIT %s), "
                "pool AS MATERIALIZED (SELECT id, published_at FROM newest "
                "ORDER BY published_at DESC, id DESC LIMIT %s), "
                f"ranked AS MATERIALIZED (SELECT rowid AS id, bm25(search_fts, {weights}) "
                "AS rank FROM search_fts WHERE search_fts MATCH %s "
                "AND rowid BETWEEN (SELECT min(id) FROM pool) AND (SELECT max(id) FROM pool)) "
                "SELECT pool.id, (SELECT COUNT(*) FROM newest) FROM pool "
                "JOIN ranked ON ranked.id = pool.id "
                "ORDER BY ranked.rank, pool.published_at DESC, pool.id DESC "
                "LIMIT %s OFFSET %s",
                [*params, match, RANKED_NEWEST + 1, RANKED_NEWEST, match, limit, offset],
            )
            rows = cursor.fetchall()
            if not rows:
                return [], None
            ids, total = [row[0] for row in rows], rows[0][1]
            marks = ", ".join(["%s"] * len(ids))
            cursor.execute(
                "SELECT rowid, snippet(search_fts, 2, %s, %s, %s, %s), body, author "  # noqa: S608
                f"FROM search_fts WHERE search_fts MATCH %s AND rowid IN ({marks})",
                [MARK_START, MARK_END, " … ", SNIPPET_TOKENS, match, *ids],
            )
            snippets = {
                pk: (accents_highlighted(snippet, body, self.query), people)
                for pk, snippet, body, people in cursor.fetchall()
            }
        posts = {post.pk: post for post in Post.objects.filter(pk__in=ids).for_listing()}
        hits = []
        for pk in ids:
            post = posts.get(pk)
            if post is not None:
                post.snippet, post.people = snippets.get(pk) or ("", "")
                hits.append(post)
        return hits, total


def _sqlite_phrase(words):
    """One part as a phrase, as typed or folded (the ``folded`` column holds words whose
    accents SQLite's tokenizer keeps, such as Greek)."""
    typed, folded = " ".join(words), folded_words(" ".join(words))
    # The tokenizer folds case itself: "NCT00548405" needs no second phrase.
    return f'"{typed}"' if typed.casefold() == folded else f'("{typed}" OR "{folded}")'


def _sqlite_group(group):
    choices = [" AND ".join(_sqlite_phrase(words) for words in choice) for choice in group]
    if len(choices) == 1 and len(group[0]) == 1:
        return choices[0]
    return "(" + " OR ".join(f"({choice})" for choice in choices) + ")"


class PostgresHits(SearchHits):
    """Queries: the page's ids in order with the count; the posts with their authors; their
    labels; the page's headlines (``ts_headline`` is costly: PostgreSQL would run it for
    every row an OFFSET skips, so it runs on the page's ten documents only).

    The newest ``RANKED_NEWEST + 1`` published matches are found by reading
    ``blog_post`` newest first and checking each document (a nested loop that stops at the
    limit, 9 ms for 1,001 of 10,000); only the newest ``RANKED_NEWEST`` are ranked. Counting
    every match instead costs a scan of every document (90 ms for 10,000), hence "more than".
    """

    def _tsquery(self):
        """For ``ts_headline``: the same query as ``_tsquery_sql``, as a SearchQuery."""

        def phrase(words):
            return SearchQuery(
                folded_words(" ".join(words)), search_type="phrase", config="english"
            )

        groups = (
            reduce(or_, (reduce(and_, map(phrase, choice)) for choice in group))
            for group in self.query.groups
        )
        return reduce(or_ if self.some_words else and_, groups)

    def _tsquery_sql(self):
        """Each group a choice among its synonyms (||), every group required (&&), or any
        (||) for ``some_words``: SQL with its parameters (the folded words)."""
        params, groups = [], []
        for group in self.query.groups:
            choices = []
            for choice in group:
                params += [folded_words(" ".join(words)) for words in choice]
                phrases = ["phraseto_tsquery('english'::regconfig, %s)"] * len(choice)
                choices.append("(" + " && ".join(phrases) + ")")
            groups.append("(" + " || ".join(choices) + ")")
        return "(" + (" || " if self.some_words else " && ").join(groups) + ")", params

    def _fetch_page(self, offset, limit):
        tsquery, tsparams = self._tsquery_sql()
        query = Post.objects.published().order_by().values_list("id", "published_at").query
        published, params = query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(
                "WITH newest AS MATERIALIZED (SELECT p.id, p.published_at, d.vector "  # noqa: S608
                f"FROM ({published}) AS p JOIN search_document AS d ON d.post_id = p.id "
                f"WHERE d.vector @@ {tsquery} "
                "ORDER BY p.published_at DESC, p.id DESC LIMIT %s), "
                "pool AS (SELECT * FROM newest ORDER BY published_at DESC, id DESC LIMIT %s) "
                "SELECT pool.id, (SELECT COUNT(*) FROM newest) FROM pool "
                f"ORDER BY ts_rank(pool.vector, {tsquery}) DESC, pool.published_at DESC, "
                "pool.id DESC LIMIT %s OFFSET %s",
                [*params, *tsparams, RANKED_NEWEST + 1, RANKED_NEWEST, *tsparams, limit, offset],
            )
            rows = cursor.fetchall()
        if not rows:
            return [], None
        ids, total = [row[0] for row in rows], rows[0][1]
        found = {post.pk: post for post in Post.objects.filter(pk__in=ids).for_listing()}
        posts = [found[pk] for pk in ids if pk in found]
        tsquery = self._tsquery()
        headlines = (
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
            .values_list("pk", "snippet", "body", "author")
        )
        headlines = {
            pk: (accents_highlighted(snippet, body, self.query), people)
            for pk, snippet, body, people in headlines
        }
        for post in posts:
            post.snippet, post.people = headlines.get(post.pk, ("", ""))
        return posts, total
