"""Many commenters at once, through a real server on a real database file (or PostgreSQL).

The test database of the suite is in-memory SQLite (shared by threads, so it proves
nothing about locking), so these tests build their own: a temporary SQLite *file* when the
suite runs on SQLite, a fresh PostgreSQL database when it runs on PostgreSQL; migrated once
per session in a subprocess with the production settings module (``config.settings``,
DEBUG on), and dropped afterwards. gunicorn serves it on the loopback interface with two
worker processes of eight threads, so writers contend across processes and threads alike.

``server_database`` and ``run_django`` are shared with tests/test_worker_killed.py.
"""

import contextlib
import http.cookiejar
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from tests.scratch_databases import scratch_database
from tests.test_hostile_comments import page_forms

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")
CLIENTS = 24
ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

BOOTSTRAP = """
import json, django
django.setup()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
call_command("createcachetable", verbosity=0)
"""

MAKE_POST = """
import json, sys, django
django.setup()
from tests.factories import make_post
post = make_post(title=sys.argv[1], labels=["neurology"])
print(json.dumps({"pk": post.pk, "url": post.get_absolute_url()}))
"""


def server_environment(database_url, var_dir):
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "1",
        "DATABASE_URL": database_url,
        "TRIALPRESS_VAR_DIR": str(var_dir),
        "REDIS_URL": "",
        "COMMENT_MIN_SUBMIT_SECONDS": "0",
        "COMMENT_RATE_LIMIT": "off",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }


class ServerDatabase:
    def __init__(self, url, env):
        self.url, self.env = url, env

    def run(self, script, *args, timeout=60):
        """Run a Python snippet against this database; its stdout, or a failure with stderr."""
        done = subprocess.run(  # noqa: S603 - our own interpreter, our own script
            [sys.executable, "-c", script, *map(str, args)],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def make_post(self, title):
        return json.loads(self.run(MAKE_POST, title).strip().splitlines()[-1])

    def query(self, sql, params=()):
        """One row, read straight from the database (no Django, no cache)."""
        if ON_POSTGRES:
            import psycopg

            with psycopg.connect(self.url.replace("postgres://", "postgresql://")) as conn:
                return conn.execute(sql.replace("?", "%s"), params).fetchone()
        with contextlib.closing(
            sqlite3.connect(self.url.removeprefix("sqlite:///"), timeout=5)
        ) as conn:
            return conn.execute(sql, params).fetchone()


@pytest.fixture(scope="session")
def server_database(tmp_path_factory):
    """A migrated database outside the suite's own: SQLite file, or fresh PostgreSQL."""
    var_dir = tmp_path_factory.mktemp("server-db")
    with scratch_database("postgres" if ON_POSTGRES else "sqlite", var_dir, "faults") as url:
        database = ServerDatabase(url, server_environment(url, var_dir))
        database.run(BOOTSTRAP, timeout=120)
        yield database


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn(database, probe_path, log_path):
    port = _free_port()
    with open(log_path, "wb") as log:
        process = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
            [
                str(GUNICORN),
                "config.wsgi:application",
                "--workers",
                "2",
                "--threads",
                "8",
                "--bind",
                f"127.0.0.1:{port}",
                "--timeout",
                "60",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=database.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, Path(log_path).read_text()
            try:
                with urllib.request.urlopen(base + probe_path, timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not answer within 30 s"
                time.sleep(0.2)
        yield base
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def commenter(base, post_url, number, start, results):
    """One browser: GET the post page, wait for the others, POST the form it was given."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)
    try:
        with opener.open(base + post_url, timeout=30) as response:
            forms = [
                f
                for f in page_forms(response.read().decode())
                if "comment-form" in f["attrs"].get("class", "")
            ]
        form = {
            **forms[0]["fields"],
            "name": f"Reader {number}",
            "email": f"reader{number}@example.org",
            "body": f"Comment {number}: what about the dropouts?",
        }
        start.wait(timeout=30)
        request = urllib.request.Request(
            base + forms[0]["attrs"]["action"], data=urllib.parse.urlencode(form).encode()
        )
        try:
            with opener.open(request, timeout=60) as response:
                results[number] = (response.status, response.read().decode(errors="replace"))
        except urllib.error.HTTPError as answer:
            results[number] = (answer.code, answer.read().decode(errors="replace"))
    except Exception as exc:  # noqa: BLE001 - reported by the test, with the commenter's number
        results[number] = (None, repr(exc))


def test_concurrent_comments_are_all_stored(server_database, tmp_path):
    post = server_database.make_post("Concurrency")
    log_path = tmp_path / "gunicorn.log"
    results = {}
    with gunicorn(server_database, post["url"], log_path) as base:
        start = threading.Barrier(CLIENTS)
        threads = [
            threading.Thread(target=commenter, args=(base, post["url"], n, start, results))
            for n in range(CLIENTS)
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=90)
        elapsed = time.perf_counter() - started
    engine = "PostgreSQL" if ON_POSTGRES else "SQLite file"
    print(f"\n{CLIENTS} concurrent commenters on {engine}: {elapsed:.2f} s")

    failures = {n: (status, body[:300]) for n, (status, body) in results.items() if status != 302}
    assert len(results) == CLIENTS and not failures, failures
    stored = server_database.query(
        "SELECT COUNT(*) FROM comments_comment WHERE post_id = ?", (post["pk"],)
    )[0]
    assert stored == CLIENTS
    names = server_database.query(
        "SELECT COUNT(DISTINCT name) FROM comments_comment WHERE post_id = ?", (post["pk"],)
    )[0]
    assert names == CLIENTS
    log = log_path.read_text(errors="replace")
    assert "database is locked" not in log and "Traceback" not in log, log[-3000:]
