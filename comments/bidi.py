"""Whether a commenter's name could reorder the text that follows it on a line."""

import unicodedata

# Bidi classes that can reorder the text after a name: right-to-left letters and controls.
_REORDERING = frozenset({"R", "AL", "LRE", "LRO", "RLE", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"})


def could_reorder(text):
    """True for names with right-to-left letters or bidi controls (a U+202E, say)."""
    return not text.isascii() and any(
        unicodedata.bidirectional(char) in _REORDERING for char in text
    )
