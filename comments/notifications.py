"""Email the post's author, the Moderators group and COMMENT_MODERATORS about each held
comment.

``notify_held_later`` queues only the comment's id once the comment is committed; the
worker's task ``mail_held_comment`` reads the comment, composes the mail (who is told is
decided then) and sends it, trying again when the mail server fails. So the commenter's
request looks up no moderator and composes nothing (issue 19), and a failing or slow mail
server never loses a comment nor keeps the commenter waiting. A comment approved or
withdrawn before the worker gets to it is not mailed about.

Headers carry no commenter input: the subject comes from the post's title with line
breaks removed, and the name, email, title (on one line) and text go in the body only.
There, the site's own links come first; what the commenter typed comes last, every line
quoted ("> ") and every web address in it broken (``hxxps://``, ``example[.]org``), so a
commenter cannot write a convincing "Approve: https://..." line that a mail program turns
into a link.

When a clinical-safety rule held the comment (an NHS number, a request for advice...), the
mail gives the reasons and the desk link only: no text, name or email of the commenter,
since it also goes to the post's author before any moderator could redact the detail.
"""

import logging
import re

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django_tasks import task

from comments import safety_rules
from comments.models import Comment
from outbox.services import mail_enqueue, mail_send_now, task_enqueue_after_commit
from outbox.tasks import requeue_when_stopped
from roles.policy import MODERATORS

logger = logging.getLogger(__name__)


def _one_line(text):
    return " ".join(str(text).split())


def _moderators_emails():
    return list(
        get_user_model()
        .objects.filter(is_active=True, groups__name=MODERATORS)
        .exclude(email="")
        .order_by("pk")
        .values_list("email", flat=True)
    )


def recipients_for(comment):
    """The post's author, the Moderators group, then COMMENT_MODERATORS; each once."""
    author = comment.post.author
    addresses = [
        author.email if author.is_active else "",
        *_moderators_emails(),
        *settings.COMMENT_MODERATORS,
    ]
    seen, result = set(), []
    for address in addresses:
        address = (address or "").strip()
        usable = address and "\n" not in address and "\r" not in address
        if usable and address.lower() not in seen:
            seen.add(address.lower())
            result.append(address)
    return result


_SCHEME = re.compile(r"\b(h)tt(ps?)(:)|\b(ftps?|file|javascript|data|vbscript)(:)", re.I)
_WWW = re.compile(r"\b(www)\.", re.I)
_HOST_DOT = re.compile(r"(?<=[A-Za-z0-9])\.(?=[A-Za-z]{2,}\b)")


def defang(text):
    """``text`` with every web address broken, so no mail program makes it a link."""

    def scheme(match):
        if match.group(1):
            return f"{match.group(1)}xx{match.group(2)}[:]"
        return f"{match.group(4)}[:]"

    text = _SCHEME.sub(scheme, text)
    text = _WWW.sub(r"\1[.]", text)
    return _HOST_DOT.sub("[.]", text)


def quoted(text):
    """Each line of ``text`` after "> ", its addresses broken: plainly the commenter's."""
    lines = str(text).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(f"> {defang(line)}".rstrip() for line in lines)


def title_lines(comment):
    """["Title: ..."] on one line when the commenter gave a title (issue 15), else []: for
    the quoted part of a mail's body, never a header."""
    title = _one_line(comment.title)
    return [f"Title: {title}"] if title else []


def _subject(comment):
    return (
        f"[{_one_line(settings.SITE_NAME)}] A comment is waiting on "
        f"\u201c{_one_line(comment.post.title)}\u201d"
    )


def safety_hold_message(comment):
    """(subject, body) for a comment a clinical-safety rule held: the reasons and the desk
    link only. The body may carry a patient's identifiers and goes to the post's author
    too, before any moderator could redact it, so neither the text nor the commenter's
    name or email is in the mail."""
    desk_path = reverse("admin:comments_comment_desk")
    desk = f"{settings.SITE_URL}{desk_path}?status=held#desk-{comment.pk}"
    reasons = safety_rules.reasons_of(comment.status_reason)
    body = "\n".join(
        [
            f"A comment on \u201c{_one_line(comment.post.title)}\u201d is waiting for moderation.",
            "It was held for clinical safety:",
            *(f"- {_one_line(reason)}" for reason in reasons),
            "",
            "Its text is not in this email: it may hold personal details that a moderator",
            "removes before anything is published. Read it on the moderation desk:",
            desk,
        ]
    )
    return _subject(comment), body


def held_comment_message(comment):
    """(subject, body) for a held comment: our links first, the commenter's words last;
    for a safety hold, no words of the commenter at all (``safety_hold_message``)."""
    if safety_rules.is_safety_reason(comment.status_reason):
        return safety_hold_message(comment)
    subject = _subject(comment)
    admin_url = f"{settings.SITE_URL}{comment.get_admin_url()}"
    queue_url = f"{settings.SITE_URL}{reverse('admin:comments_comment_changelist')}"
    typed = "\n".join(
        [
            f"Name: {comment.name}",
            f"Email: {comment.email}",
            f"Website: {comment.website or '-'}",
            f"Competing interests: {comment.competing_interests}",
            *title_lines(comment),
            "",
            comment.body,
        ]
    )
    body = "\n".join(
        [
            f"A comment on \u201c{_one_line(comment.post.title)}\u201d is waiting for moderation.",
            f"Why it was held: {comment.status_reason or 'held'}",
            "",
            f"Approve, reject or mark it as spam: {admin_url}",
            f"Every comment waiting: {queue_url}",
            "",
            "What the commenter typed is quoted below (each line starts with \u201c> \u201d).",
            "Its web addresses are broken on purpose (hxxps, [.]); no link in it is ours.",
            "",
            quoted(typed),
        ]
    )
    return subject, body


GONE, NOT_HELD, NOBODY = "gone", "not held", "nobody"


def _held_mail(comment_id):
    """(None, message) for the held comment's moderation mail (``mail_enqueue``'s keyword
    arguments), or (why, None): the comment is gone (withdrawn), no longer held, or there
    is nobody to tell (logged)."""
    comment = Comment.objects.select_related("post__author").filter(pk=comment_id).first()
    if comment is None:
        return GONE, None
    if comment.status != Comment.Status.HELD:
        return NOT_HELD, None
    recipients = recipients_for(comment)
    if not recipients:
        logger.warning(
            "Comment %s is held but nobody is told: the post's author has no email "
            "address and COMMENT_MODERATORS is empty",
            comment_id,
        )
        return NOBODY, None
    subject, body = held_comment_message(comment)
    # about: withdrawn before the mail is sent, the comment is not mailed about.
    return None, {"to": recipients, "subject": subject, "body": body, "about": [comment]}


def notify_held(*, comment_id):
    """Compose and queue the email for one held comment now; never raises. Returns how
    many messages were queued (0 or 1). (The site composes it in the worker instead:
    ``notify_held_later``.)"""
    try:
        _why, message = _held_mail(comment_id)
        if message is None:
            return 0
        return 1 if mail_enqueue(**message) else 0
    except Exception:
        logger.exception("Could not queue the moderation email for comment %s", comment_id)
        return 0


@task(queue_name=settings.TASKS_QUEUE)
def mail_held_comment(*, comment_id, attempt=1):
    """The worker's half of ``notify_held_later``: read the comment, compose the mail (the
    recipients as they are now) and send it (``outbox.services.mail_send_now``: a failing
    mail server is retried later, the last failure raises). Nothing for a comment that is
    withdrawn ({"sent": 0, "recalled": True}), approved or otherwise decided meanwhile."""
    try:
        why, message = _held_mail(comment_id)
    except Exception:
        logger.exception("Could not compose the moderation email for comment %s", comment_id)
        return {"sent": 0}
    if message is None:
        return {"sent": 0, "recalled": True} if why == GONE else {"sent": 0}
    return mail_send_now(**message, attempt=attempt)


requeue_when_stopped(mail_held_comment)


def notify_held_later(*, comment_id):
    """Tell the moderators about a held comment once the current transaction commits: only
    the comment's id is queued (one task row), so the request looks nothing up and composes
    nothing; ``mail_held_comment`` does that in the worker. A queue that cannot be reached is
    logged, never raised."""
    task_enqueue_after_commit(mail_held_comment, comment_id=comment_id)
