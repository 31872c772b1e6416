"""Issue 14 clinician check: a result found only by its author's name or a disclosure says
so ("Matched in: author", "Matched in: disclosure — " with the words marked, escaped); the
hint names authors and disclosures; "Use fewer words" is no tip for a one-word search.
Both engines."""

import re

import pytest

from blog.models import Disclosure, Post
from search.matched import query_targets
from search.query import parse
from tests.factories import make_post, make_user
from tests.search_support import result_titles, search

pytestmark = pytest.mark.django_db


@pytest.fixture
def declared(an_author):
    post = make_post(
        author=make_user(first_name="Hollis", last_name="Vantreight"),
        title="CARE-MS II",
        body="Alemtuzumab against interferon.",
        disclosure=False,
    )
    Disclosure.objects.create(
        post=post,
        person="Dr Pim <b>Osterhout</b>",
        relationship=Disclosure.Relationship.HONORARIA,
        organisations="Genzyme, Quillon & <Pharma>",
        statement="Speaker fees in 2011.",
    )
    post.status = Post.Status.PUBLISHED
    post.save()
    return post


def result(response, title):
    html = response.content.decode()
    return html.split(f">{title}</a>", 1)[1].split("</article>", 1)[0]


def matched(response, title):
    found = re.search(r'<p class="search-matched">(.*?)</p>', result(response, title), re.S)
    return found and found.group(1)


def test_a_match_in_the_author_s_name_says_so(client, declared):
    assert matched(search(client, "Vantreight"), "CARE-MS II") == "Matched in: author"


@pytest.mark.parametrize("query", ["Quillon", "quillon pharma", "osterhout"])
def test_a_match_in_a_disclosure_shows_it_marked_and_escaped(client, declared, query):
    shown = matched(search(client, query), "CARE-MS II")
    assert shown.startswith("Matched in: disclosure — ")
    marks = [m.casefold() for m in re.findall(r"<mark>(.*?)</mark>", shown)]
    assert set(query.casefold().split()) <= set(marks)
    text = re.sub(r"</?mark>", "", shown)
    assert "&lt;b&gt;" in text and "Quillon &amp; &lt;Pharma&gt;" in text
    assert "<b>" not in shown and "<Pharma>" not in shown and "&amp;amp;" not in shown


def test_a_match_in_the_body_shows_no_matched_in(client, declared):
    response = search(client, "alemtuzumab")
    assert "<mark>" in result(response, "CARE-MS II")
    assert matched(response, "CARE-MS II") is None


def test_synonyms_count_as_the_query_s_words():
    assert {"interferon", "ifn", "ifns"} <= set(query_targets(parse("IFN")))


def test_the_hint_names_authors_and_disclosures(client, declared):
    hint = re.search(r'<p class="search-hint"[^>]*>(.*?)</p>', search(client, "x").content.decode())
    assert "an author, or a company named in a disclosure." in hint.group(1)


def test_no_fewer_words_tip_for_one_word(client, declared):
    html = search(client, "zebrafish").content.decode()
    assert "search-tips" in html and "Use fewer words" not in html
    assert result_titles(search(client, "zebrafish")) == []
    assert "Use fewer words" in search(client, "zebrafish okapi").content.decode()
