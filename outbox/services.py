"""Queue mail (and other tasks) to run after the current transaction commits.

Nothing here talks to a mail server: ``outbox.tasks.deliver_mail`` does that in a worker.
A rolled-back transaction queues nothing; a queue that cannot be reached when the
transaction commits is logged as an error and never undoes the commit.
"""

import logging

from django.db import transaction

from outbox import policy
from outbox.tasks import deliver_mail

logger = logging.getLogger(__name__)


def _one_line(name, value):
    value = str(value)
    if "\r" in value or "\n" in value:
        raise ValueError(f"{name} must be one line: {value[:80]!r}")
    return value


def task_enqueue_after_commit(task, **kwargs):
    """Enqueue ``task`` with ``kwargs`` once the current transaction commits (at once
    outside one). Failing to reach the queue is logged, never raised."""

    def enqueue():
        try:
            task.enqueue(**kwargs)
        except Exception:
            logger.exception("Could not queue the task %s", task.module_path)

    transaction.on_commit(enqueue)


def _about(objects):
    """Saved model instances as JSON a task can carry: [["app_label.model", pk], ...],
    each once."""
    about = []
    for obj in objects or ():
        if obj.pk is None:
            raise ValueError(
                f"A mail can only be about a saved object (an unsaved {obj._meta.label})"
            )
        if [obj._meta.label_lower, obj.pk] not in about:
            about.append([obj._meta.label_lower, obj.pk])
    return about


def mail_enqueue(*, to, subject, body, headers=None, html=None, about=()):
    """Queue one message to ``to`` (an address or a list of them) after commit.

    ``headers`` are extra headers (e.g. List-Unsubscribe); ``html`` an HTML alternative to
    the plain ``body``. ``about``: the saved objects the message is about (a comment): if
    any of them is gone when the worker sends it (a comment withdrawn), it is not sent.
    Addresses that ``address_may_be_mailed`` vetoes are left out. Returns the recipients
    queued for (empty: nothing queued). Raises ValueError for a line break in an address,
    the subject or a header, or an unsaved object: those are the caller's bugs.
    """
    recipients, subject, headers, about = _checked(
        to=to, subject=subject, headers=headers, about=about
    )
    if not recipients:
        return []
    task_enqueue_after_commit(
        deliver_mail,
        to=recipients,
        subject=subject,
        body=str(body),
        headers=headers,
        html=None if html is None else str(html),
        **({"about": about} if about else {}),
    )
    return recipients


def _checked(*, to, subject, headers, about):
    """(recipients, subject, headers, about) as ``mail_enqueue`` checks them."""
    addresses = [to] if isinstance(to, str) else list(to)
    recipients = []
    for address in addresses:
        address = _one_line("An address", address).strip()
        if address and policy.address_may_be_mailed(address):
            recipients.append(address)
    subject = _one_line("The subject", subject)
    headers = {
        _one_line("A header name", key): _one_line(f"The {key} header", value)
        for key, value in (headers or {}).items()
    }
    return recipients, subject, headers, _about(about)


def mail_send_now(*, to, subject, body, headers=None, html=None, about=(), attempt=1):
    """For a task that composes its own message in the worker (e.g. the moderation mail of a
    held comment, ``comments.notifications.mail_held_comment``): send it at once, as the
    ``deliver_mail`` task would, checked as ``mail_enqueue`` checks it. A mail server's
    failure is retried later as a queued ``deliver_mail`` (with ``about``: recalled if what
    it is about is gone by then); the last failure raises ``MailNotDelivered``. Returns
    ``deliver_mail``'s answer ({"sent": n}, {"retry_at": ...}), or {"sent": 0} when no
    recipient may be mailed."""
    recipients, subject, headers, about = _checked(
        to=to, subject=subject, headers=headers, about=about
    )
    if not recipients:
        return {"sent": 0}
    return deliver_mail.call(
        to=recipients,
        subject=subject,
        body=str(body),
        headers=headers,
        html=None if html is None else str(html),
        attempt=attempt,
        **({"about": about} if about else {}),
    )
