"""When a change to a public post must be announced, and what an announcement needs.

Once readers have seen a post, a change to what it says (``revisions.reader_fields()``:
the text, the disclosures, the source) needs a kind and, unless it is a minor fix, a
change note. A minor fix is kept in the history but not announced; a change to the
disclosures is never minor, so a disclosure is never removed silently. Compared with
what readers last saw, so unpublishing, editing and publishing again is announced too.
"""

from django.core.exceptions import ValidationError

from blog.line_endings import comparable
from blog.models import Post, PostRevision
from blog.revisions import READER_FIELDS, reader_fields

Kind = PostRevision.Kind

NOTE_MAX_LENGTH = 2000

KIND_REQUIRED = (
    "Readers have seen this post: choose what kind of change this is in \u201cKind of "
    "change\u201d (a correction, a clarification, an update, a change to the disclosures, "
    "or a minor typo fix)."
)
NOTE_REQUIRED = (
    "Readers have seen this post: write a change note saying what changed and why in "
    "\u201cChange note\u201d. It is shown to readers in the post\u2019s corrections box."
)
DISCLOSURES_NOT_MINOR = (
    "A change to the disclosures is always announced: choose a kind other than minor "
    "and write a change note."
)


def changed_reader_fields(before, after):
    """The names of the reader fields that differ between two snapshots, in order (line
    endings and white space at the ends aside: a browser sends ``\r\n``, a form field
    strips what is typed). A part another app adds counts only from the revisions that
    have it: one stored before the part was registered says nothing about it, so that is
    not a change."""
    return [
        name
        for name in reader_fields()
        if comparable(before.get(name)) != comparable(after.get(name))
        and (name in READER_FIELDS or name in before)
    ]


def check_change_note(*, seen, after, kind, note):
    """Whether this change is announced; raises ValidationError (keyed ``change_kind``
    and ``change_note``) if it needs a kind or a note it lacks.

    ``seen`` is the snapshot readers last saw (None if they never saw the post);
    ``after`` the snapshot being saved.
    """
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError(
            {"change_note": f"A change note can have at most {NOTE_MAX_LENGTH} characters."}
        )
    if kind and kind not in Kind.values:
        raise ValidationError({"change_kind": "Choose one of the kinds listed."})
    if seen is None or after.get("status") != Post.Status.PUBLISHED:
        return False
    changed = changed_reader_fields(seen, after)
    if not changed:
        return False
    errors = {}
    if not kind:
        errors["change_kind"] = KIND_REQUIRED
    elif kind == Kind.MINOR and "disclosures" in changed:
        errors["change_kind"] = DISCLOSURES_NOT_MINOR
    if kind != Kind.MINOR and not note:
        errors["change_note"] = NOTE_REQUIRED
    if errors:
        raise ValidationError(errors)
    return kind != Kind.MINOR
