"""The moderation policy: given a new comment and its request, decide its status.

``RULES`` is read top to bottom and the first rule with an opinion wins; each rule is a
small function ``rule(comment, meta) -> (status, reason) | None`` that can be tested alone.
``meta`` is a plain dict: ``ip_address``, ``user_agent``, ``user``, ``honeypot`` (what the
hidden field held) and ``elapsed_seconds`` (time between rendering and sending the form).

Refusals (closed posts, duplicates, the rate limit) are not statuses: nothing is stored,
and the commenter is told why. They live in ``comments.services``.
"""

import re
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from comments.models import Comment

Status = Comment.Status

_URL = re.compile(r"(?:https?://|ftp://|www\.)", re.IGNORECASE)
_HREF = re.compile(r"<a\s", re.IGNORECASE)


def _text_fields(comment):
    return " ".join(
        [comment.name, comment.email, comment.website, comment.body, comment.competing_interests]
    )


def _find_word(words, text):
    """The first listed word found in ``text`` as a whole word, case-insensitively."""
    for word in words:
        word = word.strip()
        if word and re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.IGNORECASE):
            return word
    return None


def count_links(comment):
    """Links in the comment: raw URLs in the source or anchors in the rendered HTML."""
    return max(len(_URL.findall(comment.body)), len(_HREF.findall(comment.body_html or "")))


# --- the rules -------------------------------------------------------------------------


def staff_member(comment, meta):
    user = meta.get("user")
    if user is not None and user.is_authenticated and user.is_active and user.is_staff:
        return Status.APPROVED, "staff member"
    return None


def honeypot_filled(comment, meta):
    if meta.get("honeypot"):
        return Status.SPAM, "hidden field filled in"
    return None


def sent_too_fast(comment, meta):
    elapsed = meta.get("elapsed_seconds")
    if elapsed is not None and elapsed < settings.COMMENT_MIN_SUBMIT_SECONDS:
        return Status.SPAM, f"sent {elapsed:.1f}s after the form was shown"
    return None


def disallowed_word(comment, meta):
    word = _find_word(settings.COMMENT_DISALLOWED_WORDS, _text_fields(comment))
    if word:
        return Status.SPAM, f"disallowed word: {word}"
    return None


def too_many_links(comment, meta):
    links = count_links(comment)
    if links > settings.COMMENT_MAX_LINKS:
        return Status.HELD, f"{links} links (more than {settings.COMMENT_MAX_LINKS})"
    return None


def moderation_word(comment, meta):
    word = _find_word(settings.COMMENT_MODERATION_WORDS, _text_fields(comment))
    if word:
        return Status.HELD, f"moderation word: {word}"
    return None


def staff_email(comment, meta):
    """An anonymous comment signed with a staff member's email is held: anyone can type
    an address, and the author's own name and address would otherwise carry weight."""
    if not comment.email:
        return None
    staff = get_user_model().objects.filter(is_staff=True, email__iexact=comment.email)
    if staff.exists():
        return Status.HELD, "a staff member's email, sent without signing in"
    return None


def returning_commenter(comment, meta):
    """WordPress's rule: an email with an earlier approved comment is trusted. Only
    anonymous comments count: staff comments are approved for who signed in, not for
    the address, which anyone can type."""
    if not settings.COMMENT_APPROVE_RETURNING or not comment.email:
        return None
    if Comment.objects.approved().by_email(comment.email).filter(user__isnull=True).exists():
        return Status.APPROVED, "returning commenter"
    return None


RULES = [
    staff_member,
    honeypot_filled,
    sent_too_fast,
    disallowed_word,
    too_many_links,
    moderation_word,
    staff_email,
    returning_commenter,
]

DEFAULT = (Status.HELD, "new commenter")


def decide(comment, request_meta, rules=None):
    """The status a new comment gets, and why (stored as ``status_reason``)."""
    for rule in RULES if rules is None else rules:
        verdict = rule(comment, request_meta)
        if verdict is not None:
            return verdict
    return DEFAULT


def comments_closed(post, *, now=None):
    """True when the post takes no new comments: its switch, or its age."""
    if not post.comments_open:
        return True
    days = settings.COMMENT_CLOSE_AFTER_DAYS
    if days and days > 0:
        return post.published_at < (now or timezone.now()) - timedelta(days=days)
    return False
