"""Splitting a disclosure's organisations (issue 14, tryout finding 3): lists split at commas
and semicolons, but never a name at the comma before its apposition or legal form; the
grouping key; linear time on growing inputs; any text from any script."""

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from authors.organisations import continues_name, organisation_key, split_organisations
from tests.strategies import any_script_text
from tests.test_redos import assert_linear


@pytest.mark.parametrize(
    ("typed", "names"),
    [
        ("Genzyme, a Sanofi company", ["Genzyme, a Sanofi company"]),
        ("Biogen, Novartis; Sanofi", ["Biogen", "Novartis", "Sanofi"]),
        ("Genzyme, a Sanofi company, Bayer", ["Genzyme, a Sanofi company", "Bayer"]),
        ("Merck & Co., Inc.; Merck KGaA", ["Merck & Co., Inc.", "Merck KGaA"]),
        ("Novartis Pharma, S.A., Roche", ["Novartis Pharma, S.A.", "Roche"]),
        ("Acme, Ltd, Biogen, GmbH", ["Acme, Ltd", "Biogen, GmbH"]),
        ("Teva, plc; Pfizer, Inc", ["Teva, plc", "Pfizer, Inc"]),
        ("Serono, now part of Merck", ["Serono, now part of Merck"]),
        ("Schering, formerly Schering AG", ["Schering, formerly Schering AG"]),
        ("Genentech, part of Roche", ["Genentech, part of Roche"]),
        ("Foo, an Abbott company", ["Foo, an Abbott company"]),
        ("Biogen, the maker of Tysabri", ["Biogen, the maker of Tysabri"]),
        ("Apples, Anglia Pharma", ["Apples", "Anglia Pharma"]),  # "An…" is not "an"
        ("Partners Ltd, Nowell Labs", ["Partners Ltd", "Nowell Labs"]),
        ("  Roche ,,  ; ; Biogen\nSanofi ", ["Roche", "Biogen", "Sanofi"]),
        ("a Sanofi company", ["a Sanofi company"]),  # nothing before it to continue
        ("Genzyme; a Sanofi company", ["Genzyme", "a Sanofi company"]),  # a new list item
        ("", []),
        (None, []),
    ],
)
def test_lists_split_but_names_stay_whole(typed, names):
    assert split_organisations(typed) == names


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Genzyme, a Sanofi company", "Genzyme"),
        ("Genzyme Corporation, a Sanofi company", "GENZYME"),
        ("Merck & Co., Inc.", "Merck & Co"),
        ("Novartis Pharma, S.A.", "Novartis Pharma SA"),
        ("Génzyme", "Genzyme Inc."),
    ],
)
def test_an_apposition_or_legal_form_does_not_change_the_group(one, other):
    assert organisation_key(one) == organisation_key(other) != ""


def test_different_companies_stay_apart():
    assert organisation_key("Merck & Co., Inc.") != organisation_key("Merck KGaA")
    assert organisation_key("Bayer") != organisation_key("Bayer Schering Pharma")


# --- any input ------------------------------------------------------------------------------

_PLAIN_NAME = st.text(
    st.characters(whitelist_categories=("Lu", "Ll", "Lo", "Nd"), whitelist_characters=" -&'"),
    min_size=1,
    max_size=25,
).map(lambda s: " ".join(s.split()))


@given(st.lists(_PLAIN_NAME, min_size=1, max_size=8), st.sampled_from([", ", "; ", ",", ";\n"]))
def test_a_list_of_plain_names_splits_into_them(names, separator):
    names = [n for n in names if n]
    assume(names and not any(continues_name(n) for n in names[1:]))
    assert split_organisations(separator.join(names)) == names


@given(
    any_script_text(max_size=30),
    st.sampled_from(
        [
            "a Sanofi company",
            "Inc.",
            "S.A.",
            "part of Roche",
            "now Merck",
            "formerly Serono",
            "Ltd",
            "an Abbott company",
        ]
    ),
)
def test_a_name_in_any_script_keeps_its_apposition(name, apposition):
    name = " ".join(name.replace(",", " ").replace(";", " ").split())
    assume(name)
    typed = f"{name}, {apposition}, Biogen"
    assert split_organisations(typed) == [f"{name}, {apposition}", "Biogen"]


@given(st.text(max_size=200))
def test_any_text_splits_into_tidy_names_never_an_error(text):
    names = split_organisations(text)
    for name in names:
        assert name == " ".join(name.split()) and name
        assert ";" not in name and "\n" not in name
        organisation_key(name)


# --- growing inputs -------------------------------------------------------------------------

SHAPES = {
    "many names": lambda n: "Biogen, " * n,
    "many appositions": lambda n: "Genzyme" + ", a Sanofi company" * n,
    "many legal forms": lambda n: "Merck" + ", Inc." * n,
    "commas only": lambda n: "," * n,
    "one long name": lambda n: "Genzyme " * n,
    "semicolons and dots": lambda n: "S.A.;" * n,
}


@pytest.mark.parametrize("shape", SHAPES.values(), ids=SHAPES.keys())
def test_splitting_is_linear(shape):
    assert_linear(split_organisations, shape)


@pytest.mark.parametrize("shape", SHAPES.values(), ids=SHAPES.keys())
def test_the_key_is_linear(shape):
    assert_linear(organisation_key, shape)
