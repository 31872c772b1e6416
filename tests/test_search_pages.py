"""The search page with the page cache on, its query budget, the OpenSearch description
and the search box on every page."""

import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import make_post
from tests.search_support import SEARCH_URL, result_titles, search

pytestmark = pytest.mark.django_db


@pytest.fixture
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 300
    settings.PAGE_CACHE_HEADER = True


def test_each_query_and_page_is_its_own_cached_page(client, an_author, page_cache_on):
    for i in range(12):
        make_post(author=an_author, title=f"Ozanimod {i}", body="Ozanimod.")
    make_post(author=an_author, title="Siponimod only", body="Siponimod.")
    first = search(client, "ozanimod")
    assert first["X-Page-Cache"] == "miss"
    assert len(result_titles(first)) == 10
    again = search(client, "ozanimod")
    assert again["X-Page-Cache"] == "hit"
    assert again.content == first.content
    other = search(client, "siponimod")
    assert other["X-Page-Cache"] == "miss"
    assert result_titles(other) == ["Siponimod only"]
    second_page = search(client, "ozanimod", page=2)
    assert second_page["X-Page-Cache"] == "miss"
    assert len(result_titles(second_page)) == 2
    assert search(client, "ozanimod", page=2)["X-Page-Cache"] == "hit"


def test_spellings_of_one_query_share_a_page_and_junk_parameters_are_ignored(
    client, a_post, page_cache_on
):
    search(client, "neurology")
    for variant in ("  neurology ", "neurology\t"):
        assert search(client, variant)["X-Page-Cache"] == "hit"
    assert client.get(SEARCH_URL + "?q=neurology&utm_source=x")["X-Page-Cache"] == "hit"


def test_a_new_post_is_found_at_once_with_the_cache_on(client, an_author, page_cache_on):
    assert result_titles(search(client, "ponesimod")) == []
    make_post(author=an_author, title="Ponesimod")
    assert result_titles(search(client, "ponesimod")) == ["Ponesimod"]


def test_a_very_long_query_is_served_but_not_stored(client, a_post, page_cache_on):
    response = search(client, "x" * 2000)
    assert response.status_code == 200
    assert "X-Page-Cache" not in response or response["X-Page-Cache"] != "hit"
    assert search(client, "x" * 2000).get("X-Page-Cache") != "hit"


def _queries(client, q, page=None):
    with CaptureQueriesContext(connection) as context:
        response = search(client, q, **({"page": page} if page else {}))
    assert response.status_code == 200
    return len(context.captured_queries), response


def test_the_query_count_does_not_grow_with_the_results(
    client, an_author, django_assert_max_num_queries
):
    """At most 6 queries. SQLite: the page's ids in order with the count of all matches,
    their snippets, the posts with their authors, their labels. PostgreSQL: the ranked page
    of posts with their authors and the count, their labels, their headlines. Plus the
    author cards on a cold cache. The same with 1 result, 30 or none."""
    make_post(author=an_author, title="Rituximab 0", labels=["a", "b"])
    one, _ = _queries(client, "rituximab")
    for i in range(1, 30):
        make_post(author=an_author, title=f"Rituximab {i}", labels=["a", f"l{i}"])
    with django_assert_max_num_queries(6):
        thirty, response = _queries(client, "rituximab")
    assert len(result_titles(response)) == 10
    assert thirty == one
    page_three, _ = _queries(client, "rituximab", page=3)
    assert page_three <= one  # the author cards are cached by now: one query fewer
    nothing, _ = _queries(client, "nothingmatchesthis")
    assert nothing <= one


def test_the_empty_search_page_costs_no_query_for_results(client, a_post):
    with CaptureQueriesContext(connection) as context:
        assert client.get(SEARCH_URL).status_code == 200
    assert not any("search_" in q["sql"] for q in context.captured_queries)


def test_every_page_has_the_search_box_and_the_opensearch_link(client, a_post):
    for url in ("/", a_post.get_absolute_url(), reverse("blog:label_list"), SEARCH_URL):
        page = client.get(url).content.decode()
        assert '<form class="search-box" role="search" aria-label="Site" action="/search/"' in page
        assert '<label for="search-box-q">Search posts</label>' in page
        assert (
            '<link rel="search" type="application/opensearchdescription+xml" '
            'title="Trialpress" href="/search/opensearch.xml">'
        ) in page


def test_the_opensearch_description_parses_and_points_to_the_search(client):
    response = client.get(reverse("search:opensearch"))
    assert response["Content-Type"].startswith("application/opensearchdescription+xml")
    root = ET.fromstring(response.content)
    ns = {"os": "http://a9.com/-/spec/opensearch/1.1/"}
    assert root.find("os:ShortName", ns).text == "Trialpress"
    html_url = next(u for u in root.findall("os:Url", ns) if u.get("type") == "text/html")
    assert html_url.get("template") == "http://testserver/search/?q={searchTerms}"


def test_the_opensearch_description_escapes_the_site_name(client, settings):
    settings.SITE_NAME = "Trials & <Tribulations>"
    root = ET.fromstring(client.get(reverse("search:opensearch")).content)
    assert root.find("{http://a9.com/-/spec/opensearch/1.1/}Description").text == (
        "Search the posts of Trials & <Tribulations>"
    )


def test_search_pages_ask_not_to_be_indexed_and_stay_out_of_the_sitemap(client, a_post):
    page = search(client, "neurology").content.decode()
    assert '<meta name="robots" content="noindex, follow">' in page
    assert b"/search/" not in client.get(reverse("blog:sitemap")).content
