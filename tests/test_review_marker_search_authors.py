"""Issue 14 leftovers: search results and the author page mark a post past its review date
("May be out of date") as the home, label and archive cards do, with no extra query."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from authors.services import author_profile_ensure
from tests.factories import make_post
from tests.search_support import search

pytestmark = pytest.mark.django_db

OLD_MARKER = (
    '<p class="review-marker"><strong>May be out of date:</strong> written in 2012 and '
    "not reviewed since.</p>"
)


def _cards(html, css_class):
    """{title: card HTML} for each card of ``css_class`` on the page."""
    cards = re.findall(
        rf'<li class="{css_class}">.*?</li>|<article class="{css_class}".*?</article>', html, re.S
    )
    return {re.search(r'<h2 class="post-title".*?<a [^>]*>(.*?)</a>', c, re.S)[1]: c for c in cards}


def _three(author=None):
    today = timezone.localdate()
    old = make_post(
        author=author,
        title="Old natalizumab write-up",
        published_at=timezone.now().replace(year=2012),
    )
    overdue = make_post(
        author=author,
        title="Overdue natalizumab write-up",
        last_reviewed=today - timedelta(days=400),
        next_review_due=today - timedelta(days=1),
    )
    make_post(author=author, title="Fresh natalizumab write-up")
    return old, overdue


def _marked(cards):
    return {title: "review-marker" in card for title, card in cards.items()}


EXPECTED = {
    "Old natalizumab write-up": True,
    "Overdue natalizumab write-up": True,
    "Fresh natalizumab write-up": False,
}


def test_search_results_mark_posts_past_their_review_date(client):
    old, overdue = _three()
    cards = _cards(search(client, "natalizumab").content.decode(), "search-result")
    assert _marked(cards) == EXPECTED
    assert OLD_MARKER in cards[old.title]
    assert (
        f"last reviewed in {overdue.last_reviewed:%B %Y}; its next review is overdue."
        in cards[overdue.title]
    )


def test_the_author_page_marks_posts_past_their_review_date(client, an_author):
    profile = author_profile_ensure(user=an_author)
    old, _overdue = _three(author=an_author)
    html = client.get(profile.get_absolute_url()).content.decode()
    cards = _cards(html, "post-summary")
    assert _marked(cards) == EXPECTED
    assert OLD_MARKER in cards[old.title]


def test_the_marker_costs_no_query(client, an_author, django_assert_num_queries):
    """The same count for a page of fresh posts as for one where every post is overdue."""
    profile = author_profile_ensure(user=an_author)
    for i in range(3):
        make_post(author=an_author, title=f"Fresh natalizumab {i}")
    pages = [profile.get_absolute_url(), "/search/?q=natalizumab"]
    counts = []
    for address in pages:
        client.get(address)
        with CaptureQueriesContext(connection) as fresh:
            client.get(address)
        counts.append(len(fresh))
    for i in range(3):
        make_post(
            author=an_author,
            title=f"Old natalizumab {i}",
            published_at=timezone.now().replace(year=2012),
        )
    for address, before in zip(pages, counts, strict=True):
        client.get(address)
        with django_assert_num_queries(before):
            html = client.get(address).content.decode()
        assert html.count('class="review-marker"') == 3
