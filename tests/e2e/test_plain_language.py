"""The plain-words box, the review notice and the glossary on the demo post in a browser:
at 375 and 1,280 px the box is visible before the body, the page never scrolls sideways,
a glossary link takes a touch or keyboard user to the explanation and back; axe finds
nothing; the Nu checker finds no error."""

import pytest

from tests.e2e.helpers import axe_violations, nu_errors

pytestmark = pytest.mark.e2e

SIDEWAYS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.mark.parametrize("width", [375, 1280])
def test_box_notice_and_glossary(new_context, care_ms_post, artifacts_dir, width):
    page = new_context(
        viewport={"width": width, "height": 800}, is_mobile=width < 600, has_touch=width < 600
    ).new_page()
    page.goto(care_ms_post.get_absolute_url())
    box = page.get_by_role("region", name="In plain words")
    assert box.is_visible()
    assert "Talk to your MS team" in box.inner_text()
    box_top = box.bounding_box()["y"]
    assert box_top < page.locator(".post-body").bounding_box()["y"]
    assert page.locator(".review-notice").is_visible()
    assert "has not been reviewed since" in page.locator(".review-notice").inner_text()
    assert page.evaluate(SIDEWAYS) <= 0
    box.screenshot(path=artifacts_dir / f"plain-words-{width}px.png")

    first = page.locator("a.glossary-ref", has_text="RRMS").first
    first.click() if width >= 600 else first.tap()
    explained = page.locator("#word-relapsing-remitting-multiple-sclerosis-text")
    assert explained.is_visible()
    assert page.evaluate("location.hash") == "#word-relapsing-remitting-multiple-sclerosis"
    assert "attacks" in explained.inner_text()
    # The post says it in full and as RRMS: one way back to each; the RRMS tapped is the way.
    explained.get_by_role("link", name="Back to ‘RRMS’ in the text").click()
    assert page.evaluate("location.hash") == "#used-relapsing-remitting-multiple-sclerosis-abbr"
    assert page.locator("#used-relapsing-remitting-multiple-sclerosis-abbr").is_visible()


def test_axe_finds_nothing(new_context, care_ms_post):
    found = {}
    for width in (375, 1280):
        page = new_context(viewport={"width": width, "height": 800}).new_page()
        page.goto(care_ms_post.get_absolute_url())
        assert page.locator("section.plain-words").is_visible()
        assert page.locator("section.words-explained").count() == 1
        found[width] = axe_violations(page)
    assert not any(found.values()), found


def test_nu_html_checker_finds_no_errors(java, page, care_ms_post, tmp_path):
    response = page.goto(care_ms_post.get_absolute_url())
    assert response.status == 200
    sent = {"demo post": response.text()}
    assert "words-explained" in sent["demo post"] and "plain-words" in sent["demo post"]
    sent["known broken page"] = (
        "<!DOCTYPE html><html lang=en><head><title>x</title></head><body><p><div></body>"
    )
    errors = nu_errors(sent, tmp_path)
    assert errors.pop("known broken page", []), "the checker did not run"
    assert not errors, errors


HEADER_OVERFLOW = """els => els.filter(el => el.scrollWidth > el.clientWidth + 1)
  .map(el => el.innerText + ': ' + el.scrollWidth + ' > ' + el.clientWidth)"""


def test_at_375px_the_evidence_is_introduced_and_its_headers_fit(
    new_context, care_ms_post, artifacts_dir
):
    """The tryout's phone: a hint says dotted words are explained before the first one; the
    evidence section says who it is for; no header cell of either table spills out of its
    cell ("Immune thrombocytopenia" did); the harms table says it scrolls, and scrolled to
    its end it shows the alemtuzumab column."""
    page = new_context(
        viewport={"width": 375, "height": 800}, is_mobile=True, has_touch=True
    ).new_page()
    page.goto(care_ms_post.get_absolute_url())
    hint = page.locator(".glossary-hint")
    assert hint.is_visible() and "dotted underline" in hint.inner_text()
    first_word = page.locator("a.glossary-ref").first
    assert hint.bounding_box()["y"] < first_word.bounding_box()["y"]
    lead = page.locator(".trial-results-lead")
    assert "for health professionals" in lead.inner_text()
    lead.get_by_role("link", name="“In plain words” summary").click()
    assert page.evaluate("location.hash") == "#plain-words-title"
    overflowing = page.locator(".trial-table th").evaluate_all(HEADER_OVERFLOW)
    assert overflowing == []
    harms = page.get_by_role("region", name="Harms in CARE-MS II")
    harms.scroll_into_view_if_needed()
    hints = page.locator(".trial-scroll-hint")
    assert hints.count() == 2 and hints.nth(1).is_visible()
    harms.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
    column = harms.locator("thead th").last
    assert "alemtuzumab" in column.inner_text().lower()
    box, cell = harms.bounding_box(), column.bounding_box()
    assert (
        box["x"] - 0.5 <= cell["x"] and cell["x"] + cell["width"] <= box["x"] + box["width"] + 0.5
    )
    harms.screenshot(path=artifacts_dir / "harms-375px.png")
    page.locator(".trial-results").get_by_role("link", name="Rate ratio").click()
    assert page.evaluate("location.hash") == "#word-rate-ratio"
    assert page.locator("#word-rate-ratio-text").is_visible()
