"""Mark the first use of each glossary term in a post body's HTML, and explain it.

Runs once, when the body is rendered (``blog.post_html_hooks``), on the sanitised HTML:

- the first use of a term, and the first use of its abbreviation, becomes a link to its
  explanation in a "Words explained" list at the end of the body, so the explanation is there
  without JavaScript and on touch screens (where ``title`` never shows). An abbreviation
  is wrapped in ``<abbr title="its expansion">``; the list names each entry with
  ``<dfn>``, beside its explanation (where HTML says the defining instance belongs), and
  links back to the place of first use;
- never inside a link, code, a heading, an ``abbr``/``dfn`` already there, footnotes, the
  citation (a paragraph that links a DOI) or a section headed Source/References/Citation;
- whole words only (``MS`` is not marked in ``MSers``); abbreviations match their case
  (``MS``, not "ms"), terms any case (``Hazard ratio``); a plural "s" counts;
- never a one-letter abbreviation (``too_short``): "p" for p value would mark the p of
  "(p. 12)" and list markers.

One ``Matcher`` per glossary version (``glossary.services.current_matcher``): a dict from
each phrase to its entry, so a body is scanned once, word by word, trying at most
``MAX_WORDS`` words at each: linear in the body, whatever the size of the glossary.
"""

import re
from dataclasses import dataclass, replace
from html import escape
from html.parser import HTMLParser

MAX_WORDS = 6
MIN_ABBREVIATION_CHARACTERS = 2
WORD = re.compile(r"\w+")
_SPACES = re.compile(r"\s+")
SKIPPED_TAGS = frozenset(
    {"a", "code", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "abbr", "dfn", "sup", "script"}
)
VOID_TAGS = frozenset({"br", "hr", "img", "wbr", "input", "source", "area", "col", "meta"})
SOURCE_HEADINGS = frozenset({"source", "sources", "references", "reference", "citation"})
WORDS_EXPLAINED_START = (
    '\n<section class="words-explained" aria-labelledby="words-explained-title">\n'
    '<h2 id="words-explained-title">Words explained</h2>\n<dl>\n'
)
WORDS_EXPLAINED_END = "\n</dl>\n</section>\n"
_DOI_LINK = re.compile(r"""href=["']https?://(?:dx\.)?doi\.org/""", re.IGNORECASE)


@dataclass(frozen=True)
class Entry:
    slug: str
    term: str
    abbreviation: str
    explanation: str

    @property
    def anchor(self):
        return f"word-{self.slug}"


def too_short(abbreviation):
    """An abbreviation with fewer than ``MIN_ABBREVIATION_CHARACTERS`` letters and digits
    ("p", "a.") is never matched: a lone letter stands in too many places ("(p. 12)", a
    list marker) to be the abbreviation. Editors are told so (``Term.clean``); rows
    written around that check are skipped by the ``Matcher``."""
    if not abbreviation:
        return False
    return sum(len(word) for word in WORD.findall(abbreviation)) < MIN_ABBREVIATION_CHARACTERS


def phrase_key(text):
    """A phrase as the matcher compares it: its words and what is between them, with any
    run of white space as one space."""
    return _SPACES.sub(" ", text.strip())


def word_count(text):
    return len(WORD.findall(text))


class Matcher:
    def __init__(self, entries):
        self.entries = [
            replace(entry, abbreviation="") if too_short(entry.abbreviation) else entry
            for entry in entries
        ]
        self.exact, self.folded = {}, {}
        for entry in self.entries:
            if entry.abbreviation:
                key = phrase_key(entry.abbreviation)
                self.exact.setdefault(key, entry)
            key = phrase_key(entry.term).casefold()
            self.folded.setdefault(key, entry)
        for table in (self.exact, self.folded):
            for key, entry in list(table.items()):
                table.setdefault(key + "s", entry)
        self.first_exact = {WORD.match(k).group() for k in self.exact if WORD.match(k)}
        self.first_folded = {WORD.match(k).group() for k in self.folded if WORD.match(k)}
        self.max_words = max((word_count(k) for k in (*self.exact, *self.folded)), default=0)

    def find(self, text, seen):
        """[(start, end, entry, is_abbreviation)] of first uses in ``text``, in order."""
        words = [(m.start(), m.end()) for m in WORD.finditer(text)]
        found = []
        i = 0
        while i < len(words):
            start = words[i][0]
            first = text[start : words[i][1]]
            hit = None
            if first in self.first_exact or first.casefold() in self.first_folded:
                longest = min(self.max_words, len(words) - i)
                for n in range(longest, 0, -1):
                    end = words[i + n - 1][1]
                    key = phrase_key(text[start:end])
                    entry, is_abbr = self.exact.get(key), True
                    if entry is None:
                        entry, is_abbr = self.folded.get(key.casefold()), False
                    if entry is not None:
                        hit = (start, end, entry, is_abbr, n)
                        break
            if hit is None:
                i += 1
                continue
            start, end, entry, is_abbr, n = hit
            if (entry.slug, is_abbr) not in seen:
                seen[(entry.slug, is_abbr)] = entry
                found.append((start, end, entry, is_abbr))
            i += n
        return found


class _Events(HTMLParser):
    """The HTML as a list of events, each keeping its exact source text."""

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.events = []

    def handle_starttag(self, tag, attrs):
        self.events.append(("start", tag, self.get_starttag_text()))

    def handle_startendtag(self, tag, attrs):
        self.events.append(("void", tag, self.get_starttag_text()))

    def handle_endtag(self, tag):
        self.events.append(("end", tag, f"</{tag}>"))

    def handle_data(self, data):
        self.events.append(("text", "", data))

    def handle_entityref(self, name):
        self.events.append(("raw", "", f"&{name};"))

    def handle_charref(self, name):
        self.events.append(("raw", "", f"&#{name};"))

    def handle_comment(self, data):
        self.events.append(("raw", "", f"<!--{data}-->"))

    def handle_decl(self, decl):
        self.events.append(("raw", "", f"<!{decl}>"))


def _events(html):
    parser = _Events()
    parser.feed(html)
    parser.close()
    return parser.events


def _citation_paragraphs(events):
    """Indexes of the events inside a paragraph that links a DOI (the citation)."""
    skipped, opened = set(), None
    for index, (kind, tag, source) in enumerate(events):
        if kind == "start" and tag == "p":
            opened, has_doi = index, False
        elif opened is not None and kind == "start" and tag == "a" and _DOI_LINK.search(source):
            has_doi = True
        elif kind == "end" and tag == "p" and opened is not None:
            if has_doi:
                skipped.update(range(opened, index + 1))
            opened = None
    return skipped


def _heading_texts(events):
    """{index of a <h2>/<h3> start: its text}."""
    texts, current, parts = {}, None, []
    for index, (kind, tag, source) in enumerate(events):
        if kind == "start" and tag in ("h2", "h3"):
            current, parts = index, []
        elif kind == "text" and current is not None:
            parts.append(source)
        elif kind == "end" and tag in ("h2", "h3") and current is not None:
            texts[current] = "".join(parts)
            current = None
    return texts


def _marked(text, found):
    out, at = [], 0
    for start, end, entry, is_abbr in found:
        out.append(text[at:start])
        shown = text[start:end]
        inner = f'<abbr title="{escape(entry.term)}">{shown}</abbr>' if is_abbr else shown
        out.append(
            f'<a class="glossary-ref" id="{escape(_use_id(entry, is_abbr))}" '
            f'href="#{escape(entry.anchor)}" aria-describedby="{escape(entry.anchor)}-text">'
            f"{inner}</a>"
        )
        at = end
    out.append(text[at:])
    return "".join(out)


def _use_id(entry, is_abbr):
    return f"used-{entry.slug}-abbr" if is_abbr else f"used-{entry.slug}"


def words_explained(uses):
    """The list at the end of the body: each entry named (``<dfn>``) and explained, with a
    link back to its first use. ``uses``: {(slug, is_abbreviation): entry}, in order."""
    items, listed = [], set()
    for (slug, is_abbr), entry in uses.items():
        if slug in listed:
            continue
        listed.add(slug)
        name = escape(entry.abbreviation or entry.term)
        expansion = f" ({escape(entry.term)})" if entry.abbreviation else ""
        items.append(
            f'<dt id="{escape(entry.anchor)}"><dfn>{name}</dfn>{expansion}</dt>'
            f'<dd id="{escape(entry.anchor)}-text">{escape(entry.explanation)} '
            f'<a class="glossary-back" href="#{escape(_use_id(entry, is_abbr))}">'
            f'Back to the text<span class="visually-hidden"> where {name} is first used'
            "</span></a></dd>"
        )
    return WORDS_EXPLAINED_START + "\n".join(items) + WORDS_EXPLAINED_END


def without_words_explained(html):
    """``html`` without the list ``mark_first_uses`` appended: the post's own text, as
    search indexes it. An author cannot forge the list's opening (the sanitiser keeps no
    ``<section>``), so no text of the author's is ever dropped."""
    if not html.endswith(WORDS_EXPLAINED_END):
        return html
    start = html.rfind(WORDS_EXPLAINED_START)
    return html[:start] if start >= 0 else html


def mark_first_uses(html, matcher):
    """``html`` with the first use of each term marked and the list appended."""
    if not matcher.entries or not html:
        return html
    events = _events(html)
    citation = _citation_paragraphs(events)
    headings = _heading_texts(events)
    seen, out, skipping, in_source = {}, [], 0, False
    for index, (kind, tag, source) in enumerate(events):
        if kind == "start":
            if tag in ("h2", "h3"):
                in_source = headings.get(index, "").strip().casefold() in SOURCE_HEADINGS
            if tag in SKIPPED_TAGS or (tag == "div" and (skipping or "footnote" in source)):
                skipping += 1
        elif kind == "end" and skipping and (tag in SKIPPED_TAGS or tag == "div"):
            skipping -= 1
        if kind == "text" and not skipping and not in_source and index not in citation:
            found = matcher.find(source, seen)
            if found:
                out.append(_marked(source, found))
                continue
        out.append(source)
    if not seen:
        return html
    return "".join(out) + words_explained(seen)
