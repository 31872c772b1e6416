"""One spelling of a DOI for matching: the paper a post cites and the papers notices name.

DOIs are case-insensitive (the DOI Handbook, 3.4); authors and the Retraction Watch data
write them with a resolver prefix, ``doi:``, spaces or capitals. ``normalise_doi`` gives
the bare, lower-case form, or "" for text that is not a DOI ("unavailable", "N/A").
"""

import re

_PREFIX = re.compile(r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)", re.IGNORECASE)
_SHAPE = re.compile(r"10\.\d{4,9}/\S+")


def bare_doi(text):
    """The DOI without its prefix, as written (capitals kept, for display), or ""."""
    value = _PREFIX.sub("", (text or "").strip()).strip()
    return value if _SHAPE.fullmatch(value) else ""


def normalise_doi(text):
    """The DOI in the one spelling used to match (lower case), or ""."""
    return bare_doi(text).lower()
