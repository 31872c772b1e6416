"""STUB, replaced by helper B's implementation on merge (same interface).

Draws a bare but valid, escaped SVG so that the trials app and its tests run before the
real forest plot lands.
"""

import math
from dataclasses import dataclass

from django.utils.html import escape


@dataclass(frozen=True)
class PlotRow:
    label: str
    estimate: float
    lower: float
    upper: float
    text: str


def forest_plot_svg(
    rows,
    *,
    scale,
    title,
    description,
    id_prefix="forest-plot",
    measure_label=None,
    favours=None,
    decimal_mark=None,
    describe_rows=True,
) -> str:
    """The keyword arguments after ``id_prefix`` are helper B's (accepted, not drawn here)."""
    rows = list(rows)
    if not rows:
        raise ValueError("no rows")
    width, row_height = 320, 24
    height = row_height * (len(rows) + 1)
    transform = math.log if scale == "ratio" else (lambda v: v)
    values = [transform(v) for r in rows for v in (r.lower, r.upper)]
    values.append(transform(1.0) if scale == "ratio" else 0.0)
    low, high = min(values), max(values)
    span = (high - low) or 1.0

    def x(value):
        return 10 + (transform(value) - low) / span * (width - 20)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
        f'aria-labelledby="{escape(id_prefix)}-title {escape(id_prefix)}-desc">',
        f'<title id="{escape(id_prefix)}-title">{escape(title)}</title>',
        f'<desc id="{escape(id_prefix)}-desc">{escape(description)}</desc>',
    ]
    no_effect = x(1.0 if scale == "ratio" else 0.0)
    parts.append(
        f'<line x1="{no_effect:.1f}" y1="0" x2="{no_effect:.1f}" y2="{height}" stroke="#555"/>'
    )
    for i, row in enumerate(rows, start=1):
        y = i * row_height
        parts.append(
            f'<line x1="{x(row.lower):.1f}" y1="{y}" x2="{x(row.upper):.1f}" y2="{y}" '
            'stroke="#1c1c1c"/>'
        )
        parts.append(f'<rect x="{x(row.estimate) - 4:.1f}" y="{y - 4}" width="8" height="8"/>')
    parts.append("</svg>")
    return "".join(parts)
