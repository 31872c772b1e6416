"""The two-server load step of ``make bench`` (benchmarks/two_servers.py), without servers:
its plan, its figures and what it records. The servers themselves are tested in
tests/test_two_app_servers.py; the load runs in ``make bench``."""

import json

from benchmarks import two_servers


def _requests(actions):
    return sum(2 if kind == "comment" else 1 for kind, _ in actions)


def test_the_plan_sends_exactly_the_bounded_number_of_requests_every_time():
    for total in (1, 2, 3, 999, 2000):
        actions = two_servers.plan(total, 5)
        assert _requests(actions) == total
        assert actions == two_servers.plan(total, 5)  # the same requests in every run
    actions = two_servers.plan(2000, 5)
    kinds = {kind: sum(1 for k, _ in actions if k == kind) for kind in ("home", "post", "comment")}
    assert all(kinds.values()), kinds
    assert kinds["post"] > kinds["home"] > kinds["comment"]
    assert {post for _, post in actions} == set(range(5))


def test_percentiles_are_nearest_rank():
    times = [float(n) for n in range(1, 101)]
    assert two_servers.percentile(times, 0.99) == 99.0
    assert two_servers.percentile(times, 0.5) == 50.0
    assert two_servers.percentile([7.0], 0.99) == 7.0
    assert two_servers.percentile([], 0.99) is None


def test_errors_are_counted_and_left_out_of_the_latencies():
    results = [
        ("home", True, 200, 0.010),
        ("home", True, 200, 0.030),
        ("post", False, 500, 9.0),
        ("comment", False, "ConnectionResetError: reset", 0.0),
        ("comment", True, 302, 0.100),
    ]
    rows = two_servers.summary(2.0, results)
    assert rows["all"]["requests"] == 5 and rows["all"]["errors"] == 2
    assert rows["all"]["per_second"] == 2.5
    assert rows["home"]["p50_ms"] == 20.0
    assert rows["post"]["p50_ms"] is None  # no successful request: no latency
    assert rows["all"]["p99_ms"] == 100.0  # the failed 9-second answer is not a latency


def test_the_figures_go_to_the_summary_and_a_lost_comment_is_a_miss(tmp_path, monkeypatch, capsys):
    path = tmp_path / "results.jsonl"
    monkeypatch.setenv("BENCH_RESULTS", str(path))
    results = [("comment", True, 302, 0.1), ("comment", True, 302, 0.2), ("home", True, 200, 0.01)]
    two_servers.report(1.0, results, stored=2)
    two_servers.report(1.0, results, stored=1)
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    assert [row["ok"] for row in rows] == [True, False]
    assert "0 errors, 2/2 stored" in rows[0]["figure"] and "3/s" in rows[0]["figure"]
    assert "1/2 stored" in rows[1]["figure"]
    assert "p99" in capsys.readouterr().out


def test_without_redis_the_step_is_skipped_and_says_so(tmp_path, monkeypatch, capsys):
    path = tmp_path / "results.jsonl"
    monkeypatch.setenv("BENCH_RESULTS", str(path))
    monkeypatch.setattr(two_servers, "_redis_answers", lambda: False)
    assert two_servers.main() == 0
    assert "skipped" in capsys.readouterr().out
    assert json.loads(path.read_text())["ok"] is None
