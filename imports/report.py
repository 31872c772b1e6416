"""What an import did: counts per kind and one line per thing worth a look."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

ACTIONS = ("created", "updated", "unchanged", "kept", "published", "skipped")
GROUPS = ("Posts", "Comments", "Authors", "Images", "Skipped")
FORMAT_NAMES = {"wxr": "WordPress (WXR)", "blogger": "Blogger"}
EXAMPLES = 3
"""Titles a summarised note names (``as_text(verbose=True)``, ``-v 2``, lists every post)."""


@dataclass
class ImportReport:
    format: str = ""
    dry_run: bool = False
    counts: Counter = field(default_factory=Counter)  # (kind, action) -> n
    lines: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)  # each line's heading, in step
    # each line's (summary, example) when it is one of many alike, in step; else None
    repeats: list[tuple[str, str] | None] = field(default_factory=list)

    def count(self, kind, action, n=1):
        self.counts[(kind, action)] += n

    def note(self, line, *, group="Posts", summary="", example=""):
        """``summary`` marks a note that repeats per post: several alike are shown as one
        line "N posts: <summary> (e.g. ...)" naming up to three ``example``s."""
        self.lines.append(line)
        self.groups.append(group)
        self.repeats.append((summary, example) if summary else None)

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

    def as_text(self, *, verbose=False):
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
            by_group = self._shown_lines(verbose=verbose)
            order = [g for g in GROUPS if g in by_group] + [g for g in by_group if g not in GROUPS]
            for group in order:
                out.append(f"  {group} ({len(by_group[group])}):")
                out.extend(f"    - {line}" for line in by_group[group])
        return "\n".join(out)

    def _shown_lines(self, *, verbose):
        """Each group's lines, a note that repeats per post summarised (unless verbose)."""
        repeats = self.repeats + [None] * (len(self.lines) - len(self.repeats))
        alike = {}
        for repeat in repeats:
            if repeat is not None:
                alike.setdefault(repeat[0], []).append(repeat[1])
        by_group = {}
        done = set()
        for line, group, repeat in zip(self.lines, self.groups, repeats, strict=True):
            if verbose or repeat is None or len(alike[repeat[0]]) < 2:
                by_group.setdefault(group, []).append(line)
            elif repeat[0] not in done:
                done.add(repeat[0])
                examples = alike[repeat[0]]
                named = ", ".join(examples[:EXAMPLES])
                more = "; -v 2 lists all" if len(examples) > EXAMPLES else ""
                by_group.setdefault(group, []).append(
                    f"{len(examples)} posts: {repeat[0]} (e.g. {named}{more})"
                )
        return by_group


def _plural(kind):
    if kind.endswith("y"):
        return kind[:-1] + "ies"
    return kind + "es" if kind.endswith("s") else kind + "s"
