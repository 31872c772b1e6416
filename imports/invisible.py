"""Invisible characters an export may hide in a title or a login: bidi controls
(U+202A–U+202E, U+2066–U+2069, U+200E, U+200F) and zero-width ones (U+200B–U+200D, U+2060,
U+FEFF). Stripped at import, so ``ad\u200bmin`` is not read as ``admin`` and a title cannot
reverse the text around it. Linear, no regular expressions."""

from __future__ import annotations

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff")
INVISIBLE = BIDI_CONTROLS | ZERO_WIDTH
JOINERS = frozenset("\u200c\u200d")
"""ZWNJ and ZWJ are part of the spelling between two visible characters (Persian words,
emoji sequences such as 👩‍⚕️): in titles they stay there (``keep_joiners``)."""


def strip_invisible(text: str, *, keep_joiners: bool = False) -> str:
    """``text`` without the characters in ``INVISIBLE``; with ``keep_joiners``, a ZWNJ or
    ZWJ between two visible characters stays."""
    text = text or ""
    out = []
    n = len(text)
    for index, char in enumerate(text):
        if char not in INVISIBLE or (
            keep_joiners
            and char in JOINERS
            and out
            and not out[-1].isspace()
            and out[-1] not in INVISIBLE
            and index + 1 < n
            and text[index + 1] not in INVISIBLE
            and not text[index + 1].isspace()
        ):
            out.append(char)
    return "".join(out)


def has_invisible(text: str) -> bool:
    return any(char in INVISIBLE for char in text or "")
