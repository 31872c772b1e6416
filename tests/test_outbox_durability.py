"""No queued mail is lost when the worker dies: real workers, killed with SIGKILL.

Each test gets a database of its own (a SQLite file, or a fresh PostgreSQL database when the
suite runs on PostgreSQL) migrated by ``manage.py migrate`` in a subprocess, queues mail
through ``outbox.services.mail_enqueue`` in a subprocess as the site would, and runs the
worker as the operator does (``manage.py db_worker`` / ``manage.py rqworker``) with
file-based mail (tests/outbox_mail_backends.py) into a temporary folder. A worker is killed
with SIGKILL (its whole process group) while mail is queued and while it is in the middle
of sending one message; then workers are started again.

What the database backend promises (django-tasks-db, with outbox.recovery):
- mail that was queued when the worker died is delivered exactly once;
- a message the worker was sending when it died is sent again once a worker with the dead
  one's --worker-id starts (or any worker, TASKS_STALE_AFTER_SECONDS later): at least once.
  Killed before the mail server took it, it arrives once; killed after the server took it
  but before the task was marked done, it arrives twice.
"""

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from tests.scratch_databases import scratch_database

ROOT = Path(__file__).resolve().parent.parent
ENGINES = ["sqlite"]
if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    ENGINES.append("postgresql")

QUEUE_MAIL = """
import sys, django
django.setup()
from outbox.services import mail_enqueue
for subject in sys.argv[1:]:
    mail_enqueue(to=["moderator@example.org"], subject=subject, body="Body of " + subject)
"""

TASK_STATUSES = """
import json, django
django.setup()
from django_tasks_db.models import DBTaskResult
print(json.dumps(sorted(
    [row["args_kwargs"]["kwargs"]["subject"], row["status"]]
    for row in DBTaskResult.objects.values("args_kwargs", "status")
)))
"""


class Site:
    """The site's processes on one database and one mail folder."""

    def __init__(self, database_url, directory, **extra):
        self.mail = directory / "mail"
        self.mail.mkdir()
        self.environment = {
            key: value
            for key, value in os.environ.items()
            if key in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")
        }
        self.environment.update(
            DJANGO_SETTINGS_MODULE="config.settings",
            PYTHONPATH=str(ROOT),
            SECRET_KEY="outbox-test-secret-key-long-enough-to-look-real-0123456789",
            ALLOWED_HOSTS="127.0.0.1",
            SITE_URL="http://127.0.0.1:8000",
            DATABASE_URL=database_url,
            TRIALPRESS_VAR_DIR=str(directory / "var"),
            EMAIL_BACKEND="tests.outbox_mail_backends.HangOnceFileBackend",
            EMAIL_FILE_PATH=str(self.mail),
            LOG_LEVEL="INFO",
            **extra,
        )
        self.logs = directory

    def run(self, *arguments, timeout=300):
        done = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
            [sys.executable, *arguments],
            cwd=ROOT,
            env=self.environment,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert done.returncode == 0, f"{arguments}: {done.stdout[-2000:]}{done.stderr[-3000:]}"
        self.last_log = done.stderr
        return done.stdout

    def queue_mail(self, *subjects):
        self.run("-c", QUEUE_MAIL, *subjects)

    @contextlib.contextmanager
    def worker(self, *arguments, name):
        """A worker in its own process group; killed (SIGKILL) if still running at the end."""
        log = (self.logs / f"{name}.log").open("w")
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "manage.py", *arguments],
            cwd=ROOT,
            env=self.environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield process
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
            log.close()

    def kill(self, process, *, sending):
        """SIGKILL the worker's process group, and the process sending ``sending``."""
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        with contextlib.suppress(ProcessLookupError):
            os.kill(int((self.mail / f"{sending}.started").read_text()), signal.SIGKILL)

    def wait_for(self, condition, what, process, seconds=60):
        deadline = time.monotonic() + seconds
        while not condition():
            assert process.poll() is None, f"the worker stopped while waiting for {what}"
            assert time.monotonic() < deadline, f"timed out waiting for {what}"
            time.sleep(0.1)

    def started(self, subject):
        marker = self.mail / f"{subject}.started"
        return marker.exists() and marker.read_text().isdigit()

    def delivered(self):
        """Subject -> how many times it arrived."""
        counts = {}
        for path in self.mail.glob("*.log"):
            for subject in re.findall(r"^Subject: (.+)$", path.read_text(), re.M):
                counts[subject] = counts.get(subject, 0) + 1
        return counts


def subjects(prefix, count):
    return [f"{prefix}{n:02}" for n in range(count)]


@pytest.mark.parametrize("engine", ENGINES)
def test_the_database_worker_killed_loses_no_mail(engine, tmp_path):
    with scratch_database(engine, tmp_path, "outbox") as database_url:
        site = Site(database_url, tmp_path)
        site.run("manage.py", "migrate", "--no-input", "-v0")
        first, second, third = subjects("a", 5), subjects("b", 5), subjects("c", 5)
        site.queue_mail(*first, "hang-before-send", *second, "hang-after-send", *third)
        worker = ["db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.2"]

        # w1 sends the first five, then hangs before the server takes the sixth: killed.
        with site.worker(*worker, "--worker-id", "w1", name="w1-first") as w1:
            site.wait_for(lambda: site.started("hang-before-send"), "a hang", w1)
            site.kill(w1, sending="hang-before-send")
        assert site.delivered() == dict.fromkeys(first, 1)

        # w2 sends the next five, then hangs after the server took its message: killed.
        with site.worker(*worker, "--worker-id", "w2", name="w2-first") as w2:
            site.wait_for(lambda: site.started("hang-after-send"), "a hang", w2)
            site.wait_for(lambda: "hang-after-send" in site.delivered(), "the file", w2)
            site.kill(w2, sending="hang-after-send")
        assert site.delivered() == dict.fromkeys([*first, *second, "hang-after-send"], 1)

        # A new worker (w3) takes what was queued, and leaves alone what w1 and w2 were
        # running: they could be alive and slow (TASKS_STALE_AFTER_SECONDS is 30 minutes).
        site.run("manage.py", *worker, "--batch", "--worker-id", "w3")
        statuses = dict(json.loads(site.run("-c", TASK_STATUSES)))
        assert statuses["hang-before-send"] == statuses["hang-after-send"] == "RUNNING"
        assert site.delivered() == dict.fromkeys([*first, *second, *third, "hang-after-send"], 1)

        # w1 and w2 restarted (the same --worker-id): each takes back its own task first.
        site.run("manage.py", *worker, "--batch", "--worker-id", "w1")
        site.run("manage.py", *worker, "--batch", "--worker-id", "w2")
        delivered = site.delivered()
        statuses = dict(json.loads(site.run("-c", TASK_STATUSES)))

    assert set(statuses.values()) == {"SUCCESSFUL"}, statuses
    assert len(statuses) == 17
    # Exactly once: everything queued, and the message killed before the server took it.
    assert {s: delivered[s] for s in [*first, *second, *third, "hang-before-send"]} == (
        dict.fromkeys([*first, *second, *third, "hang-before-send"], 1)
    )
    # At least once: killed after the server took it, before the task was marked done.
    assert delivered["hang-after-send"] == 2
    assert len(delivered) == 17


@pytest.mark.parametrize("engine", ENGINES)
def test_a_task_left_running_by_a_worker_that_never_returns_goes_back_when_stale(engine, tmp_path):
    with scratch_database(engine, tmp_path, "outbox") as database_url:
        site = Site(database_url, tmp_path, TASKS_STALE_AFTER_SECONDS="2")
        site.run("manage.py", "migrate", "--no-input", "-v0")
        site.queue_mail("hang-before-send", "after")
        worker = ["db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.2"]
        with site.worker(*worker, "--worker-id", "lost", name="lost") as lost:
            site.wait_for(lambda: site.started("hang-before-send"), "a hang", lost)
            site.kill(lost, sending="hang-before-send")
        time.sleep(2.5)
        site.run("manage.py", *worker, "--batch", "--worker-id", "another")
        delivered = site.delivered()
        statuses = dict(json.loads(site.run("-c", TASK_STATUSES)))
    assert delivered == {"hang-before-send": 1, "after": 1}
    assert set(statuses.values()) == {"SUCCESSFUL"}


# --- RQ (TASKS_BACKEND=rq) against the real Redis ----------------------------------------
RQ_MAINTENANCE_LATER = """
import sys, time, django
django.setup()
import django_rq
from rq.registry import StartedJobRegistry
queue = django_rq.get_queue(sys.argv[1])
# What RQ's maintenance (rq.registry.clean_registries) does once a dead worker's heartbeat
# has lapsed (about 90 s; the clean-up runs when a worker starts and every 10 minutes):
# jobs still marked started are abandoned.
StartedJobRegistry(
    name=queue.name, connection=queue.connection, job_class=queue.job_class,
    serializer=queue.serializer,
).cleanup(timestamp=time.time() + 3600)
"""


@pytest.fixture
def rq_queue():
    """A queue name of this test's own on the test Redis; its keys (jobs, results,
    registries, workers named after it) deleted afterwards."""
    from tests.redis_support import REDIS_TEST_URL, redis_answers

    if not redis_answers():
        message = f"RQ TESTS SKIPPED: no Redis answers at {REDIS_TEST_URL}"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " and CI=true requires it")
        pytest.skip(message)
    import redis

    name = f"trialpress-outbox-{os.getpid()}"
    yield REDIS_TEST_URL, name
    connection = redis.Redis.from_url(REDIS_TEST_URL)
    keys = list(connection.scan_iter("rq:*"))
    jobs = {
        key.split(b":", 2)[2]
        for key in keys
        if key.startswith(b"rq:job:") and connection.hget(key, "origin") == name.encode()
    }
    for key in keys:
        parts = set(key.split(b":"))
        if name.encode() in key or parts & jobs:
            connection.delete(key)
    for group in (b"rq:queues", b"rq:workers"):
        for member in connection.smembers(group):
            if name.encode() in member:
                connection.srem(group, member)


def test_the_rq_worker_killed_loses_no_mail(tmp_path, rq_queue):
    redis_url, queue = rq_queue
    # The queue is Redis; the database still answers the outbox's address checks (opt-outs).
    database_url = f"sqlite:///{tmp_path / 'site.sqlite3'}"
    site = Site(database_url, tmp_path, TASKS_BACKEND="rq", TASKS_QUEUE=queue, REDIS_URL=redis_url)
    site.run("manage.py", "migrate", "--no-input", "-v0")
    first, second = subjects("a", 5), subjects("b", 5)
    site.queue_mail(*first, "hang-before-send", *second)
    worker = ["rqworker", "--with-scheduler", queue]

    # Sends the first five, hangs in the sixth with five still queued: killed.
    with site.worker(*worker, "--name", f"{queue}-w1", name="rq-first") as first_worker:
        site.wait_for(lambda: site.started("hang-before-send"), "a hang", first_worker)
        site.kill(first_worker, sending="hang-before-send")
    assert site.delivered() == dict.fromkeys(first, 1)

    # RQ fails the abandoned job (AbandonedJobError); outbox queues its mail again.
    site.run("-c", RQ_MAINTENANCE_LATER, queue)
    assert "Mail 'hang-before-send' was stopped on attempt 1 of 5" in site.last_log
    assert "queued again" in site.last_log
    # A worker of another name: RQ refuses a name whose dead owner's heartbeat is fresh.
    site.run("manage.py", *worker, "--burst", "--name", f"{queue}-w2")
    delivered = site.delivered()
    assert delivered == dict.fromkeys([*first, "hang-before-send", *second], 1), delivered
