"""What an import did: counts per kind and one line per thing worth a look."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

ACTIONS = ("created", "updated", "unchanged", "kept", "skipped")


@dataclass
class ImportReport:
    format: str = ""
    dry_run: bool = False
    counts: Counter = field(default_factory=Counter)  # (kind, action) -> n
    lines: list[str] = field(default_factory=list)

    def count(self, kind, action, n=1):
        self.counts[(kind, action)] += n

    def note(self, line):
        self.lines.append(line)

    def skip(self, kind, reason):
        self.count(kind, "skipped")
        self.note(f"skipped {kind}: {reason}")

    def total(self, kind, action):
        return self.counts[(kind, action)]

    def kinds(self):
        seen = []
        for kind, _action in self.counts:
            if kind not in seen:
                seen.append(kind)
        return seen

    def as_text(self):
        head = f"Import of a {self.format} file" if self.format else "Import"
        if self.dry_run:
            head += " (dry run: nothing was saved)"
        out = [head + ":"]
        for kind in self.kinds():
            parts = ", ".join(
                f"{self.counts[(kind, action)]} {action}"
                for action in ACTIONS
                if self.counts[(kind, action)]
            )
            out.append(f"  {_plural(kind)}: {parts}")
        if self.lines:
            out.append("Notes:")
            out.extend(f"  - {line}" for line in self.lines)
        return "\n".join(out)


def _plural(kind):
    if kind.endswith("y"):
        return kind[:-1] + "ies"
    return kind + "es" if kind.endswith("s") else kind + "s"
