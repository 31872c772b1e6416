"""Issue 14 tryout: words matched through accent folding are highlighted in the snippet on
both engines ("ιντερφερονη" finds and marks "β-ιντερφερόνη", "Meniere" marks "Ménière"),
even when the match lies beyond the passage the engine would have shown."""

import gc
import re
import time

import pytest

from search.query import parse
from search.snippets import accents_highlighted, snippet_html
from search.text import MARK_END, MARK_START
from tests.factories import make_post
from tests.search_support import search

pytestmark = pytest.mark.django_db

FILLER = " ".join(f"word{n}" for n in range(60))


def snippets(response):
    html = response.content.decode()
    return re.findall(r'<p class="search-snippet">(.*?)</p>', html, re.S)


def marked(response):
    return [re.findall(r"<mark>(.*?)</mark>", s) for s in snippets(response)]


@pytest.fixture
def greek(an_author):
    return make_post(
        author=an_author,
        title="Σκλήρυνση κατά πλάκας",
        body=f"{FILLER}. Η β-ιντερφερόνη μειώνει τις υποτροπές. Ménière's disease.",
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ιντερφερονη", ["ιντερφερόνη"]),
        ("ΙΝΤΕΡΦΕΡΟΝΗ", ["ιντερφερόνη"]),
        ("β-ιντερφερονη", ["β", "ιντερφερόνη"]),
        ("β-ιντερφερόνη", ["β", "ιντερφερόνη"]),
        ("υποτροπες", ["υποτροπές"]),
        ("Meniere", ["Ménière"]),
        ("MENIERE", ["Ménière"]),
    ],
)
def test_a_folded_match_is_highlighted(client, greek, query, expected):
    (marks,) = marked(search(client, query))
    # PostgreSQL marks "β-ιντερφερόνη" whole, SQLite word by word: the same words either way.
    assert re.findall(r"\w+", " ".join(marks)) == expected


def test_plain_words_are_left_to_the_engine(client, an_author):
    """Stems and stop words: what the engine marked, nothing added (both engines)."""
    make_post(author=an_author, title="Relapses", body="The relapses fell; the rate fell.")
    found = marked(search(client, "relapsing"))
    assert found == [["relapses"]]


def test_the_highlight_is_escaped_and_cannot_be_forged(client, an_author):
    make_post(
        author=an_author,
        title="Forged",
        body=f"{FILLER} Ménière & p<0·001 \ue000x\ue001 Ménière",
    )
    (snippet,) = snippets(search(client, "meniere"))
    assert "<mark>Ménière</mark> &amp; p&lt;0·001" in " ".join(snippet.split())
    assert snippet.count("<mark>") == 2


def _query(text):
    return parse(text)


def test_the_engine_s_marks_are_kept_and_missed_words_added():
    text = f"{MARK_START}beta{MARK_END} and Ménière and menieres"
    assert accents_highlighted(text, "", _query("beta meniere")) == (
        f"{MARK_START}beta{MARK_END} and {MARK_START}Ménière{MARK_END} and menieres"
    )


def test_a_passage_around_the_first_folded_match_when_the_engine_marked_none():
    body = " ".join(f"w{n}" for n in range(100)) + " Ménière " + " ".join("x" * 50)
    out = accents_highlighted("w0 w1 w2", body, _query("meniere"))
    assert out.startswith("… w")
    assert out.endswith("…")
    assert f"{MARK_START}Ménière{MARK_END}" in out
    assert len(out.split()) <= 33


def test_nothing_to_add_leaves_the_engine_s_snippet_alone():
    text = "A plain passage without the word."
    assert accents_highlighted(text, "Ménière elsewhere? no", _query("okapi")) == text
    assert accents_highlighted(None, None, _query("okapi")) == ""


def test_the_html_marks_only_our_markers():
    out = accents_highlighted("<i>Ménière</i>", "", _query("meniere"))
    assert str(snippet_html(out)) == "&lt;i&gt;<mark>Ménière</mark>&lt;/i&gt;"


def test_words_joined_by_other_non_ascii_marks_are_each_read():
    out = accents_highlighted("", "Η θεραπεία…υποτροπές·μειώθηκαν", _query("υποτροπες"))
    assert f"{MARK_START}υποτροπές{MARK_END}" in out


def test_a_match_at_the_start_or_end_of_the_body_has_no_ellipsis_there():
    assert accents_highlighted("", "Ménière at the start.", _query("meniere")) == (
        f"{MARK_START}Ménière{MARK_END} at the start."
    )
    out = accents_highlighted("", "x " * 100 + "the end: Ménière", _query("meniere"))
    assert out.startswith("… x") and out.endswith(f"{MARK_START}Ménière{MARK_END}")


def _best(body, query, repeat=5):
    best = float("inf")
    for _ in range(repeat):
        started = time.thread_time()
        accents_highlighted("", body, query)
        best = min(best, time.thread_time() - started)
    return best


@pytest.mark.parametrize("query", ["meniere", "Ménière"])
@pytest.mark.parametrize("unit", ["plain words here ", "p<0·001 · ", "ε" * 30 + " ", "a" * 5000])
def test_finding_the_passage_is_linear_in_the_body(query, unit):
    """Ten times the body, about ten times the time (the engine's snippet lacked a mark)."""
    parsed = _query(query)
    small, large = unit * 300 + " Ménière", unit * 3000 + " Ménière"
    assert f"{MARK_START}Ménière{MARK_END}" in accents_highlighted("", large, parsed)
    gc.collect()
    gc.disable()
    try:
        ratio = _best(large, parsed) / max(_best(small, parsed), 1e-6)
        took = _best(large, parsed)
    finally:
        gc.enable()
    assert ratio < 40
    assert took < 1.0
