"""Email the post's author and COMMENT_MODERATORS about each held comment.

Called after the comment is committed (``transaction.on_commit``), so a failing mail server
can never lose a comment: failures are logged and swallowed. With
COMMENT_NOTIFY_IN_BACKGROUND (the default) the message is built in the request and sent from
a background thread, so a slow mail server never keeps the commenter waiting.

Headers carry no commenter input: the subject comes from the post's title with line
breaks removed, and the name, email and text go in the body only.
"""

import logging
import threading

from django.conf import settings
from django.core.mail import send_mail

from comments.models import Comment

logger = logging.getLogger(__name__)


def _one_line(text):
    return " ".join(str(text).split())


def recipients_for(comment):
    addresses = [comment.post.author.email, *settings.COMMENT_MODERATORS]
    seen, result = set(), []
    for address in addresses:
        address = (address or "").strip()
        usable = address and "\n" not in address and "\r" not in address
        if usable and address.lower() not in seen:
            seen.add(address.lower())
            result.append(address)
    return result


def held_comment_message(comment):
    """(subject, body) for a held comment."""
    subject = (
        f"[{_one_line(settings.SITE_NAME)}] A comment is waiting on "
        f"\u201c{_one_line(comment.post.title)}\u201d"
    )
    admin_url = f"{settings.SITE_URL}{comment.get_admin_url()}"
    body = "\n".join(
        [
            f"A comment on \u201c{comment.post.title}\u201d is waiting for moderation.",
            f"Reason: {comment.status_reason or 'held'}",
            "",
            f"Name: {comment.name}",
            f"Email: {comment.email}",
            f"Website: {comment.website or '-'}",
            f"Competing interests: {comment.competing_interests}",
            "",
            comment.body,
            "",
            f"Approve, reject or mark it as spam: {admin_url}",
        ]
    )
    return subject, body


def notify_held(*, comment_id):
    """Send (or start sending) the email for one held comment; never raises.

    Returns the number of messages sent, or the background thread that sends it.
    """
    try:
        comment = Comment.objects.select_related("post__author").get(pk=comment_id)
        recipients = recipients_for(comment)
        if comment.status != Comment.Status.HELD:
            return 0
        if not recipients:
            logger.warning(
                "Comment %s is held but nobody is told: the post's author has no email "
                "address and COMMENT_MODERATORS is empty",
                comment_id,
            )
            return 0
        subject, body = held_comment_message(comment)
    except Exception:
        logger.exception("Could not prepare the moderation email for comment %s", comment_id)
        return 0
    if settings.COMMENT_NOTIFY_IN_BACKGROUND:
        sender = threading.Thread(
            target=_send,
            args=(comment_id, subject, body, recipients),
            name=f"notify-comment-{comment_id}",
            daemon=True,
        )
        sender.start()
        return sender
    return _send(comment_id, subject, body, recipients)


def _send(comment_id, subject, body, recipients):
    try:
        return send_mail(subject, body, None, recipients, fail_silently=False)
    except Exception:
        logger.exception("Could not send the moderation email for comment %s", comment_id)
        return 0
