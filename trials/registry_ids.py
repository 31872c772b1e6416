"""Trial registry ids: NCT (ClinicalTrials.gov), ISRCTN and EudraCT numbers.

Authors paste them in any case and spacing (``nct 00548405``, ``EudraCT: 2007-001161-32``);
``normalise_registry_id`` gives the one stored spelling, or raises ValidationError with a
message that shows the three accepted shapes.
"""

import re

from django.core.exceptions import ValidationError

from blog import markup

# [0-9], not \d: "NCT" and eight Arabic-Indic digits is not an id any registry issues.
_NCT = re.compile(r"NCT([0-9]{8})")
_ISRCTN = re.compile(r"ISRCTN([0-9]{8})")
_EUDRACT = re.compile(r"(?:EUDRACT)?([0-9]{4}-[0-9]{6}-[0-9]{2})")

SHAPES = "NCT00548405, ISRCTN12345678 or EudraCT 2007-001161-32"


def normalise_registry_id(text):
    """``" nct 00548405 "`` -> ``"NCT00548405"``; ``"eudract:2007-001161-32"`` ->
    ``"EudraCT 2007-001161-32"``; ``""`` stays ``""``."""
    compact = re.sub(r"[\s:#\u00a0]+", "", text or "").upper()
    for minus in "\u2010\u2011\u2012\u2013\u2014\u2212":
        compact = compact.replace(minus, "-")
    if not compact:
        return ""
    if match := _NCT.fullmatch(compact):
        return f"NCT{match.group(1)}"
    if match := _ISRCTN.fullmatch(compact):
        return f"ISRCTN{match.group(1)}"
    if match := _EUDRACT.fullmatch(compact):
        return f"EudraCT {match.group(1)}"
    shown = (text or "").strip()[:60]
    raise ValidationError(
        f"\u201c{shown}\u201d is not a registry id we know. Write it as {SHAPES}.",
        code="registry_id",
    )


def registry_number(registry_id):
    """The id as registries and blog.markup know it (a EudraCT number without its prefix)."""
    return registry_id.removeprefix("EudraCT ").strip()


def registry_url(registry_id):
    return markup.registry_url(registry_number(registry_id)) if registry_id else ""


def registry_name(registry_id):
    return markup.registry_name(registry_number(registry_id)) if registry_id else ""
