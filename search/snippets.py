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

from django.utils.html import escape
from django.utils.safestring import mark_safe

from search.text import MARK_END, MARK_START, WORD, fold

PASSAGE_WORDS = 30
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
    folded = fold(word)
    return folded in targets and (targets[folded] or folded != word.casefold())


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
    """``PASSAGE_WORDS`` words of ``body`` around its first wanted word, or None."""
    found = list(WORD.finditer(body))
    first = next((i for i, m in enumerate(found) if _wanted(m.group(), targets)), None)
    if first is None:
        return None
    low = max(first - PASSAGE_WORDS // 3, 0)
    high = min(low + PASSAGE_WORDS, len(found)) - 1
    start = 0 if low == 0 else found[low].start()
    end = len(body) if high == len(found) - 1 else found[high].end()
    text = body[start:end].strip()
    before = ELLIPSIS.lstrip() if start else ""
    return before + text + (ELLIPSIS.rstrip() if end < len(body) else "")


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


def snippet_html(text):
    escaped = escape(text or "")
    opened = escaped.count(MARK_START)
    if opened != escaped.count(MARK_END):  # never from our engines: show it unmarked
        return mark_safe(escaped.replace(MARK_START, "").replace(MARK_END, ""))  # noqa: S308
    return mark_safe(  # noqa: S308 - escaped above; the markers are our only markup
        escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    )
