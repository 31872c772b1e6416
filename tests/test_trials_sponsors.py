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


# --- Funders typed as abstracts print them (tryout of issue 12) --------------------------
AS_PRINTED = "Genzyme (Sanofi) and Bayer Schering Pharma"


@pytest.mark.parametrize(
    ("typed", "names"),
    [
        (AS_PRINTED, ["Genzyme", "Sanofi", "Bayer Schering Pharma"]),
        ("Genzyme (Sanofi) & Bayer Schering Pharma",
         ["Genzyme", "Sanofi", "Bayer Schering Pharma"]),
        ("Medical Research Council and Wellcome Trust",
         ["Medical Research Council", "Wellcome Trust"]),
        ("Roche and Johnson & Johnson", ["Roche", "Johnson & Johnson"]),
        ("Procter & Gamble and Roche", ["Procter & Gamble", "Roche"]),
        ("Merck & Co, Inc. and Pfizer", ["Merck & Co, Inc.", "Pfizer"]),
        ('"Institute of Cancer and Genetics" and Roche',
         ["Institute of Cancer and Genetics", "Roche"]),
        ("\u201cInstitute of Cancer and Genetics\u201d", ["Institute of Cancer and Genetics"]),
    ],
)  # fmt: skip
def test_and_between_two_names_separates_them(typed, names):
    assert split_organisations(typed) == names


@pytest.mark.parametrize(
    "name",
    [
        "Johnson & Johnson",
        "Johnson and Johnson",
        "Procter & Gamble",
        "Smith & Nephew",
        "Bill & Melinda Gates Foundation",
        "Merck & Co., Inc.",
        "Janssen Research & Development",
        "Department of Health and Social Care",
        "National Institute for Health and Care Research",
        "Sanofi & Sanofi",
        "Fondation for research and teaching",  # a lower-case side is not a name
    ],
)
def test_an_and_inside_a_name_keeps_it_whole(name):
    assert split_organisations(name) == [name]


@pytest.mark.parametrize("disclosed", ["Genzyme", "Bayer Schering Pharma", "Sanofi"])
def test_each_funder_of_the_printed_line_gives_the_notice(disclosed):
    assert disclosed_funders(AS_PRINTED, disclosed) == [disclosed]


@pytest.mark.parametrize(
    "disclosed",
    [
        "Genzyme Corporation",
        "Genzyme Corp.",
        "Genzyme Co.",
        "Genzyme Company",
        "Genzyme Limited",
        "Genzyme Incorporated",
        "Genzyme S.p.A.",
        "Genzyme B.V.",
        "Genzyme N.V.",
        "Genzyme KGaA",
    ],
)
def test_more_legal_endings_are_dropped(disclosed):
    assert disclosed_funders(AS_PRINTED, disclosed) == ["Genzyme"]


@pytest.mark.parametrize(
    "disclosed",
    [
        "Genzyme Bayer",
        "Genentech Corporation",
        "Bayer Corp",
        "Corporation",
        "Schering",
    ],
)
def test_near_misses_of_the_printed_line_do_not_match(disclosed):
    assert disclosed_funders(AS_PRINTED, disclosed) == []


def test_a_disclosure_written_with_and_names_each_organisation():
    disclosed = "Genzyme and Bayer Schering Pharma"
    assert disclosed_funders(AS_PRINTED, disclosed) == ["Genzyme", "Bayer Schering Pharma"]
