"""The sponsor-overlap matcher: whole names after normalising, never a near miss."""

import pytest

from trials.sponsors import disclosed_funders, normalise_organisation, split_organisations

CARE_MS_II = "Genzyme (Sanofi); Bayer Schering Pharma"


def test_a_bracketed_parent_company_is_a_second_name():
    assert split_organisations(CARE_MS_II) == ["Genzyme", "Sanofi", "Bayer Schering Pharma"]
    assert split_organisations("Genzyme (Sanofi), Bayer\nRoche; ; ,") == [
        "Genzyme",
        "Sanofi",
        "Bayer",
        "Roche",
    ]


@pytest.mark.parametrize(
    ("disclosed", "matched"),
    [
        ("Genzyme, Sanofi", ["Genzyme", "Sanofi"]),  # the demo
        ("genzyme", ["Genzyme"]),
        ("GENZYME INC.", ["Genzyme"]),
        ("Sanofi S.A.", ["Sanofi"]),
        ("Sanofi SA", ["Sanofi"]),
        ("Sanofi (Genzyme)", ["Genzyme", "Sanofi"]),
        ("  Bayer   Schering  Pharma AG ", ["Bayer Schering Pharma"]),
        ("bayer-schering pharma", ["Bayer Schering Pharma"]),
    ],
)
def test_the_same_organisation_however_written_matches(disclosed, matched):
    assert disclosed_funders(CARE_MS_II, disclosed) == matched


@pytest.mark.parametrize(
    "disclosed",
    [
        "Genentech",  # not Genzyme
        "Bayer",  # a leading word is not the company: no partial matches (see sponsors.py)
        "Schering-Plough",
        "Sanofi Pasteur",
        "Sanofi-Aventis",
        "Genzymes",
        "Inc",  # a legal form alone is nothing
        "",
        "Barts Health",
    ],
)
def test_near_misses_do_not_match(disclosed):
    assert disclosed_funders(CARE_MS_II, disclosed) == []


def test_merck_and_co_is_not_merck_kgaa():
    """Why legal forms beyond the usual few are kept: two different companies."""
    assert disclosed_funders("Merck KGaA", "Merck & Co., Inc.") == []
    assert disclosed_funders("Merck Serono", "Merck") == []
    assert disclosed_funders("Merck & Co., Inc.", "Merck and Co") == ["Merck & Co., Inc."]


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Sanofi-Aventis Deutschland GmbH", "sanofi aventis deutschland"),
        ("Johnson & Johnson", "johnson and johnson"),
        ("Dr. Reddy\u2019s Laboratories Ltd", "dr reddys laboratories"),
        ("\uff27\uff45\uff4e\uff5a\uff59\uff4d\uff45", "genzyme"),  # full-width letters (NFKC)
        ("Ελληνική Εταιρεία", "ελληνική εταιρεία"),
        ("...", ""),
    ],
)
def test_names_are_normalised(name, key):
    assert normalise_organisation(name) == key
