"""ORCID iDs: the ISO 7064 MOD 11-2 check character, the usual spellings, clear refusals."""

import contextlib

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from authors.orcid import check_character, normalise, validate_orcid

# Published examples: ORCID's own test record (Josiah Carberry) and iDs from ORCID's
# documentation, one of them ending in X.
VALID = ["0000-0002-1825-0097", "0000-0001-5109-3700", "0000-0002-1694-233X"]


@pytest.mark.parametrize("orcid", VALID)
def test_valid_ids_pass(orcid):
    validate_orcid(orcid)
    assert normalise(orcid) == orcid


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("https://orcid.org/0000-0002-1825-0097", "0000-0002-1825-0097"),
        ("http://www.orcid.org/0000-0002-1825-0097", "0000-0002-1825-0097"),
        ("orcid.org/0000-0002-1694-233x", "0000-0002-1694-233X"),
        ("0000000218250097", "0000-0002-1825-0097"),
        (" 0000 0002 1825 0097 ", "0000-0002-1825-0097"),
        ("0000\u20110002\u20111825\u20110097", "0000-0002-1825-0097"),  # non-breaking hyphens
    ],
)
def test_usual_spellings_are_stored_in_one_form(typed, stored):
    validate_orcid(typed)
    assert normalise(typed) == stored


@pytest.mark.parametrize(
    ("orcid", "code"),
    [
        ("0000-0002-1825-0098", "checksum"),  # last digit wrong
        ("0000-0002-1825-0079", "checksum"),  # two digits swapped
        ("0000-0002-1852-0097", "checksum"),
        ("1000-0002-1825-0097", "checksum"),
        ("0000-0002-1694-2330", "checksum"),  # X written as 0
        ("0000-0002-1825-009", "shape"),
        ("0000-0002-1825-00977", "shape"),
        ("X000-0002-1825-0097", "shape"),
        ("abcd-efgh-ijkl-mnop", "shape"),
        ("https://example.org/0000-0002-1825-0097", "shape"),
        ("0000-0002-1825-0097<script>", "shape"),
    ],
)
def test_wrong_ids_are_refused_with_a_reason(orcid, code):
    with pytest.raises(ValidationError) as error:
        validate_orcid(orcid)
    assert error.value.code == code


def test_the_check_character_is_iso_7064_mod_11_2():
    assert check_character("000000021825009") == "7"
    assert check_character("000000021694233") == "X"


@given(st.text(st.characters(min_codepoint=48, max_codepoint=57), min_size=15, max_size=15))
def test_exactly_one_check_character_fits_any_fifteen_digits(digits):
    good = check_character(digits)
    validate_orcid(digits + good)
    for other in "0123456789X":
        if other != good:
            with pytest.raises(ValidationError):
                validate_orcid(digits + other)


@given(st.text(min_size=0, max_size=40))
def test_any_text_is_accepted_or_refused_never_an_error(text):
    with contextlib.suppress(ValidationError):
        validate_orcid(text)
