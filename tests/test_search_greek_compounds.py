"""Issue 14 clinician check: "β-interferon", "beta-interferon", "IFN-β" and "IFN" find a
write-up that says "interferon beta-1a" or "beta interferon"; a lone Greek letter is its
name (α alpha, β beta, γ gamma, κ kappa) in the index and the query; a hyphenated compound
is its words, each required, in any order; identifiers stay phrases. Both engines."""

import gc
import time

import pytest

from search.query import parse
from search.text import fold, folded_words
from tests.factories import make_post
from tests.search_support import SOME_WORDS, all_words_titles, result_titles, search

pytestmark = pytest.mark.django_db


@pytest.fixture
def interferons(an_author):
    make_post(author=an_author, title="Rebif", body="Interferon beta-1a given three times.")
    make_post(author=an_author, title="Older", body="Treated with beta interferon for years.")
    make_post(author=an_author, title="Greek", body="Treated with β-interferon and IFN-γ.")
    make_post(author=an_author, title="Kappa", body="Free κ light chains in the CSF.")
    make_post(author=an_author, title="Other", body="Alemtuzumab in relapsing MS.")


@pytest.mark.parametrize(
    "query",
    ["β-interferon", "beta-interferon", "IFN-β", "IFN β", "interferon-β", "Β-INTERFERON"],
)
def test_every_way_of_writing_beta_interferon_finds_all_three(client, interferons, query):
    assert set(all_words_titles(search(client, query))) == {"Rebif", "Older", "Greek"}


def test_ifn_alone_finds_interferon(client, interferons):
    assert set(all_words_titles(search(client, "IFN"))) == {"Rebif", "Older", "Greek"}


@pytest.mark.parametrize(
    ("query", "titles"),
    [("gamma interferon", {"Greek"}), ("IFN-gamma", {"Greek"}), ("kappa chains", {"Kappa"})],
)
def test_the_letter_s_name_finds_the_letter(client, interferons, query, titles):
    assert set(all_words_titles(search(client, query))) == titles


def test_the_lone_letter_is_highlighted_for_its_name(client, interferons):
    html = search(client, "beta").content.decode()
    greek = html.split(">Greek</a>", 1)[1].split("</article>", 1)[0]
    assert "<mark>β</mark>-interferon" in greek


def test_a_compound_with_a_missing_part_reaches_the_some_words_fallback(client, interferons):
    response = search(client, "β-zebrafish")
    assert SOME_WORDS in response.content.decode()
    assert set(result_titles(response)) == {"Rebif", "Older", "Greek"}


def test_parts_are_required_but_not_a_phrase():
    assert parse("β-interferon").phrases == (("β",), ("interferon",))
    assert len(parse("IFN-β").groups) == 2


@pytest.mark.parametrize(
    "query",
    ["2007-001161-10", "COVID-19", "10.1016/S0140-6736(12)61768-1", "S0140-6736"],
)
def test_identifiers_and_numbers_stay_one_phrase(query):
    assert len(parse(query).phrases) == 1


def test_a_doi_and_a_registry_id_still_find_only_their_post(client, an_author):
    make_post(
        author=an_author,
        title="Cited",
        doi="10.1016/S0140-6736(12)61768-1",
        trial_registration="NCT00548405",
    )
    make_post(author=an_author, title="Near miss", body="10 1016 61768 S0140 NCT00548406 6736")
    for query in ["doi:10.1016/S0140-6736(12)61768-1", "NCT-00548405", "nct 00548405"]:
        assert result_titles(search(client, query)) == ["Cited"], query


def test_greek_words_are_not_renamed():
    assert fold("βήτα") == "βητα"
    assert folded_words("β-ιντερφερόνη and IFN-β1a") == "beta ιντερφερονη and ifn beta 1a"
    assert folded_words("αβ γκ") == "αβ γκ"


def test_folding_is_linear_in_the_text():
    def timed(n):
        text = "β-" * n + "αβ" * n
        start = time.perf_counter()
        folded_words(text)
        parse(text)
        return time.perf_counter() - start

    gc.disable()
    try:
        small = min(timed(8_000) for _ in range(5))
        large = min(timed(32_000) for _ in range(5))
    finally:
        gc.enable()
    assert large < small * 4 * 3
