"""What an import did: counts per kind and one line per thing worth a look."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

ACTIONS = ("created", "updated", "unchanged", "kept", "published", "skipped")
GROUPS = ("Posts", "Comments", "Authors", "Images", "Skipped")
FORMAT_NAMES = {"wxr": "WordPress (WXR)", "blogger": "Blogger"}


@dataclass
class ImportReport:
    format: str = ""
    dry_run: bool = False
    counts: Counter = field(default_factory=Counter)  # (kind, action) -> n
    lines: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)  # each line's heading, in step

    def count(self, kind, action, n=1):
        self.counts[(kind, action)] += n

    def note(self, line, *, group="Posts"):
        self.lines.append(line)
        self.groups.append(group)

    def skip(self, kind, reason, *, n=1):
        self.count(kind, "skipped", n)
        self.note(f"skipped {kind}: {reason}", group="Skipped")

    def total(self, kind, action):
        return self.counts[(kind, action)]

    def kinds(self):
        seen = []
        for kind, _action in self.counts:
            if kind not in seen:
                seen.append(kind)
        return seen

    def as_text(self):
        name = FORMAT_NAMES.get(self.format, self.format)
        head = f"Import of a {name} file" if self.format else "Import"
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
            by_group = {}
            for line, group in zip(self.lines, self.groups, strict=True):
                by_group.setdefault(group, []).append(line)
            order = [g for g in GROUPS if g in by_group] + [g for g in by_group if g not in GROUPS]
            for group in order:
                out.append(f"  {group} ({len(by_group[group])}):")
                out.extend(f"    - {line}" for line in by_group[group])
        return "\n".join(out)


def _plural(kind):
    if kind.endswith("y"):
        return kind[:-1] + "ies"
    return kind + "es" if kind.endswith("s") else kind + "s"
