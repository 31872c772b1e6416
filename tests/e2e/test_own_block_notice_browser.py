"""Brief c15d item 1 in a browser: after sending, the commenter's notice is in view, inside
the "Your comments" block, and after a second comment the new one is in view on a phone."""

import pytest

from tests.e2e.helpers import comment_form, fill_comment, submit_button

pytestmark = pytest.mark.django_db(transaction=True)


def _send(page, url, body):
    page.goto(url)
    form = comment_form(page)
    fill_comment(form, name="Alice Reader", email="alice@example.org", body=body)
    with page.expect_navigation():
        submit_button(form).click()


def _in_view(page, locator):
    box = locator.bounding_box()
    height = page.viewport_size["height"]
    return box is not None and box["y"] >= -1 and box["y"] + min(box["height"], 40) <= height


def test_the_notice_and_the_newest_comment_are_in_view_on_a_phone(new_context, care_ms_post):
    context = new_context(viewport={"width": 375, "height": 667})
    page = context.new_page()
    url = care_ms_post.get_absolute_url()
    _send(page, url, "The first held thought here.")
    _send(page, url, "The second held thought, written later.")
    assert page.url.endswith("#your-comments")
    block = page.locator("#your-comments")
    notice = block.get_by_role("status")
    assert "awaiting moderation" in notice.inner_text()
    assert _in_view(page, notice)
    assert _in_view(page, block.get_by_text("The second held thought, written later."))
    assert page.locator("#notice").count() == 0
