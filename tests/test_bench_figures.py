"""`make bench`'s bookkeeping: worker memory, lost comments, spreads. No timing assertions:
these check that the figures are computed and judged as the targets say."""

import json
import os
import subprocess
import sys

import pytest

from benchmarks import memory, submissions


def _results(path):
    return {r["target"]: r for r in map(json.loads, path.read_text().splitlines())}


def test_status_kb_reads_this_process_and_none_for_a_gone_one():
    rss = memory.status_kb(os.getpid(), "VmRSS")
    assert rss > 1000  # kB: a Python process with Django loaded holds megabytes
    assert memory.status_kb(os.getpid(), "VmHWM") >= rss
    assert memory.status_kb(2**22 + 12345, "VmRSS") is None
    assert memory.status_kb(os.getpid(), "NoSuchField") is None


def test_gunicorn_workers_are_the_children_of_the_master_on_that_port():
    """A stand-in with gunicorn's command line: a master that forks two workers."""
    code = (
        "import os, sys, time\n"
        "kids = []\n"
        "for _ in range(2):\n"
        "    pid = os.fork()\n"
        "    if pid == 0:\n"
        "        time.sleep(30); os._exit(0)\n"
        "    kids.append(pid)\n"
        "print(' '.join(map(str, kids)), flush=True)\n"
        "time.sleep(30)\n"
    )
    port = 1  # nothing binds it: only the command line is read
    master = subprocess.Popen(  # noqa: S603 - this interpreter, our own code
        [sys.executable, "-c", code, "gunicorn", "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        kids = sorted(int(pid) for pid in master.stdout.readline().split())
        assert memory.gunicorn_workers(port) == kids
        assert master.pid not in memory.gunicorn_workers(port)
        assert memory.gunicorn_workers(2) == []
    finally:
        os.killpg(master.pid, 9)
        master.wait(timeout=5)


def test_request_mix_is_fixed_weighted_and_searches_vary():
    paths = {kind: [f"/{kind}/{n}/" for n in range(3)] for kind, _ in memory.MIX}
    mix = memory.request_mix(paths, 2000)

    assert mix == memory.request_mix(paths, 2000)  # the same on every run
    kinds = [kind for kind, _ in mix]
    assert set(kinds) == {kind for kind, _ in memory.MIX}
    assert 0.3 < kinds.count("post") / len(kinds) < 0.4
    assert 0 < kinds.count("comment") < 60
    searches = [path for kind, path in mix if kind == "search"]
    assert all(path.startswith("/search/?q=") for path in searches)
    assert len(set(searches)) > len(searches) / 3
    assert all(path in paths[kind] for kind, path in mix if kind != "search")


def _samples(first, second):
    """Sizes in kB at start and each 1,000 requests for two workers, 10 and 20."""
    return [
        (n * 1000, {10: a * 1024, 20: b * 1024})
        for n, (a, b) in enumerate(zip(first, second, strict=True))
    ]


def test_memory_report_passes_a_flat_worker_and_records_start_end_peak(tmp_path, monkeypatch):
    monkeypatch.setenv("BENCH_RESULTS", str(tmp_path / "r.jsonl"))
    samples = _samples([70, 78, 80, 80, 81, 80], [71, 77, 79, 79, 79, 80])
    peaks = {10: 82 * 1024, 20: 80 * 1024}

    memory.report([10, 20], samples, peaks, {200: 5000}, 12.0, [])

    rows = _results(tmp_path / "r.jsonl")
    size = rows["Worker RSS after 5,000 mixed requests \u2264 150 MB"]
    assert size["ok"] is True
    assert size["figure"] == "end 80 / 80 MB"
    assert size["spread"] == "start 70 / 71 MB, peak 82 / 80 MB"
    flat = rows["Worker RSS not growing (2,000 \u2192 5,000 requests, \u2264 +5%)"]
    assert flat["ok"] is True and flat["figure"] == "+0.0 / +1.0 MB"
    assert flat["spread"] == "at each 1,000: 78 80 80 81 80"


def test_memory_report_misses_a_growing_or_large_or_restarted_worker(tmp_path, monkeypatch):
    monkeypatch.setenv("BENCH_RESULTS", str(tmp_path / "r.jsonl"))
    growing = _samples([70, 80, 90, 100, 110, 160], [70, 78, 79, 79, 79, 79])

    memory.report([10, 20], growing, {10: 161 * 1024, 20: 80 * 1024}, {200: 5000}, 9.0, [])

    rows = _results(tmp_path / "r.jsonl")
    assert rows["Worker RSS after 5,000 mixed requests \u2264 150 MB"]["ok"] is False
    flat = rows["Worker RSS not growing (2,000 \u2192 5,000 requests, \u2264 +5%)"]
    assert flat["ok"] is False and flat["figure"] == "+70.0 / +0.0 MB"

    (tmp_path / "r.jsonl").unlink()
    steady = _samples([70, 78, 78, 78, 78, 78], [70, 78, 78, 78, 78, 78])
    memory.report([10, 20], steady, {10: 0, 20: 0}, {200: 5000}, 9.0, [30])
    rows = _results(tmp_path / "r.jsonl")
    assert all(row["ok"] is False for row in rows.values())  # a restarted worker hides growth


def test_submission_rows_count_lost_comments_and_errors(tmp_path, monkeypatch):
    monkeypatch.setenv("BENCH_RESULTS", str(tmp_path / "r.jsonl"))
    monkeypatch.setattr(submissions, "COMMENTS", 4)
    runs = [
        submissions.Run("GET + POST", 0.02, [302, 302, 302, 302], [0.01] * 4, [0.01] * 4, 4),
        submissions.Run("POST only", 0.01, [302, 201, 302, 302], [], [0.002] * 4, 4),
        submissions.Run("GET + POST", 0.04, [302, 302, 302, 302], [0.01] * 4, [0.01] * 4, 4),
        # One answered 302 but is not stored (lost), one answered 500 (an error).
        submissions.Run("POST only", 0.02, [302, 302, 500, 302], [], [0.002] * 3, 2),
    ]

    rows = submissions.report_rows("PostgreSQL", runs)

    assert [row[1] for row in rows] == ["GET + POST", "POST only"]
    assert rows[1][3] == "6" and rows[1][4] == "1 MISS" and rows[1][5] == "1 MISS"
    assert rows[1][6] == "300/s" and rows[1][7] == "200\u2013400/s, 2 runs"
    assert "500" in rows[1][-1]
    results = _results(tmp_path / "r.jsonl")
    assert results["PostgreSQL, GET + POST: 0 lost, 0 errors"]["ok"] is True
    lost = results["PostgreSQL, POST only: 0 lost, 0 errors"]
    assert lost["ok"] is False and lost["figure"] == "1 lost, 1 errors (6 stored of 8 sent)"
    rate = results["PostgreSQL, POST only: \u2265 200 comments/s, 16 clients"]
    assert rate == {
        "target": "PostgreSQL, POST only: \u2265 200 comments/s, 16 clients",
        "figure": "300/s",
        "ok": True,
        "spread": "200\u2013400/s, 2 runs",
    }
    # No GET + POST rate target on PostgreSQL; SQLite keeps its 100/s.
    assert not any(t.startswith("PostgreSQL, GET + POST: \u2265") for t in results)
    submissions.report_rows("SQLite", runs)
    results = _results(tmp_path / "r.jsonl")
    assert results["SQLite, GET + POST: \u2265 100 comments/s, 16 clients"]["ok"] is True
    assert results["SQLite, POST only: \u2265 300 comments/s, 16 clients"]["ok"] is True


@pytest.mark.parametrize("answers", [[302, 201], [302, "ConnectionResetError"]])
def test_a_run_counts_201_and_302_as_success(answers):
    run = submissions.Run("POST only", 1.0, answers, [], [], stored=1)
    assert run.successes == sum(1 for a in answers if a in (201, 302))
    assert run.errors == [a for a in answers if a not in (201, 302)]
    assert run.lost == run.successes - 1
