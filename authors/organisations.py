"""One name per organisation, so that the register of interests groups "Genzyme Inc.",
"genzyme" and "GENZYME" together and never "Genzyme" with "Genentech".

Disclosures name organisations in one field, separated by commas (blog.Disclosure's help
text). A name is folded for grouping: case, accents, punctuation and a trailing legal form
(Inc, Ltd, GmbH, AG, plc, LLC, SA...) do not count. Whole names only: "Bayer" and "Bayer
Schering Pharma" stay apart, as the disclosure wrote them; "& Co" and "KGaA" are kept,
since "Merck & Co" and "Merck KGaA" are two companies.
"""

import re
import unicodedata

LEGAL_FORMS = frozenset(
    [
        "inc",
        "incorporated",
        "ltd",
        "limited",
        "llc",
        "llp",
        "plc",
        "gmbh",
        "ag",
        "sa",
        "sas",
        "spa",
        "bv",
        "nv",
        "corp",
        "corporation",
        "ab",
        "as",
        "oy",
        "pty",
        "srl",
    ]
)
_WORD = re.compile(r"[^\W_]+")


def split_organisations(text):
    return [name.strip() for name in (text or "").split(",") if name.strip()]


def organisation_key(name):
    """The grouping key: folded words without a trailing legal form ("" for none)."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    folded = "".join(char for char in decomposed if not unicodedata.combining(char))
    words = _WORD.findall(folded)
    while len(words) > 1 and words[-1] in LEGAL_FORMS:
        words.pop()
    return " ".join(words)
