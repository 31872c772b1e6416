"""Worker memory: resident size of each gunicorn worker over 10,000 mixed requests.

A server as deployed (2 workers, the page cache on, the database cache) answers a fixed,
seeded mix from ``CLIENTS`` threads: posts with no comments (the newest 300: more pages
than a worker's local cache holds, so pages come and go), the 500-comment post, home
pages, label pages, month archives, the Atom and RSS feeds, searches (each a new query)
and now and then a comment (its form's GET, then the POST; moderation on). After every
``MARK`` requests the resident size (``VmRSS`` in /proc/<pid>/status) of each worker is
read; the peak is the kernel's high-water mark (``VmHWM``). Targets (issue 19): at most
150 MB a worker after the run, and no growth: from the 2,000-request mark (caches and
templates warm) to the end, at most ``GROWTH_LIMIT`` more.

Needs the posts benchmarks.render builds. Run: ``python -m benchmarks.memory``.
"""

import os
import random
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from benchmarks.results import record, table, verdict
from benchmarks.servers import HOST, WORKERS, get, gunicorn_server
from benchmarks.submissions import comment_fields, fetch_form, post_form

REQUESTS = int(os.environ.get("BENCH_MEMORY_REQUESTS", "10000"))
MARK = 1000
CLIENTS = 8
LIMIT_MB = 150.0
RECENT_POSTS = 300  # readers ask for recent posts: these, not all 1,000, are in the mix
GROWTH_FROM = 2000  # the mark from which the size must stay flat
GROWTH_LIMIT = 0.05  # of the size at that mark
SERVER_ENV = {
    "PAGE_CACHE_SECONDS": 300,
    "REDIS_URL": "",
    "COMMENT_MIN_SUBMIT_SECONDS": 0,
    "COMMENT_RATE_LIMIT": "off",
}
SEARCH_WORDS = (
    "relapse",
    "alemtuzumab",
    "interferon",
    "thyroid",
    "disability",
    "infusion",
    "lancet",
    "endpoint",
    "masked",
    "autoimmunity",
    "phase",
    "trial",
)
# (kind, weight): what readers ask for, roughly; comments are rare.
MIX = (
    ("post", 35),
    ("post500", 10),
    ("home", 15),
    ("label", 10),
    ("archive", 10),
    ("feed", 14),
    ("search", 5),
    ("comment", 1),
)


def status_kb(pid, field):
    """A ``kB`` figure of /proc/<pid>/status (VmRSS, VmHWM), or None when the pid is gone."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return None


def gunicorn_workers(port):
    """The worker pids of the gunicorn bound to ``port``: the processes with its command
    line whose parent is one of them (the master)."""
    bind = f"{HOST}:{port}"
    found = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            argv = (proc / "cmdline").read_bytes().split(b"\0")
            if b"gunicorn" not in b" ".join(argv) or bind.encode() not in argv:
                continue
            ppid = int(
                next(
                    line.split()[1]
                    for line in (proc / "status").read_text().splitlines()
                    if line.startswith("PPid:")
                )
            )
        except (OSError, StopIteration, ValueError):
            continue
        found[int(proc.name)] = ppid
    return sorted(pid for pid, ppid in found.items() if ppid in found)


def request_mix(paths, count, *, seed=19):
    """``count`` (kind, path) pairs drawn with the MIX weights, the same on every run."""
    rng = random.Random(seed)  # noqa: S311 - a fixed mix, not a secret
    kinds = rng.choices([k for k, _ in MIX], weights=[w for _, w in MIX], k=count)
    mix = []
    for n, kind in enumerate(kinds):
        if kind == "search":
            words = rng.sample(SEARCH_WORDS, 2)
            path = f"/search/?q={words[0]}+{words[1]}&page={n % 3 + 1}"
        else:
            path = rng.choice(paths[kind])
        mix.append((kind, path))
    return mix


def _paths():
    from django.urls import reverse

    from benchmarks import data
    from blog.models import Post

    posts = list(
        Post.objects.published().filter(slug__startswith="bench-post").order_by("-published_at")
    )
    if len(posts) < 100:
        raise SystemExit("Worker memory: run benchmarks.render first (it builds the posts).")
    plain = [p for p in posts if p.comment_count == 0][:RECENT_POSTS]
    busy = [p for p in posts if p.comment_count == 500]
    months = sorted({(p.published_at.year, p.published_at.month) for p in posts})
    return {
        "post": [p.get_absolute_url() for p in plain],
        "post500": [p.get_absolute_url() for p in busy],
        "home": ["/"] + [f"/?page={n}" for n in range(2, 6)],
        "label": [reverse("blog:label_detail", args=[slug]) for slug in data.LABELS],
        "archive": [reverse("blog:archive_month", args=list(ym)) for ym in months],
        "feed": [reverse("blog:feed_atom"), reverse("blog:feed_rss")],
        "comment": [p.get_absolute_url() for p in plain[:50]],
    }, {p.get_absolute_url(): p.pk for p in plain[:50]}


def _one(port, actions, item):
    kind, path = item
    try:
        if kind != "comment":
            return get(port, path)[0]
        tokens = fetch_form(port, path)
        if isinstance(tokens, str):
            return tokens
        cookie, csrf, security = tokens
        form = {**comment_fields(random.randrange(10**9)), "csrfmiddlewaretoken": csrf}  # noqa: S311
        form["security_token"] = security
        return post_form(port, actions[path], cookie, form)[0]
    except Exception as exc:  # noqa: BLE001 - every failure is counted and shown
        return type(exc).__name__


def run(port, mix, actions, *, mark=MARK):
    """Send ``mix`` in batches of ``mark``; the sizes of every worker at each mark."""
    workers = gunicorn_workers(port)
    samples = [(0, {pid: status_kb(pid, "VmRSS") for pid in workers})]
    answers = {}
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        for first in range(0, len(mix), mark):
            batch = mix[first : first + mark]
            for status in pool.map(lambda item: _one(port, actions, item), batch):
                answers[status] = answers.get(status, 0) + 1
            samples.append((first + len(batch), {pid: status_kb(pid, "VmRSS") for pid in workers}))
    seconds = time.perf_counter() - started
    peaks = {pid: status_kb(pid, "VmHWM") for pid in workers}
    restarted = sorted(set(gunicorn_workers(port)) - set(workers))
    return workers, samples, peaks, answers, seconds, restarted


def summarise(workers, samples, peaks):
    """Per worker: (start, end, peak, growth since GROWTH_FROM) in MB; None where unknown."""
    at = dict(samples)
    base_mark = max(m for m, _ in samples if m <= GROWTH_FROM)
    rows = {}
    for pid in workers:
        sizes = [s[pid] for _, s in samples if s.get(pid) is not None]
        if not sizes:
            continue
        end = samples[-1][1].get(pid)
        base = at[base_mark].get(pid)
        peak = max(peaks.get(pid) or 0, *sizes)
        rows[pid] = {
            "start": at[0].get(pid) / 1024 if at[0].get(pid) else None,
            "end": end / 1024 if end else None,
            "peak": peak / 1024,
            "base": base / 1024 if base else None,
            "growth": (end - base) / 1024 if end and base else None,
        }
    return base_mark, rows


def report(workers, samples, peaks, answers, seconds, restarted):
    base_mark, rows = summarise(workers, samples, peaks)
    total = samples[-1][0]
    print(
        f"\n== Worker memory: {total:,} mixed requests from {CLIENTS} clients in {seconds:.0f} s, "
        f"gunicorn {WORKERS} sync workers, page cache on (database cache)"
    )
    print(f"Answers: {dict(sorted(answers.items(), key=str))}")
    names = [f"worker {n} (pid {pid}) MB" for n, pid in enumerate(workers, 1)]
    lines = []
    for mark, sizes in samples:
        label = "start" if mark == 0 else f"after {mark:,}"
        lines.append([label, *(_mb(sizes.get(pid)) for pid in workers)])
    lines.append(["peak (VmHWM)", *(_mb(peaks.get(pid)) for pid in workers)])
    print(table(["RSS", *names], lines))
    if restarted:
        print(f"New worker processes during the run (a worker was restarted): {restarted}")
    ends = [r["end"] for r in rows.values() if r["end"] is not None]
    peak_values = [r["peak"] for r in rows.values()]
    ok = bool(ends) and len(ends) == len(workers) and max(ends) <= LIMIT_MB and not restarted
    per_worker = " / ".join(f"{e:.0f}" for e in ends)
    figure = f"end {per_worker} MB"
    detail = (
        f"start {' / '.join(_mb(samples[0][1].get(pid)) for pid in workers)} MB, "
        f"peak {' / '.join(f'{p:.0f}' for p in peak_values)} MB"
    )
    print(
        f"Worker RSS after {total:,} requests: {figure}; {detail} "
        f"(target \u2264 {LIMIT_MB:.0f} MB) {verdict(ok)}"
    )
    record(
        f"Worker RSS after {total:,} mixed requests \u2264 {LIMIT_MB:.0f} MB", figure, ok, detail
    )
    growths = [r["growth"] for r in rows.values() if r["growth"] is not None]
    bases = [r["base"] for r in rows.values() if r["base"] is not None]
    flat = (
        len(growths) == len(workers)
        and not restarted
        and all(g <= b * GROWTH_LIMIT for g, b in zip(growths, bases, strict=True))
    )
    figure = " / ".join(f"{g:+.1f}" for g in growths) + " MB"
    print(
        f"Worker RSS from {base_mark:,} to {total:,} requests: {figure} "
        f"(target: not growing, \u2264 +{GROWTH_LIMIT:.0%}) {verdict(flat)}"
    )
    record(
        f"Worker RSS not growing ({base_mark:,} \u2192 {total:,} requests, "
        f"\u2264 +{GROWTH_LIMIT:.0%})",
        figure,
        flat,
        f"at each 1,000: {_trend(samples, workers)}",
    )


def _trend(samples, workers):
    """The first worker's size at each mark, in MB: the shape of the curve at a glance."""
    first = workers[0] if workers else None
    return " ".join(_mb(sizes.get(first)) for mark, sizes in samples if mark)


def _mb(kb):
    return "-" if kb is None else f"{kb / 1024:.0f}"


def main():
    import django

    django.setup()
    from django.urls import reverse

    paths, post_ids = _paths()
    actions = {path: reverse("comments:post", args=[pk]) for path, pk in post_ids.items()}
    mix = request_mix(paths, REQUESTS)
    with gunicorn_server(label="memory", **SERVER_ENV) as port:
        result = run(port, mix, actions)
    report(*result)


if __name__ == "__main__":
    main()
