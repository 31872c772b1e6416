"""Sponsor overlap: does an author's disclosure name the funder of a trial the post discusses?

A funder line is read as a list of names, the way abstracts print it:
- names are separated by commas, semicolons, new lines, and by " and " or " & " between
  two names ("Genzyme (Sanofi) and Bayer Schering Pharma" is three names);
- an "and" or "&" stays inside a name when the name is one of ``CONJOINED`` ("Johnson &
  Johnson", "Procter & Gamble", "Department of Health and Social Care"...), when both sides
  are the same word, when the right side is only a legal form ("Merck & Co., Inc."), when
  a side starts with a lower-case letter ("Research and development"), or when the author
  wrote the name in double quotes ("\u201cInstitute of Cancer and Genetics\u201d"). The
  admin shows how the line was read, so an author sees a wrong split at once;
- a name in brackets is a second name: "Genzyme (Sanofi)" is {"genzyme", "sanofi"}.

Names are compared after normalising, whole name against whole name:
- casefolded, NFKC, "&" read as "and", full stops and apostrophes dropped ("S.A." is
  "SA"), other punctuation read as a space;
- trailing legal forms are dropped (``LEGAL_FORMS``: Inc, Corp, Corporation, Co, Company,
  Ltd, Limited, GmbH, AG, KGaA, plc, LLC, SA, S.p.A., B.V., N.V.): "Genzyme Corporation"
  is "genzyme"; but "& Co" is kept, so "Merck & Co" stays "merck and co".

No partial matches: "Genzyme" never matches "Genentech", and "Bayer" does not match
"Bayer Schering Pharma" either. A leading-words rule would also make "Merck" match
"Merck Serono" (Merck KGaA) when the payment came from Merck & Co, a different company: a
notice that names the wrong company is worse than none, so the author is asked to disclose
organisations by the name the trial uses (the notice says what it matched).
"""

import re
import unicodedata

LEGAL_FORMS = {
    "inc",
    "incorporated",
    "corp",
    "corporation",
    "co",
    "company",
    "ltd",
    "limited",
    "gmbh",
    "ag",
    "kgaa",
    "plc",
    "llc",
    "sa",
    "spa",
    "bv",
    "nv",
}
# Names with "and" or "&" inside them, as normalised (see normalise_organisation).
CONJOINED = {
    "johnson and johnson",
    "procter and gamble",
    "smith and nephew",
    "merck and co",
    "bill and melinda gates foundation",
    "research and development",
    "department of health and social care",
    "national institute for health and care research",
    "national institute for health and care excellence",
    "medicines and healthcare products regulatory agency",
    "food and drug administration",
    "centers for disease control and prevention",
}
_SEPARATORS = re.compile(r"[,;\n]+")
_QUOTED = re.compile(r"[\"\u201c\u201d]([^\"\u201c\u201d]*)[\"\u201c\u201d]")
_CONJUNCTION = re.compile(r"\s+(?:and|&)\s+", re.IGNORECASE)
_BRACKETED = re.compile(r"\(([^()]*)\)")
_NOT_WORD = re.compile(r"[^\w]+")
_JOINING = re.compile(r"[.'\u2019]")
_PLACEHOLDER = "\ue000{}\ue001"
_KNOWN_CONJOINED = re.compile(
    "|".join(
        r"\b"
        + r"[\s\-]+".join(
            r"(?:and|&)" if word == "and" else re.escape(word) for word in name.split()
        ).replace(r"[\s\-]+(?:and|&)[\s\-]+", r"\s*(?:and|&)\s*")
        + r"\b"
        for name in sorted(CONJOINED, key=len, reverse=True)
    ),
    re.IGNORECASE,
)


def split_organisations(text):
    """The names in a list as typed ("Genzyme (Sanofi) and Bayer"): each name and each
    bracketed name, as written (stripped), in order, without repeats."""
    quoted = []  # names kept whole: written in quotes, or known (CONJOINED)

    def keep(name):
        quoted.append(name)
        return _PLACEHOLDER.format(len(quoted) - 1)

    text = (text or "").replace("\ue000", "").replace("\ue001", "")  # our placeholders
    text = _QUOTED.sub(lambda match: keep(match.group(1)), text)
    text = _KNOWN_CONJOINED.sub(lambda match: keep(match.group(0)), text)
    names = []
    for part in _SEPARATORS.split(text):
        pieces = _split_conjoined(part)
        if names and _is_legal_form(pieces[0]):  # "Merck & Co., Inc." is one name
            names[-1] = f"{names[-1]}, {pieces.pop(0).strip()}"
        for piece in pieces:
            inside = _BRACKETED.findall(piece)
            outside = _BRACKETED.sub(" ", piece)
            for name in (outside, *inside):
                name = " ".join(name.replace("(", " ").replace(")", " ").split())
                for index, original in enumerate(quoted):
                    name = name.replace(_PLACEHOLDER.format(index), original)
                if name and normalise_organisation(name) and name not in names:
                    names.append(name)
    return names


def _split_conjoined(part):
    """``part`` split at each " and " / " & " that joins two names (outside brackets)."""
    pieces = []
    depth, start, last = 0, 0, 0
    for match in _CONJUNCTION.finditer(part):
        before = part[last : match.start()]
        depth += before.count("(") - before.count(")")
        last = match.start()
        if depth > 0:
            continue
        left, right = part[start : match.start()], part[match.end() :]
        if _joins_two_names(left, right):
            pieces.append(left)
            start = match.end()
    pieces.append(part[start:])
    return pieces


def _joins_two_names(left, right):
    left_key, right_key = normalise_organisation(left), normalise_organisation(right)
    right_first = _BRACKETED.sub(" ", right).split()
    if not right_key or _is_legal_form(right_first[0] if right_first else ""):
        return False
    if _is_legal_form(left):  # "Merck & Co, Inc. and Pfizer": "Inc." ends the name before
        return True
    if not left_key or left_key.split()[-1] == right_key.split()[0]:  # Johnson & Johnson
        return False
    return _starts_like_a_name(left) and _starts_like_a_name(right)


def _starts_like_a_name(text):
    stripped = text.strip().lstrip("(\ue000")
    first = stripped[:1]
    return bool(first) and not first.islower()


def _is_legal_form(part):
    words = _NOT_WORD.sub(" ", _JOINING.sub("", part.casefold())).split()
    return bool(words) and all(word in LEGAL_FORMS for word in words)


def normalise_organisation(name):
    """The comparison key of one name: "Sanofi-Aventis Deutschland GmbH" ->
    "sanofi aventis deutschland"; "" when nothing but punctuation or a legal form is left."""
    text = unicodedata.normalize("NFKC", name).casefold().replace("&", " and ")
    text = _JOINING.sub("", text)  # "S.A." is "sa", "Reddy's" is "reddys"
    words = _NOT_WORD.sub(" ", text).replace("_", " ").split()
    while words and words[-1] in LEGAL_FORMS and words[-2:-1] != ["and"]:
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
