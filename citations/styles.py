"""The citation shown on the page, in APA 7th edition style for a blog post:

    Ashdown, W. (2012, November 2). Title of the post. Trialpress. https://...

APA asks for no "accessed" date for a page that keeps its address, which suits a page that
is cached: the page never shows a date that goes stale. Plain parts only: the template
escapes them and sets the site's name in italics.
"""

import unicodedata
from dataclasses import dataclass

from blog.metadata import is_group_author
from citations.works import _PARTICLES, Name, _is_title


@dataclass(frozen=True)
class StyledCitation:
    authors: str
    date: str
    title: str
    container: str
    url: str


def _has_initial(word):
    """A word whose first letter has a capital form: initials belong to cased scripts
    (Latin, Greek, Cyrillic...); Chinese, Arabic or Hebrew names have none."""
    return unicodedata.category(word[0]) in ("Lu", "Ll", "Lt")


def _name_word(word):
    """Letters with marks, joined by hyphens or apostrophes ("O’Brien-Ménière", "J.")."""
    return _has_initial(word) and all(
        unicodedata.category(char)[0] in "LM" or char in "-'\u2019." for char in word
    )


def person_name(written):
    """A name typed whole (a commenter's), split for APA: "Dr Jane A. Marsh" is family
    "Marsh", given "Jane A."; particles stay with the family name ("van der Berg").

    Cited whole, as typed: a single word, a group ("CARE-MS II investigators"), a name in
    a script without capitals (no initials to write) and anything that is not plainly a
    person's name (a comma, digits, symbols: "Jane Marsh, MD")."""
    words = written.split()
    while len(words) > 1 and _is_title(words[0]):
        words = words[1:]
    if len(words) == 1 and _name_word(words[0]):
        return Name(literal=words[0])  # "Dr Marsh": no given name to write
    if len(words) < 2 or is_group_author(written) or not all(map(_name_word, words)):
        return Name(literal=" ".join(written.split()) or written)
    split = len(words) - 1
    while split > 1 and words[split - 1] in _PARTICLES:
        split -= 1
    return Name(family=" ".join(words[split:]), given=" ".join(words[:split]))


def _apa_name(name):
    if name.literal:
        return name.literal
    return f"{name.family}, {name.initials}" if name.given else name.family


def _apa_authors(names):
    written = [_apa_name(n) for n in names]
    if len(written) <= 1:
        return "".join(written)
    return ", ".join(written[:-1]) + ", & " + written[-1]


def apa(work):
    issued = work.issued
    when = f"{issued.year}, {issued:%B} {issued.day}" if issued else "n.d."
    authors = _apa_authors(work.authors)
    return StyledCitation(
        authors=authors if authors.endswith(".") else authors + ".",
        date=f"({when}).",
        title=work.title if work.title.endswith((".", "?", "!")) else work.title + ".",
        container=work.container + ".",
        url=work.url,
    )
