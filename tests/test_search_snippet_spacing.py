"""Issue 14 clinician check: the text a snippet shows reads as the page does. Inline
elements join with nothing ("ClinicalTrials.gov, number"), blocks end a line (a heading
never runs into the paragraph after it), and a space typed before closing punctuation is
dropped; on both engines."""

import re
import time

import pytest

from search.extraction import visible_text
from search.models import SearchDocument
from tests.factories import make_post
from tests.search_support import search

pytestmark = pytest.mark.django_db

BODY = (
    "## The abstract\n\n"
    "**Background:** alemtuzumab reduces disease activity. This study is registered with "
    "[ClinicalTrials.gov](https://clinicaltrials.gov) , number NCT00548405 .\n"
)


def snippets(response):
    return re.findall(r'<p class="search-snippet">(.*?)</p>', response.content.decode(), re.S)


def test_inline_elements_join_with_nothing_and_blocks_end_a_line():
    html = (
        "<h2>The abstract</h2><p><strong>Background:</strong> x <em>y</em>z, "
        '<a href="/">ClinicalTrials.gov</a>, number <code>NCT00548405</code>.</p>'
        "<ul><li>one</li><li>two</li></ul><p>a<br>b &amp; c</p>"
    )
    assert visible_text(html) == (
        "The abstract\nBackground: x yz, ClinicalTrials.gov, number NCT00548405.\n"
        "one\ntwo\na\nb & c"
    )


def test_a_space_before_closing_punctuation_is_dropped_but_not_inside_words():
    assert visible_text("<p>ClinicalTrials.gov , number NCT00548405 .</p>") == (
        "ClinicalTrials.gov, number NCT00548405."
    )
    assert visible_text("<p>a .NET tool ; (see) x</p>") == "a .NET tool; (see) x"


def test_the_document_holds_the_lines(an_author):
    post = make_post(author=an_author, title="CARE-MS II", body=BODY)
    body = SearchDocument.objects.get(post=post).body
    assert body.startswith("The abstract\nBackground: alemtuzumab")
    assert "ClinicalTrials.gov, number NCT00548405." in body


def test_the_snippet_reads_as_the_page(client, an_author):
    make_post(author=an_author, title="CARE-MS II", body=BODY)
    (snippet,) = snippets(search(client, "alemtuzumab"))
    text = re.sub(r"</?mark>", "", snippet)
    assert "abstract \u00b7 Background: alemtuzumab" in text  # PostgreSQL drops "The"
    assert "ClinicalTrials.gov, number NCT00548405" in text
    assert " ," not in text and " ." not in text and "NCT00548405 " not in text


def test_extraction_is_linear_in_the_body():
    def timed(n):
        html = "<p>" + "word , <b>x</b> " * n + "</p>" + "<li>a</li>" * n
        start = time.thread_time()  # this thread's CPU: other work on the machine is not counted
        visible_text(html)
        return time.thread_time() - start

    small = min(timed(2_000) for _ in range(3))
    large = min(timed(16_000) for _ in range(3))
    assert large < small * 8 * 3
