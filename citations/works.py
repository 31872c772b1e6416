"""What a citation says, whatever its format: a ``Work`` for the post and one for the
paper it discusses (from the post's source fields). ``bibtex``, ``ris`` and ``styles``
only write these out.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.utils import timezone

from blog.metadata import absolute_url, author_name, citation_authors, is_group_author

_ET_AL = re.compile(r"\bet\.?\s+al\.?\s*$", re.IGNORECASE)
# "Coles AJ", "Coles A J", "Coles A.J.": a family name and initials, as in Vancouver lists.
_VANCOUVER = re.compile(r"^(?P<family>.+?)\s+(?P<initials>(?:[A-Z]\.?\s?){1,4})$")


@dataclass(frozen=True)
class Name:
    family: str = ""
    given: str = ""  # full given names or initials ("A. J.")
    literal: str = ""  # a group, or a name that cannot be split: cited whole

    @property
    def initials(self):
        return " ".join(f"{part[0]}." for part in self.given.replace(".", " ").split() if part)


@dataclass(frozen=True)
class Work:
    kind: str  # "post" or "article"
    title: str
    authors: list = field(default_factory=list)
    more_authors: bool = False  # the source says "et al."
    container: str = ""  # the site (post) or the journal (article)
    issued: date | None = None
    url: str = ""
    doi: str = ""
    accessed: date | None = None
    key: str = ""


def _ascii_key(*parts):
    return "".join(re.sub(r"[^A-Za-z0-9]", "", str(part)) for part in parts)[:60] or "ref"


# Titles before a name: APA and BibTeX cite "Doe, J.", never "Doe, D. J." for "Dr Jane Doe".
_TITLES = frozenset(["dr", "prof", "professor", "mr", "mrs", "ms", "mx", "miss", "sir", "dame"])
# Lower-case particles that belong to the family name ("Jan van der Berg" is "van der Berg").
_PARTICLES = frozenset(
    ["al", "bin", "da", "de", "del", "della", "der", "di", "dos", "du", "la", "le", "ten", "ter"]
    + ["van", "von"]
)
# Apostrophes and hyphens typed many ways: "O’Brien‐Meniere" on the account is the
# "O'Brien-Ménière" of the public name.
_NAME_MARKS = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u2010": "-"})


def _name_key(word):
    """A word of a name as names are compared: no case, accents or apostrophe variants."""
    decomposed = unicodedata.normalize("NFKD", word.translate(_NAME_MARKS).casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _folded(words):
    return [_name_key(word) for word in words]


def _is_title(word):
    return _name_key(word).rstrip(".") in _TITLES


def post_author_name(user):
    """The author's public name (``blog.metadata.author_name``, the one readers see on the
    byline), split into family and given names, leaving out a title ("Dr", "Prof"):

    - when it ends with the user's last name ("Jane A. Doe", last name "Doe"), compared
      without case, accents or apostrophe variants;
    - else when it starts with a title, it names a person: the last word, with any particles
      before it ("van der"), is the family name.

    Any other name (a team, a single word) is cited whole, as written."""
    public = author_name(user)
    words, family = public.split(), user.last_name.split()
    titled = 0
    while titled < len(words) - 1 and _is_title(words[titled]):
        titled += 1
    if family and len(words) > len(family) and _folded(words[-len(family) :]) == _folded(family):
        given = words[titled : -len(family)]
        if given:
            return Name(family=" ".join(words[-len(family) :]), given=" ".join(given))
    named = words[titled:]
    if titled and len(named) > 1 and not is_group_author(public):
        split = len(named) - 1
        while split > 1 and named[split - 1] in _PARTICLES:
            split -= 1
        return Name(family=" ".join(named[split:]), given=" ".join(named[:split]))
    return Name(literal=public)


def paper_author_name(written):
    if is_group_author(written):
        return Name(literal=written)
    match = _VANCOUVER.match(written)
    if match:
        letters = re.findall(r"[A-Z]", match["initials"])
        return Name(family=match["family"].strip(), given=" ".join(f"{c}." for c in letters))
    if "," in written:
        family, given = (part.strip() for part in written.split(",", 1))
        if family and given:
            return Name(family=family, given=given)
    return Name(literal=written)


def post_work(post):
    published = timezone.localtime(post.published_at).date()
    author = post_author_name(post.author)
    return Work(
        kind="post",
        title=post.title,
        authors=[author],
        container=settings.SITE_NAME,
        issued=published,
        url=absolute_url(post.get_absolute_url()),
        accessed=timezone.localdate(),
        key=_ascii_key(settings.SITE_NAME, published.year, post.slug),
    )


def has_paper(post):
    return bool(post.source_title or post.doi)


def paper_work(post):
    """The paper the post discusses, or None when the post names none."""
    if not has_paper(post):
        return None
    authors = [paper_author_name(name) for name in citation_authors(post)]
    first = authors[0].family or authors[0].literal if authors else "paper"
    return Work(
        kind="article",
        title=post.source_title,
        authors=authors,
        more_authors=any(_ET_AL.search(part) for part in post.source_authors.split(";")),
        container=post.source_journal,
        issued=post.source_date,
        url=post.doi_url,
        doi=post.doi,
        key=_ascii_key(first, post.source_date.year if post.source_date else ""),
    )
