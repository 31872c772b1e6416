"""Numbers as the source writes them, and back.

Authors paste from the paper: ``0·51``, ``−0·3``, ``p<0·0001``. Input accepts the middle dot
and the Unicode minus as well as ``.`` and ``-``; a comma is refused (is ``1,005`` a
thousand and five or one point nought nought five?). Output uses the record's decimal mark
(``·`` as The Lancet prints, or ``.``) and an en dash between an interval's bounds.
"""

import math
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

MIDDLE_DOT = "\u00b7"
EN_DASH = "\u2013"
_MINUSES = "\u2212\u2012\u2013\u2014\ufe63\uff0d"  # minus sign, dashes a paste may bring
_SPACES = re.compile(r"[\s\u00a0\u2009\u202f]+")


class NotANumber(ValueError):
    """Text that is not a number; the message says why in plain words."""


def decimal_from_text(text):
    """``"0·51"`` -> Decimal("0.51"). Raises NotANumber for text, NaN, infinity or commas."""
    cleaned = _SPACES.sub("", str(text)).replace(MIDDLE_DOT, ".")
    for minus in _MINUSES:
        cleaned = cleaned.replace(minus, "-")
    if "," in cleaned:
        raise NotANumber(
            "Use a point or a middle dot as the decimal mark (0.51 or 0\u00b751), not a comma."
        )
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise NotANumber(f"\u201c{text}\u201d is not a number.") from None
    if not value.is_finite():
        raise NotANumber(f"\u201c{text}\u201d is not a number.")
    return value


# --- p values ----------------------------------------------------------------------------
P_COMPARATORS = {"<": "<", "\u2264": "\u2264", "<=": "\u2264", "=": "=", ">": ">"}
P_COMPARATORS.update({"\u2265": "\u2265", ">=": "\u2265"})
_P_VALUE = re.compile(r"^\s*(?:p\s*)?(?P<cmp><=|>=|[<>=\u2264\u2265])?\s*(?P<number>.+?)\s*$", re.I)


_SUPERSCRIPTS = str.maketrans(
    "\u207b\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079", "-0123456789"
)
_TIMES_TEN = re.compile(
    r"^(?P<mantissa>.+?)\s*[\u00d7xX*]\s*10\s*\^?\s*(?P<exponent>[-\u2212]?\s*\d+)$"
)


def _scientific(text):
    """``2·1×10⁻⁶`` (as journals print small p values) -> Decimal("0.0000021"), else None."""
    match = _TIMES_TEN.match(text.translate(_SUPERSCRIPTS).strip())
    if not match:
        return None
    exponent = int(match.group("exponent").replace("\u2212", "-").replace(" ", ""))
    if abs(exponent) > 400:
        raise NotANumber(f"\u201c{text}\u201d is not a number.")
    return decimal_from_text(match.group("mantissa")).scaleb(exponent)


def parse_p_value(text):
    """``"p<0·0001"`` -> ("<", Decimal("0.0001")); ``"0.03"`` -> ("=", ...);
    ``"p=2·1×10⁻⁶"`` -> ("=", Decimal("0.0000021")).

    Raises NotANumber with a message an author understands for anything else
    (``"NS"``, ``"p<"``, ``"p=1.5"``).
    """
    match = _P_VALUE.match(text or "")
    if not match:
        raise NotANumber(
            "Write the p value as the source does, e.g. p=0\u00b7008 or p<0\u00b70001."
        )
    try:
        number = match.group("number")
        value = _scientific(number)
        if value is None:
            value = decimal_from_text(number)
    except NotANumber:
        raise NotANumber(
            f"\u201c{text}\u201d is not a p value: write it as the source does, "
            "e.g. p=0\u00b7008 or p<0\u00b70001."
        ) from None
    if not Decimal(0) <= value <= Decimal(1):
        raise NotANumber(f"A p value lies between 0 and 1; \u201c{text}\u201d does not.")
    return P_COMPARATORS[match.group("cmp") or "="], value


# --- output ------------------------------------------------------------------------------
def decimals_in(value):
    """How many decimals ``value`` needs (0.5100 -> 2)."""
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def format_decimal(value, *, mark=".", places=None):
    """``Decimal("0.51")`` -> ``"0·51"`` with ``mark="·"``; negative numbers get a minus sign."""
    if places is None:
        places = decimals_in(value)
    text = f"{abs(value):.{places}f}".replace(".", mark)
    return ("\u2212" if value < 0 else "") + text


def format_effect(estimate, lower, upper, *, mark):
    """``0·51 (0·39–0·65)``: the three numbers with as many decimals as the most precise."""
    present = [v for v in (estimate, lower, upper) if v is not None]
    places = max((decimals_in(v) for v in present), default=0)
    text = format_decimal(estimate, mark=mark, places=places) if estimate is not None else ""
    if lower is not None and upper is not None:
        interval = (
            f"{format_decimal(lower, mark=mark, places=places)}{EN_DASH}"
            f"{format_decimal(upper, mark=mark, places=places)}"
        )
        text = f"{text} ({interval})" if text else interval
    return text


def percent_of(count, total):
    """``count`` of ``total`` as a whole percentage, rounded half up (104 of 202 -> 51)."""
    return (Decimal(100) * count / total).quantize(Decimal(1), rounding=ROUND_HALF_UP)


def format_percent(value, *, mark):
    return format_decimal(value, mark=mark) + "%"


def format_count(value):
    """Whole numbers with a thin space every three digits from 10,000 (SI style)."""
    text = str(value)
    if len(text) <= 4:
        return text
    groups = []
    while text:
        groups.insert(0, text[-3:])
        text = text[:-3]
    return "\u2009".join(groups)


def is_finite_number(value):
    return value is not None and math.isfinite(float(value))
