"""Admin forms for posts and their disclosures.

The publication rule (``blog.publication_rule``) must see the disclosures the admin is
about to save in the same request, which are not in the database yet. ``PostAdminForm``
counts them from the bound inline data and tells the post through ``pending_disclosures``
(for ``Post.clean()``); ``DisclosureInlineFormSet.clean()`` asks the same rule with the
validated forms, so a post is never saved published without a disclosure.

The change-note rule (``blog.corrections``) needs the whole change, disclosures included:
the post form hands its kind and note to the formset (``pending_change``), which validates
last and puts any error beside the post form's fields.
"""

import re
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from blog import revisions
from blog.corrections import NOTE_MAX_LENGTH, changed_reader_fields, check_change_note
from blog.line_endings import normalise_line_endings
from blog.models import (
    LABEL_NAME_MAX_LENGTH,
    Disclosure,
    Post,
    PostRevision,
    slug_from,
    unique_slug,
)
from blog.publication_rule import check_post_publishable
from blog.services import post_seen_snapshot

SLUG_MAX_LENGTH = Post._meta.get_field("slug").max_length

# The inline formset's prefix: Disclosure.post's related_name.
DISCLOSURE_PREFIX = "disclosures"

NO_DISCLOSURE_MESSAGE = (
    "Add at least one disclosure before publishing. If there is nothing to declare, "
    "add one with the relationship \u201cNothing to disclose\u201d."
)


def count_pending_disclosures(data, *, prefix=DISCLOSURE_PREFIX):
    """How many disclosures the bound inline data would keep, or None without inline data.

    A row counts when it names a relationship (a row without one is either an empty
    extra row, which is not saved, or an invalid row, which stops the whole save) and
    is not marked for deletion. Only keys below TOTAL_FORMS count, as in the formset;
    scanning the keys rather than range(TOTAL_FORMS) keeps a forged total harmless.
    """
    try:
        total = int(data.get(f"{prefix}-TOTAL_FORMS", ""))
    except (TypeError, ValueError):
        return None
    row = re.compile(rf"^{re.escape(prefix)}-(\d+)-relationship$")
    count = 0
    for key in data:
        match = row.match(key)
        if not match or int(match.group(1)) >= total:
            continue
        index = match.group(1)
        deleted = data.get(f"{prefix}-{index}-DELETE", "") not in ("", "off", "false", "0")
        if data.get(key) and not deleted:
            count += 1
    return count


# The post's fields in the admin's three groups: the form takes them all, the admin's
# fieldsets lay them out (blog.admin.PostAdmin.get_fieldsets).
MAIN_FIELDS = ("title", "slug", "summary", "body")
PLAIN_FIELDS = ("plain_summary", "last_reviewed", "next_review_due")
PUBLISHING_FIELDS = ("tags", "status", "published_at", "comments_open")
SOURCE_FIELDS = (
    "source_citation",
    "source_title",
    "source_authors",
    "source_journal",
    "source_date",
    "doi",
    "trial_registration",
)


class AnySlugField(forms.CharField):
    """Whatever the author types becomes a slug under the one rule (as in WordPress):
    ``Ménière's Disease!`` gives ``ménières-disease``; nothing is refused for its shape."""

    allow_unicode = True  # the admin's prepopulate script keeps letters of every script

    def to_python(self, value):
        value = super().to_python(value)
        return (
            slug_from(value, fallback="", max_length=self.max_length or SLUG_MAX_LENGTH)
            if value
            else ""
        )


CHANGE_FIELDS = ("change_kind", "change_note")

CHANGE_NOTE_PROBLEM = (
    "Readers have seen this post and the disclosures changed: say what kind of change "
    "this is and why, under \u201cChange note\u201d above."
)


@dataclass
class PendingChange:
    """What the post form says about the change, for the disclosure formset's check (the
    formset validates last, so it is the one that sees the whole change)."""

    kind: str
    note: str
    labels: list
    form: forms.Form


class PostAdminForm(forms.ModelForm):
    change_kind = forms.ChoiceField(
        label="Kind of change",
        required=False,
        choices=[("", "\u2014")] + PostRevision.Kind.choices,
        help_text="Needed once readers have seen the post and you change what it says "
        "(text, disclosures or source). A minor typo fix is kept in the history, not "
        "announced; a change to the disclosures is always announced.",
    )
    change_note = forms.CharField(
        label="Change note",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 100}),
        help_text="What changed and why, in a sentence: shown to readers in the "
        "post\u2019s corrections box.",
    )
    slug = AnySlugField(
        max_length=SLUG_MAX_LENGTH,
        required=False,
        help_text=(
            "The last part of the post's address, in any script. Leave it empty to make one "
            "from the title. If another post has it, -2, -3... is added."
        ),
    )

    class Meta:
        model = Post
        # The admin narrows this to its fieldsets; author is set from the request.
        fields = (*MAIN_FIELDS, *PLAIN_FIELDS, *PUBLISHING_FIELDS, *SOURCE_FIELDS)
        widgets = {
            "body": forms.Textarea(attrs={"rows": 30, "cols": 100, "class": "post-body-source"}),
            "summary": forms.Textarea(attrs={"rows": 3, "cols": 100}),
            "plain_summary": forms.Textarea(attrs={"rows": 12, "cols": 100}),
            "source_citation": forms.Textarea(attrs={"rows": 3, "cols": 100}),
        }

    class Media:
        css = {"all": ["blog/admin/post-form.css"]}

    def clean_slug(self):
        """Without JavaScript the slug is not filled in for you: make it from the title
        (or "post" when the title has no letters or digits, e.g. emoji only).

        A slug another post has gets a silent -2, -3 (as in WordPress): an error would tell
        an author that someone else's draft has it.
        """
        slug = self.cleaned_data.get("slug") or slug_from(
            self.cleaned_data.get("title", ""), fallback="post", max_length=SLUG_MAX_LENGTH
        )
        return unique_slug(
            slug, taken=Post.objects.exclude(pk=self.instance.pk), max_length=SLUG_MAX_LENGTH
        )

    def clean(self):
        return with_normal_line_endings(super().clean())

    def clean_tags(self):
        names = self.cleaned_data.get("tags") or []
        too_long = [name for name in names if len(name) > LABEL_NAME_MAX_LENGTH]
        if too_long:
            raise ValidationError(
                f"A label can have at most {LABEL_NAME_MAX_LENGTH} characters; shorten "
                f"\u201c{too_long[0][:40]}\u2026\u201d."
            )
        return names

    def _post_clean(self):
        # Before the model's validation runs: tell the post what the inline will save.
        if self.is_bound:
            pending = count_pending_disclosures(self.data)
            if pending is not None:
                self.instance.pending_disclosures = pending
            if self.instance.pk is not None:
                # The state before this change, for a post saved before revisions existed.
                revisions.ensure_baseline(self.instance)
            self.instance.pending_change = PendingChange(
                kind=self.cleaned_data.get("change_kind", ""),
                note=self.cleaned_data.get("change_note", ""),
                labels=list(self.cleaned_data.get("tags") or []),
                form=self,
            )
        super()._post_clean()


def with_normal_line_endings(cleaned_data):
    """A form's cleaned data with ``\n`` line breaks in every text (browsers send
    ``\r\n``): stored as the services store it, so an unchanged save changes nothing."""
    for name, value in cleaned_data.items():
        if isinstance(value, str):
            cleaned_data[name] = normalise_line_endings(value)
    return cleaned_data


class DisclosureForm(forms.ModelForm):
    class Meta:
        model = Disclosure
        fields = ("person", "relationship", "organisations", "statement", "position")

    def clean(self):
        return with_normal_line_endings(super().clean())


class DisclosureInlineFormSet(BaseInlineFormSet):
    def kept_forms(self):
        return [
            form
            for form in self.forms
            if form.has_changed() or form.instance.pk is not None
            if not (self.can_delete and self._should_delete_form(form))
        ]

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = self.kept_forms()
        try:
            check_post_publishable(status=self.instance.status, disclosure_count=len(kept))
        except ValidationError:
            raise ValidationError(NO_DISCLOSURE_MESSAGE) from None
        self._check_nothing_to_disclose_stands_alone(kept)
        self._check_change_note(kept)

    def _check_change_note(self, kept):
        """A change to a post readers have seen needs a kind and a note (blog.corrections);
        the errors go beside the post form's fields, and this formset refuses too, so that
        nothing is saved."""
        pending = getattr(self.instance, "pending_change", None)
        if pending is None or self.instance.pk is None:
            return
        ordered = sorted(
            enumerate(kept), key=lambda pair: (pair[1].cleaned_data.get("position") or 0, pair[0])
        )
        after = revisions.snapshot_of(
            self.instance,
            disclosures=[form.cleaned_data for _, form in ordered],
            labels=pending.labels,
        )
        seen = post_seen_snapshot(self.instance.pk)
        try:
            check_change_note(seen=seen, after=after, kind=pending.kind, note=pending.note)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                pending.form.add_error(field, messages)
            # The admin validated the post form before this formset: refuse here too, so
            # nothing is saved, but say so beside the disclosures only if they changed.
            self.refused_for_change_note = True
            if seen is not None and "disclosures" in changed_reader_fields(seen, after):
                raise ValidationError(CHANGE_NOTE_PROBLEM) from None

    def is_valid(self):
        return super().is_valid() and not getattr(self, "refused_for_change_note", False)

    def _check_nothing_to_disclose_stands_alone(self, kept):
        by_person = {}
        for form in kept:
            person = " ".join(form.cleaned_data.get("person", "").split()).casefold()
            by_person.setdefault(person, []).append(form.cleaned_data.get("relationship"))
        for form in kept:
            person = form.cleaned_data.get("person", "")
            relationships = by_person[" ".join(person.split()).casefold()]
            if Disclosure.Relationship.NONE in relationships and len(relationships) > 1:
                raise ValidationError(
                    f"{person} is listed both with \u201cNothing to disclose\u201d and with "
                    "other relationships. Remove one or the other."
                )
