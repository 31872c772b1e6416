"""What a reader sees of a trial record, built from its snapshot without a query.

``record_view(record)`` turns a TrialRecord (with its stored snapshot) into plain values
the templates print: the results table (outcomes as rows, arms as columns), the absolute
effects, the harms table and the forest plots (one per scale). Everything is text; the
templates escape it, and the plot SVG comes from trials.forest_plot, which escapes every
value it draws.
"""

import logging
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.safestring import mark_safe

from trials.absolute import NO_COUNTS, ONE_GROUP, absolute_effect, why_not_computed
from trials.forest_plot import PlotRow, forest_plot_svg
from trials.models import RATIO_MEASURES, Arm, Outcome, TrialRecord
from trials.notation import format_count, format_decimal, format_effect, format_percent, percent_of
from trials.snapshot import SNAPSHOT_VERSION

logger = logging.getLogger(__name__)

CATEGORY_LABELS = dict(Outcome.Category.choices)
TYPE_LABELS = {
    "binary": "binary",
    "rate": "rate",
    "time_to_event": "time to event",
    "continuous": "continuous",
}
MEASURE_LABELS = dict(Outcome.Measure.choices)
PHASE_LABELS = dict(TrialRecord.Phase.choices)
ALLOCATION_LABELS = dict(TrialRecord.Allocation.choices)
COMPUTED_LABEL = "Computed by Trialpress from the reported counts, not a figure from the trial."


@dataclass(frozen=True)
class ArmColumn:
    id: str
    name: str
    intervention: str
    role: str
    randomised: str
    analysed: str


@dataclass(frozen=True)
class Cell:
    text: str  # "104 (51%)", "334/435 (77%)" or "" when not reported
    detail: str = ""  # "201 events", "rate 0·26"


@dataclass(frozen=True)
class Absolute:
    sentence: str  # "66 in 100 with interferon beta 1a, 77 in 100 with alemtuzumab..."
    number_needed: str  # "Number needed to harm: 10 ..." or ""


@dataclass
class Row:
    name: str
    category: str
    type_label: str
    time_frame: str
    cells: list
    measure: str = ""
    effect: str = ""  # "0·51 (0·39–0·65)"
    ci_level: str = ""
    p_value: str = ""
    note: str = ""
    source_quote: str = ""
    absolute: list = field(default_factory=list)
    absolute_note: str = ""
    note_number: int = 0  # its footnote under the table, when it has a note


@dataclass
class Plot:
    scale: str
    heading: str
    svg: str


@dataclass
class RecordView:
    pk: int
    name: str
    registry_id: str
    registry_url: str
    registry_name: str
    facts: list  # (term, description) pairs
    funders: str
    arms: list
    outcomes: list
    harms: list
    plots: list
    not_computed: list  # (reason, "row names") for rows without absolute numbers
    notes: str
    sources: list  # (what, quote)

    @property
    def outcome_notes(self):
        return [row for row in self.outcomes if row.note]

    @property
    def harm_notes(self):
        return [row for row in self.harms if row.note]

    @property
    def absolute_rows(self):
        return [row for row in [*self.outcomes, *self.harms] if row.absolute]


def _decimal(text):
    return None if text is None else Decimal(text)


def _int(text):
    return None if text is None else int(text)


def _cell(numbers, mark):
    """``n/N (p%)`` when N is known (the % as reported, else computed), ``n (p%)``, or ``n``."""
    if not numbers:
        return Cell("")
    count, total = _int(numbers.get("count")), _int(numbers.get("total"))
    percent = _decimal(numbers.get("percent"))
    details = []
    if numbers.get("events") is not None:
        details.append(f"{format_count(_int(numbers['events']))} events")
    if numbers.get("value") is not None:
        details.append(format_decimal(_decimal(numbers["value"]), mark=mark))
    if count is None:
        return Cell("", "; ".join(details))
    if percent is None and total:
        percent = percent_of(count, total)
    text = format_count(count) + (f"/{format_count(total)}" if total is not None else "")
    if percent is not None:
        text += f" ({format_percent(percent, mark=mark)})"
    return Cell(text, "; ".join(details))


def _pair(numbers):
    """(n, N) when both are known, else None."""
    if not numbers:
        return None
    count, total = _int(numbers.get("count")), _int(numbers.get("total"))
    if count is None or not total:
        return None
    return count, total


def _absolute(row_name, results, arms, *, event_is_good, time_frame):
    """Sentences for each experimental arm against the (first) comparator arm."""
    comparators = [arm for arm in arms if arm.role == Arm.Role.COMPARATOR]
    experimental = [arm for arm in arms if arm.role == Arm.Role.EXPERIMENTAL]
    if not comparators or not experimental:
        return [], ""
    control = comparators[0]
    control_pair = _pair(results.get(control.id))
    found = []
    for arm in experimental:
        pair = _pair(results.get(arm.id))
        if control_pair is None or pair is None:
            reported = [a for a in (control, arm) if (results.get(a.id) or {}).get("count")]
            return [], ONE_GROUP if len(reported) < 2 else NO_COUNTS
        effect = absolute_effect(
            comparator=control_pair, experimental=pair, event_is_good=event_is_good
        )
        sentence = (
            f"{row_name}: {effect.comparator_per_100} in 100 people with {control.name}, "
            f"{effect.experimental_per_100} in 100 with {arm.name}, {time_frame}."
        )
        if effect.kind == "treat":
            more_or_fewer = "more" if event_is_good else "fewer"
            needed = (
                f"Number needed to treat: {effect.number_needed}. For every "
                f"{effect.number_needed} people given {arm.name} rather than {control.name}, "
                f"about one {more_or_fewer} had this outcome."
            )
        elif effect.kind == "harm":
            more_or_fewer = "fewer" if event_is_good else "more"
            needed = (
                f"Number needed to harm: {effect.number_needed}. For every "
                f"{effect.number_needed} people given {arm.name} rather than {control.name}, "
                f"about one {more_or_fewer} had this outcome."
            )
        else:
            needed = "The same share in both groups: no number needed to treat or harm."
        found.append(Absolute(sentence, needed))
    return found, ""


def _over(time_frame, record):
    text = time_frame or record.follow_up
    if not text:
        return "over the trial's follow-up"
    return (
        text
        if text.split()[0].lower() in {"over", "at", "by", "after", "within"}
        else f"over {text}"
    )


def _outcome_row(data, arms, record, mark):
    cells = [_cell(data["results"].get(arm.id), mark) for arm in arms]
    estimate, lower, upper = (_decimal(data[k]) for k in ("estimate", "ci_lower", "ci_upper"))
    row = Row(
        name=data["name"],
        category=CATEGORY_LABELS.get(data["category"], ""),
        type_label=TYPE_LABELS.get(data["type"], ""),
        time_frame=data["time_frame"],
        cells=cells,
        measure=MEASURE_LABELS.get(data["effect_measure"], ""),
        effect=format_effect(estimate, lower, upper, mark=mark) if estimate is not None else "",
        ci_level=format_decimal(_decimal(data["ci_level"]), mark=mark) if lower is not None else "",
        p_value=data["p_value_text"],
        note=data["note"],
        source_quote=data["source_quote"],
    )
    if data["type"] == Outcome.Type.BINARY:
        row.absolute, row.absolute_note = _absolute(
            data["name"],
            data["results"],
            arms,
            event_is_good=data["event_is_good"],
            time_frame=_over(data["time_frame"], record),
        )
    else:
        row.absolute_note = why_not_computed(data["type"])
    return row


def _harm_row(data, arms, record, mark):
    row = Row(
        name=data["name"],
        category="",
        type_label="",
        time_frame=data["time_frame"],
        cells=[_cell(data["results"].get(arm.id), mark) for arm in arms],
        note=data["note"],
        source_quote=data["source_quote"],
    )
    row.absolute, row.absolute_note = _absolute(
        data["name"],
        data["results"],
        arms,
        event_is_good=False,
        time_frame=_over(data["time_frame"], record),
    )
    return row


def _plot_rows(outcomes, mark):
    """Outcomes with a comparison and an interval, grouped by scale (ratios, differences)."""
    groups = {"ratio": [], "difference": []}
    for data in outcomes:
        estimate, lower, upper = (_decimal(data[k]) for k in ("estimate", "ci_lower", "ci_upper"))
        if estimate is None or lower is None or upper is None:
            continue
        scale = "ratio" if data["effect_measure"] in RATIO_MEASURES else "difference"
        groups[scale].append(
            (
                PlotRow(
                    label=data["name"],
                    estimate=float(estimate),
                    lower=float(lower),
                    upper=float(upper),
                    text=format_effect(estimate, lower, upper, mark=mark),
                ),
                data,
            )
        )
    return groups


def _plot_description(rows, scale, arms):
    no_effect = "1" if scale == "ratio" else "0"
    comparison = ""
    comparators = [a for a in arms if a.role == Arm.Role.COMPARATOR]
    experimental = [a for a in arms if a.role == Arm.Role.EXPERIMENTAL]
    if comparators and experimental:
        names = " and ".join(a.name for a in experimental)
        comparison = f"{names} compared with {comparators[0].name}. "
    parts = []
    for plot_row, data in rows:
        ci = format_decimal(Decimal(data["ci_level"])) if data["ci_level"] else "95"
        text = f"{plot_row.label}: {MEASURE_LABELS.get(data['effect_measure'], '').lower()} "
        text += f"{plot_row.text.replace(' (', f' ({ci}% CI ', 1)}"
        if data["p_value_text"]:
            text += f", {data['p_value_text']}"
        parts.append(text + ".")
    axis = "log scale" if scale == "ratio" else "linear scale"
    return (
        f"{comparison}{' '.join(parts)} Each point is the estimate and each line its "
        f"confidence interval, on a {axis}; the vertical line at {no_effect} is no effect."
    )


def _plots(record, outcomes, arms, mark):
    plots = []
    headings = {"ratio": "Ratios (log scale)", "difference": "Differences"}
    for scale, rows in _plot_rows(outcomes, mark).items():
        if not rows:
            continue
        measures = {MEASURE_LABELS.get(data["effect_measure"], "") for _row, data in rows}
        title = f"{record.name}: {headings[scale].split(' (')[0].lower()} with their intervals"
        try:
            svg = forest_plot_svg(
                [plot_row for plot_row, _data in rows],
                scale=scale,
                title=title,
                description=_plot_description(rows, scale, arms),
                id_prefix=f"forest-plot-{record.pk}-{scale}",
                measure_label=measures.pop() if len(measures) == 1 else None,
                decimal_mark=mark,
                describe_rows=False,  # the description above already says each row
            )
        except ValueError:  # rows stored around the model's checks: the table still shows
            logger.warning("Trial record %s: no %s plot", record.pk, scale, exc_info=True)
            continue
        # forest_plot_svg escapes every value it draws: our own SVG, safe to print.
        plots.append(Plot(scale=scale, heading=headings[scale], svg=mark_safe(svg)))  # noqa: S308
    return plots


def _facts(record):
    facts = []
    if record.phase:
        facts.append(("Phase", PHASE_LABELS.get(record.phase, "")))
    design = ", ".join(
        part for part in (ALLOCATION_LABELS.get(record.allocation, ""), record.masking) if part
    )
    if design:
        facts.append(("Design", design))
    if record.follow_up:
        facts.append(("Follow-up", record.follow_up))
    return facts


def record_view(record):
    """The reader's view of ``record`` (its snapshot must be current)."""
    snapshot = record.snapshot or {}
    if snapshot and snapshot.get("version") != SNAPSHOT_VERSION:
        logger.warning(
            "Trial record %s has an outdated snapshot: run manage.py refresh_trial_records",
            record.pk,
        )
        snapshot = {}
    mark = record.decimal_mark or "."
    arms = [
        ArmColumn(
            id=str(arm["id"]),
            name=arm["name"],
            intervention=arm["intervention"],
            role=arm["role"],
            randomised=format_count(arm["randomised"]) if arm["randomised"] is not None else "",
            analysed=format_count(arm["analysed"]) if arm["analysed"] is not None else "",
        )
        for arm in snapshot.get("arms", [])
    ]
    outcomes = snapshot.get("outcomes", [])
    harms = snapshot.get("harms", [])
    quoted = [("The trial", record.source_quote)]
    quoted += [(arm["name"], arm["source_quote"]) for arm in snapshot.get("arms", [])]
    quoted += [(item["name"], item["source_quote"]) for item in [*outcomes, *harms]]
    outcome_rows = [_outcome_row(data, arms, record, mark) for data in outcomes]
    harm_rows = [_harm_row(data, arms, record, mark) for data in harms]
    noted = [row for row in [*outcome_rows, *harm_rows] if row.note]
    for number, row in enumerate(noted, start=1):
        row.note_number = number
    return RecordView(
        pk=record.pk,
        name=record.name,
        registry_id=record.registry_id,
        registry_url=record.registry_url,
        registry_name=record.registry_name,
        facts=_facts(record),
        funders=record.funders.replace("\n", "; ").strip(),
        arms=arms,
        outcomes=outcome_rows,
        harms=harm_rows,
        plots=_plots(record, outcomes, arms, mark),
        not_computed=_not_computed([*outcome_rows, *harm_rows]),
        notes=record.notes,
        sources=_sources(quoted),
    )


def _not_computed(rows):
    by_reason = {}
    for row in rows:
        if row.absolute_note:
            by_reason.setdefault(row.absolute_note, []).append(row.name)
    return [(reason, ", ".join(names)) for reason, names in by_reason.items()]


def _sources(quoted):
    """(what, quote) pairs with one entry per distinct sentence: "Infections, Thyroid
    disorders" share the sentence they both come from."""
    by_quote = {}
    for what, quote in quoted:
        if quote:
            by_quote.setdefault(quote, []).append(what)
    return [(", ".join(whats), quote) for quote, whats in by_quote.items()]
