"""The arithmetic and the notation, with hand-worked numbers: absolute effects and NNT,
numbers as the source prints them, p values as written, registry ids."""

from decimal import Decimal
from fractions import Fraction

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from trials.absolute import absolute_effect, per_100
from trials.notation import (
    NotANumber,
    decimal_from_text,
    format_count,
    format_effect,
    parse_p_value,
    percent_of,
)
from trials.registry_ids import normalise_registry_id, registry_url


# --- absolute effects ----------------------------------------------------------------------
def test_care_ms_ii_infections_by_hand():
    """334/435 = 0.76782, 134/202 = 0.66337: ARD = 9178/87870 = 0.10445; 1/ARD = 9.574,
    rounded up: NNH 10."""
    effect = absolute_effect(comparator=(134, 202), experimental=(334, 435))
    assert (effect.comparator_per_100, effect.experimental_per_100) == ("66", "77")
    assert effect.difference == Fraction(9178, 87870)
    assert (effect.number_needed, effect.kind) == (10, "harm")


@pytest.mark.parametrize(
    ("comparator", "experimental", "good", "needed", "kind"),
    [
        ((20, 100), (10, 100), False, 10, "treat"),  # ARD -0.10: exactly 10, not 11
        ((20, 100), (15, 100), False, 20, "treat"),  # -0.05 -> 20
        ((30, 100), (27, 100), False, 34, "treat"),  # -0.03 -> 33.3 -> 34 (rounded up)
        ((10, 100), (20, 100), False, 10, "harm"),  # more bad events: harm
        ((10, 100), (20, 100), True, 10, "treat"),  # more good events (relapse-free): benefit
        ((20, 100), (10, 100), True, 10, "harm"),
        ((1, 3), (0, 3), False, 3, "treat"),  # 1/3 -> exactly 3
        ((5, 50), (10, 100), False, None, ""),  # the same risk: no NNT
        ((1, 1_000_000), (2, 1_000_000), False, 1_000_000, "harm"),
    ],
)
def test_nnt_is_one_over_the_risk_difference_rounded_up_with_its_direction(
    comparator, experimental, good, needed, kind
):
    effect = absolute_effect(comparator=comparator, experimental=experimental, event_is_good=good)
    assert (effect.number_needed, effect.kind) == (needed, kind)


@pytest.mark.parametrize(
    ("count", "total", "shown"),
    [(104, 202, "51"), (147, 426, "35"), (1, 200, "1"), (1, 201, "fewer than 1"),
     (0, 10, "0"), (10, 10, "100"), (999, 1000, "more than 99"), (3, 435, "1")],
)  # fmt: skip
def test_x_in_100_never_hides_a_rare_event_or_rounds_to_all(count, total, shown):
    assert per_100(count, total) == shown


@given(
    st.integers(1, 10_000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
    st.integers(1, 10_000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
)
def test_nnt_treats_fewer_people_than_the_risk_difference_allows(comparator, experimental):
    effect = absolute_effect(comparator=comparator, experimental=experimental)
    if effect.number_needed is None:
        assert effect.difference == 0
    else:
        assert effect.number_needed >= 1
        assert effect.number_needed * abs(effect.difference) >= 1
        assert (effect.number_needed - 1) * abs(effect.difference) < 1


# --- notation ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "value"),
    [("0\u00b751", "0.51"), ("0.51", "0.51"), ("\u22120\u00b73", "-0.3"), (" 1 000 ", "1000"),
     ("1e-5", "0.00001"), ("\u20131.2", "-1.2")],
)  # fmt: skip
def test_numbers_are_read_as_the_source_prints_them(text, value):
    assert decimal_from_text(text) == Decimal(value)


@pytest.mark.parametrize("text", ["NaN", "inf", "-Infinity", "0,51", "about half", "", "1.2.3"])
def test_anything_else_is_not_a_number(text):
    with pytest.raises(NotANumber):
        decimal_from_text(text)


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("p<0\u00b70001", ("<", "0.0001")),
        ("P = 0.008", ("=", "0.008")),
        ("p\u22640.05", ("\u2264", "0.05")),
        ("<=0.05", ("\u2264", "0.05")),
        ("p>0\u00b79", (">", "0.9")),
        ("0.03", ("=", "0.03")),
        ("p=1", ("=", "1")),
        ("p=2\u00b71\u00d710\u207b\u2076", ("=", "0.0000021")),
        ("p<5x10^-8", ("<", "0.00000005")),
        ("p < 1e-20", ("<", "1e-20")),
    ],
)
def test_a_p_value_as_written_gives_its_comparator_and_bound(text, parsed):
    comparator, value = parse_p_value(text)
    assert (comparator, value) == (parsed[0], Decimal(parsed[1]))


@pytest.mark.parametrize(
    "text",
    ["NS", "p<", "p=1.5", "p=-0.1", "p<0,05", "significant", "p<1\u00d710\u2079", "p=1x10^-99999"],
)
def test_a_p_value_that_is_not_one_is_refused(text):
    with pytest.raises(NotANumber):
        parse_p_value(text)


def test_effects_keep_the_sources_decimals_and_notation():
    d = Decimal
    assert format_effect(d("0.51"), d("0.39"), d("0.65"), mark="\u00b7") == (
        "0\u00b751 (0\u00b739\u20130\u00b765)"
    )
    assert format_effect(d("0.5"), d("0.39"), d("0.650000"), mark=".") == "0.50 (0.39\u20130.65)"
    assert format_effect(d("-1.2"), d("-2"), d("0.4"), mark=".") == (
        "\u22121.2 (\u22122.0\u20130.4)"
    )
    assert format_effect(d("0.001"), d("0.0001"), d("1000"), mark=".") == (
        "0.0010 (0.0001\u20131000.0000)"
    )


def test_percentages_round_half_up_and_big_counts_get_thin_spaces():
    assert percent_of(104, 202) == 51 and percent_of(1, 8) == 13 and percent_of(3, 435) == 1
    assert format_count(9999) == "9999" and format_count(10_000) == "10\u2009000"


# --- registry ids ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("NCT00548405", "NCT00548405"),
        (" nct 0054 8405 ", "NCT00548405"),
        ("isrctn12345678", "ISRCTN12345678"),
        ("EudraCT 2007-001161-32", "EudraCT 2007-001161-32"),
        ("eudract:2007\u2013001161\u201332", "EudraCT 2007-001161-32"),
        ("2007-001161-32", "EudraCT 2007-001161-32"),
        ("", ""),
    ],
)
def test_registry_ids_are_normalised(typed, stored):
    assert normalise_registry_id(typed) == stored


@pytest.mark.parametrize(
    "typed",
    ["NCT0054840", "NCT005484050", "ISRCTN1234", "EudraCT 2007-00116-32", "DOI:10.1/x",
     "NCT\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667", "\u202eNCT00548405"],
)  # fmt: skip
def test_malformed_registry_ids_are_refused(typed):
    with pytest.raises(ValidationError, match="is not a registry id we know"):
        normalise_registry_id(typed)


def test_registry_links():
    assert registry_url("NCT00548405") == "https://clinicaltrials.gov/study/NCT00548405"
    assert registry_url("EudraCT 2007-001161-32").endswith("query=2007-001161-32")
