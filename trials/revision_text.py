"""The post's trial records in its revisions, as the lines a reader would read.

Registered with ``blog.revisions.register_snapshot_part`` (trials/apps.py), so every
revision of a post keeps its trial records, a change to one on a public post needs a
change note (blog.corrections), and the diff pages show a change to a result in words:
"Relapse — alemtuzumab 12 mg: 104/426 (24%); …; rate ratio 0·51 (0·39–0·65)". The
text is built from what readers see (trials.presentation), numbers formatted as on the
page; one line per fact, so a diff marks the line and the word that changed.
"""

from trials.models import TrialRecord
from trials.presentation import record_view

PART_NAME = "trial_records"
PART_LABEL = "Trial records"


def post_trial_records_text(post):
    """All the trial records of ``post``, in page order, as text (one query)."""
    records = TrialRecord.objects.filter(post_id=post.pk).order_by("position", "pk")
    return "\n".join(record_text(record) for record in records)


def record_text(record):
    view = record_view(record)
    registry = f" ({view.registry_id})" if view.registry_id else ""
    lines = [f"Trial: {view.name}{registry}"]
    lines += [f"{term}: {description}" for term, description in view.facts]
    if view.funders:
        lines.append(f"Funders: {view.funders}")
    for arm in view.arms:
        counts = ", ".join(
            f"{number} {what}"
            for number, what in ((arm.randomised, "randomised"), (arm.analysed, "analysed"))
            if number
        )
        details = "; ".join(part for part in (arm.role, arm.intervention, counts) if part)
        lines.append(f"Arm: {arm.name}" + (f" ({details})" if details else ""))
    names = [arm.in_sentence or arm.name for arm in view.arms]
    for row in view.outcomes:
        lines.append(_row_line(f"Outcome ({row.category.lower()})", row, names))
    for row in view.harms:
        lines.append(_row_line("Harm", row, names))
    if view.notes:
        lines.append(f"Notes: {view.notes}")
    lines += [f"Quote ({what}): \u201c{quote}\u201d" for what, quote in view.sources]
    return "\n".join(" ".join(line.split()) for line in lines) + "\n"


def _row_line(what, row, arm_names):
    """ "Outcome (primary): Relapse, 2 years — alemtuzumab 12 mg: 104/426 (24%); …;
    rate ratio 0·51 (0·39–0·65); p < 0·0001; note: …" """
    head = f"{what}: {row.name}" + (f", {row.time_frame}" if row.time_frame else "")
    parts = [
        f"{name}: {cell.text}" for name, cell in zip(arm_names, row.cells, strict=True) if cell.text
    ]
    parts += [
        f"{name}: {cell.detail}"
        for name, cell in zip(arm_names, row.cells, strict=True)
        if cell.detail
    ]
    if row.effect:
        level = f" ({row.ci_level}% CI)" if row.ci_level else ""
        parts.append(f"{row.measure.lower() or 'effect'} {row.effect}{level}")
    if row.p_value:
        parts.append(row.p_value)
    if row.note:
        parts.append(f"note: {row.note}")
    return head + (" \u2014 " + "; ".join(parts) if parts else "")
