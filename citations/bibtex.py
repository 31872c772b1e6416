"""BibTeX: every value in braces, every special character written as LaTeX spells it.

Values are UTF-8 (biber and BibTeX 8-bit read it; LaTeX with inputenc/fontspec prints it).
Braces that are text become ``\\textbraceleft{}``/``\\textbraceright{}`` rather than ``\\{``:
BibTeX counts every brace, escaped or not, so a lone ``\\{`` would end the field early.
Titles and whole names go in an extra pair of braces so that BibTeX neither changes their
case nor splits a group ("CARE-MS II investigators") into given and family names.
"""

import re

_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "#": r"\#",
    "$": r"\$",
    "%": r"\%",
    "&": r"\&",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_SPECIALS = re.compile(r"[\\{}#$%&_~^]")
_BREAKS = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]+")
MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]


def escape(value):
    text = " ".join(_BREAKS.sub(" ", str(value)).split())
    return _SPECIALS.sub(lambda m: _SPECIAL[m.group()], text)


def _name(name):
    if name.literal:
        return "{" + escape(name.literal) + "}"
    return f"{escape(name.family)}, {escape(name.given)}" if name.given else escape(name.family)


def _authors(work):
    names = [_name(n) for n in work.authors]
    if work.more_authors:
        names.append("others")
    return " and ".join(names)


def entry(work):
    """One BibTeX entry: ``@article`` for the paper, ``@misc`` for the post.

    ``@misc`` rather than biblatex's ``@online``: every BibTeX style knows it (classic styles
    warn about ``@online`` and some parsers drop it), ``howpublished`` names the site for
    them, and biblatex still reads ``url``, ``urldate`` and ``organization``."""
    fields = []
    if work.authors:
        fields.append(("author", _authors(work)))
    fields.append(("title", "{" + escape(work.title) + "}"))
    if work.kind == "article":
        if work.container:
            fields.append(("journal", escape(work.container)))
    else:
        fields.append(("organization", escape(work.container)))
        fields.append(("howpublished", escape(work.container)))
    if work.issued:
        fields += [
            ("year", str(work.issued.year)),
            ("month", MONTHS[work.issued.month - 1]),
            ("date", work.issued.isoformat()),
        ]
    if work.doi:
        fields.append(("doi", escape(work.doi)))
    if work.url:
        fields.append(("url", escape(work.url)))
    if work.accessed:
        fields.append(("urldate", work.accessed.isoformat()))
    entry_type = "article" if work.kind == "article" else "misc"
    lines = [f"@{entry_type}{{{work.key},"]
    for name, value in fields:
        # month is a BibTeX macro (jan, feb...): bare, so styles print it in their language
        lines.append(f"  {name} = {value}," if name == "month" else f"  {name} = {{{value}}},")
    lines.append("}")
    return "\n".join(lines) + "\n"
