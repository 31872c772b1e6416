"""outbox: mail queued after commit, sent by a task, tried again with growing waits, given up
loudly; the address hook; the recovery of tasks a dead worker left RUNNING.

The test settings run tasks as they are queued (the immediate backend); tests that need a
queue switch to the database backend (``database_queue``), as the site runs by default.
tests/test_outbox_durability.py runs the real workers.
"""

import logging
import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import get_commands
from django.utils import timezone
from django_tasks.backends.base import BaseTaskBackend
from django_tasks_db.models import DBTaskResult
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from outbox import policy
from outbox.recovery import task_results_recover
from outbox.services import mail_enqueue
from outbox.tasks import MailNotDelivered, deliver_mail, retry_delay

pytestmark = pytest.mark.django_db
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def database_queue(settings):
    settings.TASKS = DATABASE_TASKS
    return DBTaskResult.objects


class FlakyBackend:
    """A mail server that fails the first ``failures`` messages, then takes them."""

    failures = 0
    failure = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
    tried = 0
    sent = []

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        type(self).tried += 1
        if type(self).tried <= type(self).failures:
            raise type(self).failure
        type(self).sent.extend(messages)
        return len(messages)


@pytest.fixture
def flaky_mail(settings):
    settings.EMAIL_BACKEND = f"{__name__}.FlakyBackend"
    FlakyBackend.failures, FlakyBackend.tried, FlakyBackend.sent = 0, 0, []
    FlakyBackend.failure = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
    return FlakyBackend


def run_due_tasks(queue):
    """Run every due task once, as db_worker's loop does (claim, run, record); returns how
    many ran. (The loop itself closes connections between tasks, which would end the
    test's transaction: test_manage_py_db_worker_is_ours_and_recovers_first runs it.)"""
    from django_tasks_db.management.commands.db_worker import Worker

    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    due = list(queue.ready())
    for result in due:
        result.claim(worker.worker_id)
        worker.run_task(result)
    return len(due)


def make_due(queue):
    """Move every waiting task's time to now (as if the wait had passed)."""
    queue.filter(status="READY").update(run_after=timezone.now() - timedelta(seconds=1))


# --- queueing -------------------------------------------------------------------------
def test_mail_is_queued_after_commit_and_sent_by_the_task(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert mail_enqueue(to="a@example.org", subject="S", body="B") == ["a@example.org"]
    assert mail.outbox == [] and len(callbacks) == 1
    with django_capture_on_commit_callbacks(execute=True):
        callbacks[0]()
    (message,) = mail.outbox
    assert (message.to, message.subject, message.body) == (["a@example.org"], "S", "B")


def test_a_rolled_back_transaction_queues_nothing(database_queue):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        mail_enqueue(to=["a@example.org"], subject="S", body="B")
        raise RuntimeError
    assert database_queue.count() == 0 and mail.outbox == []


def test_with_the_database_backend_the_request_only_writes_a_task_row(
    database_queue, django_capture_on_commit_callbacks, flaky_mail
):
    with django_capture_on_commit_callbacks(execute=True):
        mail_enqueue(
            to=["a@example.org", "b@example.org"],
            subject="Re: p<0·001 & n=202 \u2014 \u0394\u03b9\u03ac\u03b3\u03bd\u03c9\u03c3\u03b7",
            body="\u8a66\u9a13 \U0001f9ea",
            headers={"List-Unsubscribe": "<https://example.org/u/1>"},
            html="<p>\u8a66\u9a13</p>",
        )
    (queued,) = database_queue.all()
    assert queued.status == "READY" and queued.task_path == "outbox.tasks.deliver_mail"
    assert flaky_mail.sent == []
    assert run_due_tasks(database_queue) == 1
    (message,) = flaky_mail.sent
    assert message.to == ["a@example.org", "b@example.org"]
    assert message.subject.startswith("Re: p<0·001 & n=202")
    assert message.extra_headers == {"List-Unsubscribe": "<https://example.org/u/1>"}
    assert message.alternatives[0].content == "<p>\u8a66\u9a13</p>"
    raw = message.message().as_string()
    assert "List-Unsubscribe: <https://example.org/u/1>" in raw
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL" and queued.return_value == {"sent": 1}


@pytest.mark.parametrize(
    "field",
    [
        {"to": ["a@example.org\r\nBcc: victim@example.org"]},
        {"subject": "Hi\nBcc: victim@example.org"},
        {"headers": {"X-Note": "a\r\nBcc: victim@example.org"}},
        {"headers": {"X-Note\nBcc": "v"}},
    ],
)
def test_a_line_break_in_an_address_subject_or_header_is_refused_at_once(field, database_queue):
    arguments = {"to": ["a@example.org"], "subject": "S", "body": "B", **field}
    with pytest.raises(ValueError, match="must be one line"):
        mail_enqueue(**arguments)
    assert database_queue.count() == 0


@hypothesis_settings(max_examples=40, deadline=None)
@given(
    subject=st.text(
        st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), max_size=120
    ),
    body=st.text(st.characters(blacklist_categories=("Cs",)), max_size=500),
)
def test_any_script_in_subject_and_body_arrives_as_written(subject, body):
    """Typed text in any script goes through the task's JSON arguments and the mail
    backend unchanged (the immediate backend: one task per example)."""
    mail.outbox.clear()
    sent = deliver_mail.call(to=["a@example.org"], subject=subject, body=body)
    assert sent == {"sent": 1}
    (message,) = mail.outbox
    assert message.subject == subject and message.body == body
    message.message().as_bytes()  # it encodes


# --- the address hook -----------------------------------------------------------------
def test_the_hook_vetoes_addresses_when_queued_and_when_sent(
    monkeypatch, django_capture_on_commit_callbacks
):
    blocked = {"no@example.org"}
    monkeypatch.setattr(policy, "address_may_be_mailed", lambda a: a not in blocked)
    with django_capture_on_commit_callbacks(execute=True):
        assert mail_enqueue(to=["no@example.org"], subject="S", body="B") == []
        assert mail_enqueue(to=["yes@example.org", "no@example.org"], subject="T", body="B")
    assert [m.to for m in mail.outbox] == [["yes@example.org"]]
    blocked.add("yes@example.org")  # unsubscribed while the message waited
    assert deliver_mail.call(to=["yes@example.org"], subject="U", body="B") == {"sent": 0}
    assert len(mail.outbox) == 1


def test_the_hook_allows_every_address_for_now():
    assert policy.address_may_be_mailed("anyone@example.org") is True


# --- retries --------------------------------------------------------------------------
def test_a_failure_is_retried_later_with_growing_waits_then_sent(
    database_queue, flaky_mail, settings, caplog, django_capture_on_commit_callbacks
):
    settings.OUTBOX_MAX_ATTEMPTS, settings.OUTBOX_RETRY_SECONDS = 5, 60
    flaky_mail.failures = 3
    with django_capture_on_commit_callbacks(execute=True):
        mail_enqueue(to=["a@example.org"], subject="Retry me", body="B")
    waits = []
    with caplog.at_level(logging.WARNING, logger="outbox.tasks"):
        for attempt in range(1, 4):
            started = timezone.now()
            assert run_due_tasks(database_queue) == 1
            (waiting,) = database_queue.filter(status="READY")
            assert waiting.args_kwargs["kwargs"]["attempt"] == attempt + 1
            waits.append((waiting.run_after - started).total_seconds())
            assert run_due_tasks(database_queue) == 0  # not before its time
            make_due(database_queue)
        assert run_due_tasks(database_queue) == 1
    assert [round(w, -1) for w in waits] == [60, 240, 960]
    assert len(flaky_mail.sent) == 1 and flaky_mail.tried == 4
    for attempt in (1, 2, 3):
        assert f"'Retry me' to 1 recipient(s) failed on attempt {attempt} of 5" in caplog.text
    assert "giving up" not in caplog.text
    assert list(database_queue.values_list("status", flat=True)) == ["SUCCESSFUL"] * 4


def test_after_the_last_attempt_it_is_logged_as_an_error_and_kept_as_failed(
    database_queue, flaky_mail, settings, caplog, django_capture_on_commit_callbacks
):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    flaky_mail.failures = 99
    with django_capture_on_commit_callbacks(execute=True):
        mail_enqueue(to=["a@example.org"], subject="Doomed", body="B")
    with caplog.at_level(logging.WARNING, logger="outbox.tasks"):
        for _ in range(3):
            run_due_tasks(database_queue)
            make_due(database_queue)
    assert flaky_mail.tried == 3 and database_queue.filter(status="READY").count() == 0
    failed = database_queue.get(status="FAILED")
    assert failed.exception_class_path == "outbox.tasks.MailNotDelivered"
    assert "SMTPServerDisconnected" in failed.traceback
    assert failed.args_kwargs["kwargs"]["subject"] == "Doomed"
    errors = [r for r in caplog.records if r.levelno == logging.ERROR and r.name == "outbox.tasks"]
    assert [r.getMessage() for r in errors] == [
        "Mail 'Doomed' to 1 recipient(s) failed on attempt 3 of 3 "
        "(SMTPServerDisconnected: Connection unexpectedly closed); giving up"
    ]


def test_the_failed_task_is_in_the_admin(database_queue, flaky_mail, client, a_superuser):
    flaky_mail.failures = 99
    with pytest.raises(MailNotDelivered):
        deliver_mail.call(to=["a@example.org"], subject="S", body="B", attempt=5)
    DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="outbox.tasks.deliver_mail",
        backend_name="default",
        status="FAILED",
        traceback="MailNotDelivered: 'S'",
    )
    client.force_login(a_superuser)
    page = client.get("/admin/django_tasks_database/dbtaskresult/?status__exact=FAILED")
    assert page.status_code == 200 and "deliver_mail" in page.content.decode()


def test_a_message_no_server_will_take_is_not_retried(database_queue, flaky_mail, caplog):
    flaky_mail.failure = ValueError("Header values can't contain newlines")
    flaky_mail.failures = 1
    with caplog.at_level(logging.ERROR, logger="outbox.tasks"), pytest.raises(MailNotDelivered):
        deliver_mail.call(to=["a@example.org"], subject="S", body="B")
    assert database_queue.count() == 0 and "cannot be sent" in caplog.text


def test_without_a_queue_that_can_wait_the_first_failure_is_the_last(flaky_mail, caplog):
    """The immediate backend (tests) cannot defer: no retry loop inside the caller."""
    flaky_mail.failures = 1
    with caplog.at_level(logging.ERROR, logger="outbox.tasks"):
        result = deliver_mail.enqueue(to=["a@example.org"], subject="S", body="B")
    assert result.status == "FAILED" and flaky_mail.tried == 1
    assert "attempt 1 of 5" in caplog.text and "giving up" in caplog.text


def test_retry_delays_grow_fourfold(settings):
    settings.OUTBOX_RETRY_SECONDS = 60
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [60, 240, 960, 3840]


class UnreachableQueue(BaseTaskBackend):
    def enqueue(self, task, args, kwargs):
        raise ConnectionError("queue down")


def test_a_queue_that_cannot_be_reached_never_breaks_the_commit(
    settings, caplog, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": f"{__name__}.UnreachableQueue"}}
    with (
        caplog.at_level(logging.ERROR, logger="outbox.services"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert mail_enqueue(to=["a@example.org"], subject="S", body="B")
    assert "Could not queue the task outbox.tasks.deliver_mail" in caplog.text
    assert "queue down" in caplog.text


# --- recovery of tasks a dead worker left RUNNING -------------------------------------
def running_task(*, worker, started_ago):
    return DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {"to": ["a@example.org"], "subject": "S", "body": "B"}},
        task_path="outbox.tasks.deliver_mail",
        backend_name="default",
        status="RUNNING",
        started_at=timezone.now() - timedelta(seconds=started_ago),
        worker_ids=["older", worker],
    )


def test_recovery_puts_back_its_own_and_stale_tasks_only(database_queue, caplog):
    own = running_task(worker="w1", started_ago=5)
    stale = running_task(worker="w2", started_ago=3600)
    busy = running_task(worker="w2", started_ago=5)  # another live worker's
    done = running_task(worker="w1", started_ago=5)
    DBTaskResult.objects.filter(pk=done.pk).update(status="SUCCESSFUL")
    with caplog.at_level(logging.WARNING, logger="outbox.recovery"):
        assert task_results_recover(worker_id="w1", stale_after=1800) == 2
    status = dict(DBTaskResult.objects.values_list("pk", "status"))
    assert (status[own.pk], status[stale.pk]) == ("READY", "READY")
    assert (status[busy.pk], status[done.pk]) == ("RUNNING", "SUCCESSFUL")
    assert f"Task id={own.pk} path=outbox.tasks.deliver_mail was left RUNNING" in caplog.text
    assert task_results_recover(worker_id="w1", stale_after=1800) == 0


@pytest.mark.django_db(transaction=True)
def test_manage_py_db_worker_is_ours_and_recovers_first(database_queue, flaky_mail):
    from django.core.management import call_command

    assert get_commands()["db_worker"] == "outbox"
    running_task(worker="w1", started_ago=5)
    call_command(
        "db_worker",
        "--batch",
        "--no-reload",
        "--worker-id",
        "w1",
        "--no-startup-delay",
        verbosity=0,
    )
    assert list(DBTaskResult.objects.values_list("status", flat=True)) == ["SUCCESSFUL"]
    assert [m.to for m in flaky_mail.sent] == [["a@example.org"]]


# --- settings -------------------------------------------------------------------------
def test_rq_is_chosen_explicitly_and_needs_a_redis():
    from tests.test_settings_env import settings_in_subprocess

    chosen = settings_in_subprocess(
        ["TASKS", "RQ_QUEUES", "INSTALLED_APPS"],
        TASKS_BACKEND="rq",
        REDIS_URL="redis://cache:6379/0",
        TASKS_QUEUE="site-a",
    )
    assert chosen["TASKS"]["default"]["BACKEND"] == "django_tasks_rq.RQBackend"
    assert chosen["RQ_QUEUES"] == {
        "site-a": {"URL": "redis://cache:6379/0", "DEFAULT_TIMEOUT": 600}
    }
    assert "django_rq" in chosen["INSTALLED_APPS"]
    default = settings_in_subprocess(["TASKS"], REDIS_URL="redis://cache:6379/0")
    assert default["TASKS"]["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"
    import subprocess

    with pytest.raises(subprocess.CalledProcessError) as failure:
        settings_in_subprocess(["TASKS"], TASKS_BACKEND="rq")
    assert "TASKS_BACKEND=rq needs REDIS_URL" in failure.value.stderr


# --- a delivery stopped from outside ----------------------------------------------------
def stopped_delivery(*, attempt):
    """A deliver_mail task that failed without giving up, as when db_worker is stopped
    mid-task by a second Ctrl-C (SystemExit) or RQ fails an abandoned job."""
    result = DBTaskResult.objects.create(
        args_kwargs={
            "args": [],
            "kwargs": {"to": ["a@example.org"], "subject": "Cut", "body": "B", "attempt": attempt},
        },
        task_path="outbox.tasks.deliver_mail",
        backend_name="default",
        status="RUNNING",
    )
    result.set_failed(SystemExit(1))
    return result


def test_a_delivery_stopped_from_outside_is_queued_again(database_queue, caplog):
    from django_tasks.signals import task_finished

    stopped = stopped_delivery(attempt=2)
    with caplog.at_level(logging.WARNING, logger="outbox.tasks"):
        task_finished.send(type(deliver_mail.get_backend()), task_result=stopped.task_result)
    (again,) = database_queue.filter(status="READY")
    assert again.args_kwargs["kwargs"] == {
        "to": ["a@example.org"],
        "subject": "Cut",
        "body": "B",
        "attempt": 3,
    }
    assert "Mail 'Cut' was stopped on attempt 2 of 5" in caplog.text


def test_a_delivery_given_up_or_stopped_at_the_last_attempt_is_not_queued_again(
    database_queue, flaky_mail, caplog
):
    from django_tasks.signals import task_finished

    flaky_mail.failures = 99
    deliver_mail.enqueue(to=["a@example.org"], subject="Gone", body="B", attempt=5)
    given_up = database_queue.get()
    run_due_tasks(database_queue)  # fails with MailNotDelivered: the signal is sent
    given_up.refresh_from_db()
    assert given_up.status == "FAILED"
    with caplog.at_level(logging.ERROR, logger="outbox.tasks"):
        task_finished.send(
            type(deliver_mail.get_backend()), task_result=stopped_delivery(attempt=5).task_result
        )
    assert database_queue.filter(status="READY").count() == 0
    assert "Mail 'Cut' was stopped on attempt 5 of 5" in caplog.text


# --- the glossary's re-render is a task ---------------------------------------------------
def test_a_glossary_change_queues_the_re_render(database_queue, django_capture_on_commit_callbacks):
    from glossary.models import Term
    from glossary.services import term_save

    with django_capture_on_commit_callbacks(execute=True):
        term_save(term=Term(term="hazard ratio", explanation="How much more often."))
    (queued,) = database_queue.all()
    assert queued.task_path == "glossary.tasks.posts_rerender"
    assert queued.args_kwargs["kwargs"] == {"phrases": ["hazard ratio"]}
