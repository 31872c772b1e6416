"""How many words a comment has, in any script, for ``COMMENT_MAX_WORDS``.

The rule, in one linear pass over the text:

- a word is a run of letters, digits and combining marks; an apostrophe, a hyphen or a full
  stop inside it does not end it ("don't", "well-being", "0.001" are one word each), and
  punctuation or symbols alone ("-", "&", "**") are no word;
- scripts written without spaces between words (Chinese, Japanese kana, Thai, Lao, Khmer,
  Myanmar) count one word per two characters, rounded up, per run: a Chinese word is one to
  two characters on average, so the limit reads about the same in every language;
- the Markdown is counted as typed: a link's address counts as the words in it.
"""

import unicodedata

# Code point ranges of the scripts written without spaces between words.
SPACELESS = (
    (0x0E00, 0x0EFF),  # Thai, Lao
    (0x1000, 0x109F),  # Myanmar
    (0x1780, 0x17FF),  # Khmer
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x31F0, 0x31FF),  # Katakana phonetic extensions
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0x20000, 0x3FFFF),  # CJK extensions B onwards
)
JOINERS = frozenset("'\u2019-\u2010\u2011.")


def _spaceless(code):
    if code < 0x0E00:  # most text: one comparison
        return False
    return any(low <= code <= high for low, high in SPACELESS)


def _is_mark(char):
    """Combining marks (Devanagari vowel signs, accents typed apart) continue a word."""
    return unicodedata.category(char)[0] == "M"


def word_count(text):
    """``str.isalnum()`` covers letters and digits in every script."""
    words = 0
    run = 0  # characters in the current run of a spaceless script
    in_word = False
    for char in text:
        if _spaceless(ord(char)):
            run += 1
            in_word = False
            continue
        if run:
            words += (run + 1) // 2
            run = 0
        if char.isalnum() or (in_word and _is_mark(char)):
            if not in_word:
                words += 1
                in_word = True
        elif char in JOINERS and in_word:
            continue
        elif not _is_mark(char):
            in_word = False
    return words + (run + 1) // 2
