"""Two gunicorn app servers sharing one PostgreSQL database and one Redis, as in a scale-out.

``two_servers`` (a module fixture) creates its own database on the PostgreSQL server
(``test_twoservers_<pid>``; the server from TWO_SERVERS_POSTGRES_URL, TEST_DATABASE_URL or a
PostgreSQL DATABASE_URL, else postgres://postgres@127.0.0.1:5432), migrates it and collects
the static files (the production settings, DEBUG off), starts two gunicorn instances of one
gthread worker each on two free loopback ports, and at the end stops them, drops the
database and deletes its Redis keys (on the server of REDIS_TEST_URL, db
``TWO_SERVERS_REDIS_DB``, 12: the suite's other Redis tests use 15, ``make bench`` 13; every
key carries this run's own prefix).

Without PostgreSQL or Redis the tests skip with one loud line; under ``CI=true`` they fail.

``Browser`` is one visitor: its own cookies (shared by both servers, as behind a load
balancer, since cookies ignore the port) and its own client address (``X-Forwarded-For``,
the servers run with ``CLIENT_IP_HEADER=HTTP_X_FORWARDED_FOR`` as behind a proxy), so the
rate limits of one test never count another's requests.
"""

import contextlib
import html
import http.cookiejar
import itertools
import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
import warnings
from pathlib import Path

import pytest

from benchmarks.servers import GunicornServer
from tests.redis_support import REDIS_TEST_URL

ROOT = Path(__file__).resolve().parent.parent
REDIS_DB = int(os.environ.get("TWO_SERVERS_REDIS_DB", "12"))
# The suite's Redis server (REDIS_TEST_URL, tests/redis_support.py), another database on it.
REDIS_URL = urllib.parse.urlunsplit(
    urllib.parse.urlsplit(REDIS_TEST_URL)._replace(path=f"/{REDIS_DB}", query="")
)
PASSWORD = "two-servers-password"
COMMENT_RATE = 3  # comments per client address per day
SIGN_IN_FAILURES = 3  # failed sign-ins per username and address before a refusal

BOOTSTRAP = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
call_command("collectstatic", interactive=False, verbosity=0)
"""

PEOPLE_AND_POSTS = """
import json, sys, django
django.setup()
from django.contrib.auth.models import Group
from blog.models import Post
from tests.factories import make_post, make_user
password = sys.argv[1]
author = make_user(username="wren", staff=True, email="wren@example.org", password=password)
author.groups.add(Group.objects.get(name="Authors"))
moderator = make_user(username="mo", staff=True, email="mo@example.org", password=password)
moderator.groups.add(Group.objects.get(name="Moderators"))
make_user(username="ed", superuser=True, email="ed@example.org", password=password)
post = make_post(author=author, title="Two servers, one thread", labels=["neurology"])
print(json.dumps({"post_pk": post.pk, "post_url": post.get_absolute_url()}))
"""

MAKE_DRAFT = """
import json, sys, django
django.setup()
from blog.models import Post
from django.contrib.auth import get_user_model
from tests.factories import make_post
author = get_user_model().objects.get(username="wren")
draft = make_post(author=author, title=sys.argv[1], status=Post.Status.DRAFT)
print(json.dumps({"pk": draft.pk, "url": draft.get_absolute_url()}))
"""


def _in_ci():
    return os.environ.get("CI", "").strip().lower() == "true"


def missing_service(reason):
    """Skip loudly, or fail under CI=true, where both servers' tests must run."""
    message = f"TWO-SERVER TESTS SKIPPED: {reason}"
    if _in_ci():
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    warnings.warn(message, pytest.PytestWarning, stacklevel=2)
    pytest.skip(message)


def postgres_admin_url():
    """The maintenance database's URL on the PostgreSQL server these tests use."""
    candidates = [
        os.environ.get("TWO_SERVERS_POSTGRES_URL"),
        os.environ.get("TEST_DATABASE_URL"),
        os.environ.get("DATABASE_URL"),
        "postgres://postgres@127.0.0.1:5432/postgres",
    ]
    for url in candidates:
        if url and url.split("://", 1)[0] in ("postgres", "postgresql", "pgsql"):
            parts = urllib.parse.urlsplit(url)
            return urllib.parse.urlunsplit(("postgresql", parts.netloc, "/postgres", "", ""))
    raise AssertionError("unreachable")


def _postgres_answers(url):
    try:
        import psycopg

        with psycopg.connect(url, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
        return True
    except Exception:  # noqa: BLE001 - any failure means no PostgreSQL here
        return False


def _redis():
    import redis

    return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=5)


def _redis_answers():
    try:
        return bool(_redis().ping())
    except Exception:  # noqa: BLE001 - any failure means no Redis here
        return False


class SharedDatabase:
    """The servers' PostgreSQL database, read directly (no Django, no cache)."""

    def __init__(self, admin_url, name, env):
        self.admin_url, self.name, self.env = admin_url, name, env
        self.url = admin_url.rsplit("/", 1)[0] + f"/{name}"

    def run(self, script, *args, timeout=180):
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

    def run_json(self, script, *args):
        return json.loads(self.run(script, *args).strip().splitlines()[-1])

    def rows(self, sql, params=()):
        import psycopg

        with psycopg.connect(self.url) as conn:
            return conn.execute(sql, params).fetchall()


class Site:
    """What the tests get: servers ``a`` and ``b``, the database, the seeded objects."""

    def __init__(self, a, b, database, seeded):
        self.a, self.b, self.database = a, b, database
        self.post_pk, self.post_url = seeded["post_pk"], seeded["post_url"]

    def logs(self):
        return "\n".join(f"--- {s.label}:\n{s.log_text()[-3000:]}" for s in (self.a, self.b))


@pytest.fixture(scope="module", name="two_servers")
def two_servers_fixture(tmp_path_factory):
    admin_url = postgres_admin_url()
    if not _postgres_answers(admin_url):
        missing_service(f"no PostgreSQL answers at {admin_url}")
    if not _redis_answers():
        missing_service(f"no Redis answers at {REDIS_URL}")
    import psycopg

    run_dir = tmp_path_factory.mktemp("two-servers")
    name = f"test_twoservers_{os.getpid()}"
    prefix = f"twoservers-{os.getpid()}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "SECRET_KEY": f"two-servers-only-{os.getpid()}-{os.urandom(8).hex()}",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": "http://127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "SECURE_HSTS_SECONDS": "0",
        "DATABASE_URL": admin_url.rsplit("/", 1)[0].replace("postgresql://", "postgres://")
        + f"/{name}",
        "REDIS_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": prefix,
        "TASKS_BACKEND": "database",
        "TRIALPRESS_VAR_DIR": str(run_dir),
        "STATIC_ROOT": str(run_dir / "static"),
        "PAGE_CACHE_SECONDS": "300",
        "PAGE_CACHE_HEADER": "1",
        "COMMENT_MIN_SUBMIT_SECONDS": "0",
        "COMMENT_RATE_LIMIT": f"{COMMENT_RATE}/d",
        "ADMIN_LOGIN_MAX_FAILURES": str(SIGN_IN_FAILURES),
        "CLIENT_IP_HEADER": "HTTP_X_FORWARDED_FOR",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    database = SharedDatabase(admin_url, name, {**os.environ, **env})
    servers = []
    try:
        database.run(BOOTSTRAP)
        seeded = database.run_json(PEOPLE_AND_POSTS, PASSWORD)
        for label in ("a", "b"):
            server = GunicornServer(
                label=label, env=env, workers=1, threads=4, probe="/", log_dir=run_dir
            )
            servers.append(server)
            server.start()
        yield Site(*servers, database, seeded)
    finally:
        for server in servers:
            server.stop()
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        with contextlib.suppress(Exception):
            connection = _redis()
            keys = list(connection.scan_iter(match=f"*{prefix}*", count=1000))
            if keys:
                connection.delete(*keys)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Answer:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.text = status, headers, body

    @property
    def cache(self):
        """The page cache's verdict (X-Page-Cache: hit, miss), or None when it was not asked."""
        return self.headers.get("X-Page-Cache")

    @property
    def location(self):
        return self.headers.get("Location", "")


_addresses = itertools.count(10)
_INPUT = re.compile(r"<input\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r'([\w-]+)="([^"]*)"')
_FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.IGNORECASE | re.DOTALL)


def forms(page):
    """[(attributes, {name: value} of its inputs with a value)] for each form of a page."""
    found = []
    for attributes, inner in _FORM.findall(page):
        fields = {}
        for tag in _INPUT.findall(inner):
            attrs = {k: html.unescape(v) for k, v in _ATTR.findall(tag)}
            if "name" in attrs and "value" in attrs:
                fields[attrs["name"]] = attrs["value"]
        found.append(({k: html.unescape(v) for k, v in _ATTR.findall(attributes)}, fields))
    return found


class Browser:
    """One visitor: its cookies and its own address, for either server."""

    def __init__(self):
        self.address = f"198.51.100.{next(_addresses)}"
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect
        )

    def request(self, server, path, data=None):
        request = urllib.request.Request(
            server.base_url + path,
            data=None if data is None else urllib.parse.urlencode(data).encode(),
            headers={"X-Forwarded-For": self.address},
        )
        try:
            with self.opener.open(request, timeout=60) as response:
                status, headers, body = response.status, response.headers, response.read()
        except urllib.error.HTTPError as answer:
            status, headers, body = answer.code, answer.headers, answer.read()
        return Answer(status, dict(headers.items()), body.decode(errors="replace"))

    def get(self, server, path):
        return self.request(server, path)

    def post(self, server, path, data):
        return self.request(server, path, data)

    def sign_in(self, server, username, password=PASSWORD):
        page = self.get(server, "/admin/login/")
        assert page.status == 200, page.text[:500]
        (_attrs, fields), *_ = [f for f in forms(page.text) if "csrfmiddlewaretoken" in f[1]]
        return self.post(
            server,
            "/admin/login/",
            {**fields, "username": username, "password": password, "next": "/admin/"},
        )

    def comment(self, server, post_url, number, body=None):
        """GET the post page from ``server``, then POST its comment form there."""
        page = self.get(server, post_url)
        assert page.status == 200, page.text[:500]
        form = [f for f in forms(page.text) if "/comments/post/" in f[0].get("action", "")]
        assert form, "the post page has no comment form"
        attrs, fields = form[0]
        return self.post(
            server,
            attrs["action"].split("#")[0],
            {
                **fields,
                "name": f"Reader {number}",
                "email": f"reader-{number}-{self.address}@example.org",
                "website": "",
                "body": body or f"Comment {number} from {self.address}: what of the dropouts?",
                "competing_interests": "None declared",
            },
        )
