"""The Django deploy serves the site: a fresh database, `migrate`, `collectstatic`, start.

No `createcachetable`, no demo loader: an operator who follows Django's own deploy steps
gets a working site. The server is the production one (`make serve`: config.settings with
DEBUG off, gunicorn with config/gunicorn.py), bound to a free loopback port, stopped at the
end. The database is a temporary SQLite file, and a fresh PostgreSQL database too when the
suite runs on PostgreSQL. A post is written as an author would (the ORM, in a subprocess),
then a reader reads the home page, the post and a feed, and a commenter comments.

Also: a client that sends its request body slowly does not stop another request being
served (gthread workers; issue 10 item 12).
"""

import contextlib
import http.client
import http.cookiejar
import json
import os
import re
import signal
import socket
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

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")
START_SECONDS = 60
ENGINES = ["sqlite"]
if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    ENGINES.append("postgresql")

WRITE_A_POST = """
import json, django
django.setup()
from tests.factories import make_post
post = make_post(title="Deployed write-up: p<0.001 & n=202", labels=["neurology"])
print(json.dumps({"url": post.get_absolute_url()}))
"""

COUNT_COMMENTS = """
import sys, django
django.setup()
from comments.models import Comment
print(Comment.objects.filter(body=sys.argv[1]).count())
"""


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _production_environment(database_url, directory, port):
    environment = {
        key: value
        for key, value in os.environ.items()
        if key in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        PYTHONPATH=str(ROOT),
        SECRET_KEY="deploy-test-secret-key-long-enough-to-look-real-0123456789",
        ALLOWED_HOSTS="127.0.0.1",
        SITE_URL=f"http://127.0.0.1:{port}",
        DATABASE_URL=database_url,
        TRIALPRESS_VAR_DIR=str(directory / "var"),
        STATIC_ROOT=str(directory / "static"),
        SECURE_SSL_REDIRECT="0",  # plain HTTP on the loopback, as behind a TLS proxy
        SECURE_COOKIES="0",
        COMMENT_MIN_SUBMIT_SECONDS="0",
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        LOG_LEVEL="WARNING",
        BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="1",  # one worker: the slow-client test needs its threads
        WEB_THREADS="4",
    )
    return environment


def _run(environment, *arguments, timeout=300):
    done = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, f"{arguments}: {done.stdout[-2000:]}{done.stderr[-3000:]}"
    return done.stdout


class Site:
    def __init__(self, base, environment, post_url, log_path):
        self.base, self.environment, self.post_url, self.log_path = (
            base,
            environment,
            post_url,
            log_path,
        )

    def log(self):
        return Path(self.log_path).read_text(errors="replace")[-4000:]


@pytest.fixture(scope="module", params=ENGINES)
def deployed_site(request, tmp_path_factory):
    directory = tmp_path_factory.mktemp(f"deploy-{request.param}")
    port = _free_port()
    with scratch_database(request.param, directory, "deploy") as database_url:
        environment = _production_environment(database_url, directory, port)
        assert "DEBUG" not in environment
        _run(environment, "manage.py", "migrate", "--no-input")
        _run(environment, "manage.py", "collectstatic", "--no-input")
        post_url = json.loads(_run(environment, "-c", WRITE_A_POST).splitlines()[-1])["url"]
        log_path = directory / "gunicorn.log"
        with open(log_path, "wb") as log:
            process = subprocess.Popen(  # noqa: S603 - our own gunicorn, the production config
                [str(GUNICORN), "config.wsgi", "-c", "config/gunicorn.py"],
                cwd=ROOT,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        site = Site(f"http://127.0.0.1:{port}", environment, post_url, log_path)
        try:
            _wait_until_serving(site, process)
            yield site
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)


def _wait_until_serving(site, process):
    deadline = time.monotonic() + START_SECONDS
    while True:
        assert process.poll() is None, f"gunicorn exited:\n{site.log()}"
        try:
            with urllib.request.urlopen(site.base + "/robots.txt", timeout=2):  # noqa: S310
                return
        except urllib.error.HTTPError as error:
            pytest.fail(f"/robots.txt answered {error.code}:\n{site.log()}")
        except OSError:
            assert time.monotonic() < deadline, f"no answer in {START_SECONDS} s:\n{site.log()}"
            time.sleep(0.2)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _browser():
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)


def _get(opener, url):
    with opener.open(url, timeout=30) as response:
        return response.status, response.headers, response.read().decode()


def test_the_django_deploy_serves_pages_and_feeds(deployed_site):
    reader = _browser()
    status, headers, home = _get(reader, deployed_site.base + "/")
    assert status == 200, deployed_site.log()
    assert "Deployed write-up: p&lt;0.001 &amp; n=202" in home
    assert "X-Page-Cache" not in headers  # cache state is not told in production

    status, _headers, again = _get(reader, deployed_site.base + "/")
    assert status == 200 and again == home

    status, _headers, post = _get(reader, deployed_site.base + deployed_site.post_url)
    assert status == 200
    assert "<h1" in post and "Deployed write-up" in post
    assert f'rel="canonical" href="{deployed_site.base}{deployed_site.post_url}"' in post

    status, headers, feed = _get(reader, deployed_site.base + "/feeds/atom/")
    assert status == 200
    assert "xml" in headers["Content-Type"]
    assert f"{deployed_site.base}{deployed_site.post_url}" in feed

    stylesheet = re.search(r'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"', home).group(1)
    assert _get(reader, deployed_site.base + stylesheet)[0] == 200  # collectstatic's output


def test_the_django_deploy_takes_a_comment(deployed_site):
    commenter = _browser()
    status, _headers, html = _get(commenter, deployed_site.base + deployed_site.post_url)
    assert status == 200
    form = re.search(r'<form[^>]+action="([^"]*comments/post[^"]*)"(.*?)</form>', html, re.S)
    assert form, "the post page has no comment form"
    fields = dict(re.findall(r'<input[^>]+type="hidden"[^>]+name="([^"]+)"[^>]+value="([^"]*)"',
                             form.group(2)))  # fmt: skip
    assert fields.get("csrfmiddlewaretoken")
    body = f"A reader's question about the deploy, {time.time_ns()}."
    fields.update(
        name="Deploy Reader",
        email="reader@example.org",
        body=body,
        competing_interests="None declared",
    )
    request = urllib.request.Request(  # noqa: S310 - our own loopback server
        deployed_site.base + form.group(1),
        data=urllib.parse.urlencode(fields).encode(),
        headers={"Referer": deployed_site.base + deployed_site.post_url},
    )
    try:
        response = commenter.open(request, timeout=30)
        status, location = response.status, response.headers.get("Location")
    except urllib.error.HTTPError as error:
        status, location = error.code, error.headers.get("Location")
        assert status == 302, error.read().decode()[:2000]
    assert status == 302
    assert deployed_site.post_url in location
    count = _run(deployed_site.environment, "-c", COUNT_COMMENTS, body).splitlines()[-1]
    assert count == "1"


def test_a_slow_client_does_not_hold_up_other_readers(deployed_site):
    """One worker: a client trickling its body for seconds holds one thread, not the worker.

    The slow client has a CSRF cookie and token, so Django really reads its body (without
    them the CSRF check answers 403 before reading, and nothing waits)."""
    host, port = deployed_site.base.removeprefix("http://").split(":")
    page = http.client.HTTPConnection(host, int(port), timeout=10)
    page.request("GET", deployed_site.post_url)
    response = page.getresponse()
    html = response.read().decode()
    cookie = re.search(r"(csrftoken=[^;]+)", response.headers["Set-Cookie"]).group(1)
    action = re.search(r'<form[^>]+action="([^"]*comments/post[^"]*)"', html).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    body = f"csrfmiddlewaretoken={token}&name=Slow&body=".encode() + b"s" * 60
    chunks_sent, answers, errors = [], [], []

    def trickle():
        try:
            with socket.create_connection((host, int(port)), timeout=30) as slow:
                slow.sendall(
                    f"POST {action} HTTP/1.1\r\nHost: {host}:{port}\r\nCookie: {cookie}\r\n"
                    f"Referer: {deployed_site.base}{deployed_site.post_url}\r\n"
                    "Content-Type: application/x-www-form-urlencoded\r\n"
                    f"Content-Length: {len(body)}\r\n\r\n".encode()
                )
                step = len(body) // 10 + 1
                for start in range(0, len(body), step):
                    slow.sendall(body[start : start + step])
                    chunks_sent.append(time.monotonic())
                    time.sleep(0.5)  # the whole body takes about five seconds
                answers.append(slow.recv(100))
        except OSError as error:
            errors.append(error)

    sender = threading.Thread(target=trickle, daemon=True)
    sender.start()
    time.sleep(1.5)
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.request("GET", "/robots.txt")
    response = connection.getresponse()
    assert response.status == 200
    response.read()
    assert 0 < len(chunks_sent) < 10, "the other request waited for the slow client's body"
    sender.join(timeout=30)
    assert not errors and answers, (errors, answers)
    assert answers[0].startswith(b"HTTP/1.1 "), answers  # the slow request was served too
    assert not answers[0].startswith((b"HTTP/1.1 5", b"HTTP/1.1 403")), answers


def test_make_serve_is_the_django_deploy_with_threaded_workers():
    """`make serve` runs what this file tests: migrate, collectstatic, gunicorn with
    config/gunicorn.py (gthread; gunicorn silently uses gthread for sync with threads > 1,
    and sync with one thread lets one slow client hold the worker)."""
    import runpy

    makefile = (ROOT / "Makefile").read_text()
    serve = makefile.split("\nserve:", 1)[1].split("\n\n", 1)[0]
    steps = [line.strip() for line in serve.splitlines()[1:] if line.startswith("\t")]
    assert [s for s in steps if "manage.py" in s] == [
        "$(PY) manage.py migrate --no-input",
        "$(PY) manage.py collectstatic --no-input",
    ]
    # gunicorn, with the background-task worker beside it (scripts/with_worker.sh)
    assert steps[-1] == (
        "PY=$(PY) bash scripts/with_worker.sh $(VENV)/bin/gunicorn config.wsgi "
        "-c config/gunicorn.py"
    )
    assert "createcachetable" not in makefile
    config = runpy.run_path(str(ROOT / "config" / "gunicorn.py"))
    assert config["worker_class"] == "gthread"
    assert config["threads"] > 1


def test_the_production_config_opens_no_control_socket(tmp_path):
    """Two app servers on one host under one user would share gunicorn 27's control socket
    ($HOME/.gunicorn/gunicorn.ctl), each taking it over (tryout, issue 19): it is off, and
    gunicorn reads the setting's name (a misspelt one would be left at its default)."""
    environment = {**os.environ, "HOME": str(tmp_path), "DEBUG": "1"}
    environment.pop("XDG_RUNTIME_DIR", None)
    printed = subprocess.run(  # noqa: S603 - our own gunicorn, the production config
        [str(GUNICORN), "--print-config", "-c", "config/gunicorn.py", "config.wsgi"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    settings = {
        name.strip(): value.strip()
        for name, _sep, value in (line.partition("=") for line in printed.splitlines())
    }
    assert settings["control_socket_disable"] == "True"
    assert settings["worker_class"] == "gthread"
