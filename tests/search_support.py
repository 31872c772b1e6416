"""Helpers for the search tests: the titles a results page lists, in order."""

import re

from django.urls import reverse

SEARCH_URL = reverse("search:search")
_RESULT_TITLE = re.compile(
    r'<li class="search-result">\s*<article[^>]*>\s*<h2 class="post-title"[^>]*>'
    r'<a href="[^"]*">([^<]*)</a>'
)


def result_titles(response):
    assert response.status_code == 200
    return _RESULT_TITLE.findall(response.content.decode())


def search(client, q, **params):
    return client.get(SEARCH_URL, {"q": q, **params})


SOME_WORDS = "No post has all of your words; these have some of them."


def all_words_titles(response):
    """The titles of the posts that have every word: none when the page shows, labelled,
    the posts that have only some of them (search.views)."""
    titles = result_titles(response)
    return [] if SOME_WORDS in response.content.decode() else titles
