"""The forest plot (trials/forest_plot.py), tested alone: golden SVG files, and the picture read
back with xml.etree: the axis' own ticks and labels give its scale, and inverting that scale puts
every whisker's ends at the interval's bounds (within 0.5 px) and every square at its estimate.
Hostile numbers are refused with a ValueError saying why; text from any script is escaped once.

To rewrite the golden files after an intended change: UPDATE_GOLDEN_SVG=1, then read the diff.
"""

import math
import os
import re
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.strategies import SAMPLES, any_script_text
from trials.forest_plot import MAX_LABEL_LINES, PlotRow, forest_plot_svg

GOLDEN = Path(__file__).parent / "data" / "forest_plot"
SVG = "{http://www.w3.org/2000/svg}"
FROM_SUPERSCRIPTS = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")

CARE_MS_2 = [
    PlotRow("Relapse", 0.51, 0.39, 0.65, "0·51 (0·39–0·65)"),
    PlotRow("Sustained accumulation of disability", 0.58, 0.38, 0.87, "0·58 (0·38–0·87)"),
]


def draw(rows, scale="ratio", **options):
    options.setdefault("title", "Forest plot")
    options.setdefault("description", "The comparisons in the table.")
    return forest_plot_svg(rows, scale=scale, **options)


def thirty_rows():
    return [
        PlotRow(
            f"Outcome {n}: {'a longer secondary end point ' * (n % 3)}".strip(),
            round(0.4 + n * 0.05, 2),
            round(0.25 + n * 0.04, 2),
            round(0.7 + n * 0.08, 2),
            f"{0.4 + n * 0.05:.2f} ({0.25 + n * 0.04:.2f}–{0.7 + n * 0.08:.2f})",
        )
        for n in range(30)
    ]


GOLDEN_CASES = {
    "one-row": (CARE_MS_2[:1], "ratio", {"measure_label": "Rate ratio"}),
    "five-rows": (
        [
            *CARE_MS_2,
            PlotRow("Relapse-free at 2 years", 1.4, 1.2, 1.7, "1·40 (1·20–1·70)"),
            PlotRow("Infections", 1.16, 1.04, 1.30, "1·16 (1·04–1·30)"),
            PlotRow("Thyroid disorders (多发性硬化, التصلب)", 3.1, 1.6, 6.0, "3·1 (1·6–6·0)"),
        ],
        "ratio",
        {"measure_label": "Ratio", "favours": ("alemtuzumab", "interferon beta-1a")},
    ),
    "thirty-rows": (thirty_rows(), "ratio", {"id_prefix": "thirty"}),
    "extreme-interval": (
        [
            PlotRow("Very wide", 1.0, 0.001, 1000.0, "1·0 (0·001–1000)"),
            PlotRow("Beyond the axis", 2e6, 1e-9, 1e12, "2×10⁶ (10⁻⁹–10¹²)"),
        ],
        "ratio",
        {},
    ),
    "crossing-one": (
        [PlotRow("Serious infections", 0.9, 0.6, 1.3, "0·90 (0·60–1·30)")],
        "ratio",
        {"measure_label": "Risk ratio", "favours": ("alemtuzumab", "interferon")},
    ),
    "differences-crossing-zero": (
        [
            PlotRow("Relapse-free at 2 years", 18.0, 10.2, 25.9, "18·0 (10·2 to 25·9)"),
            PlotRow("Free of new lesions", -4.2, -11.9, 3.4, "−4·2 (−11·9 to 3·4)"),
        ],
        "difference",
        {
            "measure_label": "Risk difference (percentage points)",
            "favours": ("interferon beta-1a", "alemtuzumab"),
        },
    ),
}
"""Golden files in tests/data/forest_plot/: 1, 5 and 30 rows, an extreme interval, an interval
crossing 1 and differences crossing 0 (the numbers besides CARE-MS II's are made up)."""


@pytest.mark.parametrize("name", GOLDEN_CASES)
def test_the_plot_matches_its_golden_file_and_reads_back_to_its_numbers(name):
    rows, scale, options = GOLDEN_CASES[name]
    drawn = draw(rows, scale, **options)
    golden = GOLDEN / f"{name}.svg"
    if os.environ.get("UPDATE_GOLDEN_SVG") == "1":
        golden.write_text(drawn + "\n", encoding="utf-8")
    assert drawn + "\n" == golden.read_text(encoding="utf-8"), f"{golden} differs"
    assert draw(rows, scale, **options) == drawn, "the same rows drew a different picture"
    assert_whiskers_at_bounds(drawn, rows, scale)


# -- reading the picture back ---------------------------------------------------------------


def parse(svg):
    root = ElementTree.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return root


def tick_number(label):
    label = label.replace("·", ".").replace("−", "-")
    if "×10" in label:
        mantissa, exponent = label.split("×10")
        return float(mantissa) * 10.0 ** int(exponent.translate(FROM_SUPERSCRIPTS))
    return float(label)


class Scale:
    """The axis as the picture draws it: from its tick marks and their labels."""

    def __init__(self, root, scale):
        self.log = scale == "ratio"
        axis = root.find(f"{SVG}g[@class='fp-axis']")
        xs = [
            float(tick.get("x1"))
            for tick in axis.iter(f"{SVG}line")
            if tick.get("class") == "fp-tick"
        ]
        labels = [
            text_of(label)
            for label in axis.iter(f"{SVG}text")
            if label.get("class") == "fp-tick-label"
        ]
        assert len(xs) == len(labels) >= 3
        self.values = [tick_number(label) for label in labels]
        assert self.values == sorted(self.values)
        self.xs = xs
        line = next(ln for ln in axis.iter(f"{SVG}line") if ln.get("class") == "fp-axis-line")
        assert (float(line.get("x1")), float(line.get("x2"))) == (xs[0], xs[-1])
        self.low, self.high = self.values[0], self.values[-1]
        for value, x in zip(self.values, xs, strict=True):
            assert abs(self.x(value) - x) < 0.5, f"tick {value} is not where the scale puts it"

    def t(self, value):
        return math.log10(value) if self.log else value

    def x(self, value):
        low, high = self.t(self.low), self.t(self.high)
        return self.xs[0] + (self.t(value) - low) / (high - low) * (self.xs[-1] - self.xs[0])


def text_of(element):
    return "".join(element.itertext())


def rows_of(root):
    return root.findall(f"{SVG}g[@class='fp-row']")


def child(row, tag, css_class):
    return [el for el in row.iter(f"{SVG}{tag}") if el.get("class") == css_class]


def assert_whiskers_at_bounds(svg, rows, scale):
    root = parse(svg)
    axis = Scale(root, scale)
    drawn_rows = rows_of(root)
    assert len(drawn_rows) == len(rows)
    for row, drawn in zip(rows, drawn_rows, strict=True):
        (whisker,) = child(drawn, "line", "fp-whisker")
        left, right = float(whisker.get("x1")), float(whisker.get("x2"))
        arrows = [float(a.get("points").split(",")[0]) for a in child(drawn, "polygon", "fp-arrow")]
        for bound, end in ((row.lower, left), (row.upper, right)):
            if bound < axis.low:
                assert end == axis.xs[0], (row, end)
            elif bound > axis.high:
                assert end == axis.xs[-1], (row, end)
            else:
                assert abs(end - axis.x(bound)) <= 0.5, (row, bound, end, axis.x(bound))
        expected_arrows = [axis.xs[0]] * (row.lower < axis.low) + [axis.xs[-1]] * (
            row.upper > axis.high
        )
        assert arrows == expected_arrows, (row, arrows)
        squares = child(drawn, "rect", "fp-estimate")
        if axis.low <= row.estimate <= axis.high:
            (square,) = squares
            centre = float(square.get("x")) + float(square.get("width")) / 2
            assert abs(centre - axis.x(row.estimate)) <= 0.5, (row, centre)
        else:
            assert not squares
        (null,) = child(drawn, "line", "fp-null")
        assert abs(float(null.get("x1")) - axis.x(1 if scale == "ratio" else 0)) <= 0.5
    return root, axis


def test_the_care_ms_2_plot_is_a_labelled_image_with_ticks_round_one():
    svg = draw(CARE_MS_2, id_prefix="care", favours=("alemtuzumab", "interferon beta-1a"))
    root, axis = assert_whiskers_at_bounds(svg, CARE_MS_2, "ratio")
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "care-title care-desc"
    assert [el.tag for el in root][:2] == [f"{SVG}title", f"{SVG}desc"]
    assert root.find(f"{SVG}title").get("id") == "care-title"
    desc = root.find(f"{SVG}desc")
    assert desc.get("id") == "care-desc"
    assert "Relapse: 0·51 (0·39–0·65)." in desc.text
    assert "Sustained accumulation of disability: 0·58 (0·38–0·87)." in desc.text
    assert "logarithmic axis from 0·25 to 2" in desc.text
    assert "below 1 favour alemtuzumab" in desc.text
    assert root.get("width") == "100%" and root.get("viewBox").startswith("0 0 340.00 ")
    assert root.get("preserveAspectRatio")
    assert axis.values == [0.25, 0.5, 1, 2]
    texts = [text_of(el) for el in root.iter(f"{SVG}text")]
    assert "← Favours alemtuzumab" in texts and "Favours interferon beta-1a →" in texts
    assert any("no effect" in text for text in texts)


def test_the_picture_is_self_contained_and_styled_by_attributes_only():
    svg = draw(CARE_MS_2, favours=("a", "b"))
    root = parse(svg)
    for element in root.iter():
        assert element.tag.replace(SVG, "") not in ("style", "script", "image", "a", "use")
        for name, value in element.attrib.items():
            assert name != "style" and not name.startswith("on"), (element.tag, name)
            assert "href" not in name and "url(" not in value, (element.tag, name, value)
            if name in ("fill", "stroke"):
                assert value == "currentColor", (element.tag, name, value)
    assert "<style" not in svg and "javascript" not in svg.lower()


def test_a_single_degenerate_interval_is_a_square_on_a_sensible_axis():
    rows = [PlotRow("Point", 1.0, 1.0, 1.0, "1·0")]
    _, axis = assert_whiskers_at_bounds(draw(rows), rows, "ratio")
    assert axis.values == [0.8, 1, 1.25]


def test_extreme_intervals_get_decade_ticks_and_arrows_beyond_them():
    rows = [
        PlotRow("Very wide", 1.0, 0.001, 1000.0, "x"),
        PlotRow("Beyond", 2e6, 1e-9, 1e12, "y"),
        PlotRow("Tiny", 5e-324, 5e-324, 1e-300, "z"),
    ]
    root, axis = assert_whiskers_at_bounds(draw(rows), rows, "ratio")
    assert axis.values == [0.001, 0.01, 0.1, 1, 10, 100, 1000]
    very_wide, beyond, tiny = rows_of(root)
    assert not child(very_wide, "polygon", "fp-arrow")
    assert len(child(beyond, "polygon", "fp-arrow")) == 2
    assert len(child(tiny, "polygon", "fp-arrow")) == 1
    assert "end in an arrow" in root.find(f"{SVG}desc").text


@pytest.mark.parametrize(
    ("rows", "ticks"),
    [
        ([(0.9, 0.6, 1.3)], [0.5, 1, 2]),
        ([(0.95, 0.9, 1.1)], [0.8, 1, 1.25]),
        ([(0.3, 0.1, 0.5)], [0.1, 0.2, 0.5, 1, 2]),
        ([(3.0, 2.0, 8.0)], [0.5, 1, 2, 4, 8]),
        ([(5.0, 1.5, 40.0)], [0.1, 1, 10, 100]),
    ],
)
def test_ratio_ticks_are_familiar_numbers_round_one(rows, ticks):
    plot_rows = [PlotRow("x", *numbers, "x") for numbers in rows]
    _, axis = assert_whiskers_at_bounds(draw(plot_rows), plot_rows, "ratio")
    assert axis.values == ticks


def test_differences_cross_zero_on_a_linear_axis():
    rows = [
        PlotRow("Relapse-free", 18.0, 10.2, 25.9, "18·0"),
        PlotRow("Lesions", -4.2, -11.9, 3.4, "−4·2"),
    ]
    root, axis = assert_whiskers_at_bounds(draw(rows, scale="difference"), rows, "difference")
    assert axis.values == [-20, -10, 0, 10, 20, 30]
    labels = [text_of(el) for el in root.iter(f"{SVG}text") if el.get("class") == "fp-tick-label"]
    assert labels == ["−20", "−10", "0", "10", "20", "30"]
    assert "linear axis from −20 to 30" in root.find(f"{SVG}desc").text


def test_one_enormous_difference_does_not_squash_the_others():
    rows = [
        PlotRow("Ordinary", 2.0, 1.0, 3.0, "a"),
        PlotRow("Ordinary too", -1.0, -2.5, 0.5, "b"),
        PlotRow("Absurd", 1.0, -1e308, 1.7e308, "c"),
    ]
    root, axis = assert_whiskers_at_bounds(draw(rows, scale="difference"), rows, "difference")
    assert axis.high - axis.low <= 30
    assert len(child(rows_of(root)[2], "polygon", "fp-arrow")) == 2


def test_tiny_differences_get_a_readable_axis():
    rows = [PlotRow("Tiny", 0.0, -1e-300, 1e-300, "0")]
    root, axis = assert_whiskers_at_bounds(draw(rows, scale="difference"), rows, "difference")
    assert axis.low < 0 < axis.high and len(axis.values) <= 7


def test_the_decimal_mark_follows_the_rows_or_the_caller():
    dotted = parse(draw([PlotRow("x", 0.5, 0.3, 0.9, "0.50 (0.30-0.90)")]))
    labels = [text_of(el) for el in dotted.iter(f"{SVG}text") if el.get("class") == "fp-tick-label"]
    assert labels == ["0.25", "0.5", "1", "2"]
    comma = parse(draw(CARE_MS_2, decimal_mark=","))
    labels = [text_of(el) for el in comma.iter(f"{SVG}text") if el.get("class") == "fp-tick-label"]
    assert labels == ["0,25", "0,5", "1", "2"]


def test_missing_texts_are_blank_and_a_blank_axis_name_gets_the_default():
    root = parse(draw([PlotRow("x", 0.5, 0.3, 0.9, None)], measure_label=" \n "))
    (effect,) = child(rows_of(root)[0], "text", "fp-effect")
    assert text_of(effect) == ""
    titles = [text_of(el) for el in root.iter(f"{SVG}text") if el.get("class") == "fp-axis-title"]
    assert titles == ["Ratio (log scale; 1 = no effect)"]


def test_the_desc_can_be_the_callers_alone():
    root = parse(draw(CARE_MS_2, description="Exactly this.", describe_rows=False))
    assert root.find(f"{SVG}desc").text == "Exactly this."


# -- text -----------------------------------------------------------------------------------


def label_lines(row_element):
    (label,) = child(row_element, "text", "fp-label")
    return [text_of(span) for span in label]


def test_text_is_escaped_exactly_once_everywhere():
    nasty = "p<0·001 & n=202 \"quoted\" 'single' </svg><script>x</script>"
    svg = draw(
        [PlotRow(nasty, 0.5, 0.3, 0.9, nasty)],
        title=nasty,
        description=nasty,
        measure_label=nasty,
        favours=(nasty, nasty),
        id_prefix='q"<&>',
    )
    assert "<script>" not in svg and "</svg><" not in svg
    assert "&amp;amp;" not in svg and "&amp;lt;" not in svg
    assert "p&lt;0·001 &amp; n=202" in svg
    root = parse(svg)
    assert root.find(f"{SVG}title").text == nasty
    assert root.get("aria-labelledby") == 'q"<&>-title q"<&>-desc'
    assert "".join(label_lines(rows_of(root)[0])).startswith(nasty[:30])


def test_long_labels_wrap_and_very_long_ones_end_in_an_ellipsis():
    long_label = "Sustained accumulation of disability confirmed over six months"
    endless = "word " * 80
    cjk = "多发性硬化" * 12
    rows = [PlotRow(text, 0.5, 0.3, 0.9, "0·50 (0·30–0·90)") for text in (long_label, endless, cjk)]
    drawn = rows_of(parse(draw(rows)))
    assert "".join(label_lines(drawn[0])) == long_label
    assert 2 <= len(label_lines(drawn[0])) <= MAX_LABEL_LINES
    assert len(label_lines(drawn[1])) == MAX_LABEL_LINES
    assert label_lines(drawn[1])[-1].endswith("…")
    assert len(label_lines(drawn[2])) == MAX_LABEL_LINES
    assert "".join(label_lines(drawn[2])).rstrip("…") in cjk
    for row in drawn:
        (effect,) = child(row, "text", "fp-effect")
        assert text_of(effect) == "0·50 (0·30–0·90)"


def test_control_characters_and_non_characters_never_reach_the_xml():
    label = "a\x00b\x1bc\x7fd\ud800e\ufffef\U0010ffffg\nh"
    root = parse(draw([PlotRow(label, 1.0, 0.5, 2.0, "t\x0c")], title="t\x01"))
    assert "".join(label_lines(rows_of(root)[0])) == "a b c d\ufffde\ufffdf\ufffdg h"
    assert root.find(f"{SVG}title").text == "t"


@given(
    label=any_script_text(max_size=120),
    text=any_script_text(max_size=30),
    words=any_script_text(max_size=60),
)
def test_any_script_text_is_escaped_and_comes_back(label, text, words):
    svg = draw(
        [PlotRow(label, 0.5, 0.3, 0.9, text)],
        title=label,
        description=words,
        measure_label=words,
        favours=(label, text),
    )
    svg.encode("utf-8")
    root = parse(svg)
    expected = re.sub(" {2,}", " ", label).strip(" ")
    said = re.sub(" {2,}", " ", words).strip(" ")
    assert root.find(f"{SVG}desc").text.startswith(said)
    assert any(text_of(el).startswith(said[:10]) for el in root.iter(f"{SVG}text"))
    lines = label_lines(rows_of(root)[0])
    assert 1 <= len(lines) <= MAX_LABEL_LINES
    joined = "".join(lines)
    if joined.endswith("…") and not expected.endswith("…"):
        assert expected.startswith(joined[:-1].rstrip())
    else:
        assert joined == expected
    assert root.find(f"{SVG}title").text == expected
    assert f"{expected}: " in root.find(f"{SVG}desc").text


def test_the_hard_words_survive_as_labels():
    rows = [PlotRow(word, 0.5, 0.3, 0.9, word) for word in SAMPLES]
    root = parse(draw(rows))
    for word, drawn in zip(SAMPLES, rows_of(root), strict=True):
        assert "".join(label_lines(drawn)) == word
        (effect,) = child(drawn, "text", "fp-effect")
        assert text_of(effect) == word


# -- numbers --------------------------------------------------------------------------------

positive = st.floats(min_value=0, exclude_min=True, allow_nan=False, allow_infinity=False)
finite = st.floats(allow_nan=False, allow_infinity=False)


def triples(numbers):
    return st.lists(st.lists(numbers, min_size=3, max_size=3).map(sorted), min_size=1, max_size=5)


@given(triples(positive))
def test_any_positive_ratios_give_whiskers_at_their_bounds(numbers):
    rows = [
        PlotRow(f"Row {n}", estimate, lower, upper, "x")
        for n, (lower, estimate, upper) in enumerate(numbers)
    ]
    _, axis = assert_whiskers_at_bounds(draw(rows), rows, "ratio")
    assert 0.001 <= axis.low < 1 < axis.high <= 1000 and len(axis.values) <= 7


@given(triples(finite))
def test_any_differences_give_whiskers_at_their_bounds(numbers):
    rows = [
        PlotRow(f"Row {n}", estimate, lower, upper, "x")
        for n, (lower, estimate, upper) in enumerate(numbers)
    ]
    _, axis = assert_whiskers_at_bounds(draw(rows, scale="difference"), rows, "difference")
    assert axis.low < 0 < axis.high and len(axis.values) <= 7


def test_decimals_and_integers_are_numbers_too():
    rows = [
        PlotRow("Decimal", Decimal("0.51"), Decimal("0.39"), Decimal("0.65"), "0·51"),
        PlotRow("Int", 1, 1, 2, "1"),
    ]
    assert_whiskers_at_bounds(draw(rows), rows, "ratio")


@pytest.mark.parametrize(
    ("rows", "scale", "message"),
    [
        ([], "ratio", "at least one row"),
        ([PlotRow("x", math.nan, 0.1, 1, "")], "ratio", "finite"),
        ([PlotRow("x", 0.5, -math.inf, 1, "")], "difference", "finite"),
        ([PlotRow("x", 0.5, 0.1, math.inf, "")], "ratio", "finite"),
        ([PlotRow("x", Decimal("NaN"), 0.1, 1, "")], "ratio", "finite"),
        ([PlotRow("x", 10**400, 0.1, 10**401, "")], "ratio", "finite"),
        ([PlotRow("x", 0.5, 0.6, 0.9, "")], "ratio", "does not contain"),
        ([PlotRow("x", 0.95, 0.6, 0.9, "")], "ratio", "does not contain"),
        ([PlotRow("x", 0.5, 0.9, 0.1, "")], "ratio", "does not contain"),
        ([PlotRow("x", 0.5, 0.0, 0.9, "")], "ratio", "greater than 0"),
        ([PlotRow("x", -0.5, -0.9, 0.9, "")], "ratio", "greater than 0"),
        ([PlotRow("x", "0.5", 0.1, 0.9, "")], "ratio", "must be a number"),
        ([PlotRow("x", True, 0.1, 2, "")], "ratio", "must be a number"),
        ([PlotRow("x", None, 0.1, 2, "")], "ratio", "must be a number"),
        ([(0.5, 0.1, 0.9)], "ratio", "not a PlotRow"),
        ([PlotRow("x", 0.5, 0.1, 0.9, "")], "odds", "scale must be"),
    ],
)
def test_hostile_numbers_are_refused_with_a_reason(rows, scale, message):
    with pytest.raises(ValueError, match=message):
        draw(rows, scale=scale)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"title": "  \n "}, "needs a title"),
        ({"id_prefix": "two words"}, "id_prefix"),
        ({"id_prefix": ""}, "id_prefix"),
        ({"id_prefix": "tab\there"}, "id_prefix"),
        ({"favours": ("only one",)}, "not enough values"),
    ],
)
def test_bad_arguments_are_refused_with_a_reason(options, message):
    with pytest.raises(ValueError, match=message):
        draw(CARE_MS_2, **options)
