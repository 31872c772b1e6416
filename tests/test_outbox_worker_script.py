"""`make run` / `make serve` start the task worker beside the web server
(scripts/with_worker.sh): the worker sends queued mail, and Ctrl-C (SIGINT to the terminal's
process group), SIGTERM or the server ending stops both."""

import os
import signal
import subprocess
import sys
import time

import pytest

from tests.test_outbox_durability import ROOT, Site

SCRIPT = str(ROOT / "scripts" / "with_worker.sh")


def group(pgid):
    lines = subprocess.run(
        ["ps", "-eo", "pid=,pgid="], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    return [line.split()[0] for line in lines if line.split()[1] == str(pgid)]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """One migrated SQLite database for the module (migrating takes seconds)."""
    tmp_path = tmp_path_factory.mktemp("with_worker")
    site = Site(f"sqlite:///{tmp_path / 'run.sqlite3'}", tmp_path, WORKER_ID="script-test")
    site.environment["PY"] = sys.executable
    site.run("manage.py", "migrate", "--no-input", "-v0")
    return site


def start(site, *command):
    return subprocess.Popen(  # noqa: S603
        ["bash", SCRIPT, *command],
        cwd=ROOT,
        env=site.environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # as in a terminal
    )


@pytest.mark.parametrize(
    ("stop", "status"),
    [
        (lambda p: os.killpg(p.pid, signal.SIGINT), 130),  # Ctrl-C
        (lambda p: p.terminate(), 143),  # a process manager's SIGTERM
    ],
    ids=["ctrl-c", "sigterm"],
)
def test_the_worker_sends_queued_mail_and_stops_with_the_server(site, stop, status):
    subject = f"Queued before the start ({status})"
    site.queue_mail(subject)
    process = start(site, "sleep", "120")
    try:
        deadline = time.monotonic() + 60
        while subject not in site.delivered():
            assert time.monotonic() < deadline, "the worker never sent the queued mail"
            time.sleep(0.2)
        assert len(group(process.pid)) >= 3  # the script, the worker, the server
        stop(process)
        assert process.wait(timeout=30) == status
        deadline = time.monotonic() + 15
        while group(process.pid):
            assert time.monotonic() < deadline, f"still running: {group(process.pid)}"
            time.sleep(0.2)
    finally:
        for pid in group(process.pid):
            os.kill(int(pid), signal.SIGKILL)


def test_the_worker_stops_when_the_server_ends(site):
    process = start(site, "sleep", "3")
    try:
        assert process.wait(timeout=60) == 0
        deadline = time.monotonic() + 15
        while group(process.pid):
            assert time.monotonic() < deadline, f"still running: {group(process.pid)}"
            time.sleep(0.2)
    finally:
        for pid in group(process.pid):
            os.kill(int(pid), signal.SIGKILL)
