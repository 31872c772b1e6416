"""A hit's snippet: the engine's passage, completed where accent folding hid a match, then
as HTML (the text escaped, then only our markers made <mark>).

The engines put private-use markers around matched words (``search.text``); stored text
never holds them (``search.text.plain``), so after escaping, the only markup in a snippet
is the <mark> elements added here.

Accents: both engines match folded words ("Meniere" finds "Ménière", "ιντερφερονη" finds
"β-ιντερφερόνη"), but their highlighters may not see the match: SQLite's tokenizer folds
Latin accents only (Greek matches through the ``folded`` column, which is never shown), and
PostgreSQL's ``ts_headline`` folds them only when ``unaccent`` could be installed.
``accents_highlighted`` marks such words itself, in the engine's passage, or, when that
passage holds no match at all, in a passage of the body around the first one. Only words
where folding makes the difference are marked here: plain words (stems, stop words) stay
the engine's call, so both engines show what they matched.
"""

import re

from django.utils.html import escape
from django.utils.safestring import mark_safe

from search.text import MARK_END, MARK_START, WORD, fold

PASSAGE_WORDS = 30
_CHARS_PER_WORD = 20  # how far to look for the passage's words around the first match
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
ELLIPSIS = " … "


def accent_targets(query):
    """{folded word: True for query words matched only by folding, else False}."""
    targets = {}
    for phrase in query.phrases:
        for word in phrase:
            folded = fold(word)
            targets[folded] = targets.get(folded, False) or folded != word.casefold()
    return targets


def _wanted(word, targets):
    """Folding, not the engine, made ``word`` a match. An ASCII word folds to its lower
    case, so only a query word with accents can want it (no Unicode work for it)."""
    if word.isascii():
        return targets.get(word.lower(), False)
    folded = fold(word)
    return folded in targets and (targets[folded] or folded != word.casefold())


def _candidates(text, targets):
    """The words of ``text`` that may be wanted, in order. Unless a query word has accents,
    only words with a non-ASCII letter can be: those are found from their non-ASCII
    characters (each word read once), so a long English body costs a scan in C."""
    if any(targets.values()):
        yield from WORD.finditer(text)
        return
    done = 0
    for hit in _NON_ASCII.finditer(text):
        start = hit.start()
        if start < done:
            continue
        while start > done and text[start - 1].isalnum():
            start -= 1
        word = WORD.match(text, start)
        if word is None:  # a non-ASCII character that is not a letter or digit ("·", "…")
            done = hit.end()
            continue
        done = word.end()
        yield word


def _mark_words(text, targets):
    out, at = [], 0
    for match in WORD.finditer(text):
        if _wanted(match.group(), targets):
            out += [text[at : match.start()], MARK_START, match.group(), MARK_END]
            at = match.end()
    out.append(text[at:])
    return "".join(out)


def _mark_unmarked(snippet, targets):
    """Mark wanted words outside the engine's marks (one pass: linear in the snippet)."""
    out, at = [], 0
    while True:
        start = snippet.find(MARK_START, at)
        if start < 0:
            out.append(_mark_words(snippet[at:], targets))
            return "".join(out)
        end = snippet.find(MARK_END, start)
        if end < 0:  # unbalanced: never from our engines; leave the rest alone
            out.append(snippet[at:])
            return "".join(out)
        out += [_mark_words(snippet[at:start], targets), snippet[start : end + 1]]
        at = end + 1


def _passage(body, targets):
    """About ``PASSAGE_WORDS`` words of ``body`` around its first wanted word, or None.
    Only the text near that word is read again, so the cost is one scan of the body."""
    first = next((w for w in _candidates(body, targets) if _wanted(w.group(), targets)), None)
    if first is None:
        return None
    reach = PASSAGE_WORDS * _CHARS_PER_WORD
    before = body[max(first.start() - reach, 0) : first.start()]
    kept_before = list(WORD.finditer(before))[-(PASSAGE_WORDS // 3) :]
    start = first.start() - len(before) + kept_before[0].start() if kept_before else first.start()
    after = body[first.start() : first.start() + 2 * reach]
    kept_after = list(WORD.finditer(after))[: PASSAGE_WORDS - len(kept_before)]
    end = first.start() + kept_after[-1].end()
    if WORD.search(body, 0, start) is None:  # nothing left out before it
        start = 0
    more = WORD.search(body, end) is not None
    text = body[start : end if more else len(body)].strip()
    lead = ELLIPSIS.lstrip() if start else ""
    return lead + text + (ELLIPSIS.rstrip() if more else "")


def accents_highlighted(snippet, body, query):
    """The engine's ``snippet`` with the words it missed through accents marked; a passage
    of ``body`` instead when the engine's holds no mark and the body has such a word."""
    targets = accent_targets(query)
    snippet = snippet or ""
    if MARK_START not in snippet:
        passage = _passage(body or "", targets)
        if passage is not None:  # no engine marks to follow: every query word is marked
            return _mark_words(passage, dict.fromkeys(targets, True))
    return _mark_unmarked(snippet, targets)


# Between the lines of the document (one per block: a heading, a paragraph, a list item).
LINE_BREAK = " \u00b7 "


def snippet_html(text):
    """The snippet, escaped, with our highlight markers as ``<mark>`` and the document's
    line breaks (block ends, ``search.extraction``) as a middle dot, so a heading does not
    read as the start of the sentence after it."""
    lines = (line.strip() for line in escape(text or "").split("\n"))
    escaped = LINE_BREAK.join(line for line in lines if line)
    opened = escaped.count(MARK_START)
    if opened != escaped.count(MARK_END):  # never from our engines: show it unmarked
        return mark_safe(escaped.replace(MARK_START, "").replace(MARK_END, ""))  # noqa: S308
    return mark_safe(  # noqa: S308 - escaped above; the markers are our only markup
        escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    )
