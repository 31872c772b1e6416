"""Part 3: 16 concurrent commenters send 1,000 comments through the real HTML form.

Each submission is what a browser does: GET the post page (CSRF cookie and token, the
signed ``security_token``), then POST the form to ``comments:post``; a 302 is success.
Runs against gunicorn on the throwaway SQLite database, then on a fresh PostgreSQL database
(created and dropped here) when one answers. The server has COMMENT_MIN_SUBMIT_SECONDS=0
and COMMENT_RATE_LIMIT=off; emails and bodies vary, so none is a duplicate.
Run: ``python -m benchmarks.submissions``.
"""

import html
import json
import os
import re
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

from benchmarks.results import note, record, table, verdict
from benchmarks.servers import HOST, ROOT, get, gunicorn_server

CLIENTS = 16
COMMENTS = int(os.environ.get("BENCH_COMMENTS", "1000"))
RATE_TARGET = 100.0
PG_ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PG_BENCH_DB = "trialpress_bench"
SERVER_ENV = {
    "COMMENT_MIN_SUBMIT_SECONDS": 0,
    "COMMENT_RATE_LIMIT": "off",
    "PAGE_CACHE_SECONDS": 300,
    "REDIS_URL": "",
}
_INPUT = re.compile(r"<input\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r'([\w-]+)="([^"]*)"')


def hidden_fields(page):
    """name -> value of every <input> with a value (csrfmiddlewaretoken, security_token...)."""
    fields = {}
    for tag in _INPUT.findall(page):
        attrs = dict(_ATTR.findall(tag))
        if "name" in attrs and "value" in attrs:
            fields[attrs["name"]] = html.unescape(attrs["value"])
    return fields


def comment_fields(n):
    return {
        "name": f"Reader {n}",
        "email": f"bench-reader-{n}-{os.getpid()}@example.org",
        "website": "",
        "body": (
            f"Comment {n}: the relapse rate fell, but the rater-masked design and the "
            f"uneven dropout make me cautious about the disability result. "
            f"Has anyone seen the per-protocol analysis? (ref {n * 7919 % 100003})"
        ),
        "competing_interests": "None declared",
        "homepage_url": "",
        "parent": "",
    }


def submit(port, post_path, action, n):
    """GET the page, POST comment ``n``; returns (status, seconds of the GET, of the POST)."""
    import http.client

    started = time.perf_counter()
    status, headers, body = get(port, post_path)
    got = time.perf_counter() - started
    if status != 200:
        return f"GET {status}", got, 0.0
    cookies = [value.split(";", 1)[0] for name, value in headers if name.lower() == "set-cookie"]
    csrf_cookie = next((c for c in cookies if c.startswith("csrftoken=")), None)
    fields = hidden_fields(body.decode())
    if csrf_cookie is None or "csrfmiddlewaretoken" not in fields or "security_token" not in fields:
        return "no CSRF cookie, token or security_token in the page", got, 0.0
    form = {
        **comment_fields(n),
        "csrfmiddlewaretoken": fields["csrfmiddlewaretoken"],
        "security_token": fields["security_token"],
    }
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        started = time.perf_counter()
        conn.request(
            "POST",
            action,
            body=urlencode(form),
            headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": csrf_cookie},
        )
        response = conn.getresponse()
        response.read()
        return response.status, got, time.perf_counter() - started
    finally:
        conn.close()


def _one(args):
    try:
        return submit(*args)
    except Exception as exc:  # noqa: BLE001 - every failure is counted and shown
        return f"{type(exc).__name__}: {exc}", 0.0, 0.0


def send_all(port, post_path, action):
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        results = list(pool.map(_one, [(port, post_path, action, n) for n in range(COMMENTS)]))
    elapsed = time.perf_counter() - started
    errors = [status for status, _, _ in results if status != 302]
    get_times = sorted(got for status, got, _ in results if status == 302)
    post_times = sorted(posted for status, _, posted in results if status == 302)
    return elapsed, errors, get_times, post_times


def manage(env, *args):
    """Run a step in a subprocess, so each engine gets its own settings (DATABASE_URL)."""
    command = [sys.executable, *args]
    return subprocess.run(  # noqa: S603 - this interpreter running our own modules
        command,
        cwd=ROOT,
        env={**os.environ, **env},
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    ).stdout


def run_engine(label, env):
    target = json.loads(manage(env, "-m", "benchmarks.submissions", "--prepare"))
    with gunicorn_server(label=f"submit-{label}", **SERVER_ENV, **env) as port:
        elapsed, errors, get_times, post_times = send_all(
            port, target["post_path"], target["action"]
        )
    stored = int(manage(env, "-m", "benchmarks.submissions", "--count", str(target["post_id"])))
    return elapsed, errors, get_times, post_times, stored


def _pg(url):
    import dj_database_url

    parsed = dj_database_url.parse(url)
    return {
        "host": parsed["HOST"] or HOST,
        "port": parsed["PORT"] or 5432,
        "user": parsed["USER"] or None,
        "password": parsed["PASSWORD"] or None,
        "dbname": parsed["NAME"],
        "connect_timeout": 3,
    }


def _pg_admin(sql):
    import psycopg

    with psycopg.connect(**_pg(PG_ADMIN_URL), autocommit=True) as conn:
        conn.execute(sql)


def postgres_url():
    """A fresh, empty database's URL, or None (with a message) when PostgreSQL is not there."""
    try:
        _pg_admin(f"DROP DATABASE IF EXISTS {PG_BENCH_DB} WITH (FORCE)")
        _pg_admin(f"CREATE DATABASE {PG_BENCH_DB}")
    except Exception as exc:  # noqa: BLE001 - unreachable or not allowed: skip with a message
        print(
            f"PostgreSQL not usable at {PG_ADMIN_URL} ({exc.__class__.__name__}: "
            f"{str(exc).strip()[:120]}): the PostgreSQL run is skipped."
        )
        return None
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{PG_BENCH_DB}"


def _ms(times):
    """'median / p95' in milliseconds, as seen by a client (queueing included)."""
    if not times:
        return "-"
    return f"{statistics.median(times) * 1000:.0f} / {times[int(len(times) * 0.95) - 1] * 1000:.0f}"


def report_row(engine, elapsed, errors, get_times, post_times, stored):
    rate = COMMENTS / elapsed
    samples = "; ".join(sorted({str(e) for e in errors})[:3])
    ok_equal = stored == COMMENTS
    ok_errors = not errors
    record(
        f"{engine}: stored = sent, errors = 0",
        f"{stored}/{COMMENTS}, {len(errors)} errors",
        ok_equal and ok_errors,
    )
    target = ""
    if engine == "SQLite":
        ok = rate >= RATE_TARGET
        target = f"{verdict(ok)} (\u2265 {RATE_TARGET:.0f})"
        record(
            f"SQLite: \u2265 {RATE_TARGET:.0f} comments/s with {CLIENTS} clients",
            f"{rate:.0f}/s",
            ok,
        )
    return [
        engine,
        COMMENTS,
        f"{stored} {verdict(ok_equal)}",
        f"{len(errors)} {verdict(ok_errors)}",
        f"{elapsed:.1f}",
        f"{rate:.0f}",
        target,
        _ms(get_times),
        _ms(post_times),
        samples or "-",
    ]


def main():
    print(
        f"\n== Comment submission: {CLIENTS} concurrent clients, {COMMENTS:,} comments "
        f"(GET page + POST form each), gunicorn 2 workers, page cache on"
    )
    rows = []
    engines = [("SQLite", {})]
    pg_url = postgres_url()
    if pg_url:
        engines.append(("PostgreSQL", {"DATABASE_URL": pg_url}))
    else:
        note("Comment submission on PostgreSQL (not reachable)")
    try:
        for engine, env in engines:
            if env:
                manage(env, "manage.py", "migrate", "--no-input", "-v", "0")
            rows.append(report_row(engine, *run_engine(engine.lower(), env)))
    finally:
        if pg_url:
            _pg_admin(f"DROP DATABASE IF EXISTS {PG_BENCH_DB} WITH (FORCE)")
    print(
        table(
            [
                "Engine",
                "Sent",
                "Stored",
                "Errors",
                "Seconds",
                "Comments/s",
                "Target",
                "GET ms med/p95",
                "POST ms med/p95",
                "Error samples",
            ],
            rows,
        )
    )


def _prepare():
    """Create the post the comments go to; print where to GET and POST, as JSON."""
    import django

    django.setup()
    from django.urls import reverse

    from benchmarks import data
    from blog.models import Post

    slug = f"{data.SUBMISSION_POST_SLUG}-{os.getpid()}"
    post = data.build_post(slug=slug, title="A write-up readers comment on")
    post = Post.objects.get(pk=post.pk)
    print(
        json.dumps(
            {
                "post_id": post.pk,
                "post_path": post.get_absolute_url(),
                "action": reverse("comments:post", args=[post.pk]),
            }
        )
    )


def _count(post_id):
    import django

    django.setup()
    from comments.models import Comment

    print(Comment.objects.filter(post_id=post_id).count())


if __name__ == "__main__":
    if sys.argv[1:2] == ["--prepare"]:
        _prepare()
    elif sys.argv[1:2] == ["--count"]:
        _count(int(sys.argv[2]))
    else:
        main()
