"""The forest plot: a pure function from a trial's comparisons to an inline SVG string.

The table beside it stays the accessible source of truth; the plot is its picture. So the SVG
is an ``role="img"`` with a ``<title>`` and a ``<desc>`` that repeat the table's numbers, and
everything drawn is decided here, on the server: no JavaScript, no style sheet (the site's
Content-Security-Policy forbids inline styles, so only presentation attributes are used), no
external resource. Everything is painted in ``currentColor``, so the plot has the contrast of
the page's text, prints black, and follows forced-colours (high contrast) mode.

Layout, phone first: the SVG scales with its container (``width="100%"`` and a viewBox of
``VIEW_WIDTH`` units), and its text is ``FONT_SIZE`` units high, so at 340 CSS px wide it
renders at 12 px. Each row is the outcome's label (left) and the effect as written (right) on
one line, wrapped when long, and the interval drawn on the line below across the full width.
Labels wrap, up to ``MAX_LABEL_LINES`` lines; a longer one is cut with an ellipsis, because a
plot row taller than a phone screen helps nobody and the full text is in the table and the
``<desc>``.

Axes never become absurd: a ratio axis covers at most 0.001 to 1000, a difference axis at most
a few times the spread of the estimates; an interval (or estimate) beyond the axis is drawn up
to its edge with an arrow. Within the axis, a whisker's ends are exactly at its bounds.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from html import escape
from numbers import Real

VIEW_WIDTH = 340.0
FONT_SIZE = 12.0
LINE_HEIGHT = 15.0
MARGIN = 6.0
PLOT_LEFT = 24.0
PLOT_RIGHT = VIEW_WIDTH - 24.0
MAX_LABEL_LINES = 3
MAX_TICKS = 7
TICK_LABEL_GAP = 8.0
TEXT_GAP = 12.0
MARKER_SIZE = 8.0
ARROW_LENGTH = 7.0
RATIO_LIMITS = (0.001, 1000.0)
DIFFERENCE_LIMIT = 1e12
DIFFERENCE_MIN_SPAN = 1e-6

_FINE = (0.5, 0.67, 0.8, 1.0, 1.25, 1.5, 2.0)
_HALVES = (0.125, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0)
_ONE_TWO_FIVE = tuple(float(f"{m}e{e}") for e in range(-3, 3) for m in (1, 2, 5)) + (1000.0,)
_DECADES = tuple(float(f"1e{e}") for e in range(-3, 4))
RATIO_LADDERS = (_FINE, _HALVES, _ONE_TWO_FIVE, _DECADES)
"""Candidate tick sets for a ratio axis. Of those that cover the data (and a tick either side
of 1) with labels that do not touch, the one with at most PREFERRED_TICKS ticks that the data
fill most is used, else the one with the fewest ticks: 0·8, 1, 1·25 for 0·9-1·1; 0·25, 0·5, 1,
2 for 0·39-0·87; 0·1, 1, 10, 100 for 1·5-40. Decades (7 at most, within RATIO_LIMITS) always
fit."""
PREFERRED_TICKS = 5

_SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


@dataclass(frozen=True)
class PlotRow:
    """One comparison: the outcome's name and effect as the table shows them, and the numbers."""

    label: str
    estimate: float
    lower: float
    upper: float
    text: str


def forest_plot_svg(
    rows: Iterable[PlotRow],
    *,
    scale: str,
    title: str,
    description: str,
    id_prefix: str = "forest-plot",
    measure_label: str | None = None,
    favours: tuple[str, str] | None = None,
    decimal_mark: str | None = None,
    describe_rows: bool = True,
) -> str:
    """Draw ``rows`` as an SVG forest plot and return the ``<svg>`` element as a string.

    ``scale="ratio"``: logarithmic axis, line of no effect at 1 (every number must be > 0).
    ``scale="difference"``: linear axis, line of no effect at 0.
    ``measure_label`` names the axis ("Rate ratio"; default "Ratio" or "Difference").
    ``favours=(left, right)`` adds "Favours left" and "Favours right" captions either side of
    the line of no effect; give it only when every row's outcome points the same way.
    ``decimal_mark`` is used in tick labels; by default the middle dot when the rows' texts
    use it (``0·51``), otherwise a full stop.
    The ``<desc>`` is ``description`` followed, when ``describe_rows``, by each row's label
    and effect text and a sentence saying what the axis shows.

    Raises ValueError on no rows, a number that is not finite, an interval that does not hold
    its estimate (lower <= estimate <= upper), a ratio that is not positive, an unknown scale,
    a blank title or an ``id_prefix`` that cannot be an id.
    """
    rows = tuple(rows)
    _check_arguments(rows, scale=scale, title=title, id_prefix=id_prefix)
    numbers = [_row_numbers(index, row, scale=scale) for index, row in enumerate(rows)]
    texts = [(_clean(row.label), _clean(row.text)) for row in rows]
    measure_label = _clean(measure_label) or ("Ratio" if scale == "ratio" else "Difference")
    if decimal_mark is None:
        decimal_mark = "·" if any("·" in text for _, text in texts) else "."
    axis = _ratio_axis(numbers) if scale == "ratio" else _difference_axis(numbers)
    axis = replace(axis, decimal_mark=decimal_mark)

    body, top, clipped = [], MARGIN, False
    for (label, text), (estimate, lower, upper) in zip(texts, numbers, strict=True):
        drawn, top, row_clipped = _draw_row(label, text, estimate, lower, upper, axis=axis, top=top)
        body.append(drawn)
        clipped = clipped or row_clipped
    drawn, height = _draw_axis(axis, top=top, measure_label=measure_label, favours=favours)
    body.append(drawn)

    desc = _clean(description)
    if describe_rows:
        sentences = [
            desc,
            *(f"{label}: {text}." for label, text in texts),
            _axis_sentence(axis, measure_label=measure_label, favours=favours),
            "Intervals that run beyond the axis end in an arrow." if clipped else "",
        ]
        desc = " ".join(sentence for sentence in sentences if sentence)
    ids = escape(id_prefix)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="forest-plot" role="img" '
        f'aria-labelledby="{ids}-title {ids}-desc" '
        f'viewBox="0 0 {_n(VIEW_WIDTH)} {_n(height)}" width="100%" '
        f'preserveAspectRatio="xMidYMin meet" font-size="{_n(FONT_SIZE)}" fill="currentColor">'
        f'<title id="{ids}-title">{escape(_clean(title))}</title>'
        f'<desc id="{ids}-desc">{escape(desc)}</desc>'
        f"{''.join(body)}</svg>"
    )


# -- checking the input ---------------------------------------------------------------------


def _check_arguments(rows, *, scale, title, id_prefix):
    if scale not in ("ratio", "difference"):
        raise ValueError(f'scale must be "ratio" or "difference", not {scale!r}')
    if not rows:
        raise ValueError("a forest plot needs at least one row")
    if not _clean(title):
        raise ValueError("a forest plot needs a title (it names the image for screen readers)")
    if (
        not isinstance(id_prefix, str)
        or not id_prefix
        or any(ch.isspace() or unicodedata.category(ch)[0] == "C" for ch in id_prefix)
    ):
        raise ValueError(f"id_prefix must be a non-empty id without spaces, not {id_prefix!r}")
    for index, row in enumerate(rows):
        if not isinstance(row, PlotRow):
            raise ValueError(f"row {index} is a {type(row).__name__}, not a PlotRow")


def _row_numbers(index, row, *, scale):
    """The row's (estimate, lower, upper) as finite floats, checked."""
    name = f"row {index + 1} ({_clean(row.label)[:40]!r})"
    values = []
    for field in ("estimate", "lower", "upper"):
        value = getattr(row, field)
        if isinstance(value, bool) or not isinstance(value, Real | Decimal):
            raise ValueError(f"{name}: {field} must be a number, not {value!r}")
        try:
            number = float(value)
        except (OverflowError, ValueError):
            number = math.nan
        if not math.isfinite(number):
            raise ValueError(f"{name}: {field} must be a finite number, not {value!r}")
        if scale == "ratio" and number <= 0:
            raise ValueError(f"{name}: a ratio's {field} must be greater than 0, not {value!r}")
        values.append(number)
    estimate, lower, upper = values
    if not lower <= estimate <= upper:
        raise ValueError(
            f"{name}: the interval {lower!r} to {upper!r} does not contain the estimate "
            f"{estimate!r} (lower <= estimate <= upper)"
        )
    return estimate, lower, upper


def _clean(text):
    """Text as one line that XML and HTML accept: controls become spaces, code points neither
    allows (lone surrogates, noncharacters) become U+FFFD, runs of spaces become one; None is
    no text."""
    text = _CONTROLS.sub(" ", "" if text is None else str(text))
    text = _NOT_CHARACTERS.sub("\ufffd", text)
    return _SPACES.sub(" ", text).strip(" ")


_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")
_NOT_CHARACTERS = re.compile(
    "[\ud800-\udfff\ufdd0-\ufdef"
    + "".join(chr(plane << 16 | 0xFFFE) + chr(plane << 16 | 0xFFFF) for plane in range(17))
    + "]"
)
_SPACES = re.compile(" {2,}")


# -- axes -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Axis:
    """Where values go: ``low``..``high`` (in data units) span PLOT_LEFT..PLOT_RIGHT."""

    scale: str
    ticks: tuple
    low: float
    high: float
    decimal_mark: str = "."

    @property
    def null(self):
        return 1.0 if self.scale == "ratio" else 0.0

    def _t(self, value):
        return math.log10(value) if self.scale == "ratio" else value

    def x(self, value):
        """The x of a value inside the axis (values outside are clamped to its ends)."""
        value = min(max(value, self.low), self.high)
        low, high = self._t(self.low), self._t(self.high)
        return PLOT_LEFT + (self._t(value) - low) / (high - low) * (PLOT_RIGHT - PLOT_LEFT)

    def label(self, value):
        if self.scale == "ratio":
            text = f"{value:.3f}".rstrip("0").rstrip(".")
        else:
            text = _difference_label(value, self.ticks)
        return text.replace(".", self.decimal_mark).replace("-", "−")


def _ratio_axis(numbers):
    """A log axis from ladder ticks that enclose the data (clipped to RATIO_LIMITS) and 1,
    with at least one tick either side of 1 (room for the "Favours" captions)."""
    floor, ceiling = RATIO_LIMITS
    low = min(max(min(lower for _, lower, _ in numbers), floor), 1.0)
    high = max(min(max(upper for _, _, upper in numbers), ceiling), 1.0)
    fitting = []
    for ladder in RATIO_LADDERS:
        below = [i for i, tick in enumerate(ladder) if tick <= low * (1 + 1e-9) and tick < 1]
        above = [i for i, tick in enumerate(ladder) if tick >= high * (1 - 1e-9) and tick > 1]
        if not below or not above:
            continue
        ticks = ladder[below[-1] : above[0] + 1]
        axis = _Axis("ratio", ticks, ticks[0], ticks[-1])
        if len(ticks) <= MAX_TICKS and _tick_labels_fit(axis):
            fill = math.log10(high / low) / math.log10(ticks[-1] / ticks[0])
            fitting.append((axis, fill))
    few = [(axis, fill) for axis, fill in fitting if len(axis.ticks) <= PREFERRED_TICKS]
    if few:
        return max(few, key=lambda candidate: candidate[1])[0]
    return min(fitting, key=lambda candidate: len(candidate[0].ticks))[0]


def _difference_axis(numbers):
    """A linear axis with 1-2-2.5-5 steps enclosing the data and 0, one step either side of
    0. The intervals are cut at a few times the spread of the estimates (or the median
    interval's width), so that one enormous interval does not squash the others to dots."""

    def clip(value):
        return min(max(value, -DIFFERENCE_LIMIT), DIFFERENCE_LIMIT)

    estimates = [clip(estimate) for estimate, _, _ in numbers]
    must_low, must_high = min(*estimates, 0.0), max(*estimates, 0.0)
    widths = sorted(clip(upper) - clip(lower) for _, lower, upper in numbers)
    reach = 2 * max(must_high - must_low, widths[len(widths) // 2])
    low = max(min(clip(lower) for _, lower, _ in numbers), must_low - reach)
    high = min(max(clip(upper) for _, _, upper in numbers), must_high + reach)
    low, high = min(low, 0.0), max(high, 0.0)
    if high - low < DIFFERENCE_MIN_SPAN:
        low, high = min(low, -DIFFERENCE_MIN_SPAN / 2), max(high, DIFFERENCE_MIN_SPAN / 2)
    base = 10.0 ** math.floor(math.log10((high - low) / (MAX_TICKS - 1)))
    for multiple in (1, 2, 2.5, 5, 10, 20, 25, 50, 100):
        step = base * multiple
        first = min(math.floor(low / step + 1e-9), -1)
        last = max(math.ceil(high / step - 1e-9), 1)
        if last - first + 1 > MAX_TICKS:
            continue
        ticks = tuple(k * step for k in range(first, last + 1))
        axis = _Axis("difference", ticks, ticks[0], ticks[-1])
        if _tick_labels_fit(axis):
            return axis
    raise AssertionError("a step of 100 times the base always fits")  # pragma: no cover


def _difference_label(value, ticks):
    step = ticks[1] - ticks[0]
    if value == 0 or abs(value) < step / 1e6:
        return "0"
    largest = max(abs(ticks[0]), abs(ticks[-1]))
    if largest >= 1e6 or step < 1e-4:
        exponent = math.floor(math.log10(largest))
        mantissa = f"{value / 10.0**exponent:.{_decimals(step / 10.0**exponent)}f}"
        return f"{mantissa}×10{str(exponent).translate(_SUPERSCRIPTS)}"
    return f"{value:.{_decimals(step)}f}"


def _decimals(step):
    """How many decimals show every multiple of ``step`` exactly (2.5 needs 1, 0.02 needs 2)."""
    for decimals in range(12):
        if abs(round(step, decimals) - step) <= abs(step) * 1e-9:
            return decimals
    return 12


def _tick_labels_fit(axis):
    placed = [(axis.x(tick), _text_width(axis.label(tick))) for tick in axis.ticks]
    return all(
        right_x - left_x >= (left_w + right_w) / 2 + TICK_LABEL_GAP
        for (left_x, left_w), (right_x, right_w) in zip(placed, placed[1:], strict=False)
    )


def _axis_sentence(axis, *, measure_label, favours):
    kind = "a logarithmic" if axis.scale == "ratio" else "a linear"
    null = axis.label(axis.null)
    sentence = (
        f"{measure_label} on {kind} axis from {axis.label(axis.low)} to "
        f"{axis.label(axis.high)}; the dashed line at {null} marks no effect."
    )
    if favours:
        left, right = (_clean(side) for side in favours)
        sentence += f" Values below {null} favour {left}; values above {null} favour {right}."
    return sentence


# -- drawing --------------------------------------------------------------------------------


def _draw_row(label, text, estimate, lower, upper, *, axis, top):
    """One row's group; returns (svg, the next row's top, whether something was clipped)."""
    effect_lines = _wrap(text, max_width=(VIEW_WIDTH - 2 * MARGIN) * 0.45)
    effect_width = max(_text_width(line) for line in effect_lines)
    label_width = VIEW_WIDTH - 2 * MARGIN - effect_width - TEXT_GAP
    label_lines = _wrap(label, max_width=label_width)
    lines = max(len(label_lines), len(effect_lines))
    baseline = top + FONT_SIZE
    parts = ['<g class="fp-row">']
    parts.append(_text_lines("fp-label", label_lines, x=MARGIN, baseline=baseline, anchor=None))
    parts.append(
        _text_lines(
            "fp-effect", effect_lines, x=VIEW_WIDTH - MARGIN, baseline=baseline, anchor="end"
        )
    )
    middle = top + lines * LINE_HEIGHT + MARKER_SIZE
    null_x = axis.x(axis.null)
    parts.append(
        f'<line class="fp-null" x1="{_n(null_x)}" y1="{_n(middle - 6)}" x2="{_n(null_x)}" '
        f'y2="{_n(middle + 6)}" stroke="currentColor" stroke-dasharray="3 2"/>'
    )
    left, right = axis.x(lower), axis.x(upper)
    parts.append(
        f'<line class="fp-whisker" x1="{_n(left)}" y1="{_n(middle)}" x2="{_n(right)}" '
        f'y2="{_n(middle)}" stroke="currentColor" stroke-width="1.5"/>'
    )
    clipped = False
    if lower < axis.low:
        parts.append(_arrow(PLOT_LEFT, middle, pointing=-1))
        clipped = True
    if upper > axis.high:
        parts.append(_arrow(PLOT_RIGHT, middle, pointing=1))
        clipped = True
    if axis.low <= estimate <= axis.high:
        half = MARKER_SIZE / 2
        parts.append(
            f'<rect class="fp-estimate" x="{_n(axis.x(estimate) - half)}" '
            f'y="{_n(middle - half)}" width="{_n(MARKER_SIZE)}" height="{_n(MARKER_SIZE)}"/>'
        )
    parts.append("</g>")
    return "".join(parts), middle + MARKER_SIZE / 2 + 8, clipped


def _arrow(tip_x, middle, *, pointing):
    """A filled arrowhead whose tip is at the axis end, pointing out of the plot."""
    back = tip_x - pointing * ARROW_LENGTH
    return (
        f'<polygon class="fp-arrow" points="{_n(tip_x)},{_n(middle)} '
        f'{_n(back)},{_n(middle - 4)} {_n(back)},{_n(middle + 4)}"/>'
    )


def _draw_axis(axis, *, top, measure_label, favours):
    """The axis line, ticks, their labels, the "Favours" captions and the axis title;
    returns (svg, the SVG's total height)."""
    line_y = top + 2
    parts = [
        '<g class="fp-axis">',
        f'<line class="fp-axis-line" x1="{_n(PLOT_LEFT)}" y1="{_n(line_y)}" '
        f'x2="{_n(PLOT_RIGHT)}" y2="{_n(line_y)}" stroke="currentColor"/>',
    ]
    label_y = line_y + 5 + FONT_SIZE
    for tick in axis.ticks:
        x = axis.x(tick)
        weight = ' font-weight="bold"' if tick == axis.null else ""
        parts.append(
            f'<line class="fp-tick" x1="{_n(x)}" y1="{_n(line_y)}" x2="{_n(x)}" '
            f'y2="{_n(line_y + 4)}" stroke="currentColor"/>'
            f'<text class="fp-tick-label" x="{_n(x)}" y="{_n(label_y)}" text-anchor="middle"'
            f"{weight}>{escape(axis.label(tick))}</text>"
        )
    y = label_y + 4
    if favours:
        drawn, y = _draw_favours(axis, favours, top=y)
        parts.append(drawn)
    title_lines = _wrap(f"{measure_label} ({_scale_note(axis)})", max_width=VIEW_WIDTH - 2 * MARGIN)
    parts.append(
        _text_lines(
            "fp-axis-title", title_lines, x=VIEW_WIDTH / 2, baseline=y + FONT_SIZE, anchor="middle"
        )
    )
    y += len(title_lines) * LINE_HEIGHT
    parts.append("</g>")
    return "".join(parts), y + MARGIN


def _scale_note(axis):
    null = axis.label(axis.null)
    return f"log scale; {null} = no effect" if axis.scale == "ratio" else f"{null} = no effect"


def _draw_favours(axis, favours, *, top):
    """'← Favours left' ending at the line of no effect and 'Favours right →' starting there,
    side by side when both fit, otherwise one under the other at the plot's two ends."""
    left, right = (_clean(side) for side in favours)
    left_text, right_text = f"← Favours {left}", f"Favours {right} →"
    null_x = axis.x(axis.null)
    room_left, room_right = null_x - 4 - MARGIN, VIEW_WIDTH - MARGIN - null_x - 4
    if _text_width(left_text) <= room_left and _text_width(right_text) <= room_right:
        baseline = top + FONT_SIZE
        return (
            _text_lines("fp-favours", [left_text], x=null_x - 4, baseline=baseline, anchor="end")
            + _text_lines("fp-favours", [right_text], x=null_x + 4, baseline=baseline, anchor=None)
        ), top + LINE_HEIGHT
    width = VIEW_WIDTH - 2 * MARGIN
    left_lines, right_lines = _wrap(left_text, max_width=width), _wrap(right_text, max_width=width)
    drawn = _text_lines("fp-favours", left_lines, x=MARGIN, baseline=top + FONT_SIZE, anchor=None)
    top += len(left_lines) * LINE_HEIGHT
    drawn += _text_lines(
        "fp-favours", right_lines, x=VIEW_WIDTH - MARGIN, baseline=top + FONT_SIZE, anchor="end"
    )
    return drawn, top + len(right_lines) * LINE_HEIGHT


def _text_lines(css_class, lines, *, x, baseline, anchor):
    """One <text> with a <tspan> a line; the lines joined give back the (cleaned) text."""
    anchor_attribute = f' text-anchor="{anchor}"' if anchor else ""
    spans = "".join(
        f'<tspan x="{_n(x)}" y="{_n(baseline + number * LINE_HEIGHT)}">{escape(line)}</tspan>'
        for number, line in enumerate(lines)
    )
    return f'<text class="{css_class}"{anchor_attribute}>{spans}</text>'


def _n(value):
    """Coordinates with two fixed decimals, so the output is the same on every machine."""
    text = f"{value:.2f}"
    return "0.00" if text == "-0.00" else text


# -- text measuring and wrapping ------------------------------------------------------------


def _text_width(text):
    """A generous estimate of the width of ``text`` in user units (no font is at hand on the
    server): wide for East Asian characters, emoji and capitals, nothing for marks."""
    return sum(map(_char_width, text))


@functools.lru_cache(maxsize=8192)
def _char_width(ch):
    if unicodedata.category(ch) in ("Mn", "Me", "Cf") or ch in "\ufe0f\u200d":
        return 0.0
    if unicodedata.east_asian_width(ch) in ("W", "F") or ord(ch) >= 0x1F000:
        return 1.15 * FONT_SIZE
    if ch.isupper() or ch in "mwMW@%&—–←→…":
        return 0.8 * FONT_SIZE
    if ch in " .,:;'!|il·()[]":
        return 0.34 * FONT_SIZE
    return 0.62 * FONT_SIZE


def _clusters(text):
    """The text cut into pieces never split when wrapping: a character with its combining
    marks, variation selectors and zero-width-joined followers."""
    clusters = []
    for ch in text:
        if clusters and (_joins_previous(ch) or clusters[-1][-1] == "\u200d"):
            clusters[-1] += ch
        else:
            clusters.append(ch)
    return clusters


@functools.lru_cache(maxsize=8192)
def _joins_previous(ch):
    return (
        unicodedata.category(ch).startswith("M")
        or ch in "\u200d\ufe0e\ufe0f"
        or 0x1F3FB <= ord(ch) <= 0x1F3FF
    )


def _wrap(text, *, max_width, max_lines=MAX_LABEL_LINES):
    """Lines of at most ``max_width`` (estimated), broken after spaces or around East Asian
    characters, mid-word only when a word is wider than a line. A space ending a line stays
    on it, so the lines joined are the text. Beyond ``max_lines`` the text is cut with "…"."""
    if _text_width(text) <= max_width:
        return [text]
    lines = []
    current = []
    width = 0.0
    for cluster in _clusters(text):
        cluster_width = _char_width(cluster) if len(cluster) == 1 else _text_width(cluster)
        if current and cluster != " " and width + cluster_width > max_width:
            cut = _break_point(current, cluster)
            lines.append("".join(current[:cut]))
            current = current[cut:]
            width = _text_width("".join(current))
        current.append(cluster)
        width += cluster_width
    if current or not lines:
        lines.append("".join(current))
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and _text_width(last + "…") > max_width:
            last = last[:-1]
        lines = [*lines[: max_lines - 1], last.rstrip() + "…"]
    return lines


def _break_point(current, following):
    """Where to end the line held in ``current`` (a list of clusters) before ``following``."""
    if _is_wide(following) or _is_wide(current[-1]):
        return len(current)
    for index in range(len(current) - 1, 0, -1):
        if current[index - 1] == " " or _is_wide(current[index - 1]) or _is_wide(current[index]):
            return index
    return len(current)


def _is_wide(cluster):
    return unicodedata.east_asian_width(cluster[0]) in ("W", "F")
