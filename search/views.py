"""The search page and the OpenSearch description that lets browsers offer it."""

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode

from blog.models import with_addresses
from search import engines
from search.engines import search_posts
from search.matched import matched_elsewhere
from search.query import MAX_QUERY_CHARS, parse
from search.snippets import snippet_html

RESULTS_PER_PAGE = 10
MAX_PAGE_DIGITS = 6


def search(request):
    """``/search/?q=...&page=N``: published posts only, best match first, newest among equals.

    Any query at all gets a page, and so does any page number: one that is not a number,
    or below 1, shows page 1; one past the end, the last page (a reader who follows an old
    link, or edits the address, still sees results rather than an error).
    """
    query = parse(request.GET.get("q", ""))
    number = page_number(request.GET.get("page"))
    wanted = ((number - 1) * RESULTS_PER_PAGE, RESULTS_PER_PAGE)
    hits, some_words = search_posts(query, page=wanted), False
    if hits.count() == 0 and len(query.groups) > 1:
        # No post has every word: the posts with some of them, labelled so (one query more).
        fallback = search_posts(query, page=wanted, some_words=True)
        if fallback.count():
            hits, some_words = fallback, True
    paginator = Paginator(hits, RESULTS_PER_PAGE)
    page = paginator.page(min(number, paginator.num_pages))
    shown = with_addresses(page.object_list)
    for hit in shown:
        hit.snippet_html = snippet_html(getattr(hit, "snippet", ""))
        hit.matched_elsewhere = matched_elsewhere(hit, query)
    return render(
        request,
        "search/results.html",
        {
            "query": query,
            "max_query_chars": MAX_QUERY_CHARS,
            "page_obj": page,
            "hits": shown,
            "result_count": paginator.count,
            "some_words": some_words,
            # Above RANKED_NEWEST matches only the newest are ranked: "more than 1,000".
            "results_capped": hits.capped,
            "ranked_newest": f"{engines.RANKED_NEWEST:,}",
            "page_link": _page_link(query.text),
        },
    )


def page_number(value):
    """The page asked for: a whole number from 1 (anything else is 1; the view caps it at
    the last page). Digits only, at most ``MAX_PAGE_DIGITS`` of them read, so no text
    is ever turned into a huge number."""
    value = (value or "").strip()
    if not (value.isascii() and value.isdigit()):
        return 1
    if len(value) > MAX_PAGE_DIGITS:
        return 10**MAX_PAGE_DIGITS
    return max(int(value), 1)


def _page_link(text):
    """``?q=...&page=`` for the pagination links (the page number is appended)."""
    return reverse("search:search") + "?" + urlencode({"q": text}) + "&page="


def opensearch(request):
    """The OpenSearch description (``<link rel="search">`` in every page's head)."""
    return render(
        request,
        "search/opensearch.xml",
        {
            "SITE_URL": settings.SITE_URL,
            "search_url": settings.SITE_URL + reverse("search:search"),
            "self_url": settings.SITE_URL + reverse("search:opensearch"),
        },
        content_type="application/opensearchdescription+xml; charset=utf-8",
    )
