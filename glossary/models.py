"""Glossary terms editors keep, each explained for a lay reader (a reading age of 9-11)."""

import re

from django.core.exceptions import ValidationError
from django.db import models

from blog.models import slug_from, unique_slug
from glossary.marking import MAX_WORDS, MIN_ABBREVIATION_CHARACTERS, too_short, word_count

TERM_MAX_LENGTH = 100
ABBREVIATION_MAX_LENGTH = 20
EXPLANATION_MAX_LENGTH = 600
_HAS_WORD = re.compile(r"\w")


class Term(models.Model):
    term = models.CharField(
        max_length=TERM_MAX_LENGTH,
        help_text="The words in full, as a post uses them: hazard ratio, multiple sclerosis.",
    )
    abbreviation = models.CharField(
        max_length=ABBREVIATION_MAX_LENGTH,
        blank=True,
        help_text="Optional, with its capitals: MS, RRMS. Matched only with the same capitals; "
        "at least two letters or digits.",
    )
    explanation = models.TextField(
        max_length=EXPLANATION_MAX_LENGTH,
        help_text="One or two short sentences a 10-year-old could follow. Plain text.",
    )
    slug = models.SlugField(
        max_length=TERM_MAX_LENGTH,
        unique=True,
        allow_unicode=True,
        blank=True,
        help_text="Made from the term if left empty; the address of its explanation on a page.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["term", "pk"]

    def __str__(self):
        return f"{self.term} ({self.abbreviation})" if self.abbreviation else self.term

    def clean(self):
        super().clean()
        errors = {}
        self.term = (self.term or "").strip()
        self.abbreviation = (self.abbreviation or "").strip()
        self.explanation = (self.explanation or "").strip()
        if not self.term:
            errors["term"] = "Write the term."
        if not self.explanation:
            errors["explanation"] = "Explain the term in a sentence or two."
        for name, value in (("term", self.term), ("abbreviation", self.abbreviation)):
            if value and not _HAS_WORD.search(value):
                errors[name] = "Use at least one letter or digit."
            elif word_count(value) > MAX_WORDS:
                errors[name] = f"Use at most {MAX_WORDS} words."
        if self.abbreviation and "abbreviation" not in errors and too_short(self.abbreviation):
            errors["abbreviation"] = (
                f"Use at least {MIN_ABBREVIATION_CHARACTERS} letters or digits: a single "
                "letter such as “p” would be marked wherever it stands alone (“p. 12”, a list "
                "marker). Leave the abbreviation empty and the term is still explained."
            )
        others = Term.objects.exclude(pk=self.pk)
        folded = self.term.casefold()
        if any(t.casefold() == folded for t in others.values_list("term", flat=True)):
            errors.setdefault("term", "This term is already in the glossary.")
        if self.abbreviation and others.filter(abbreviation=self.abbreviation).exists():
            errors.setdefault("abbreviation", "This abbreviation is already in the glossary.")
        if errors:
            raise ValidationError(errors)
        if not self.slug:
            base = slug_from(self.term, fallback="term", max_length=TERM_MAX_LENGTH)
            self.slug = unique_slug(base, taken=others, max_length=TERM_MAX_LENGTH)
