"""What a reader typed into the search box, made safe for both engines.

No syntax typed by a reader ever reaches an engine: the query is cut into parts (a "quoted
phrase", or what stands between spaces and other separators, where hyphens, dots, slashes
and apostrophes join), each part into words (``search.text``), and every part must match
as a phrase. "β-interferon", a DOI or "relapse rate" in quotes are
phrases; ``NEAR(``, ``AND OR``, ``*``, ``-`` and SQL are just words or nothing.

Trial ids and DOIs are written many ways; ``identifiers_normalised`` gives each the one
spelling the index holds before the query is cut into parts: ``NCT 00548405``,
``nct-00548405`` and ``NCT:00548405`` are ``NCT00548405`` (so for ISRCTN), ``EudraCT
2007-001161-10`` is the number alone, and ``https://doi.org/10.1016/...`` or ``doi:
10.1016/...`` the bare DOI, searched as one phrase.
"""

import re
import unicodedata
from dataclasses import dataclass

from search.text import plain, words

MAX_QUERY_CHARS = 200  # longer queries are shortened to whole words within this (reader told)
MAX_PARTS = 12  # words or phrases that must all match
MAX_WORDS_PER_PART = 16

_PARTS = re.compile(r'"([^"]*)"?|(\S+)')
# Inside a bare part, these join words into one phrase ("β-interferon", "10.1016/S0140",
# "Ménière's"); anything else ("title:x", "NEAR(x") separates them.
_SEPARATORS = re.compile(r"[^\w\-./'\u2019]+")

# Identifiers: every quantifier is bounded or stands alone at the end of its pattern, so
# each is matched in time linear in the query (no backtracking over what it has read).
_REGISTRY_ID = re.compile(r"\b(NCT|ISRCTN)[ \-:#]{0,2}(\d{8})\b", re.IGNORECASE)
_EUDRACT = re.compile(
    r"\bEudra[ \-]?CT(?:[ ]?(?:number|no\.?|nr\.?))?[ \-:#]{0,2}((?:19|20)\d\d-\d{6}-\d\d)\b",
    re.IGNORECASE,
)
_DOI_PREFIX = re.compile(
    r"(?:\b(?:https?://)?(?:dx\.)?doi\.org/|\bdoi:[ ]?)(?=10\.\d)", re.IGNORECASE
)
_DOI = re.compile(r"10\.\d{4,9}/\S+")
# Phones type curly quotes: they mark a phrase as straight ones do.
_QUOTES = str.maketrans(dict.fromkeys("\u201c\u201d\u201e\u201f", '"'))


def normalise(raw):
    """The query as it is searched and echoed: NFC, no controls, spaces collapsed."""
    text = unicodedata.normalize("NFC", plain(raw or ""))
    return " ".join(text.split())


def shorten(text, limit=MAX_QUERY_CHARS):
    """``text`` cut to at most ``limit`` characters at a space (never inside a word, unless
    its first word alone is longer than ``limit``). ``text`` is ``normalise``d."""
    if len(text) <= limit:
        return text
    space = text.rfind(" ", 0, limit + 1)
    return text[:space].rstrip() if space > 0 else text[:limit]


def identifiers_normalised(text):
    """``text`` with trial registry ids and DOIs written the way the index holds them."""
    text = _REGISTRY_ID.sub(lambda m: m.group(1).upper() + m.group(2), text)
    text = _EUDRACT.sub(r"\1", text)
    return _DOI_PREFIX.sub("", text)


@dataclass(frozen=True)
class ParsedQuery:
    text: str  # what is echoed (shortened to MAX_QUERY_CHARS at a word boundary)
    phrases: tuple = ()  # each a tuple of words as searched; every one must match
    cut: bool = False  # the typed query was longer than MAX_QUERY_CHARS

    @property
    def is_empty(self):
        return not self.phrases


def _pieces(bare):
    """A bare part's phrases: a DOI is one phrase; elsewhere separators split."""
    if _DOI.fullmatch(bare):
        return [bare]
    return _SEPARATORS.split(bare)


def parse(raw):
    full = normalise(raw)
    text = shorten(full)
    phrases = []
    for quoted, bare in _PARTS.findall(identifiers_normalised(text).translate(_QUOTES)):
        for piece in [quoted] if quoted else _pieces(bare):
            part = tuple(words(piece))[:MAX_WORDS_PER_PART]
            if part and part not in phrases:
                phrases.append(part)
    return ParsedQuery(text=text, phrases=tuple(phrases[:MAX_PARTS]), cut=text != full)


def canonical(value):
    """The page cache's key for ``?q=``: the normalised query, or None (serve uncached)
    when it is too long to be worth a cache slot."""
    text = normalise(value)
    return text if len(text) <= MAX_QUERY_CHARS else None
