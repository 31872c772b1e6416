"""Phone (375 px) and desktop (1280 px): nothing scrolls sideways and the comment form can be
filled and sent. Screenshots of the post page at both widths go to artifacts/ (git ignores it)."""

import pytest

from comments.models import Comment
from tests.e2e.helpers import AWAITING, comment_form, fill_comment, public_pages, submit_button

pytestmark = pytest.mark.e2e

SIDEWAYS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.mark.parametrize("width", [375, 1280])
def test_no_sideways_scroll_and_a_usable_comment_form(
    new_context, care_ms_post, artifacts_dir, width
):
    page = new_context(
        viewport={"width": width, "height": 800}, is_mobile=width < 600, has_touch=width < 600
    ).new_page()
    for name, url in public_pages(care_ms_post).items():
        page.goto(url)
        overflow = page.evaluate(SIDEWAYS)
        assert overflow <= 0, f"the {name} scrolls {overflow}px sideways at {width}px"

    page.goto(care_ms_post.get_absolute_url())
    page.screenshot(path=artifacts_dir / f"post-page-{width}px.png", full_page=True)

    form = comment_form(page)
    fields = [
        field
        for field in form.locator("input:visible, textarea:visible").all()
        if field.evaluate("el => !el.closest('[aria-hidden=true]')")  # not the honeypot
    ]
    assert len(fields) >= 4, fields
    for control in [*fields, submit_button(form)]:
        control.scroll_into_view_if_needed()
        box = control.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, (
            f"{control} sticks out of the {width}px screen: {box}"
        )
        assert box["height"] >= 24, f"{control} is too small to tap: {box}"
    fill_comment(form, name=f"Reader at {width}px", email="w@example.org", body="Fits.")
    with page.expect_navigation():
        if width < 600:
            submit_button(form).tap()
        else:
            submit_button(form).click()
    assert page.get_by_text(AWAITING).first.is_visible()
    assert Comment.objects.filter(name=f"Reader at {width}px").exists()


def test_on_a_phone_long_words_are_hyphenated_but_never_in_links_or_code(new_context, care_ms_post):
    """ "thrombocytopenia" broke mid-word with no hyphen at 375 px (a tryout): the post's
    text asks for hyphenation on a phone (shown where the browser has hyphenation for
    en-GB: phones do, Chromium on Linux has none to show); links and code never get it."""
    hyphens = "el => getComputedStyle(el).hyphens"
    phone = new_context(viewport={"width": 375, "height": 800}, is_mobile=True).new_page()
    phone.goto(care_ms_post.get_absolute_url())
    assert phone.locator("main p").first.evaluate(hyphens) == "auto"
    assert phone.locator("main p a").first.evaluate(hyphens) == "manual"
    desktop = new_context(viewport={"width": 1280, "height": 800}).new_page()
    desktop.goto(care_ms_post.get_absolute_url())
    assert desktop.locator("main p").first.evaluate(hyphens) == "manual"


def test_the_text_kept_on_the_csrf_failure_page_fits_a_phone(new_context, care_ms_post):
    """A comment sent after its session's cookie was lost: the 403 page keeps the text in a
    read-only box, which fits the 375 px screen (its cols=60 alone would not)."""
    context = new_context(viewport={"width": 375, "height": 800}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(care_ms_post.get_absolute_url())
    form = comment_form(page)
    body = "A long line of text that a reader wrote before the cookie went missing. " * 3
    fill_comment(form, name="Lost Cookie", email="lost@example.org", body=body)
    context.clear_cookies()
    with page.expect_navigation():
        submit_button(form).tap()
    kept = page.locator("#kept-text")
    assert kept.input_value().strip() == body.strip()
    assert page.evaluate(SIDEWAYS) <= 0, "the page scrolls sideways"
    box = kept.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375, box
