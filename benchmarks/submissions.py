"""Part 3: 16 concurrent commenters send 1,000 comments through the real HTML form.

Two figures, each ``BENCH_SUBMIT_REPEATS`` times (default 2) on a fresh post:

- GET + POST: what a browser does: GET the post page (CSRF cookie and token, the signed
  ``security_token``), then POST the form to ``comments:post``; the clock runs throughout.
- POST only, the way Isso's figure is measured: the 1,000 forms are fetched first (each
  token is spent by its comment), then the clock runs while 16 clients only POST.

A 201 or 302 answer is a success; every other answer (or exception) is an error, and a
success without a stored row is lost (rows are counted on the post afterwards). Runs
against gunicorn on the throwaway SQLite database, then on a fresh PostgreSQL database
(created and dropped here) when one answers. Moderation is on (the default policy: every
rule runs, a new commenter is held); COMMENT_MIN_SUBMIT_SECONDS=0 and
COMMENT_RATE_LIMIT=off, as no person sends 1,000 comments a second from one address;
emails and bodies vary, so none is a duplicate. Run: ``python -m benchmarks.submissions``.
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
from dataclasses import dataclass
from urllib.parse import urlencode

from benchmarks.results import note, record, spread, table, verdict
from benchmarks.servers import HOST, ROOT, get, gunicorn_server

CLIENTS = 16
COMMENTS = int(os.environ.get("BENCH_COMMENTS", "1000"))
REPEATS = int(os.environ.get("BENCH_SUBMIT_REPEATS", "2"))
RATE_TARGET = 100.0  # GET + POST, SQLite (issue 8)
POST_ONLY_TARGETS = {"SQLite": 300.0, "PostgreSQL": 200.0}  # issue 19
SUCCESS = (201, 302)
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


def fetch_form(port, post_path):
    """GET the page: (csrf cookie, csrfmiddlewaretoken, security_token), or an error text."""
    status, headers, body = get(port, post_path)
    if status != 200:
        return f"GET {status}"
    cookies = [value.split(";", 1)[0] for name, value in headers if name.lower() == "set-cookie"]
    csrf_cookie = next((c for c in cookies if c.startswith("csrftoken=")), None)
    fields = hidden_fields(body.decode())
    if csrf_cookie is None or "csrfmiddlewaretoken" not in fields or "security_token" not in fields:
        return "no CSRF cookie, token or security_token in the page"
    return csrf_cookie, fields["csrfmiddlewaretoken"], fields["security_token"]


def submit(port, post_path, action, n, form_tokens=None):
    """POST comment ``n`` (GET the page first unless ``form_tokens`` were fetched before);
    returns (status, seconds of the GET, of the POST)."""
    got = 0.0
    if form_tokens is None:
        started = time.perf_counter()
        form_tokens = fetch_form(port, post_path)
        got = time.perf_counter() - started
    if isinstance(form_tokens, str):
        return form_tokens, got, 0.0
    csrf_cookie, csrf_token, security_token = form_tokens
    form = {
        **comment_fields(n),
        "csrfmiddlewaretoken": csrf_token,
        "security_token": security_token,
    }
    status, posted = post_form(port, action, csrf_cookie, form)
    return status, got, posted


def post_form(port, action, csrf_cookie, form):
    """(status, seconds) of one POST of the comment form."""
    import http.client

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
        return response.status, time.perf_counter() - started
    finally:
        conn.close()


def _one(args):
    try:
        return submit(*args)
    except Exception as exc:  # noqa: BLE001 - every failure is counted and shown
        return f"{type(exc).__name__}: {exc}", 0.0, 0.0


def _fetch(args):
    try:
        return fetch_form(*args)
    except Exception as exc:  # noqa: BLE001 - counted as an error of its comment
        return f"{type(exc).__name__}: {exc}"


def send_all(port, post_path, action, *, post_only=False, first=0):
    """Send COMMENTS comments from CLIENTS threads: (seconds, answers, GET and POST times).

    ``post_only``: the forms are fetched before the clock starts, so it times the POSTs."""
    numbers = range(first, first + COMMENTS)
    tokens = [None] * COMMENTS
    if post_only:
        with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
            tokens = list(pool.map(_fetch, [(port, post_path)] * COMMENTS))
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        results = list(
            pool.map(
                _one,
                [(port, post_path, action, n, t) for n, t in zip(numbers, tokens, strict=True)],
            )
        )
    elapsed = time.perf_counter() - started
    answers = [status for status, _, _ in results]
    get_times = sorted(got for status, got, _ in results if status in SUCCESS)
    post_times = sorted(posted for status, _, posted in results if status in SUCCESS)
    return elapsed, answers, get_times, post_times


@dataclass
class Run:
    """One sending of COMMENTS comments to one post."""

    mode: str  # "GET + POST" or "POST only"
    elapsed: float
    answers: list
    get_times: list
    post_times: list
    stored: int = 0

    @property
    def rate(self):
        return len(self.answers) / self.elapsed

    @property
    def successes(self):
        return sum(1 for a in self.answers if a in SUCCESS)

    @property
    def errors(self):
        return [a for a in self.answers if a not in SUCCESS]

    @property
    def lost(self):
        """Answered as stored but not in the database (never negative: extra rows show as
        stored > successes in the table)."""
        return max(0, self.successes - self.stored)


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


MODES = ("GET + POST", "POST only")


def run_engine(label, env, *, repeats=REPEATS):
    """``repeats`` runs of each mode, alternating, each on a post of its own."""
    targets = json.loads(manage(env, "-m", "benchmarks.submissions", "--prepare", str(2 * repeats)))
    runs = []
    with gunicorn_server(label=f"submit-{label}", **SERVER_ENV, **env) as port:
        for target in targets:  # both workers compile the templates before the clock runs
            for _ in range(3):
                get(port, target["post_path"])
        for n, target in enumerate(targets):
            mode = MODES[n % 2]
            runs.append(
                Run(
                    mode,
                    *send_all(
                        port,
                        target["post_path"],
                        target["action"],
                        post_only=mode == "POST only",
                        first=n * COMMENTS,
                    ),
                )
            )
    ids = ",".join(str(t["post_id"]) for t in targets)
    stored = json.loads(manage(env, "-m", "benchmarks.submissions", "--count", ids))
    for run, count in zip(runs, stored, strict=True):
        run.stored = count
    return runs


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


def report_rows(engine, runs):
    """Table rows (one per mode) and the recorded targets for one engine's runs."""
    rows = []
    for mode in MODES:
        mine = [r for r in runs if r.mode == mode]
        if not mine:
            continue
        median, rate_spread = spread([r.rate for r in mine], "/s", digits=0)
        sent = sum(len(r.answers) for r in mine)
        successes = sum(r.successes for r in mine)
        stored = sum(r.stored for r in mine)
        lost = sum(r.lost for r in mine)
        errors = [e for r in mine for e in r.errors]
        samples = "; ".join(sorted({str(e) for e in errors})[:3])
        clean = lost == 0 and not errors and stored == successes
        record(
            f"{engine}, {mode}: 0 lost, 0 errors",
            f"{lost} lost, {len(errors)} errors ({stored:,} stored of {sent:,} sent)",
            clean,
        )
        rate_target = POST_ONLY_TARGETS.get(engine) if mode == "POST only" else None
        if mode == "GET + POST" and engine == "SQLite":
            rate_target = RATE_TARGET
        verdict_text = ""
        if rate_target is not None:
            ok = statistics.median([r.rate for r in mine]) >= rate_target
            verdict_text = f"\u2265 {rate_target:.0f} {verdict(ok)}"
            record(
                f"{engine}, {mode}: \u2265 {rate_target:.0f} comments/s, {CLIENTS} clients",
                median,
                ok,
                rate_spread,
            )
        rows.append(
            [
                engine,
                mode,
                f"{sent:,}",
                f"{stored:,}",
                f"{lost} {verdict(lost == 0)}",
                f"{len(errors)} {verdict(not errors)}",
                median,
                rate_spread,
                verdict_text,
                _ms([t for r in mine for t in r.get_times]) if mode == "GET + POST" else "-",
                _ms(sorted(t for r in mine for t in r.post_times)),
                samples or "-",
            ]
        )
    return rows


def main():
    print(
        f"\n== Comment submission: {CLIENTS} concurrent clients, {COMMENTS:,} comments a run, "
        f"{REPEATS} runs of each mode (GET page + POST form; POST only, forms fetched first), "
        f"gunicorn 2 workers, page cache on, moderation on (new commenters held)"
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
            rows.extend(report_rows(engine, run_engine(engine.lower(), env)))
    finally:
        if pg_url:
            _pg_admin(f"DROP DATABASE IF EXISTS {PG_BENCH_DB} WITH (FORCE)")
    print(
        table(
            [
                "Engine",
                "Mode",
                "Sent",
                "Stored",
                "Lost",
                "Errors",
                "Comments/s",
                "Spread",
                "Target",
                "GET ms med/p95",
                "POST ms med/p95",
                "Error samples",
            ],
            rows,
        )
    )


def _prepare(count):
    """Create the posts the comments go to; print where to GET and POST, as JSON."""
    import django

    django.setup()
    from django.urls import reverse

    from benchmarks import data
    from blog.models import Post

    targets = []
    for n in range(count):
        slug = f"{data.SUBMISSION_POST_SLUG}-{os.getpid()}-{n}"
        post = data.build_post(slug=slug, title=f"A write-up readers comment on, {n + 1}")
        post = Post.objects.get(pk=post.pk)
        targets.append(
            {
                "post_id": post.pk,
                "post_path": post.get_absolute_url(),
                "action": reverse("comments:post", args=[post.pk]),
            }
        )
    print(json.dumps(targets))


def _count(post_ids):
    """The comments stored on each post, in order, as a JSON list."""
    import django

    django.setup()
    from comments.models import Comment

    print(json.dumps([Comment.objects.filter(post_id=pk).count() for pk in post_ids]))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--prepare"]:
        _prepare(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
    elif sys.argv[1:2] == ["--count"]:
        _count([int(pk) for pk in sys.argv[2].split(",")])
    else:
        main()
