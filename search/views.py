"""The search page and the OpenSearch description that lets browsers offer it."""

from django.conf import settings
from django.core.paginator import InvalidPage, Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode

from blog.models import with_addresses
from search import engines
from search.engines import search_posts
from search.query import MAX_QUERY_CHARS, parse
from search.snippets import snippet_html

RESULTS_PER_PAGE = 10


def search(request):
    """``/search/?q=...&page=N``: published posts only, best match first, newest among equals.

    A bad page number is a 404 like every list; any query at all gets a page.
    """
    query = parse(request.GET.get("q", ""))
    number = _page_number(request.GET.get("page"))
    expected = ((number - 1) * RESULTS_PER_PAGE, RESULTS_PER_PAGE) if number else None
    hits = search_posts(query, page=expected)
    paginator = Paginator(hits, RESULTS_PER_PAGE)
    try:
        page = paginator.page(request.GET.get("page") or 1)
    except InvalidPage as error:
        raise Http404(str(error)) from error
    shown = with_addresses(page.object_list)
    for hit in shown:
        hit.snippet_html = snippet_html(getattr(hit, "snippet", ""))
    return render(
        request,
        "search/results.html",
        {
            "query": query,
            "max_query_chars": MAX_QUERY_CHARS,
            "page_obj": page,
            "hits": shown,
            "result_count": paginator.count,
            # Above RANKED_NEWEST matches only the newest are ranked: "more than 1,000".
            "results_capped": hits.capped,
            "ranked_newest": f"{engines.RANKED_NEWEST:,}",
            "page_link": _page_link(query.text),
        },
    )


def _page_number(value):
    """The page number asked for, if it is one (the paginator judges the rest: a 404)."""
    value = value or "1"
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 6 else None


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
