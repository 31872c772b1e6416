"""The forest plot as a browser draws it, in a page shaped like the post page (the site's own
stylesheet, the main column): at 375 and 1,280 px its text is at least 11 CSS px, no two
pieces of text overlap and none leaves the picture, axe finds nothing and the Nu checker
accepts the SVG in HTML; printed and in forced-colours mode it is painted in the text's colour.
Screenshots go to artifacts/forest-plot-{375px,1280px,print,forced-colours}.png."""

from html import escape
from pathlib import Path

import pytest

from tests.e2e.helpers import axe_violations, nu_errors
from trials.forest_plot import PlotRow, forest_plot_svg

pytestmark = pytest.mark.e2e

STYLESHEET = Path(__file__).resolve().parents[2] / "static" / "css" / "site.css"

PLOTS = {
    "care-ms-2": {
        "rows": [
            PlotRow("Relapse", 0.51, 0.39, 0.65, "0·51 (0·39–0·65)"),
            PlotRow("Sustained accumulation of disability", 0.58, 0.38, 0.87, "0·58 (0·38–0·87)"),
        ],
        "scale": "ratio",
        "measure_label": "Rate ratio or hazard ratio",
        "favours": ("alemtuzumab", "interferon beta-1a"),
    },
    "any-script": {
        "rows": [
            PlotRow("التصلب المتعدد: الانتكاس خلال سنتين", 0.8, 0.6, 1.1, "0·80 (0·60–1·10)"),
            PlotRow(
                "多发性硬化复发率（两年随访）多发性硬化复发率", 1.3, 0.9, 1.9, "1·30 (0·90–1·90)"
            ),
            PlotRow(
                "טרשת נפוצה 🧠💊 e\u0301\u0301 \u202eevil\u202c", 0.5, 0.2, 1.2, "0·50 (0·20–1·20)"
            ),
            PlotRow("p<0·001 & n=202 " * 12, 2.0, 1.1, 3.5, "2·00 (1·10–3·50)"),
            PlotRow("Extreme", 1.0, 0.001, 1000.0, "1·0 (0·001–1000)"),
            PlotRow("Beyond the axis", 5e6, 1e-9, 1e12, "5×10⁶ (10⁻⁹–10¹²)"),
        ],
        "scale": "ratio",
        "favours": ("Ελληνικά", "中文"),
    },
    "differences": {
        "rows": [
            PlotRow("Relapse-free at 2 years", 18.0, 10.2, 25.9, "18·0 (10·2 to 25·9)"),
            PlotRow("Free of new lesions", -4.2, -11.9, 3.4, "−4·2 (−11·9 to 3·4)"),
        ],
        "scale": "difference",
        "measure_label": "Risk difference (percentage points)",
        "favours": ("interferon beta-1a", "alemtuzumab"),
    },
    "thirty": {
        "rows": [
            PlotRow(
                f"Outcome {n}: a secondary end point",
                0.5 + n / 30,
                0.3 + n / 40,
                1 + n / 10,
                f"{0.5 + n / 30:.2f}",
            )
            for n in range(30)
        ],
        "scale": "ratio",
    },
}

MEASURE = """(svg) => {
  const scale = svg.getScreenCTM().a;
  const box = (el) => { const r = el.getBoundingClientRect();
                        return {x: r.x, y: r.y, right: r.right, bottom: r.bottom}; };
  const texts = [...svg.querySelectorAll("text")].map((el) => ({
    text: el.textContent, size: parseFloat(getComputedStyle(el).fontSize) * scale, ...box(el)}));
  const marks = [...svg.querySelectorAll(".fp-whisker, .fp-estimate, .fp-arrow, .fp-null")]
    .map((el) => ({text: el.getAttribute("class"), ...box(el)}));
  return {svg: box(svg), width: svg.getBoundingClientRect().width, texts, marks};
}"""


def the_page(*, inline_stylesheet=True):
    """The plots in a page like the post page; the Nu checker gets the stylesheet as a link
    (it checks CSS too, and knows fewer properties than browsers do)."""
    svgs = "".join(
        f"<h2>{escape(name)}</h2>"
        + forest_plot_svg(
            title=f"Forest plot: {name}",
            description="The comparisons in the table above.",
            id_prefix=f"plot-{name}",
            **options,
        )
        for name, options in PLOTS.items()
    )
    stylesheet = (
        f"<style>{STYLESHEET.read_text()}</style>"
        if inline_stylesheet
        else '<link rel="stylesheet" href="/static/css/site.css">'
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Forest plots</title>{stylesheet}</head>"
        f'<body><div class="layout"><main><h1>Forest plots</h1>{svgs}</main></div></body></html>'
    )


def overlap(a, b, slack=0.5):
    return (
        a["x"] < b["right"] - slack
        and b["x"] < a["right"] - slack
        and a["y"] < b["bottom"] - slack
        and b["y"] < a["bottom"] - slack
    )


@pytest.mark.parametrize("width", [375, 1280])
def test_readable_without_collisions_at_phone_and_desktop_width(new_context, artifacts_dir, width):
    page = new_context(viewport={"width": width, "height": 900}).new_page()
    page.set_content(the_page())
    assert page.locator("svg.forest-plot").count() == len(PLOTS)
    problems = []
    for name in PLOTS:
        found = page.locator(f"svg[aria-labelledby^='plot-{name}-']").evaluate(MEASURE)
        if width == 375:
            assert 330 <= found["width"] <= 345, found["width"]
        assert found["texts"], name
        for text in found["texts"]:
            if text["size"] < 11:
                problems.append(f"{name}: {text['text']!r} renders at {text['size']:.1f}px")
            inside = found["svg"]
            if not (
                text["x"] >= inside["x"] - 0.5
                and text["right"] <= inside["right"] + 0.5
                and text["y"] >= inside["y"] - 0.5
                and text["bottom"] <= inside["bottom"] + 0.5
            ):
                problems.append(f"{name}: {text['text']!r} leaves the picture: {text}")
        for number, first in enumerate(found["texts"]):
            for second in found["texts"][number + 1 :] + found["marks"]:
                if overlap(first, second):
                    problems.append(f"{name}: {first['text']!r} overlaps {second['text']!r}")
    page.screenshot(path=artifacts_dir / f"forest-plot-{width}px.png", full_page=True)
    assert not problems, "\n".join(problems)
    assert axe_violations(page) == []


def test_nu_checker_accepts_the_svg_in_html(java, tmp_path, db):
    broken = forest_plot_svg(
        [PlotRow("x", 1, 1, 1, "1")], scale="ratio", title="t", description="d"
    ).replace('role="img"', 'role="img" x:broken="1"')
    errors = nu_errors(
        {
            "forest plots": the_page(inline_stylesheet=False),
            "known broken": the_page(inline_stylesheet=False).replace(
                "</main>", broken + "</main>"
            ),
        },
        tmp_path,
    )
    assert errors.pop("known broken", None), "the checker did not run"
    assert not errors, errors


PAINT = """(svg) => {
  const paint = (selector, property) =>
    getComputedStyle(svg.querySelector(selector))[property];
  return {text: getComputedStyle(document.body).color,
          whisker: paint(".fp-whisker", "stroke"), square: paint(".fp-estimate", "fill"),
          label: paint(".fp-label", "fill"), axis: paint(".fp-axis-line", "stroke")};
}"""


@pytest.mark.parametrize(
    ("name", "media"),
    [
        ("print", {"media": "print"}),
        ("forced-colours", {"forced_colors": "active", "color_scheme": "dark"}),
    ],
)
def test_the_plot_is_painted_in_the_text_colour_in_print_and_forced_colours(
    new_context, artifacts_dir, name, media
):
    page = new_context(viewport={"width": 375, "height": 900}).new_page()
    page.set_content(the_page())
    page.emulate_media(**media)
    plot = page.locator("svg.forest-plot").first
    paint = plot.evaluate(PAINT)
    assert {paint["whisker"], paint["square"], paint["label"], paint["axis"]} == {paint["text"]}
    if name == "print":
        assert paint["text"] == "rgb(0, 0, 0)"
    else:
        assert paint["text"] != "rgb(28, 28, 28)", "forced colours did not apply"
    plot.screenshot(path=artifacts_dir / f"forest-plot-{name}.png")
