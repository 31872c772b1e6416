"""The citation shown on the page, in APA 7th edition style for a blog post:

    Ashdown, W. (2012, November 2). Title of the post. Trialpress. https://...

APA asks for no "accessed" date for a page that keeps its address, which suits a page that
is cached: the page never shows a date that goes stale. Plain parts only: the template
escapes them and sets the site's name in italics.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class StyledCitation:
    authors: str
    date: str
    title: str
    container: str
    url: str


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
