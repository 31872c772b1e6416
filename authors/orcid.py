"""ORCID iDs: the forms people paste them in, the one form we store, and the check digit.

An ORCID iD is 16 characters, ``0000-0002-1825-0097``: 15 digits and a check character
(a digit or X) computed with ISO 7064 MOD 11-2, as ORCID documents it
(https://support.orcid.org/hc/en-us/articles/360006897674). A typo in any one digit, or two
neighbouring digits swapped, fails the check.

ORCID asks sites to show and link an iD as its full address, so that is the one form we
store: ``https://orcid.org/0000-0002-1825-0097``. Any usual spelling is accepted and
turned into it: the bare iD, with or without dashes or spaces, a lower-case x, an address
with http or https, "www.", no scheme at all, a trailing slash. Anything else is refused
with one message saying what to enter (or, when only the check character is wrong, that).
"""

import re

from django.core.exceptions import ValidationError
from django.db import models

ORCID_ADDRESS = "https://orcid.org/"
STORED_LENGTH = len(ORCID_ADDRESS) + 19
TYPED_MAX_LENGTH = 200  # a pasted address with spaces around; longer is not an iD

_SHAPE = re.compile(r"\d{15}[\dX]")
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212]")
_PREFIXES = ("https://", "http://", "www.", "orcid.org/")

SHAPE_MESSAGE = (
    "Enter an ORCID iD: 16 characters like 0000-0002-1825-0097, or its address "
    "https://orcid.org/0000-0002-1825-0097."
)
CHECKSUM_MESSAGE = (
    "This ORCID iD\u2019s last character does not match the others: check it for a typo."
)


def check_character(digits):
    """ISO 7064 MOD 11-2 check character for the first 15 digits."""
    total = 0
    for digit in digits:
        total = (total + int(digit)) * 2
    result = (12 - total % 11) % 11
    return "X" if result == 10 else str(result)


def _compact(value):
    """The 16 characters of a usual spelling, upper-cased, or "" when it is none."""
    text = (value or "").strip()
    for prefix in _PREFIXES:
        if text[: len(prefix)].casefold() == prefix:
            text = text[len(prefix) :]
    text = text.rstrip("/ ")
    compact = _SEPARATORS.sub("", text).upper()
    return compact if _SHAPE.fullmatch(compact) else ""


def parse(value):
    """``https://orcid.org/0000-0002-1825-0097`` from any usual spelling; one
    ValidationError (code "shape" or "checksum") for anything else."""
    compact = _compact(value)
    if not compact:
        raise ValidationError(SHAPE_MESSAGE, code="shape")
    if check_character(compact[:15]) != compact[15]:
        raise ValidationError(CHECKSUM_MESSAGE, code="checksum")
    return ORCID_ADDRESS + "-".join(compact[i : i + 4] for i in range(0, 16, 4))


def normalise(value):
    """The stored form of a valid iD, else the stripped input unchanged ("" stays "")."""
    try:
        return parse(value)
    except ValidationError:
        return (value or "").strip()


def validate_orcid(value):
    parse(value)


def orcid_url(orcid):
    """The iD's address (the stored form; a bare iD from before it was stored so, too)."""
    if not orcid or orcid.startswith(ORCID_ADDRESS):
        return orcid or ""
    return ORCID_ADDRESS + orcid


class OrcidField(models.CharField):
    """Stores the iD's address; reads every usual spelling; one message when it is none.

    The form field takes what people paste (up to TYPED_MAX_LENGTH characters, so an
    address with a trailing slash is not refused for its length before it is read)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", STORED_LENGTH)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value is None or not value.strip():
            return "" if value is not None else value
        return parse(value)

    def formfield(self, **kwargs):
        kwargs.setdefault("max_length", TYPED_MAX_LENGTH)
        return super().formfield(**kwargs)
