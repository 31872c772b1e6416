"""The mail server down or slow: the comment is saved and the commenter sees the normal notice.

tests/test_comments_notifications.py checks one refusing backend at the service level;
here every failure a mail server can produce goes through the real form, and the real SMTP
backend meets a closed port and a server that accepts the connection but never answers
(EMAIL_TIMEOUT=1), so the slow case is measured rather than only simulated.
"""

import contextlib
import logging
import smtplib
import socket
import threading
import time

import pytest
from django.test import Client

from comments.models import Comment
from comments.views import AWAITING
from tests.test_hostile_comments import comment_form_fields, submit_comment

pytestmark = pytest.mark.django_db
FAILURES = {
    "refused": ConnectionRefusedError(111, "Connection refused"),
    "timeout": TimeoutError("timed out"),  # socket.timeout: a server slower than EMAIL_TIMEOUT
    "disconnected": smtplib.SMTPServerDisconnected("Connection unexpectedly closed"),
    "recipients refused": smtplib.SMTPRecipientsRefused({"mod@example.org": (550, b"no")}),
    "authentication": smtplib.SMTPAuthenticationError(535, b"bad credentials"),
    "unreachable": OSError(101, "Network is unreachable"),
}


class RaisingBackend:
    """A mail backend whose server fails; ``failure`` is set per test."""

    failure = None
    attempts = 0

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        type(self).attempts += 1
        raise type(self).failure


@pytest.fixture(autouse=True)
def commenting(settings):
    settings.COMMENT_MIN_SUBMIT_SECONDS = 0
    settings.COMMENT_RATE_LIMIT = "off"
    settings.COMMENT_MODERATORS = ["mod@example.org"]


def comment_and_follow(a_post, django_capture_on_commit_callbacks):
    """Post the real form, run the after-commit mail, follow the redirect: (page, seconds)."""
    browser = Client(enforce_csrf_checks=True)
    fields = comment_form_fields(browser, a_post)[1]
    started = time.perf_counter()
    with django_capture_on_commit_callbacks(execute=True):
        response = submit_comment(browser, a_post, fields=fields, body="Were the raters masked?")
    seconds = time.perf_counter() - started
    assert response.status_code == 302
    assert response["Location"] == a_post.get_absolute_url() + "#your-comments"
    return browser.get(response["Location"]).content.decode(), seconds


def assert_saved_and_told(page, caplog):
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.HELD and comment.body == "Were the raters masked?"
    assert AWAITING in page
    assert "A comment is waiting" in caplog.text and "giving up" in caplog.text


@pytest.mark.parametrize("failure", FAILURES)
def test_a_failing_mail_server_loses_no_comment(
    a_post, settings, caplog, failure, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{__name__}.RaisingBackend"
    RaisingBackend.failure, RaisingBackend.attempts = FAILURES[failure], 0
    with caplog.at_level(logging.ERROR, logger="outbox.tasks"):
        page, _seconds = comment_and_follow(a_post, django_capture_on_commit_callbacks)
    assert RaisingBackend.attempts == 1
    assert_saved_and_told(page, caplog)


def _closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again when the block ends


@contextlib.contextmanager
def silent_smtp_server():
    """Accepts connections and never says a word: a mail server too slow to answer."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    accepted, stop = [], threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            with contextlib.suppress(OSError):
                accepted.append(server.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        stop.set()
        thread.join(timeout=2)
        for conn in accepted:
            conn.close()
        server.close()


def use_smtp(settings, port):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 1
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False


def test_the_real_smtp_backend_meeting_a_closed_port(
    a_post, settings, caplog, django_capture_on_commit_callbacks
):
    use_smtp(settings, _closed_port())
    with caplog.at_level(logging.ERROR, logger="outbox.tasks"):
        page, seconds = comment_and_follow(a_post, django_capture_on_commit_callbacks)
    assert_saved_and_told(page, caplog)
    assert seconds < 5


def test_the_real_smtp_backend_meeting_a_server_that_never_answers(
    a_post, settings, caplog, django_capture_on_commit_callbacks
):
    """With tasks run as they are queued (the immediate backend of the test settings) the
    commenter waits for EMAIL_TIMEOUT, then gets the normal notice; the comment was
    committed before the wait. The site's worker sends instead: see below."""
    with silent_smtp_server() as port:
        use_smtp(settings, port)
        with caplog.at_level(logging.ERROR, logger="outbox.tasks"):
            page, seconds = comment_and_follow(a_post, django_capture_on_commit_callbacks)
    print(f"\nsilent SMTP server, EMAIL_TIMEOUT=1: the comment POST took {seconds:.2f} s")
    assert_saved_and_told(page, caplog)
    assert "timed out" in caplog.text
    assert 0.9 < seconds < 5


class CountingBackend:
    """A mail server that takes its time; counts what it is given."""

    sent = []

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        time.sleep(0.5)
        type(self).sent.extend(messages)
        return len(messages)


def test_with_the_site_s_queue_a_slow_mail_server_never_keeps_the_commenter_waiting(
    a_post, settings, django_capture_on_commit_callbacks
):
    """The configured backend (database): the request only queues the message; the worker
    (here its loop, run once) sends it."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    settings.EMAIL_BACKEND = f"{__name__}.CountingBackend"
    CountingBackend.sent.clear()
    page, seconds = comment_and_follow(a_post, django_capture_on_commit_callbacks)
    assert AWAITING in page and seconds < 0.5
    assert CountingBackend.sent == []
    (queued,) = DBTaskResult.objects.ready()  # the comment's id: the worker writes the mail
    assert queued.task_path == "comments.notifications.mail_held_comment"
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test",
        excluded_queue_names=[],
    )
    queued.claim(worker.worker_id)  # as the worker's loop does, then runs it
    worker.run_task(queued)
    comment = Comment.objects.get()
    assert len(CountingBackend.sent) == 1
    assert "mod@example.org" in CountingBackend.sent[0].to
    assert comment.get_admin_url() in CountingBackend.sent[0].body
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL"


def test_a_held_comment_with_nobody_to_tell_is_logged(a_post, settings, caplog):
    from comments.notifications import notify_held

    settings.COMMENT_MODERATORS = []
    a_post.author.email = ""
    a_post.author.save()
    comment = Comment.objects.create(post=a_post, name="N", email="n@example.org", body="Hi")
    with caplog.at_level(logging.WARNING, logger="outbox.tasks"):
        assert notify_held(comment_id=comment.pk) == 0
    assert f"Comment {comment.pk} is held but nobody is told" in caplog.text
