"""Brief c15d items 8 and 10 in a browser: a list in a comment looks the same in the
preview, the commenter's own block and the thread; the byline links of the thread (date,
Link, Reply) are tap targets of at least 24 x 24 px (WCAG 2.2, 2.5.8) on a phone."""

import pytest

from tests.e2e.helpers import comment_form, fill_comment, submit_button

pytestmark = pytest.mark.django_db(transaction=True)

LIST_BODY = "Two points:\n\n- the raters\n- the dropouts"


def _bullet(locator):
    return locator.locator("ul").first.evaluate("u => getComputedStyle(u).listStyleType")


def test_a_list_looks_the_same_in_the_preview_the_own_block_and_the_thread(
    new_context, care_ms_post_with_thread
):
    page = new_context().new_page()
    page.goto(care_ms_post_with_thread.get_absolute_url())
    thread_lists = page.locator("li[id^='comment-'] > ul")
    assert thread_lists.count(), "the thread fixture has a list in a comment"
    thread = thread_lists.first.evaluate("u => getComputedStyle(u).listStyleType")
    form = comment_form(page)
    fill_comment(form, name="Lia List", email="lia@example.org", body=LIST_BODY)
    form.get_by_role("button", name="Preview").click()
    preview = page.locator(".comment-preview")
    preview.locator("ul").first.wait_for()
    assert _bullet(preview) == thread == "disc"
    with page.expect_navigation():
        submit_button(form).click()
    own = page.locator("#your-comments")
    assert _bullet(own) == thread


def test_byline_links_are_24_px_tap_targets_on_a_phone(new_context, care_ms_post_with_thread):
    page = new_context(viewport={"width": 375, "height": 667}).new_page()
    page.goto(care_ms_post_with_thread.get_absolute_url())
    links = page.locator(".comment-list li[id^='comment-'] > p:first-child > a")
    assert links.count() >= 3
    for index in range(links.count()):
        box = links.nth(index).bounding_box()
        assert box["height"] >= 24 and box["width"] >= 24, links.nth(index).inner_text()
