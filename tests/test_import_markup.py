"""What imported bodies and titles keep (issue 17 tryout): spaces after inline elements,
superscripts and subscripts, WordPress shortcodes, linked images, titles as plain text."""

import pytest

from imports.html_to_markdown import html_to_markdown


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
