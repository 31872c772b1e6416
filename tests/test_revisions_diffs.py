"""Word-level diffs: readable, escaped, any script, and bounded work for huge bodies."""

import html

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from blog import diffs
from tests.strategies import any_script_paragraphs


def sides(diff):
    """The text before and after, rebuilt from the diff's parts."""
    before = "".join(text for op, text in diff.parts if op != "+")
    after = "".join(text for op, text in diff.parts if op != "-")
    return before, after


def test_a_changed_word_is_marked_alone():
    diff = diffs.word_diff("Relapses fell by 49%.", "Relapses fell by 55%.")
    assert diff.html() == "Relapses fell by <del>49</del><ins>55</ins>%."


def test_every_token_is_escaped():
    diff = diffs.word_diff("p<0·001 & n=202", "p<0·01 & n=<script>alert(1)</script>")
    out = diff.html()
    assert "<script>" not in out
    assert "&lt;script&gt;" in out and "&amp;" in out
    assert out.count("<ins>") >= 1 and out.count("<del>") >= 1


@pytest.mark.parametrize(
    ("before", "after", "removed", "added"),
    [
        ("Η σκλήρυνση υποτροπιάζει.", "Η σκλήρυνση υποχωρεί.", "υποτροπιάζει", "υποχωρεί"),
        ("多発性 硬化症 の 再発", "多発性 硬化症 の 寛解", "再発", "寛解"),
        ("טרשת נפוצה חוזרת", "טרשת נפוצה יציבה", "חוזרת", "יציבה"),
        ("Result 🧠 good", "Result 🧪 good", "🧠", "🧪"),
    ],
)
def test_words_in_any_script(before, after, removed, added):
    out = diffs.word_diff(before, after).html()
    assert f"<del>{removed}</del>" in out and f"<ins>{added}</ins>" in out


@settings(max_examples=60, deadline=None)
@given(before=any_script_paragraphs(), after=any_script_paragraphs())
def test_a_diff_holds_both_texts_exactly(before, after):
    diff = diffs.word_diff(before, after)
    assert sides(diff) == (before, after)
    assert diff.changed == (before != after)
    # The HTML is the escaped text plus our own tags only.
    stripped = diff.html().replace("<ins>", "").replace("</ins>", "")
    stripped = stripped.replace("<del>", "").replace("</del>", "")
    assert "<" not in stripped
    assert html.unescape(stripped) == "".join(text for _, text in diff.parts)


@pytest.mark.parametrize("size", [1_000, 8_000, 64_000])
def test_work_is_bounded_for_huge_bodies(size):
    """A body of ``size`` lines, every line changed: the work given to SequenceMatcher
    stays under a fixed ceiling however large the text."""
    before = "\n".join(f"line {i} alpha beta gamma" for i in range(size))
    after = "\n".join(f"line {i} alpha BETA gamma" for i in range(size))
    diff = diffs.word_diff(before, after)
    assert sides(diff) == (before, after)
    assert diff.work <= diffs.MAX_LINES**2 + diffs.MAX_WORD_PAIRS


def test_one_huge_changed_paragraph_is_shown_whole():
    before = " ".join(f"w{i}" for i in range(5_000))
    after = " ".join(f"v{i}" for i in range(5_000))
    diff = diffs.word_diff(before, after)
    assert diff.parts == [("-", before), ("+", after)]
    assert diff.work == 1  # one line against one line; no word matching beyond the ceiling


def test_a_small_change_in_a_huge_body_is_found_word_by_word():
    lines = [f"Paragraph {i}: relapses fell." for i in range(50_000)]
    changed = list(lines)
    changed[25_000] = "Paragraph 25000: relapses rose."
    diff = diffs.word_diff("\n".join(lines), "\n".join(changed))
    assert [p for p in diff.parts if p[0] != "="] == [("-", "fell"), ("+", "rose")]
    assert diff.work <= 101  # one line against one, then its 10 tokens against 10


@given(st.text(max_size=50))
def test_equal_texts_have_no_change(text):
    diff = diffs.word_diff(text, text)
    assert not diff.changed and sides(diff) == (text, text)


def test_disclosures_read_as_lines():
    rows = [
        {"person": "Ada", "relationship": "consultancy", "organisations": "Genzyme"},
        {"person": "Bea", "relationship": "none", "statement": "Nothing."},
    ]
    text = diffs.disclosures_text(rows)
    assert text == "Ada: Consultancy (Genzyme)\nBea: Nothing to disclose. \u201cNothing.\u201d\n"


def test_the_public_form_keeps_three_lines_around_each_change():
    before = "\n".join(f"line {i} <x>" for i in range(40))
    after = before.replace("line 20 <x>", "line twenty <x>")
    out = diffs.word_diff(before, after).changed_html()
    assert "line 17 &lt;x&gt;" in out and "line 23 &lt;x&gt;" in out
    assert "line 16 " not in out and "line 24 " not in out
    assert '<span class="diff-skip">[17 unchanged lines]</span>' in out
    assert "<del>20</del><ins>twenty</ins>" in out


def test_short_unchanged_runs_are_kept_whole():
    out = diffs.word_diff("a\nb\nc\nd", "a\nb\nX\nd").changed_html()
    assert "diff-skip" not in out and out.startswith("a\nb\n")
