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
from django.utils import timezone
from django.utils.safestring import mark_safe

from comments.forms import CommentForm, CommentTextMixin
from comments.models import Comment
from comments.rendering import format_datetime

Status = Comment.Status
CHANGEABLE = (Status.HELD, Status.APPROVED, Status.SPAM)
GONE = "This comment cannot be changed: it is no longer there or no longer yours to change."
TOO_LATE = (
    "Comments can be edited or withdrawn for {minutes} after sending; that time "
    "has passed. Your text is kept below if you want to copy it."
)
EDITED_FIELDS = ("title", "body", "competing_interests")


def minutes_text(minutes):
    """ "1 minute", "15 minutes": wherever COMMENT_EDIT_MINUTES is shown."""
    return f"{minutes:,} minute{'' if minutes == 1 else 's'}"


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
        return TOO_LATE.format(minutes=minutes_text(settings.COMMENT_EDIT_MINUTES))
    if answering_replies(comment.pk).exists():
        return ANSWERED
    if comment.redactions.exists():
        return REDACTED
    return ""


class EditForm(CommentTextMixin, forms.ModelForm):
    """The comment's title, text and competing interests, with the comment form's labels,
    limits and checks (``CommentTextMixin``)."""

    class Meta:
        model = Comment
        fields = list(EDITED_FIELDS)
        field_classes = CommentForm.Meta.field_classes
        labels = CommentForm.Meta.labels
        help_texts = {
            **CommentForm.Meta.help_texts,
            "body": "Markdown: paragraphs, *emphasis*, **strong**, [links](https://example.org), "
            "lists, > quotes and `code`. The moderators see the earlier text.",
        }
        widgets = {"body": CommentForm.Meta.widgets["body"]}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_text_fields()

    def _post_clean(self):
        # The comment is changed by comments.services.comment_edit, under its lock.
        pass


def _before_html(edit):
    title = f"<p>Title: {escape(edit.title_before)}</p>" if edit.title_before else ""
    interests = (
        f"<p>Competing interests: {escape(edit.competing_interests_before)}</p>"
        if edit.competing_interests_before
        else ""
    )
    body = escape(edit.body_before).replace(chr(10), "<br>")
    return f"{title}<p>{body}</p>{interests}"


def history_html(comment):
    """The earlier versions, newest first, for the comment's admin page (read-only)."""
    edits = list(comment.edits.order_by("-edited_at", "-pk"))
    if not edits:
        return "Not edited."
    tz = timezone.get_current_timezone()
    rows = "".join(
        f'<li><time datetime="{edit.edited_at.astimezone(tz).replace(microsecond=0).isoformat()}">'
        f"{format_datetime(edit.edited_at, tz)}</time>: the comment before "
        f'this edit:<blockquote class="comment-edit-before">{_before_html(edit)}</blockquote></li>'
        for edit in edits
    )
    return mark_safe(f'<ol class="comment-edit-history">{rows}</ol>')  # noqa: S308 - escaped
