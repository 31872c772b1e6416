"""Reference superscripts become bracketed markers; exponents stay Unicode (issue 17 re-check A)."""

import pytest

from blog import markup
from imports.html_to_markdown import citation_marker, html_to_markdown


@pytest.mark.parametrize(
    ("html", "markdown"),
    [
        ("10<sup>9</sup>/L", "10⁹/L"),
        ("mg/m<sup>2</sup> daily", "mg/m² daily"),
        ("in 2011<sup>12,13</sup> showed", "in 2011 \\[12,13\\] showed"),
        ("two trials<sup>1-3</sup> found", "two trials \\[1–3\\] found"),
        ("as shown <sup>1–3</sup>.", "as shown \\[1–3\\]."),
        ("as shown<sup>1 - 3</sup>.", "as shown \\[1–3\\]."),
        ("x<sup>-1</sup>", "x⁻¹"),
        ("a rate of 3 s<sup>-1</sup> here", "a rate of 3 s⁻¹ here"),
        ("10<sup>-3</sup>", "10⁻³"),
        ("several trials<sup>4</sup> agree", "several trials \\[4\\] agree"),
        ("was shown.<sup>7</sup> Then", "was shown. \\[7\\] Then"),
        ("cm<sup>3</sup> of", "cm³ of"),
    ],
)
def test_reference_superscripts_become_markers_and_exponents_stay_unicode(html, markdown):
    converted = html_to_markdown(html, autop=True)
    assert converted.markdown == markdown
    assert converted.notes == []


def test_a_hyphen_between_digits_never_becomes_a_superscript_minus():
    for html, marker in (
        ("10<sup>1-3</sup>", "1–3"),
        ("m<sup>2-4</sup>", "2–4"),
        ("<sup>1-3</sup>", "1–3"),
    ):
        out = html_to_markdown(html).markdown
        assert "⁻" not in out
        assert f"\\[{marker}\\]" in out


def test_the_marker_renders_as_brackets_not_a_link():
    body = html_to_markdown("trials<sup>1</sup>(n=3) and 2011<sup>12,13</sup>").markdown
    html = markup.render_post(body)
    assert "trials [1](n=3)" in html
    assert "2011 [12,13]" in html
    assert "<a " not in html


@pytest.mark.parametrize("text", ["", " ", ",", "1,", "-1", "1--3", "1,,2", "a1", "1–"])
def test_what_is_not_a_reference_list(text):
    assert citation_marker(text, before="trials") == ""


def test_the_marker_check_is_linear():
    long = ",".join(["12"] * 50_000)
    assert citation_marker(long, before="x").startswith("[12,12")
    assert citation_marker("1" + "-" * 100_000, before="x") == ""
