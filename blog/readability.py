"""How easy a text is to read, as advice for the author of a plain-words summary.

textstat's Flesch reading ease (0-100, higher is easier; 60-70 is plain English) and a
reading age: the Flesch-Kincaid grade (a US school year) plus 5, the age of a pupil in
that year. The NHS aims at a reading age of 9 to 11. Advice only: nothing is refused.
"""

import re
from dataclasses import dataclass

import textstat

TARGET_READING_AGE = (9, 11)
_MARKDOWN_MARKS = re.compile(r"[*_`#>\[\]]|\]\([^)]*\)|^\s*(?:[-+]|\d+[.)])\s+", re.MULTILINE)


@dataclass(frozen=True)
class Readability:
    reading_ease: float
    reading_age: int
    words: int

    @property
    def on_target(self):
        return self.reading_age <= TARGET_READING_AGE[1]

    def advice(self):
        low, high = TARGET_READING_AGE
        figures = (
            f"Flesch reading ease {self.reading_ease:.0f} (higher is easier; 60 or more is "
            f"plain English). Reading age about {self.reading_age} (the NHS aims at {low} to "
            f"{high})."
        )
        if self.on_target:
            return f"{figures} Good."
        return (
            f"{figures} Advice: shorter sentences and everyday words would help; explain "
            "each number as \u201cout of 100 people\u201d. You can still save."
        )


def _plain_text(markdown_text):
    text = re.sub(r"\]\([^)]*\)", "]", markdown_text)
    return _MARKDOWN_MARKS.sub("", text)


def readability(markdown_text):
    """The figures for a Markdown text, or None when it has no words to measure."""
    text = _plain_text(markdown_text or "")
    words = textstat.lexicon_count(text)
    if not words:
        return None
    ease = textstat.flesch_reading_ease(text)
    grade = textstat.flesch_kincaid_grade(text)
    return Readability(
        reading_ease=round(ease, 1), reading_age=max(5, round(grade + 5)), words=words
    )
