"""Part 2: requests per second under gunicorn (2 workers) measured with wrk.

The floor is ``/bench/hello/`` on the same stack (every middleware, no page cache, no
database). The 500-comment post is measured on a server with the page cache off and on one
with it on (warmed first), with the database cache (the default without Redis) and, when
one answers on 127.0.0.1:6379, with Redis. Hello and the post alternate in
``BENCH_WRK_ROUNDS`` rounds (default 3); each round gives a post/hello ratio, and the
figure is their median, with the lowest and highest beside it.

Cached pages are measured twice: as browsers ask for them (``Accept-Encoding: gzip,
deflate, br, zstd``, what Chromium sends: the page cache answers with the page it
compressed when it stored it, ``pagecache.compression``), which is the figure judged
against the target, and as wrk asks by default (no ``Accept-Encoding``: the whole page,
uncompressed), reported beside it with its ceiling. Hello is asked the same way as the page
in each row (it is too small to compress, so it is the same answer).

Beside it, the CPU time the gunicorn workers spent per request (Linux: read from /proc
before and after each wrk run) and the hello/post ratio of those medians: what the page
costs the server whatever else the machine is doing, where requests/second swing with any
other load on the two cores.
Run: ``python -m benchmarks.throughput``.
"""

import os
import re
import shutil
import socket
import statistics
import subprocess

from benchmarks.results import note, record, spread, table, verdict
from benchmarks.servers import HOST, WORKERS, get, gunicorn_server

CACHED_TARGETS = {"database cache": 0.60, "Redis": 0.50}  # issue 19
ROUNDS = int(os.environ.get("BENCH_WRK_ROUNDS", "3"))
WRK_THREADS = 2
WRK_CONNECTIONS = 16
REDIS_BENCH_URL = "redis://127.0.0.1:6379/13"
REDIS_KEY_PREFIX = f"trialpress-bench-{os.getpid()}"
BROWSER_ACCEPT_ENCODING = "gzip, deflate, br, zstd"  # what Chromium sends


def wrk(port, path, *, seconds, headers=()):
    """Requests/second and the count of non-2xx/3xx answers and socket errors."""
    output = subprocess.run(  # noqa: S603 - wrk on a loopback URL we built
        [
            shutil.which("wrk"),
            f"-t{WRK_THREADS}",
            f"-c{WRK_CONNECTIONS}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            *(argument for header in headers for argument in ("-H", header)),
            f"http://{HOST}:{port}{path}",
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 30,
        check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    bad = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses:\s+(\d+)", output))
    errors = re.search(r"Socket errors:.*", output)
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    return rate, bad, errors.group(0) if errors else "", requests


def workers_cpu_seconds():
    """User + system CPU seconds of the gunicorn workers (the children of this process's
    child, the master), or None where /proc cannot tell (not Linux)."""
    processes = {}
    try:
        pids = [entry.name for entry in os.scandir("/proc") if entry.name.isdigit()]
    except OSError:
        return None
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        processes[int(pid)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
    masters = {pid for pid, (parent, _ticks) in processes.items() if parent == os.getpid()}
    workers = [ticks for parent, ticks in processes.values() if parent in masters]
    return sum(workers) / os.sysconf("SC_CLK_TCK") if workers else None


def cpu_per_request(run):
    """``run()``'s wrk result, with the workers' CPU milliseconds per request (or None)."""
    before = workers_cpu_seconds()
    rate, bad, errors, requests = run()
    after = workers_cpu_seconds()
    cpu_ms = None
    if before is not None and after is not None and requests:
        cpu_ms = (after - before) * 1000 / requests
    return rate, bad, errors, cpu_ms


def redis_reachable():
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def _clear_redis_keys():
    import redis

    client = redis.Redis.from_url(REDIS_BENCH_URL)
    for key in client.scan_iter(f"{REDIS_KEY_PREFIX}:*"):
        client.delete(key)


def warm(port, path, *, expect_hit):
    """A few GETs so both workers have compiled templates (and the cache holds the page)."""
    state = None
    for _ in range(12):
        status, headers, _body = get(port, path)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}")
        state = dict(headers).get("X-Page-Cache")
    if expect_hit and state != "hit":
        raise RuntimeError(f"the page cache is not serving {path} (X-Page-Cache: {state})")


def run_server(label, post_path, *, seconds, cached, headers=(), rounds=ROUNDS, **env):
    """Hello and the post in alternating runs: (hello req/s, post req/s, their ratio) per
    round, the count of non-2xx/3xx answers and wrk's socket errors. A ratio within one
    round compares runs taken seconds apart, so other work on the machine skews it least."""
    runs = {"/bench/hello/": [], post_path: []}
    cache_env = {"PAGE_CACHE_SECONDS": 300 if cached else 0, "PAGE_CACHE_HEADER": 1}
    with gunicorn_server(label=label, **cache_env, **env) as port:
        warm(port, "/bench/hello/", expect_hit=False)
        warm(port, post_path, expect_hit=cached)
        for _ in range(rounds):
            for path, results in runs.items():
                results.append(
                    cpu_per_request(
                        lambda path=path: wrk(port, path, seconds=seconds, headers=headers)
                    )
                )
    hellos, posts = runs.values()
    rates = [(h[0], p[0], p[0] / h[0]) for h, p in zip(hellos, posts, strict=True)]
    bad = sum(r[1] for results in runs.values() for r in results)
    errors = "; ".join(r[2] for results in runs.values() for r in results if r[2])
    cpu = [_median_or_none([r[3] for r in results]) for results in (hellos, posts)]
    return rates, bad, errors, cpu


def _median_or_none(values):
    return statistics.median(values) if values and None not in values else None


def main():
    import django

    django.setup()
    from blog.models import Post

    print(
        f"\n== Throughput: gunicorn ({WORKERS} sync workers, DEBUG off) and wrk "
        f"(-t{WRK_THREADS} -c{WRK_CONNECTIONS}), {HOST} only; median of {ROUNDS} alternating "
        f"rounds (min\u2013max)"
    )
    if shutil.which("wrk") is None:
        print("wrk is not installed (apt-get install wrk, as root): throughput skipped.")
        note("Throughput (wrk not installed)")
        return
    post = Post.objects.filter(comment_count=500, slug__startswith="bench-post").first()
    if post is None:
        raise SystemExit("No 500-comment post: run benchmarks.render first.")
    path = post.get_absolute_url()
    seconds = int(os.environ.get("BENCH_WRK_SECONDS", "3"))
    from django.test import Client

    size = len(Client().get(path).content)

    browser = (f"Accept-Encoding: {BROWSER_ACCEPT_ENCODING}",)
    database = {"REDIS_URL": ""}
    redis = {"REDIS_URL": REDIS_BENCH_URL, "CACHE_KEY_PREFIX": REDIS_KEY_PREFIX}
    # (mode, cache, cached, how it is asked for, environment)
    setups = [("uncached", "database cache", False, (), database)]
    setups.append(("cached", "database cache", True, browser, database))
    if redis_reachable():
        setups.append(("cached", "Redis", True, browser, redis))
    else:
        print("No Redis on 127.0.0.1:6379: the Redis rows are skipped.")
    setups.append(("cached", "database cache", True, (), database))
    if redis_reachable():
        setups.append(("cached", "Redis", True, (), redis))
    # The ceiling without compression: as many bytes as the page, from a view that does
    # nothing else.
    setups.append(("static", "none", False, (), database))

    rows = []
    for mode, backend, cached, headers, env in setups:
        target_path = f"/bench/bytes/{size}/" if mode == "static" else path
        try:
            rates, bad, errors, (hello_cpu, post_cpu) = run_server(
                f"{mode}-{backend.split()[0].lower()}",
                target_path,
                seconds=seconds,
                cached=cached,
                headers=headers,
                **env,
            )
        finally:
            if backend == "Redis":
                _clear_redis_keys()
        ratios = [r[2] * 100 for r in rates]
        ratio, ratio_spread = spread(ratios, "%")
        result = ""
        if cached and not headers:
            result = "reported"
        elif cached:
            target = CACHED_TARGETS[backend]
            ok = statistics.median(ratios) >= target * 100
            result = f"{verdict(ok)} (\u2265 {target:.0%})"
            record(
                f"Cached 500-comment post \u2265 {target:.0%} of hello ({backend})",
                ratio,
                ok,
                ratio_spread,
            )
        problems = "; ".join(filter(None, [f"{bad} non-2xx" if bad else "", errors]))
        known_cpu = hello_cpu is not None and post_cpu
        rows.append(
            [
                f"{size / 1024:.0f} KB of static bytes"
                if mode == "static"
                else f"post, 500 comments, {mode}"
                + (", gzip (as browsers ask)" if headers else ", no Accept-Encoding" * cached),
                backend,
                f"{statistics.median(r[0] for r in rates):.0f}",
                f"{statistics.median(r[1] for r in rates):.0f}",
                ratio,
                ratio_spread,
                result,
                f"{hello_cpu:.2f} / {post_cpu:.2f}" if known_cpu else "?",
                f"{hello_cpu / post_cpu:.1%}" if known_cpu else "?",
                problems or "none",
            ]
        )
    print(
        table(
            [
                "Page",
                "Cache",
                "Hello req/s",
                "Page req/s",
                "Page/hello",
                "Spread",
                "Target",
                "Worker CPU ms/req (hello / page)",
                "CPU ratio",
                "Errors",
            ],
            rows,
        )
    )
    print(
        "Worker CPU: the gunicorn workers' CPU time per request (median of the rounds); its "
        "ratio is what the page/hello ratio would be if the workers alone bounded "
        "throughput, whatever other load the machine carries. The gzip rows ask as "
        "browsers do and are judged; the rows without Accept-Encoding get the whole page "
        "uncompressed, and the static row is their ceiling: as many bytes, sent by a view "
        "that does nothing else."
    )


if __name__ == "__main__":
    main()
