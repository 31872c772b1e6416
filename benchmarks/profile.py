"""Where a reader's page spends its time: cProfile over uncached renders, in process.

    .venv/bin/python -m benchmarks.profile [page ...] [--requests N] [--lines N]

Pages: ``post0`` (a post with no comments), ``post500`` (500 comments), ``home`` (1,000
posts), ``label``, ``archive`` (a month) and ``feed`` (Atom); all of them by default. And
``comment``: sending the comment form (the POST only; its page is fetched for the tokens
outside the measurement), with moderation on, no rate limit and no minimum delay, as in
``make bench``'s submission step.
Builds the benchmark's data (benchmarks/data.py, as ``make bench`` does) in a throwaway
SQLite database under a temporary folder, with the production settings (DEBUG off) and the
page cache off, unless DJANGO_SETTINGS_MODULE and DATABASE_URL are set already. Each page
is warmed with three GETs, then ``--requests`` GETs (default 30) run through Django's test
client (every middleware, the real view) under cProfile. Printed per page: the time per
request with and without the profiler; without it, the time in each template (inclusive of
what it includes) and in SQL (the driver's execute; rows fetched later count as the ORM's
time); under it, the own time by area (template engine, database, forms, app code...), the
top ``--lines`` (default 25) functions by cumulative and by own time, and the app's own
functions by cumulative time.
All figures are per request, in CPU time of this thread (``time.thread_time``), so other
work on a busy machine does not inflate them; the wall time a request is printed too.
"""

import argparse
import contextlib
import cProfile
import os
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = ("post0", "post500", "home", "label", "archive", "feed")
EXTRA_PAGES = ("comment",)  # not profiled by default
# (area, test on the function's file or name); the first that matches wins.
AREAS = (
    ("database driver", lambda f, n: "sqlite3" in n or "psycopg" in f or "psycopg" in n),
    ("Django ORM", lambda f, n: "/django/db/" in f),
    ("Django forms", lambda f, n: "/django/forms/" in f),
    ("Django templates", lambda f, n: "/django/template/" in f or "/django/templatetags/" in f),
    ("Django URLs", lambda f, n: "/django/urls/" in f),
    ("Django middleware", lambda f, n: "/django/middleware/" in f or "/django/contrib/" in f),
    ("Django utils (escape, dates, i18n...)", lambda f, n: "/django/utils/" in f),
    ("Django feeds/other", lambda f, n: "/django/" in f),
    ("Markdown, bleach", lambda f, n: "/markdown/" in f or "/bleach/" in f or "html5lib" in f),
    ("taggit", lambda f, n: "/taggit/" in f),
    ("test client, WSGI", lambda f, n: "/django/test/" in f or "wsgiref" in f),
    ("other libraries", lambda f, n: "site-packages" in f),
    ("app code", lambda f, n: f.startswith(str(ROOT)) and "site-packages" not in f),
    ("Python built-ins and stdlib", lambda f, n: True),
)


def _environment():
    """The bench's settings and a throwaway database, unless the caller chose them."""
    if os.environ.get("DJANGO_SETTINGS_MODULE") and os.environ.get("DATABASE_URL"):
        return None
    folder = tempfile.mkdtemp(prefix="trialpress-profile.")
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
            "DEBUG": "0",
            "SECRET_KEY": f"profile-only-{os.getpid()}",
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "SITE_URL": "http://127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_COOKIES": "0",
            "SECURE_HSTS_SECONDS": "0",
            "TRIALPRESS_VAR_DIR": folder,
            "DATABASE_URL": f"sqlite:///{folder}/profile.sqlite3",
            "STATIC_ROOT": f"{folder}/static",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "LOG_LEVEL": "WARNING",
            "REDIS_URL": "",
        }
    )
    return folder


class Reading:
    """A reader's GET of ``page`` (a benchmarks.render.Page)."""

    def __init__(self, page):
        self.name, self.url = page.name, page.url

    def prepare(self, client):
        return None

    def send(self, client, prepared):
        return client.get(self.url)


class CommentSending:
    """The comment form sent to ``page``'s post: ``prepare`` GETs the page and fills the
    form (tokens included, a new commenter each time); ``send`` is the POST alone."""

    expected = (302,)

    def __init__(self, page, action):
        self.name = f"comment POST to {page.name} (moderation on)"
        self.url, self.action, self.sent = page.url, action, 0

    def prepare(self, client):
        from benchmarks.submissions import comment_fields, hidden_fields

        response = client.get(self.url)
        fields = hidden_fields(response.content.decode())
        self.sent += 1
        return {
            **comment_fields(self.sent),
            "csrfmiddlewaretoken": fields["csrfmiddlewaretoken"],
            "security_token": fields["security_token"],
        }

    def send(self, client, prepared):
        return client.post(self.action, prepared)


def build(names):
    """The pages asked for, as {name: Reading or CommentSending}, on fresh benchmark data."""
    from django.core.management import call_command
    from django.urls import reverse

    from benchmarks import render
    from blog.models import Post

    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)
    pages = render.build_pages(posts=render.HOME_POSTS, comment_counts=(0, 500))
    by_kind = {
        "home": pages[0],
        "post0": pages[1],
        "post500": pages[2],
        "label": pages[3],
        "archive": pages[4],  # the month
        "feed": pages[-1],
    }
    built = {}
    for name in names:
        if name == "comment":
            post = Post.objects.filter(comment_count=500).first()
            action = reverse("comments:post", args=[post.pk])
            built[name] = CommentSending(by_kind["post500"], action)
        else:
            built[name] = Reading(by_kind[name])
    return built


def area_of(filename, name):
    return next(area for area, test in AREAS if test(filename, name))


def _where(key):
    filename, line, name = key
    if filename == "~":
        return name
    for marker in ("site-packages/", f"{ROOT}/"):
        if marker in filename:
            filename = filename.split(marker, 1)[1]
            break
    else:
        filename = filename.rsplit("/lib/python", 1)[-1]
    return f"{filename}:{line}({name})"


def top_lines(stats, requests, *, key, lines):
    """The top functions by ``key`` ("cumulative" or "own"), as text lines, per request."""
    index = 3 if key == "cumulative" else 2
    rows = sorted(stats.stats.items(), key=lambda item: item[1][index], reverse=True)[:lines]
    out = [f"{'calls/req':>10} {'own ms':>8} {'cum ms':>8}  function"]
    for func, (_, ncalls, own, cumulative, _) in rows:
        out.append(
            f"{ncalls / requests:10.1f} {own * 1000 / requests:8.2f} "
            f"{cumulative * 1000 / requests:8.2f}  {_where(func)}"
        )
    return out


def areas(stats, requests):
    """Own time per area, in ms per request, largest first."""
    totals = {}
    for (filename, _, name), (_, _, own, _, _) in stats.stats.items():
        area = area_of(filename, name)
        totals[area] = totals.get(area, 0.0) + own * 1000 / requests
    return sorted(totals.items(), key=lambda item: item[1], reverse=True)


@contextlib.contextmanager
def template_and_sql_timer():
    """Yields {template name: seconds (inclusive)} and {"SQL": seconds, "queries": n},
    filled while the block runs, without a profiler: Template._render is wrapped, and
    every database connection gets an execute wrapper (the driver's execute: rows fetched
    afterwards, in chunks, are outside it)."""
    from django.db import connections
    from django.template import base

    templates, sql = {}, {"SQL": 0.0, "queries": 0}
    original = base.Template._render

    def timed_render(self, context):
        started = time.thread_time()
        try:
            return original(self, context)
        finally:
            name = self.origin.template_name if self.origin else None
            name = name or "(from a string)"
            templates[name] = templates.get(name, 0.0) + time.thread_time() - started

    def timed_execute(execute, sql_text, params, many, context):
        started = time.thread_time()
        try:
            return execute(sql_text, params, many, context)
        finally:
            sql["SQL"] += time.thread_time() - started
            sql["queries"] += 1

    base.Template._render = timed_render
    try:
        with contextlib.ExitStack() as stack:
            for alias in connections:
                stack.enter_context(connections[alias].execute_wrapper(timed_execute))
            yield templates, sql
    finally:
        base.Template._render = original


def _sending(client, page, requests):
    """The prepared requests of ``page`` (a Reading or CommentSending), made untimed."""
    return [page.prepare(client) for _ in range(requests)]


def time_templates(client, page, *, requests):
    """({template: ms a request}, SQL ms a request, queries a request), no profiler."""
    page = _as_request(page)
    prepared = _sending(client, page, requests)
    with template_and_sql_timer() as (templates, sql):
        for one in prepared:
            page.send(client, one)
    per_template = {name: s * 1000 / requests for name, s in templates.items()}
    return per_template, sql["SQL"] * 1000 / requests, sql["queries"] / requests


def app_lines(stats, requests, *, lines):
    """The app's own functions (not benchmarks, not the middleware chain) by cumulative time."""
    chain = ("/middleware.py",)
    rows = [
        (func, row)
        for func, row in stats.stats.items()
        if func[0].startswith(str(ROOT))
        and "site-packages" not in func[0]
        and "/benchmarks/" not in func[0]
        and not (func[0].endswith(chain) and func[2] == "__call__")
    ]
    rows.sort(key=lambda item: item[1][3], reverse=True)
    out = [f"{'calls/req':>10} {'own ms':>8} {'cum ms':>8}  function"]
    for func, (_, ncalls, own, cumulative, _) in rows[:lines]:
        out.append(
            f"{ncalls / requests:10.1f} {own * 1000 / requests:8.2f} "
            f"{cumulative * 1000 / requests:8.2f}  {_where(func)}"
        )
    return out


def _as_request(page):
    return page if hasattr(page, "send") else Reading(page)


def profile_page(client, page, *, requests):
    """(CPU ms a request without the profiler, with it, pstats.Stats, wall ms without).

    ``page``: a benchmarks.render.Page (GET), a Reading or a CommentSending. What a request
    needs first (a comment's form) is prepared before each measured batch, untimed."""
    page = _as_request(page)
    for one in _sending(client, page, 3):
        response = page.send(client, one)
        if response.status_code not in getattr(page, "expected", (200,)):
            raise RuntimeError(f"{page.name} ({page.url}) answered {response.status_code}")
    prepared = _sending(client, page, requests)
    started, wall_started = time.thread_time(), time.perf_counter()
    for one in prepared:
        page.send(client, one)
    plain_ms = (time.thread_time() - started) * 1000 / requests
    wall_ms = (time.perf_counter() - wall_started) * 1000 / requests
    prepared = _sending(client, page, requests)
    profiler = cProfile.Profile(time.thread_time)
    started = time.thread_time()
    profiler.enable()
    for one in prepared:
        page.send(client, one)
    profiler.disable()
    profiled_ms = (time.thread_time() - started) * 1000 / requests
    return plain_ms, profiled_ms, pstats.Stats(profiler), wall_ms


def report(name, page, plain_ms, profiled_ms, stats, timed, *, requests, lines, wall_ms=None):
    per_template, sql_ms, queries = timed
    print(f"\n== {name}: {page.name} ({getattr(page, 'action', page.url)})")
    wall = f" ({wall_ms:.1f} ms wall time)" if wall_ms is not None else ""
    print(
        f"{plain_ms:.1f} ms CPU a request without the profiler{wall}, {profiled_ms:.1f} ms "
        f"with it ({requests} requests each)"
    )
    print(
        f"\nWithout the profiler: SQL {sql_ms:.2f} ms in {queries:.0f} queries; templates "
        f"(inclusive: a template's time holds the templates it includes or extends):"
    )
    for template, ms in sorted(per_template.items(), key=lambda item: item[1], reverse=True)[
        :lines
    ]:
        print(f"  {ms:7.2f} ms  {template}")
    print("\nUnder the profiler, per request:")
    print("\nOwn time by area:")
    total = sum(ms for _, ms in areas(stats, requests))
    for area, ms in areas(stats, requests):
        print(f"  {ms:7.2f} ms {ms / total:6.1%}  {area}")
    print(f"\nTop {lines} by cumulative time:")
    print("\n".join(top_lines(stats, requests, key="cumulative", lines=lines)))
    print(f"\nTop {lines} by own time:")
    print("\n".join(top_lines(stats, requests, key="own", lines=lines)))
    print(f"\nThe app's own functions, top {lines} by cumulative time:")
    print("\n".join(app_lines(stats, requests, lines=lines)))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "pages", nargs="*", metavar="page", help=f"any of {', '.join(PAGES + EXTRA_PAGES)}"
    )
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--lines", type=int, default=25)
    args = parser.parse_args(argv)
    unknown = sorted(set(args.pages) - set(PAGES + EXTRA_PAGES))
    if unknown:
        choices = ", ".join(PAGES + EXTRA_PAGES)
        parser.error(f"unknown page {', '.join(unknown)}: choose from {choices}")
    names = args.pages or list(PAGES)
    folder = _environment()
    os.environ["PAGE_CACHE_SECONDS"] = "0"
    # As make bench's submission step: the policy runs, but one address may send many.
    os.environ.setdefault("COMMENT_RATE_LIMIT", "off")
    os.environ.setdefault("COMMENT_MIN_SUBMIT_SECONDS", "0")
    try:
        import django

        django.setup()
        from django.test import Client

        print(f"Building the benchmark's data for {', '.join(names)}...", flush=True)
        pages = build(names)
        client = Client(enforce_csrf_checks=True)
        for name, page in pages.items():
            plain_ms, profiled_ms, stats, wall_ms = profile_page(
                client, page, requests=args.requests
            )
            timed = time_templates(client, page, requests=args.requests)
            report(
                name,
                page,
                plain_ms,
                profiled_ms,
                stats,
                timed,
                requests=args.requests,
                lines=args.lines,
                wall_ms=wall_ms,
            )
    finally:
        if folder:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
