"""What a reader typed into the search box, made safe for both engines.

No syntax typed by a reader ever reaches an engine: the query is cut into parts (a "quoted
phrase", or what stands between spaces and other separators, where hyphens, dots, slashes
and apostrophes join), each part into words (``search.text``), and every part must match
as a phrase. A DOI, a hyphenated number or "relapse rate" in quotes are phrases; a
hyphenated compound of words ("β-interferon") is its words, each required, in any order;
``NEAR(``, ``AND OR``, ``*``, ``-`` and SQL are just words or nothing.

Synonyms (``search.synonyms``): a part, or a run of parts, that says one of a group's
words is a choice among the group ("side effects" or "adverse effect" or "adverse event"
...); every choice is still one part that must match. ``ParsedQuery.groups`` holds the
parts so expanded; ``phrases`` the parts as typed. A quoted phrase is taken as typed.

Trial ids and DOIs are written many ways; ``identifiers_normalised`` gives each the one
spelling the index holds before the query is cut into parts: ``NCT 00548405``,
``nct-00548405`` and ``NCT:00548405`` are ``NCT00548405`` (so for ISRCTN), ``EudraCT
2007-001161-10`` is the number alone, and ``https://doi.org/10.1016/...`` or ``doi:
10.1016/...`` the bare DOI, searched as one phrase.
"""

import re
import unicodedata
from dataclasses import dataclass

from search.synonyms import SYNONYM_GROUPS
from search.text import fold, plain, words

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


def synonym_key(phrase_words):
    """Words as synonyms are compared: folded, without a plural "s" (both sides alike)."""
    key = []
    for word in phrase_words:
        word = fold(word)
        key.append(word[:-1] if len(word) > 3 and word.endswith("s") else word)
    return tuple(key)


def _synonym_table(groups):
    """{key of one way of saying it: every other way, as word tuples}."""
    table = {}
    for group in groups:
        ways = [tuple(words(way)) for way in group]
        for way in ways:
            table.setdefault(synonym_key(way), [w for w in ways if w != way])
    return table


SYNONYMS = _synonym_table(SYNONYM_GROUPS)
MAX_SYNONYM_WORDS = max((len(key) for key in SYNONYMS), default=0)


@dataclass(frozen=True)
class ParsedQuery:
    text: str  # what is echoed (shortened to MAX_QUERY_CHARS at a word boundary)
    phrases: tuple = ()  # each a tuple of words as typed; every one must match
    cut: bool = False  # the typed query was longer than MAX_QUERY_CHARS
    # Every group must match; a group is a tuple of choices, any one of which will do; a
    # choice is a tuple of phrases that must all match (the typed parts, or one synonym).
    groups: tuple = ()

    @property
    def is_empty(self):
        return not self.phrases


def _pieces(bare):
    """A bare part's phrases: a DOI is one phrase; elsewhere separators split, and so do
    hyphens between words ("β-interferon" is the parts "β" and "interferon", each required
    in any order, so it finds "interferon beta-1a"). A hyphenated number keeps its hyphens
    ("2007-001161-10", "COVID-19", "S0140-6736"): one phrase."""
    if _DOI.fullmatch(bare):
        return [bare]
    pieces = []
    for piece in _SEPARATORS.split(bare):
        compound = piece.split("-")
        if len(compound) > 1 and not any(_is_number(part) for part in compound):
            pieces += compound
        else:
            pieces.append(piece)
    return pieces


def _is_number(text):
    found = words(text)
    return bool(found) and any(word.isdigit() for word in found)


def parse(raw):
    full = normalise(raw)
    text = shorten(full)
    phrases, quoted_parts = [], set()
    for quoted, bare in _PARTS.findall(identifiers_normalised(text).translate(_QUOTES)):
        for piece in [quoted] if quoted else _pieces(bare):
            part = tuple(words(piece))[:MAX_WORDS_PER_PART]
            if part and part not in phrases:
                phrases.append(part)
                if quoted:
                    quoted_parts.add(part)
    phrases = tuple(phrases[:MAX_PARTS])
    return ParsedQuery(
        text=text,
        phrases=phrases,
        cut=text != full,
        groups=with_synonyms(phrases, quoted_parts),
    )


def with_synonyms(phrases, quoted=frozenset()):
    """The groups for ``phrases``: each run of unquoted parts that says a synonym group's
    word becomes a choice between the parts as typed and the group's other words. At each
    part at most ``MAX_SYNONYM_WORDS`` runs are tried, so this is linear in the query."""
    groups, i = [], 0
    while i < len(phrases):
        found = None
        if phrases[i] not in quoted:
            run = []
            for j in range(i, min(i + MAX_SYNONYM_WORDS, len(phrases))):
                if phrases[j] in quoted:
                    break
                run += phrases[j]
                if len(run) > MAX_SYNONYM_WORDS:
                    break
                others = SYNONYMS.get(synonym_key(run))
                if others is not None:
                    found = (j + 1, others)
        if found is None:
            groups.append(((phrases[i],),))
            i += 1
            continue
        end, others = found
        groups.append((tuple(phrases[i:end]), *((other,) for other in others)))
        i = end
    return tuple(groups)


def canonical(value):
    """The page cache's key for ``?q=``: the normalised query, or None (serve uncached)
    when it is too long to be worth a cache slot."""
    text = normalise(value)
    return text if len(text) <= MAX_QUERY_CHARS else None
