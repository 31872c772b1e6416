"""Text as the search index and the query parser see it: one rule for both.

Words are runs of letters and digits of any script (what SQLite's ``unicode61`` tokenizer
calls a token): "β-interferon" is the words ``β interferon``, a DOI
``10.1016/S0140-6736(12)61768-1`` is ``10 1016 S0140 6736 12 61768 1``.

Greek letters: a lone α, β, γ or κ is folded to its name ("β-interferon" finds "beta
interferon" and the other way round), documents and queries alike (``fold``).

Case and accents: SQLite's tokenizer folds case and Latin accents itself
(``remove_diacritics 2``), in the document and in the query alike, so it is given the words
as typed, plus a ``folded`` copy for other scripts' accents (Greek tonos). For PostgreSQL
they are folded here ("Ménière" is ``meniere``), documents and queries alike, so no
extension is needed to match them.
"""

import re
import unicodedata

# Private-use characters that mark the start and end of a highlighted term in snippets.
# Stored text never holds them (``plain``), so no author can forge a highlight.
MARK_START, MARK_END = "\ue000", "\ue001"

WORD = re.compile(r"[^\W_]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ue000\ue001]")


def plain(text):
    """``text`` without NUL, control characters or our highlight markers."""
    return _CONTROL.sub(" ", text or "")


# A Greek letter standing alone (not inside a Greek word; digits may follow) is read as
# its name, as medicine writes it both ways: "β-interferon" is "beta interferon",
# "IFN-β1a" is "ifn beta 1a". "βήτα" or "β-ιντερφερόνη"'s Greek word are left alone.
GREEK_LETTERS = {"α": "alpha", "β": "beta", "γ": "gamma", "κ": "kappa"}
_GREEK_LETTER = re.compile(r"(?<![^\W\d_])[αβγκ](?![^\W\d_])")


def greek_letters_named(text):
    """``text`` (case folded) with each lone Greek letter of ``GREEK_LETTERS`` as its name."""
    return _GREEK_LETTER.sub(lambda m: f" {GREEK_LETTERS[m.group()]} ", text)


def has_lone_greek_letter(text):
    return _GREEK_LETTER.search(text.casefold()) is not None


def fold(text):
    """Lower case without accents, lone Greek letters named: "Ménière" -> "meniere",
    "ΣΚΛΉΡΥΝΣΗ" -> "σκληρυνση", "β" -> "beta"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(char for char in decomposed if not unicodedata.combining(char))
    return greek_letters_named(unicodedata.normalize("NFC", kept)).strip()


def words(text):
    """The words of ``text``, in order, as written."""
    return WORD.findall(text)


def folded_words(text):
    """``text`` as folded words separated by single spaces (what PostgreSQL indexes and
    matches)."""
    return " ".join(WORD.findall(fold(text)))
