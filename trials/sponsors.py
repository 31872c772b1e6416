"""Sponsor overlap: does an author's disclosure name the funder of a trial the post discusses?

Names are compared after normalising, whole name against whole name:
- casefolded, NFKC, "&" read as "and", full stops and apostrophes dropped ("S.A." is
  "SA"), other punctuation read as a space;
- a name in brackets is a second name: "Genzyme (Sanofi)" is {"genzyme", "sanofi"};
- a trailing legal form is dropped: Inc, Ltd, Limited, GmbH, AG, plc, LLC, SA
  ("Sanofi SA" is "sanofi").

No partial matches: "Genzyme" never matches "Genentech", and "Bayer" does not match
"Bayer Schering Pharma" either. A leading-words rule would also make "Merck" match
"Merck Serono" (Merck KGaA) when the payment came from Merck & Co, a different company: a
notice that names the wrong company is worse than none, so the author is asked to disclose
organisations by the name the trial uses (the notice says what it matched).
"""

import re
import unicodedata

LEGAL_FORMS = {"inc", "incorporated", "ltd", "limited", "gmbh", "ag", "plc", "llc", "sa"}
_SEPARATORS = re.compile(r"[,;\n]+")
_BRACKETED = re.compile(r"\(([^()]*)\)")
_NOT_WORD = re.compile(r"[^\w]+")
_JOINING = re.compile(r"[.'\u2019]")


def split_organisations(text):
    """The names in a list as typed ("Genzyme (Sanofi), Bayer"): each name and each
    bracketed name, as written (stripped), in order, without repeats."""
    names = []
    for part in _SEPARATORS.split(text or ""):
        if names and _is_legal_form(part):  # "Merck & Co., Inc." is one name
            names[-1] = f"{names[-1]}, {part.strip()}"
            continue
        inside = _BRACKETED.findall(part)
        outside = _BRACKETED.sub(" ", part)
        for name in (outside, *inside):
            name = " ".join(name.replace("(", " ").replace(")", " ").split())
            if name and normalise_organisation(name) and name not in names:
                names.append(name)
    return names


def _is_legal_form(part):
    words = _NOT_WORD.sub(" ", _JOINING.sub("", part.casefold())).split()
    return bool(words) and all(word in LEGAL_FORMS for word in words)


def normalise_organisation(name):
    """The comparison key of one name: "Sanofi-Aventis Deutschland GmbH" ->
    "sanofi aventis deutschland"; "" when nothing but punctuation or a legal form is left."""
    text = unicodedata.normalize("NFKC", name).casefold().replace("&", " and ")
    text = _JOINING.sub("", text)  # "S.A." is "sa", "Reddy's" is "reddys"
    words = _NOT_WORD.sub(" ", text).replace("_", " ").split()
    while words and words[-1] in LEGAL_FORMS:
        words.pop()
    return " ".join(words)


def disclosed_funders(funders_text, disclosure_organisations):
    """The funder names (as the record writes them) that ``disclosure_organisations`` (one
    disclosure's comma-separated text) names too."""
    disclosed = {normalise_organisation(n) for n in split_organisations(disclosure_organisations)}
    disclosed.discard("")
    return [
        name
        for name in split_organisations(funders_text)
        if normalise_organisation(name) in disclosed
    ]
