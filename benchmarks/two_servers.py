"""Two app servers under a bounded mixed load (issue 19), the last step of ``make bench``.

Two gunicorn instances (one gthread worker of 4 threads each: the machine has 2 cores) share
a fresh PostgreSQL database and Redis (the page cache on), as in a scale-out. ``CLIENTS``
threads send ``BENCH_TWO_SERVERS_REQUESTS`` requests (2,000 by default) through both ports,
alternating: the home page, post pages, and comments (a GET of the post page for its tokens,
then the POST of its form, both counted). The mix is fixed by a seeded random plan, so every
run sends the same requests.

The load generator is Python (threads and keep-alive ``http.client`` connections), not wrk:
each comment needs the CSRF cookie and the signed form token of the page it came from,
which a wrk Lua script cannot read reliably. It prints requests/s, errors and p50/p99
latency per kind, checks that every comment accepted (302) is stored, and records the
figures in the summary (benchmarks/results.py). Without PostgreSQL or Redis it says so and
records a skip. Run: ``python -m benchmarks.two_servers`` (scripts/bench.sh sets the
environment).
"""

import http.client
import json
import math
import os
import random
import socket
import statistics
import sys
import threading
import time
from collections import defaultdict
from urllib.parse import urlencode

from benchmarks.results import note, record, table, verdict
from benchmarks.servers import HOST, GunicornServer
from benchmarks.submissions import PG_ADMIN_URL, _pg_admin, comment_fields, hidden_fields, manage

CLIENTS = 8
REQUESTS = int(os.environ.get("BENCH_TWO_SERVERS_REQUESTS", "2000"))
POSTS = 5
PG_DB = "trialpress_bench_two"
REDIS_URL = os.environ.get("BENCH_TWO_SERVERS_REDIS_URL", "redis://127.0.0.1:6379/13")
MIX = (("home", 35), ("post", 45), ("comment", 20))  # weights of the actions
SERVER_ENV = {
    "COMMENT_MIN_SUBMIT_SECONDS": "0",
    "COMMENT_RATE_LIMIT": "off",
    "PAGE_CACHE_SECONDS": "300",
    "TASKS_BACKEND": "database",
}


def plan(total, posts, *, seed=19):
    """The actions to send, as ``(kind, post index)``, for ``total`` requests in all (a
    comment is two requests: the page, then the form)."""
    rng = random.Random(seed)
    kinds = [kind for kind, weight in MIX for _ in range(weight)]
    actions, requests = [], 0
    while requests < total:
        kind = rng.choice(kinds)
        if kind == "comment" and total - requests < 2:
            kind = "post"
        actions.append((kind, rng.randrange(posts)))
        requests += 2 if kind == "comment" else 1
    return actions


def percentile(sorted_times, fraction):
    """The nearest-rank percentile of already sorted times (None for none)."""
    if not sorted_times:
        return None
    rank = max(1, min(len(sorted_times), math.ceil(round(fraction * len(sorted_times), 9))))
    return sorted_times[rank - 1]


class Client:
    """One visitor with a keep-alive connection to each server."""

    def __init__(self, ports):
        self.ports, self.connections = ports, {}

    def _connection(self, port):
        if port not in self.connections:
            self.connections[port] = http.client.HTTPConnection(HOST, port, timeout=60)
        return self.connections[port]

    def send(self, port, method, path, body=None, headers=None):
        """(status, response headers, body, seconds); one retry on a dropped connection."""
        for attempt in (1, 2):
            conn = self._connection(port)
            started = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers or {})
                response = conn.getresponse()
                content = response.read()
                return (
                    response.status,
                    response.getheaders(),
                    content,
                    time.perf_counter() - started,
                )
            except (http.client.HTTPException, OSError):
                conn.close()
                del self.connections[port]
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self):
        for conn in self.connections.values():
            conn.close()


def _run_client(client, actions, targets, home, results, number):
    ports = client.ports
    for index, (kind, post) in enumerate(actions):
        port = ports[(number + index) % len(ports)]
        target = targets[post]
        try:
            if kind == "home":
                status, _, _, seconds = client.send(port, "GET", home)
                results.append(("home", status == 200, status, seconds))
                continue
            status, headers, page, seconds = client.send(port, "GET", target["path"])
            results.append(("post", status == 200, status, seconds))
            if kind != "comment" or status != 200:
                continue
            cookies = [v.split(";", 1)[0] for k, v in headers if k.lower() == "set-cookie"]
            csrf = next((c for c in cookies if c.startswith("csrftoken=")), "")
            fields = hidden_fields(page.decode())
            form = {
                **comment_fields(number * 1_000_000 + index),
                "csrfmiddlewaretoken": fields.get("csrfmiddlewaretoken", ""),
                "security_token": fields.get("security_token", ""),
            }
            status, _, _, seconds = client.send(
                port,
                "POST",
                target["action"],
                body=urlencode(form),
                headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": csrf},
            )
            results.append(("comment", status == 302, status, seconds))
        except Exception as exc:  # noqa: BLE001 - every failure is counted and shown
            results.append((kind, False, f"{type(exc).__name__}: {exc}", 0.0))
    client.close()


def load(ports, targets, home="/", total=REQUESTS, clients=CLIENTS):
    """Send the plan through ``ports``; (elapsed seconds, [(kind, ok, status, seconds)])."""
    actions = plan(total, len(targets))
    shares = [actions[n::clients] for n in range(clients)]
    results = [[] for _ in range(clients)]
    threads = [
        threading.Thread(
            target=_run_client, args=(Client(ports), shares[n], targets, home, results[n], n)
        )
        for n in range(clients)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, [row for rows in results for row in rows]


def summary(elapsed, results):
    """Rows per kind and in all: requests, errors, requests/s, p50 and p99 in ms."""
    by_kind = defaultdict(list)
    for row in results:
        by_kind[row[0]].append(row)
    by_kind["all"] = list(results)
    rows = {}
    for kind, kind_rows in by_kind.items():
        times = sorted(seconds for _, ok, _, seconds in kind_rows if ok)
        rows[kind] = {
            "requests": len(kind_rows),
            "errors": sum(1 for _, ok, _, _ in kind_rows if not ok),
            "per_second": len(kind_rows) / elapsed if elapsed else 0.0,
            "p50_ms": (statistics.median(times) * 1000) if times else None,
            "p99_ms": (percentile(times, 0.99) * 1000) if times else None,
        }
    return rows


def _redis_answers():
    try:
        with socket.create_connection((HOST, 6379), timeout=1):
            return True
    except OSError:
        return False


def _fresh_database():
    try:
        _pg_admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        _pg_admin(f"CREATE DATABASE {PG_DB}")
    except Exception as exc:  # noqa: BLE001 - unreachable or not allowed: skip with a message
        print(f"PostgreSQL not usable at {PG_ADMIN_URL} ({exc.__class__.__name__}): skipped.")
        return None
    return f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{PG_DB}"


def _forget_redis_keys(prefix):
    try:
        import redis

        connection = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
        keys = list(connection.scan_iter(match=f"*{prefix}*", count=1000))
        if keys:
            connection.delete(*keys)
    except Exception as exc:  # noqa: BLE001 - a leftover key is not worth failing for
        print(f"Could not delete the benchmark's Redis keys: {exc}")


def _fmt(value):
    return "-" if value is None else f"{value:.1f}"


def main():
    print(
        f"\n== Two app servers: {REQUESTS:,} mixed requests from {CLIENTS} clients through two "
        "gunicorn instances (1 worker x 4 threads each), one PostgreSQL, one Redis, page cache on"
    )
    if not _redis_answers():
        print(f"No Redis at {REDIS_URL}: skipped.")
        note("Two app servers (no Redis)")
        return 0
    database_url = _fresh_database()
    if database_url is None:
        note("Two app servers (PostgreSQL not reachable)")
        return 0
    prefix = f"bench-two-{os.getpid()}"
    env = {**SERVER_ENV, "DATABASE_URL": database_url, "REDIS_URL": REDIS_URL}
    env["CACHE_KEY_PREFIX"] = prefix
    servers = []
    try:
        manage(env, "manage.py", "migrate", "--no-input", "-v", "0")
        targets = json.loads(manage(env, "-m", "benchmarks.two_servers", "--prepare"))
        for label in ("two-a", "two-b"):
            servers.append(GunicornServer(label=label, env=env, workers=1, threads=4))
            servers[-1].start()
        elapsed, results = load([s.port for s in servers], targets)
        for server in servers:
            server.stop()
        stored = int(manage(env, "-m", "benchmarks.two_servers", "--count"))
    finally:
        for server in servers:
            server.stop()
        _pg_admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        _forget_redis_keys(prefix)
    report(elapsed, results, stored)
    return 0


def report(elapsed, results, stored):
    rows = summary(elapsed, results)
    accepted = sum(1 for kind, ok, _, _ in results if kind == "comment" and ok)
    errors = rows["all"]["errors"]
    print(
        table(
            ["Kind", "Requests", "Errors", "Per second", "p50 ms", "p99 ms"],
            [
                [
                    kind,
                    row["requests"],
                    row["errors"],
                    f"{row['per_second']:.0f}",
                    _fmt(row["p50_ms"]),
                    _fmt(row["p99_ms"]),
                ]
                for kind, row in sorted(rows.items(), key=lambda item: item[0] == "all")
            ],
        )
    )
    samples = sorted({str(status) for _, ok, status, _ in results if not ok})[:3]
    if samples:
        print("Error samples:", "; ".join(samples))
    print(f"Comments accepted: {accepted}; stored: {stored}; elapsed {elapsed:.1f} s.")
    whole = rows["all"]
    ok = errors == 0 and stored == accepted
    record(
        "Two app servers, mixed load: errors = 0, comments stored = accepted",
        f"{whole['requests']} requests, {whole['per_second']:.0f}/s, p50 {_fmt(whole['p50_ms'])}"
        f" ms, p99 {_fmt(whole['p99_ms'])} ms, {errors} errors, {stored}/{accepted} stored",
        ok,
    )
    print(f"Two app servers: {verdict(ok)}")


def _prepare():
    """Posts for the load (a discussion on each), printed as JSON: where to GET and POST."""
    import django

    django.setup()
    from django.urls import reverse

    from benchmarks import data

    posts = data.build_posts(POSTS, slug_prefix=f"two-servers-{os.getpid()}")
    for post in posts:
        data.build_comments(post, 50, seed=post.pk)
    print(
        json.dumps(
            [
                {
                    "path": post.get_absolute_url(),
                    "action": reverse("comments:post", args=[post.pk]),
                }
                for post in posts
            ]
        )
    )


def _count():
    import django

    django.setup()
    from comments.models import Comment

    print(Comment.objects.filter(email__startswith="bench-reader-").count())


if __name__ == "__main__":
    if sys.argv[1:2] == ["--prepare"]:
        _prepare()
    elif sys.argv[1:2] == ["--count"]:
        _count()
    else:
        sys.exit(main())
