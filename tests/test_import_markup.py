"""What imported bodies and titles keep (issue 17 tryout): spaces after inline elements,
superscripts and subscripts, WordPress shortcodes, linked images, titles as plain text."""

import pytest

from blog.models import Post
from imports.html_to_markdown import html_to_markdown
from imports.pipeline import import_parsed
from tests.test_import_pipeline import item, wxr


# ---------------------------------------------------------------- 1: spaces after inline
@pytest.mark.parametrize("autop", [True, False])
@pytest.mark.parametrize(
    ("html", "markdown"),
    [
        ("<i>N Engl J Med</i> 2012", "*N Engl J Med* 2012"),
        ('<a href="http://x.org/n">Notes</a> for', "[Notes](http://x.org/n) for"),
        ("<code>x</code> y", "`x` y"),
        ('<abbr title="t">MS</abbr> and <b>b</b>\tc', "MS and **b** c"),
        ("a <b>b</b>, <em>c</em>.", "a **b**, *c*."),
    ],
)
def test_the_space_after_an_inline_element_is_kept(html, markdown, autop):
    assert html_to_markdown(html, autop=autop).markdown == markdown


def test_autop_still_makes_paragraphs_and_line_breaks():
    out = html_to_markdown("<b>One</b> two\nthree\n\n<i>Four</i> five", autop=True).markdown
    assert out == "**One** two  \nthree\n\n*Four* five"


# ---------------------------------------------------------------- 2: superscripts, subscripts
@pytest.mark.parametrize(
    ("html", "markdown"),
    [
        ("10<sup>9</sup>/L", "10⁹/L"),
        ("mg/m<sup>2</sup> daily", "mg/m² daily"),
        ("H<sub>2</sub>O", "H₂O"),
        ("10<sup>-3</sup>", "10⁻³"),
        ("1<sup>st</sup> line", "1ˢᵗ line"),
    ],
)
def test_superscripts_and_subscripts_become_unicode(html, markdown):
    converted = html_to_markdown(html, autop=True)
    assert converted.markdown == markdown
    assert converted.notes == []


def test_a_subscript_without_unicode_form_stays_text_with_a_note():
    converted = html_to_markdown("HbA<sub>1c</sub> 7%", autop=True)
    assert converted.markdown == "HbA1c 7%"
    assert converted.notes == ["subscript \u201c1c\u201d kept as plain text"]


@pytest.mark.django_db
def test_the_report_names_the_post_whose_subscript_stayed_text():
    report = import_parsed(wxr(item(title="HbA1c", body_html="HbA<sub>1c</sub> and m<sup>2</sup>")))
    assert Post.objects.get().body == "HbA1c and m²"
    assert "post \u201cHbA1c\u201d: subscript \u201c1c\u201d kept as plain text" in report.lines
