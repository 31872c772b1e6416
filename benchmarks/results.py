"""Targets met or missed, collected across the benchmark's steps for the final summary.

Each step appends JSON lines to the file named by ``BENCH_RESULTS`` (set by
scripts/bench.sh); ``python -m benchmarks.results`` prints the summary, with the machine's
load at the start (``python -m benchmarks.results --start``, first thing in bench.sh) and at
the end. Nothing is refused: a busy machine gives slower figures, and the load says so.
"""

import json
import os
import statistics
import sys


def verdict(ok):
    return "PASS" if ok else "MISS"


def _append(row):
    path = os.environ.get("BENCH_RESULTS")
    if not path:
        return
    with open(path, "a", encoding="utf-8") as out:
        out.write(json.dumps(row) + "\n")


def record(target, figure, ok, spread=""):
    """Note one target: what it is, the measured figure (text), whether it was met, and
    the spread over the runs behind the figure (text, e.g. "14.0–15.3 ms, 5 runs")."""
    _append({"target": target, "figure": figure, "ok": ok, "spread": spread})


def spread(values, unit="", digits=1):
    """(median, "min–max unit, N runs") of repeated measurements, as text."""
    values = sorted(values)
    if not values:
        return "-", ""
    median = f"{statistics.median(values):.{digits}f}{unit}"
    if len(values) == 1:
        return median, "1 run"
    return median, f"{values[0]:.{digits}f}\u2013{values[-1]:.{digits}f}{unit}, {len(values)} runs"


def note(text):
    """A step that could not run (no wrk, no PostgreSQL): shown in the summary."""
    record(text, "skipped", None)


def load_note(when=""):
    """The machine's load: figures taken while other work runs are slower than they should be."""
    one, five, _ = os.getloadavg()
    cores = os.cpu_count() or 1
    text = f"Load average{when} {one:.1f} (1 min), {five:.1f} (5 min) on {cores} cores"
    if one > cores:
        text += ": the machine is busy with other work, so times are pessimistic"
    return text + "."


def table(headers, rows):
    """Plain-text table, columns padded to their widest cell; numbers right-aligned."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row):
        out = []
        for i, cell in enumerate(row):
            numeric = cell[:1].isdigit() or cell[:1] == "-" and cell[1:2].isdigit()
            out.append(cell.rjust(widths[i]) if numeric and i else cell.ljust(widths[i]))
        return "  ".join(out).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), rule, *(line(row) for row in cells[1:])])


def start():
    """First step of the bench: print the load and keep it for the summary."""
    text = load_note(" at the start:")
    print(text)
    _append({"load": text})
    return 0


def main():
    path = os.environ.get("BENCH_RESULTS")
    rows = []
    if path and os.path.exists(path):
        with open(path, encoding="utf-8") as source:
            rows = [json.loads(line) for line in source if line.strip()]
    loads = [r["load"] for r in rows if "load" in r]
    rows = [r for r in rows if "target" in r]
    print("\n== Summary")
    if not rows:
        print("No results were recorded.")
        return 1
    print(
        table(
            ["Target", "Measured (median)", "Spread (min\u2013max)", "Result"],
            [
                [
                    r["target"],
                    r["figure"],
                    r.get("spread") or "",
                    "SKIP" if r["ok"] is None else verdict(r["ok"]),
                ]
                for r in rows
            ],
        )
    )
    met = sum(1 for r in rows if r["ok"])
    missed = sum(1 for r in rows if r["ok"] is False)
    print(f"\n{met} met, {missed} missed, {sum(1 for r in rows if r['ok'] is None)} skipped.")
    for text in loads:
        print(text)
    print(load_note(" at the end:"))
    return 0


if __name__ == "__main__":
    sys.exit(start() if sys.argv[1:2] == ["--start"] else main())
