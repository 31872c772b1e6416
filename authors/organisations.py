"""One name per organisation, so that the register of interests groups "Genzyme Inc.",
"genzyme" and "GENZYME" together and never "Genzyme" with "Genentech".

Disclosures name organisations in one field, separated by commas or semicolons
(blog.Disclosure's help text). A comma inside one name is not a separator: what follows it
continues the name when it is an apposition ("Genzyme, a Sanofi company", "Serono, now
part of Merck", "Schering, formerly ...") or only a legal form ("Merck & Co., Inc.",
"Novartis Pharma, S.A."). Linear: one pass over the parts, no backtracking pattern.

A name is folded for grouping: case, accents, punctuation, an apposition and a trailing
legal form (Inc, Ltd, GmbH, AG, plc, LLC, SA...) do not count. Whole names only: "Bayer"
and "Bayer Schering Pharma" stay apart, as the disclosure wrote them; "& Co" and "KGaA" are
kept, since "Merck & Co" and "Merck KGaA" are two companies.
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
# What may follow a comma and still be the same organisation's name: legal forms (also
# the ones a grouping key keeps: "& Co", "KGaA") and words that open an apposition.
CONTINUING_FORMS = LEGAL_FORMS | {"co", "company", "kg", "kgaa", "lp", "se", "pte", "kk", "sarl"}
APPOSITION_WORDS = frozenset(["a", "an", "the", "now", "formerly", "previously", "later"])
APPOSITION_PAIRS = frozenset(
    [
        ("part", "of"),
        ("owned", "by"),
        ("acquired", "by"),
        ("subsidiary", "of"),
        ("division", "of"),
        ("trading", "as"),
        ("known", "as"),
    ]
)
_WORD = re.compile(r"[^\W_]+")
_LIST_SEPARATORS = re.compile(r"[;\n\r]")


def _folded_words(text):
    """Case- and accent-folded words; dots inside abbreviations vanish ("S.A." -> "sa")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace(".", ""))
    folded = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _WORD.findall(folded)


def continues_name(part):
    """True when ``part``, written after a comma, belongs to the name before it."""
    words = _folded_words(part)
    if not words:
        return False
    return (
        all(word in CONTINUING_FORMS for word in words)
        or words[0] in APPOSITION_WORDS
        or tuple(words[:2]) in APPOSITION_PAIRS
    )


def split_organisations(text):
    """The organisations a disclosure names, in order, each as written (spaces tidied)."""
    names, current = [], []  # ``current``: the parts of the name being read, joined once
    for listed in _LIST_SEPARATORS.split(text or ""):
        first_in_list = True
        for part in listed.split(","):
            part = " ".join(part.split())
            if not part:
                continue
            if current and (first_in_list or not continues_name(part)):
                names.append(", ".join(current))
                current.clear()
            current.append(part)
            first_in_list = False
    if current:
        names.append(", ".join(current))
    return names


def organisation_key(name):
    """The grouping key: folded words of the name before any apposition, without a trailing
    legal form ("" for none): "Genzyme, a Sanofi company" groups with "Genzyme"."""
    head = name.split(",", 1)[0]
    words = _folded_words(head)
    while len(words) > 1 and words[-1] in LEGAL_FORMS:
        words.pop()
    return " ".join(words)
