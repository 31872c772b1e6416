"""What a reader typed into the search box, made safe for both engines.

No syntax typed by a reader ever reaches an engine: the query is cut into parts (a "quoted
phrase", or what stands between spaces and other separators, where hyphens, dots, slashes
and apostrophes join), each part into words (``search.text``), and every part must match
as a phrase. "β-interferon", a DOI or "relapse rate" in quotes are
phrases; ``NEAR(``, ``AND OR``, ``*``, ``-`` and SQL are just words or nothing.
"""

import re
import unicodedata
from dataclasses import dataclass

from search.text import plain, words

MAX_QUERY_CHARS = 200  # longer queries are cut here (and the reader is told)
MAX_PARTS = 12  # words or phrases that must all match
MAX_WORDS_PER_PART = 16

_PARTS = re.compile(r'"([^"]*)"?|(\S+)')
# Inside a bare part, these join words into one phrase ("β-interferon", "10.1016/S0140",
# "Ménière's"); anything else ("title:x", "NEAR(x") separates them.
_SEPARATORS = re.compile(r"[^\w\-./'\u2019]+")


def normalise(raw):
    """The query as it is searched and echoed: NFC, no controls, spaces collapsed."""
    text = unicodedata.normalize("NFC", plain(raw or ""))
    return " ".join(text.split())


@dataclass(frozen=True)
class ParsedQuery:
    text: str  # what is searched and echoed (cut to MAX_QUERY_CHARS)
    phrases: tuple = ()  # each a tuple of words as typed; every one must match
    cut: bool = False  # the typed query was longer than MAX_QUERY_CHARS

    @property
    def is_empty(self):
        return not self.phrases


def parse(raw):
    text = normalise(raw)
    cut = len(text) > MAX_QUERY_CHARS
    if cut:
        text = text[:MAX_QUERY_CHARS].rstrip()
    phrases = []
    for quoted, bare in _PARTS.findall(text):
        for piece in [quoted] if quoted else _SEPARATORS.split(bare):
            part = tuple(words(piece))[:MAX_WORDS_PER_PART]
            if part and part not in phrases:
                phrases.append(part)
    return ParsedQuery(text=text, phrases=tuple(phrases[:MAX_PARTS]), cut=cut)


def canonical(value):
    """The page cache's key for ``?q=``: the normalised query, or None (serve uncached)
    when it is too long to be worth a cache slot."""
    text = normalise(value)
    return text if len(text) <= MAX_QUERY_CHARS else None
