"""Absolute effects: "x in 100 with A, y in 100 with B", and the number needed to treat.

Computed by Trialpress from reported counts, never presented as the trial's own figure,
and only where it is honest: a binary outcome (people with the event) with n and N in both
arms. Rates count events, not people; a time-to-event outcome's share depends on how long
each person was followed; neither gives "x in 100".

NNT (or NNH) = 1 / |risk difference|, rounded up (a whole person), with its direction:
fewer people with a bad event (or more with a good one) is a benefit (NNT); the reverse is
a harm (NNH). Worked with fractions, so 1/0.1 is exactly 10.
"""

import math
from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True)
class AbsoluteEffect:
    comparator_per_100: str  # "66", "fewer than 1", "more than 99"
    experimental_per_100: str
    difference: Fraction  # experimental risk minus comparator risk
    number_needed: int | None  # None when the risks are equal
    kind: str  # "treat" (benefit), "harm", or "" (no difference)


def per_100(count, total):
    """Whole people in 100, rounded half up; never "0" for a count above 0."""
    share = Fraction(count * 100, total)
    rounded = math.floor(share + Fraction(1, 2))
    if count and rounded == 0:
        return "fewer than 1"
    if count < total and rounded == 100:
        return "more than 99"
    return str(rounded)


def absolute_effect(*, comparator, experimental, event_is_good=False):
    """``comparator`` and ``experimental`` are (n, N) pairs with 0 <= n <= N and N > 0."""
    (n_c, total_c), (n_e, total_e) = comparator, experimental
    difference = Fraction(n_e, total_e) - Fraction(n_c, total_c)
    if difference == 0:
        needed, kind = None, ""
    else:
        needed = math.ceil(1 / abs(difference))
        better = difference > 0 if event_is_good else difference < 0
        kind = "treat" if better else "harm"
    return AbsoluteEffect(
        comparator_per_100=per_100(n_c, total_c),
        experimental_per_100=per_100(n_e, total_e),
        difference=difference,
        number_needed=needed,
        kind=kind,
    )


# Why no absolute numbers are shown for a row, said once for all the rows it applies to.
WHY_NOT = {
    "rate": "a rate counts events over time, not people, so it gives no \u201cx in 100\u201d",
    "time_to_event": "with time to an event, the share of people depends on how long each "
    "was followed, which the counts alone do not show",
    "continuous": "a mean is not a count of people",
}
ONE_GROUP = "the source gives numbers for one group only"
NO_COUNTS = (
    "the source does not give both the number of people with the event and the number "
    "analysed in each group"
)


def why_not_computed(outcome_type):
    return WHY_NOT.get(outcome_type, NO_COUNTS)
