"""Deliver one message through Django's mail backend; on a mail server's failure, try
again later (re-enqueued with ``run_after``), up to OUTBOX_MAX_ATTEMPTS tries.

django-tasks has no retries of its own. Each failed try is logged as a warning with its
number; the last as an error, and the task then fails (``MailNotDelivered``) so its result
shows FAILED, with the traceback, in the admin's task results (database backend) or RQ's
failed-job registry. On a backend that cannot defer (the immediate backend of the tests)
there is no later: the first failure is the last.

A message names what it is about (``about``: [["app_label.model", pk], ...], e.g. the
comment a moderation mail asks about): when one of them no longer exists at send time (a
comment its author withdrew), the message is recalled, not sent. The check runs in the task,
so it holds on every backend (database, RQ, immediate) and for retries; an ``about`` that
cannot be checked (an unknown model) is logged and the message sent, never lost.

A deliver_mail task that fails for any other reason was stopped from outside: its worker
was killed, or RQ found it abandoned (the worker died mid-run: RQ's maintenance fails the
job, AbandonedJobError, once its heartbeat lapses). ``mail_requeue_interrupted`` (on
django-tasks' ``task_finished`` signal) queues such a message again, as one more attempt;
so it does for a task registered with ``requeue_when_stopped`` (one that composes its
message in the worker, e.g. ``comments.notifications.mail_held_comment``).
"""

import logging
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone
from django_tasks import TaskResultStatus, task

from outbox import policy

logger = logging.getLogger(__name__)

RETRY_GROWTH = 4  # each wait is this many times the one before


class MailNotDelivered(Exception):
    """A message given up on; its cause is chained."""


def retry_delay(attempt):
    """The wait after failed try number ``attempt`` (1-based)."""
    return timedelta(seconds=settings.OUTBOX_RETRY_SECONDS * RETRY_GROWTH ** (attempt - 1))


def _message(*, to, subject, body, headers, html):
    message = EmailMultiAlternatives(subject=subject, body=body, to=to, headers=headers or {})
    if html is not None:
        message.attach_alternative(html, "text/html")
    return message


def _gone(about):
    """The first of ``about`` that no longer exists, as "label:pk"; None if all exist."""
    for item in about or ():
        try:
            label, pk = item
            model = apps.get_model(label)
            exists = model._default_manager.filter(pk=pk).exists()
        except (LookupError, TypeError, ValueError):
            logger.warning("Mail about %r: cannot check that it exists; sent anyway", item)
            continue
        if not exists:
            return f"{label}:{pk}"
    return None


@task(queue_name=settings.TASKS_QUEUE)
def deliver_mail(*, to, subject, body, headers=None, html=None, attempt=1, about=None):
    """Send one message; returns {"sent": n}, {"sent": 0, "recalled": True} or
    {"retry_at": when}."""
    gone = _gone(about)
    if gone:
        logger.info("Mail %r recalled: %s no longer exists", subject, gone)
        return {"sent": 0, "recalled": True}
    recipients = [address for address in to if policy.address_may_be_mailed(address)]
    if not recipients:
        logger.info("Mail %r not sent: no recipient may be mailed any more", subject)
        return {"sent": 0}
    try:
        sent = _message(
            to=recipients, subject=subject, body=body, headers=headers, html=html
        ).send()
    except OSError as exc:  # refused, timed out, any SMTP error: the server may recover
        limit = settings.OUTBOX_MAX_ATTEMPTS
        backend = deliver_mail.get_backend()
        if attempt < limit and backend.supports_defer:
            when = timezone.now() + retry_delay(attempt)
            deliver_mail.using(run_after=when).enqueue(
                to=recipients,
                subject=subject,
                body=body,
                headers=headers,
                html=html,
                attempt=attempt + 1,
                **({"about": about} if about else {}),
            )
            logger.warning(
                "Mail %r to %d recipient(s) failed on attempt %d of %d (%s: %s); "
                "trying again after %s",
                subject,
                len(recipients),
                attempt,
                limit,
                type(exc).__name__,
                exc,
                when.isoformat(timespec="seconds"),
            )
            return {"retry_at": when.isoformat()}
        logger.error(
            "Mail %r to %d recipient(s) failed on attempt %d of %d (%s: %s); giving up",
            subject,
            len(recipients),
            attempt,
            limit,
            type(exc).__name__,
            exc,
        )
        raise MailNotDelivered(f"{subject!r}: gave up after attempt {attempt}") from exc
    except Exception as exc:  # a message no server will take (a bad header): no retry
        logger.error("Mail %r cannot be sent (%s: %s)", subject, type(exc).__name__, exc)
        raise MailNotDelivered(f"{subject!r}: cannot be sent") from exc
    return {"sent": sent}


def _given_up(task_result):
    return any(
        error.exception_class_path == f"{__name__}.{MailNotDelivered.__qualname__}"
        for error in task_result.errors
    )


# Tasks that compose a message in the worker and send it (outbox.services.mail_send_now),
# queued again like deliver_mail when stopped from outside; by module path.
_requeued_when_stopped = {}


def requeue_when_stopped(task):
    """Register ``task`` (it takes an ``attempt`` keyword, 1 by default, and fails only by
    giving up with ``MailNotDelivered`` or by being stopped): queued again, as one more
    attempt, when stopped from outside, like ``deliver_mail``. Idempotent; returns it."""
    _requeued_when_stopped[task.module_path] = task
    return task


def _what(arguments, task_result):
    subject = arguments.get("subject")
    return repr(subject) if subject is not None else f"{task_result.task.name} {arguments!r}"


def mail_requeue_interrupted(sender, task_result, **kwargs):
    """On ``task_finished``: queue again a deliver_mail (or a task registered with
    ``requeue_when_stopped``) that failed without giving up."""
    path = task_result.task.module_path
    if (
        (path != deliver_mail.module_path and path not in _requeued_when_stopped)
        or task_result.status != TaskResultStatus.FAILED
        or _given_up(task_result)
    ):
        return
    task = _requeued_when_stopped.get(path, deliver_mail)
    arguments = dict(task_result.kwargs)
    attempt = arguments.pop("attempt", 1)
    limit = settings.OUTBOX_MAX_ATTEMPTS
    if attempt >= limit:
        logger.error(
            "Mail %s was stopped on attempt %d of %d (task %s); giving up",
            _what(arguments, task_result),
            attempt,
            limit,
            task_result.id,
        )
        return
    try:
        task.enqueue(**arguments, attempt=attempt + 1)
    except Exception:  # a signal receiver must not break the worker's bookkeeping
        logger.exception(
            "Mail %s was stopped and could not be queued again", _what(arguments, task_result)
        )
        return
    logger.warning(
        "Mail %s was stopped on attempt %d of %d (task %s: its worker died?): queued again",
        _what(arguments, task_result),
        attempt,
        limit,
        task_result.id,
    )
