"""Where a hit matched when its snippet shows no match: the author's name or a disclosure.

The body's snippet is all a result shows of the text, so a post found by its author's name
("Ashdown") or by a company in a disclosure ("Quillon") showed no highlight at all, and the
reader could not tell why it was listed. ``matched_elsewhere`` says "author" or gives a
passage of the disclosures with the query's words (and their synonyms) marked, from the
document's author field the engines already read (no query more).
"""

from dataclasses import dataclass

from search.documents import indexed_name
from search.snippets import _mark_words, _passage, snippet_html
from search.text import MARK_START, fold, words


@dataclass(frozen=True)
class Elsewhere:
    where: str  # "author" or "disclosure"
    html: str = ""  # the disclosure's passage, escaped, the matched words in <mark>


def query_targets(query):
    """{folded word: True} for every word of the query and of its synonyms, with and without
    a plural "s" (the engines match stems; this is near enough to show where)."""
    targets = {}
    for group in query.groups:
        for choice in group:
            for phrase in choice:
                for word in phrase:
                    for folded in fold(word).split():
                        targets[folded] = True
                        targets[folded + "s"] = True
                        if len(folded) > 3 and folded.endswith("s"):
                            targets[folded[:-1]] = True
    return targets


def _has(text, targets):
    return any(fold(word) in targets for word in words(text))


def matched_elsewhere(post, query):
    """``Elsewhere`` for a hit whose snippet has no mark, else None."""
    if MARK_START in (getattr(post, "snippet", "") or ""):
        return None
    people = getattr(post, "people", "") or ""
    if not people:
        return None
    targets = query_targets(query)
    name = indexed_name(post.author)
    if _has(name, targets):
        return Elsewhere("author")
    disclosures = people[len(name) :] if people.startswith(name) else people
    passage = _passage(disclosures.strip(), targets)
    if passage is None:
        return None
    return Elsewhere("disclosure", snippet_html(_mark_words(passage, targets)))
