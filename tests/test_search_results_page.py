"""Issue 14 tryout: the results page. Any page number gets a page (never a 404 or a 500);
the hint under the box; tips when nothing is found; each result reads title, meta,
snippet and nothing else; a long query is shortened at a word and the reader told."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from search.query import MAX_QUERY_CHARS, parse
from tests.factories import make_post
from tests.search_support import SEARCH_URL, result_titles, search

pytestmark = pytest.mark.django_db


@pytest.fixture
def twenty_three(an_author):
    for i in range(23):
        make_post(
            author=an_author,
            title=f"Natalizumab note {i}",
            published_at=timezone.now() - timedelta(hours=i),
        )


FIRST = [f"Natalizumab note {i}" for i in range(10)]
LAST = [f"Natalizumab note {i}" for i in range(20, 23)]


@pytest.mark.parametrize(
    ("page", "expected", "number"),
    [
        ("abc", FIRST, 1),
        ("0", FIRST, 1),
        ("-1", FIRST, 1),
        ("", FIRST, 1),
        ("1.5", FIRST, 1),
        ("²", FIRST, 1),  # a digit to str.isdigit(), not to int()
        ("٣", FIRST, 1),  # Arabic-Indic three
        ("0003", LAST, 3),
        ("4", LAST, 3),
        ("99999", LAST, 3),
        ("9" * 5000, LAST, 3),  # more digits than int() reads
    ],
)
def test_any_page_number_gets_a_page(client, twenty_three, page, expected, number):
    response = search(client, "natalizumab", page=page)
    assert response.status_code == 200
    assert result_titles(response) == expected
    assert f"23 posts found for <q>natalizumab</q>, page {number} of 3." in (
        response.content.decode()
    )


def test_a_page_number_with_nothing_found_is_the_empty_page(client, twenty_three):
    response = search(client, "nothingsuch", page="7")
    assert response.status_code == 200
    assert "No posts found for <q>nothingsuch</q>." in response.content.decode()


def test_a_page_number_without_a_query_shows_the_form(client, twenty_three):
    response = client.get(SEARCH_URL, {"page": "abc"})
    assert response.status_code == 200
    assert 'id="search-q"' in response.content.decode()


@pytest.fixture
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 300
    settings.PAGE_CACHE_HEADER = True


def test_with_the_page_cache_a_bad_page_number_is_served_not_stored(
    client, twenty_three, page_cache_on
):
    """``page`` is declared to the page cache (search.apps): a canonical number is its own
    page; anything else is served uncached, so it never takes the slot of a real page."""
    for bad in ("abc", "0", "-1", "03"):
        response = search(client, "natalizumab", page=bad)
        assert result_titles(response) == (LAST if bad == "03" else FIRST)
        assert response.get("X-Page-Cache") != "hit"
        assert search(client, "natalizumab", page=bad).get("X-Page-Cache") != "hit"
    assert search(client, "natalizumab", page="99")["X-Page-Cache"] == "miss"
    again = search(client, "natalizumab", page="99")
    assert again["X-Page-Cache"] == "hit"
    assert result_titles(again) == LAST
    first = search(client, "natalizumab", page="1")
    assert result_titles(first) == FIRST


def test_the_hint_under_the_box_says_how_search_works(client):
    page = client.get(SEARCH_URL).content.decode()
    form = page[
        page.index('<form class="search-form"') : page.index(
            "</form>", page.index('<form class="search-form"')
        )
    ]
    hint = re.search(r'<p class="search-hint" id="search-q-hint">(.*?)</p>', form).group(1)
    assert form.index('id="search-q"') < form.index('id="search-q-hint"')  # under the box
    assert 'aria-describedby="search-q-hint"' in form
    assert "every word you type" in hint
    assert '<kbd>"rate ratio"</kbd>' in hint  # how to search a phrase


def test_nothing_found_suggests_what_to_try(client, a_post):
    page = search(client, "zebrafish okapi").content.decode()
    assert "No posts found for <q>zebrafish okapi</q>." in page
    tips = page[page.index('<div class="search-tips">') :]
    tips = tips[: tips.index("</div>")]
    assert "Use fewer words" in tips
    assert "Check the spelling" in tips
    assert '<a href="/labels/">label</a>' in tips


def test_no_tips_when_something_is_found(client, a_post):
    assert "search-tips" not in search(client, "write-up").content.decode()


def test_each_result_reads_title_meta_snippet_and_nothing_else(client, an_author):
    make_post(
        author=an_author,
        title="Ocrelizumab in PPMS",
        summary="A summary that is not the snippet.",
        body="Ocrelizumab slowed disability in primary progressive MS.",
        labels=["neurology"],
    )
    make_post(author=an_author, title="Ocrelizumab again", body="More ocrelizumab.")
    page = search(client, "ocrelizumab").content.decode()
    items = re.findall(
        r'<li class="search-result">(.*?)</li>\s*(?=<li class="search-result">|</ol>)', page, re.S
    )
    assert len(items) == 2
    for item in items:
        title = item.index('<h2 class="post-title"')
        meta = item.index('<p class="byline">')
        snippet = item.index('<p class="search-snippet">')
        assert title < meta < snippet
        after = item[item.index("</p>", snippet) + len("</p>") :]
        assert re.sub(r"\s+", "", after) == "</article>"  # nothing after the snippet
        assert "Read the post" not in item
        assert item.count("<article") == item.count("</article>") == 1
    first = items[0] if "PPMS" in items[0] else items[1]
    assert '<a class="label" rel="tag" href="/labels/neurology/">neurology</a>' in first
    assert "<time datetime=" in first
    assert "<mark>Ocrelizumab</mark>" in first
    assert "A summary that is not the snippet." not in first


def test_a_result_without_a_snippet_shows_its_summary_in_its_place(client, an_author):
    make_post(author=an_author, title="Vidofludimus", summary="In short.", body="")
    page = search(client, "vidofludimus").content.decode()
    assert '<p class="search-snippet">In short.</p>' in page


def test_a_long_query_is_shortened_at_a_word_and_the_reader_told(client, a_post):
    words = ["alemtuzumab"] * 30  # 359 characters
    response = search(client, " ".join(words))
    page = response.content.decode()
    query = parse(" ".join(words))
    assert query.cut
    assert len(query.text) <= MAX_QUERY_CHARS
    assert query.text.split(" ") == ["alemtuzumab"] * len(query.text.split(" "))
    assert f'value="{query.text}"' in page
    assert f"longer than {MAX_QUERY_CHARS} characters, so it was shortened" in page


@pytest.mark.parametrize("pad", range(1, 15))
def test_shortening_never_cuts_inside_a_word(pad):
    """The limit falls at each place in a word, and between words, in turn."""
    first = "w" * pad
    typed = " ".join([first, *["relapse"] * 30, "interferon"])
    query = parse(typed)
    assert query.cut
    assert len(query.text) <= MAX_QUERY_CHARS
    assert len(query.text) > MAX_QUERY_CHARS - len(" relapse")  # as many words as fit
    assert query.text.split(" ")[1:] == ["relapse"] * (len(query.text.split(" ")) - 1)
    assert query.text.split(" ")[0] == first
    assert query.phrases == ((first,), ("relapse",))


def test_one_word_longer_than_the_limit_is_cut_at_the_limit():
    query = parse("x" * (MAX_QUERY_CHARS + 50))
    assert query.cut and query.text == "x" * MAX_QUERY_CHARS


def _prose(template_text):
    """A template's text as readers see it: no template tags, no markup, no <kbd> (what to
    type is not prose)."""
    text = re.sub(r"\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}", " ", template_text, flags=re.S)
    text = re.sub(r"<kbd>.*?</kbd>", " ", text, flags=re.S)
    return re.sub(r"<[^>]*>", " ", text)


def test_search_prose_uses_typographic_apostrophes_and_quotes(settings):
    from pathlib import Path

    folder = Path(settings.BASE_DIR) / "templates" / "search"
    for path in sorted(folder.glob("*.html")):
        prose = _prose(path.read_text())
        assert "'" not in prose and '"' not in prose, path.name
    page = (folder / "results.html").read_text()
    assert "Add a word or a “phrase” to narrow the search." in page
