"""ORCID iDs: the form people paste them in, the one form we store, and the check digit.

An ORCID iD is 16 characters, ``0000-0002-1825-0097``: 15 digits and a check character
(a digit or X) computed with ISO 7064 MOD 11-2, as ORCID documents it
(https://support.orcid.org/hc/en-us/articles/360006897674). A typo in any one digit, or two
neighbouring digits swapped, fails the check.
"""

import re

from django.core.exceptions import ValidationError

_PREFIX = re.compile(r"^(?:https?://)?(?:www\.)?orcid\.org/", re.IGNORECASE)
_SHAPE = re.compile(r"\d{15}[\dX]")


def check_character(digits):
    """ISO 7064 MOD 11-2 check character for the first 15 digits."""
    total = 0
    for digit in digits:
        total = (total + int(digit)) * 2
    result = (12 - total % 11) % 11
    return "X" if result == 10 else str(result)


def normalise(value):
    """``0000-0002-1825-0097`` from any usual spelling (a URL, no dashes, spaces, a
    lower-case x), or the stripped input unchanged when it is not one of those shapes."""
    text = _PREFIX.sub("", (value or "").strip())
    compact = re.sub(r"[\s\-\u2010-\u2015]", "", text).upper()
    if not _SHAPE.fullmatch(compact):
        return text
    return "-".join(compact[i : i + 4] for i in range(0, 16, 4))


def validate_orcid(value):
    compact = normalise(value).replace("-", "")
    if not _SHAPE.fullmatch(compact):
        raise ValidationError(
            "Enter an ORCID iD as 16 characters, like 0000-0002-1825-0097.", code="shape"
        )
    if check_character(compact[:15]) != compact[15]:
        raise ValidationError(
            "This ORCID iD's last character does not match the others: check it for a typo.",
            code="checksum",
        )


def orcid_url(orcid):
    return f"https://orcid.org/{orcid}" if orcid else ""
