"""When a commenter may still change their comment, and the edit form.

The rule (Isso and Remark42 have the same): from the browser that sent it (the signed
cookie of comments.pending proves it), within ``COMMENT_EDIT_MINUTES`` of sending, and
never once someone has answered it (a reply held or published): the answer would no longer
fit the text. A comment a moderator rejected or redacted is theirs to keep as it is.
comments.services checks this again under a lock, so a reply that arrives while the edit
form is open refuses the edit (the text is kept on the form).
"""

from datetime import timedelta
from html import escape

from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.safestring import mark_safe

from comments.forms import TOO_MANY_WORDS, CommentBodyField
from comments.models import Comment
from comments.words import word_count

Status = Comment.Status
CHANGEABLE = (Status.HELD, Status.APPROVED, Status.SPAM)
GONE = "This comment cannot be changed: it is no longer there or no longer yours to change."
TOO_LATE = (
    "Comments can be edited or withdrawn for {minutes} minutes after sending; that time "
    "has passed. Your text is kept below if you want to copy it."
)
ANSWERED = (
    "Someone has replied to this comment, so it can no longer be edited or withdrawn. "
    "Your text is kept below if you want to copy it."
)
REDACTED = "A moderator has changed this comment, so it can no longer be edited or withdrawn."


def window():
    return timedelta(minutes=max(settings.COMMENT_EDIT_MINUTES, 0))


def deadline(comment):
    """Until when the comment may be changed (inclusive)."""
    return comment.created_at + window()


def within_window(comment, *, now=None):
    return (now or timezone.now()) <= deadline(comment)


def answering_replies(comment_id):
    """Replies that answer the comment (held or published; spam and rejected ones do not)."""
    return Comment.objects.filter(parent_id=comment_id).exclude(
        status__in=(Status.SPAM, Status.REJECTED)
    )


def refusal(comment, *, now):
    """Why ``comment`` may not be changed now, or "" if it may (one query for replies, one
    for redactions)."""
    if comment is None or comment.status not in CHANGEABLE:
        return GONE
    if not within_window(comment, now=now):
        return TOO_LATE.format(minutes=settings.COMMENT_EDIT_MINUTES)
    if answering_replies(comment.pk).exists():
        return ANSWERED
    if comment.redactions.exists():
        return REDACTED
    return ""


class EditForm(forms.Form):
    """The comment's text, with the same limits as the comment form."""

    body = CommentBodyField(label="Comment", widget=forms.Textarea(attrs={"rows": 8}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["body"]
        field.max_length = settings.COMMENT_MAX_LENGTH
        field.validators.append(MaxLengthValidator(settings.COMMENT_MAX_LENGTH))
        field.widget.attrs["maxlength"] = settings.COMMENT_MAX_LENGTH
        field.error_messages["required"] = "Please write a comment."
        field.help_text = (
            "Markdown: paragraphs, *emphasis*, **strong**, [links](https://example.org), "
            "lists, > quotes and `code`. The moderators see the earlier text."
        )

    def clean_body(self):
        body = self.cleaned_data.get("body") or ""
        if not body.strip():
            raise forms.ValidationError("Please write a comment.")
        count, limit = word_count(body), settings.COMMENT_MAX_WORDS
        if count > limit:
            raise forms.ValidationError(
                TOO_MANY_WORDS.format(count=count, limit=limit), code="max_words"
            )
        return body


def history_html(comment):
    """The earlier texts, newest first, for the comment's admin page (read-only)."""
    edits = list(comment.edits.order_by("-edited_at", "-pk"))
    if not edits:
        return "Not edited."
    rows = "".join(
        f'<li><time datetime="{edit.edited_at.isoformat()}">'
        f"{escape(str(timezone.localtime(edit.edited_at)))}</time>: the text before "
        f'this edit:<blockquote class="comment-edit-before">'
        f"{escape(edit.body_before).replace(chr(10), '<br>')}</blockquote></li>"
        for edit in edits
    )
    return mark_safe(f'<ol class="comment-edit-history">{rows}</ol>')  # noqa: S308 - escaped
