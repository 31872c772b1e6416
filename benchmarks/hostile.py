"""Part 4: what typed text can cost. Every Markdown bomb (tests/data/markdown_bombs.py) and
every XSS vector rendered as a comment and as a post body, CPU time each; the target is that
no typed text costs a request a second of CPU (issue 10), and the figure shown is the worst.

Run: ``python -m benchmarks.hostile`` (scripts/bench.sh sets it up).
"""

import os
import sys
import time
from pathlib import Path

from benchmarks.results import record, table, verdict

TARGET_SECONDS = 1.0


def _cpu(render, text):
    started = time.process_time()
    html = render(text)
    return time.process_time() - started, html


def main():
    import django

    django.setup()
    from blog import markup
    from tests.data.markdown_bombs import BOMBS

    vectors = Path("tests/data/xss-vectors.txt").read_text(encoding="utf-8").splitlines()
    corpus = {**BOMBS, **{f"xss {n}": v for n, v in enumerate(vectors, 1) if v.strip()}}
    rows, worst = [], {}
    for kind, render in (("comment", markup.render_comment), ("post", markup.render_post)):
        timed = []
        for name, text in corpus.items():
            text = text[:10_000] if kind == "comment" else text  # the comment form's limit
            seconds, html = _cpu(render, text)
            timed.append((seconds, name, markup.plain_text_reason(html) != ""))
        timed.sort(reverse=True)
        worst[kind] = timed[0]
        plain = sum(1 for _, _, fallback in timed if fallback)
        for seconds, name, fallback in timed[:3]:
            rows.append((kind, name[:48], f"{seconds * 1000:.0f}", "yes" if fallback else "no"))
        rows.append((kind, f"({len(timed)} inputs, {plain} shown as plain text)", "", ""))
    print("\nHostile input: the slowest renders (CPU ms) of the Markdown bombs and XSS corpus")
    print(table(("as", "input", "CPU ms", "plain text"), rows))
    for kind, (seconds, name, _) in worst.items():
        ok = seconds < TARGET_SECONDS
        figure = f"{seconds * 1000:.0f} ms ({name[:40]})"
        print(f"Worst {kind} render: {figure} (target < {TARGET_SECONDS:.0f} s) {verdict(ok)}")
        record(f"worst hostile {kind} render < 1 s CPU", figure, ok)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
    sys.exit(main())
