"""Readable word-level diffs: HTML with <ins> and <del>, every token escaped.

difflib's SequenceMatcher can take time quadratic in its inputs, so the work is bounded:
the common first and last lines are set aside in linear time; what remains is matched line
by line when it has at most ``MAX_LINES`` lines a side; a changed block is then matched word
by word only when the product of its token counts is at most ``MAX_WORD_PAIRS``; a larger
block, or a remainder with more lines, is shown as deleted and inserted whole. Every
SequenceMatcher is given at most ``MAX_WORD_PAIRS`` (or ``MAX_LINES`` squared) pairs to
consider, whatever the size of the text: ``Diff.work`` counts them, and tests assert on it.
"""

import json
import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from django.utils.html import escape
from django.utils.safestring import mark_safe

from blog.line_endings import comparable, normalise_line_endings

MAX_LINES = 2_000
MAX_WORD_PAIRS = 4_000_000

# Fields whose lines are units (one disclosure a line): a changed line is shown whole.
WHOLE_LINE_FIELDS = ("disclosures",)

# Words (of any script), runs of white space, and every other character on its own.
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")


@dataclass
class Diff:
    parts: list = field(default_factory=list)  # (op, text): op is "=", "-" or "+"
    work: int = 0  # pairs of lines or tokens handed to SequenceMatcher

    @property
    def changed(self):
        return any(op != "=" for op, _ in self.parts)

    def html(self, *, context=None):
        """The diff as HTML; the text is escaped, only our tags are markup. With
        ``context`` (a number of lines), long unchanged runs keep only that many lines
        beside each change and say how many they leave out."""
        out = []
        last = len(self.parts) - 1
        for index, (op, text) in enumerate(self.parts):
            if op == "=":
                out.append(_kept(text, context, first=index == 0, last=index == last))
            elif op == "-":
                out.append(f"<del>{escape(text)}</del>")
            else:
                out.append(f"<ins>{escape(text)}</ins>")
        return mark_safe("".join(out))  # noqa: S308 - every piece of text escaped above

    def changed_html(self):
        """The public page's form: changes with three lines around each."""
        return self.html(context=3)

    def add(self, op, text):
        if not text:
            return
        if self.parts and self.parts[-1][0] == op:
            self.parts[-1] = (op, self.parts[-1][1] + text)
        else:
            self.parts.append((op, text))


def _kept(text, context, *, first, last):
    """Unchanged text, escaped; shortened to ``context`` lines beside the changes."""
    if context is None:
        return escape(text)
    lines = text.splitlines(keepends=True)
    head = [] if first else lines[: context + 1]  # the rest of a changed line, then context
    tail = [] if last else lines[-context:] if text.endswith("\n") else lines[-(context + 1) :]
    if len(lines) <= len(head) + len(tail) + 1:
        return escape(text)
    left_out = len(lines) - len(head) - len(tail)
    plural = "" if left_out == 1 else "s"
    skip = f'<span class="diff-skip">[{left_out} unchanged line{plural}]</span>'
    return escape("".join(head)) + skip + ("" if last else "\n") + escape("".join(tail))


def word_diff(before, after, *, words=True):
    """The Diff from ``before`` to ``after`` (strings). With ``words=False`` a changed
    line is shown removed and added whole (a disclosure is one line: a word matched across
    two people's lines reads as nonsense)."""
    diff = Diff()
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    end = 0
    while end < min(len(old), len(new)) - start and old[-1 - end] == new[-1 - end]:
        end += 1
    diff.add("=", "".join(old[:start]))
    middle_old, middle_new = old[start : len(old) - end], new[start : len(new) - end]
    if len(middle_old) <= MAX_LINES and len(middle_new) <= MAX_LINES:
        _lines(diff, middle_old, middle_new, words=words)
    else:
        _whole(diff, "".join(middle_old), "".join(middle_new))
    diff.add("=", "".join(old[len(old) - end :]) if end else "")
    return diff


def _lines(diff, old, new, *, words=True):
    diff.work += len(old) * len(new)
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            diff.add("=", "".join(old[i1:i2]))
        elif words:
            _words(diff, "".join(old[i1:i2]), "".join(new[j1:j2]))
        else:
            _whole(diff, "".join(old[i1:i2]), "".join(new[j1:j2]))


def _words(diff, before, after):
    old, new = _TOKEN.findall(before), _TOKEN.findall(after)
    if not old or not new or len(old) * len(new) > MAX_WORD_PAIRS:
        _whole(diff, before, after)
        return
    diff.work += len(old) * len(new)
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    for kept, removed, added in _readable(matcher.get_opcodes(), old, new):
        diff.add("=", kept)
        diff.add("-", removed)
        diff.add("+", added)


def _readable(opcodes, old, new):
    """(kept, removed, added) runs, where a change swallows the spaces and single
    punctuation marks left between two changes: "<del>a</del> <del>b</del>" reads
    as "<del>a b</del>"."""
    runs = []
    for op, i1, i2, j1, j2 in opcodes:
        removed, added = "".join(old[i1:i2]), "".join(new[j1:j2])
        if op == "equal":
            runs.append([removed, "", ""])
        elif runs and not runs[-1][0]:
            runs[-1][1] += removed
            runs[-1][2] += added
        else:
            runs.append(["", removed, added])
    merged = []
    for run in runs:
        trivial = run[0] and len(run[0]) <= 2 and not any(c.isalnum() for c in run[0])
        if trivial and merged and not merged[-1][0] and run is not runs[-1]:
            merged[-1][1] += run[0]
            merged[-1][2] += run[0]
            continue
        if not run[0] and merged and not merged[-1][0]:
            merged[-1][1] += run[1]
            merged[-1][2] += run[2]
            continue
        merged.append(run)
    return merged


def _whole(diff, before, after):
    diff.add("-", before)
    diff.add("+", after)


def disclosures_text(rows):
    """Disclosures as lines of text, for a diff."""
    from blog.models import Disclosure

    names = dict(Disclosure.Relationship.choices)
    lines = []
    for row in rows:
        relationship = row.get("relationship", "")
        line = f"{row.get('person', '')}: {names.get(relationship, relationship)}"
        if row.get("organisations"):
            line += f" ({row['organisations']})"
        if row.get("statement"):
            line += f". \u201c{row['statement']}\u201d"
        lines.append(line + "\n")
    return "".join(lines)


def _field_text(snapshot, name):
    value = normalise_line_endings(snapshot.get(name, ""))
    if name == "disclosures":
        return disclosures_text(value or [])
    if name == "labels":
        return ", ".join(value or [])
    if isinstance(value, (dict, list)):  # a part another app adds (a trial record)
        return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True)
    return str(value)


def compare_snapshots(before, after, *, fields):
    """[(name, Diff)] for each of ``fields`` that differs between two snapshots."""
    changes = []
    for name in fields:
        old, new = _field_text(before, name), _field_text(after, name)
        if comparable(old) != comparable(new):
            changes.append((name, word_diff(old, new, words=name not in WHOLE_LINE_FIELDS)))
    return changes
