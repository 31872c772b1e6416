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
