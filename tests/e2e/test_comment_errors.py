"""A commenter's typo, seen at once; and the moderation queue on a 1,280 px screen."""

import re

import pytest

from comments.models import Comment
from tests.e2e.helpers import admin_login, comment_form, fill_comment, submit_button

pytestmark = pytest.mark.e2e


def test_a_typo_opens_at_the_form_with_the_summary_focused_then_a_quick_resend_is_held(
    new_context, care_ms_post, settings
):
    settings.COMMENT_MIN_SUBMIT_SECONDS = 30  # the resend comes far sooner than this
    page = new_context().new_page()
    page.goto(care_ms_post.get_absolute_url())
    form = comment_form(page)
    fill_comment(form, name="Ann Reader", email="ann@example", body="Were they *masked*?")
    Comment.objects.all().delete()
    with page.expect_navigation():
        submit_button(form).click()

    assert page.url.endswith("#respond"), page.url
    summary = page.locator("#comment-errors")
    assert summary.is_visible()
    assert page.evaluate("document.activeElement.id") == "comment-errors"
    box = summary.bounding_box()
    assert 0 <= box["y"] < page.viewport_size["height"], "the summary is not in view"
    link = summary.get_by_role("link", name=re.compile("Email: Enter a valid email"))
    link.click()
    assert page.evaluate("document.activeElement.id") == "id_email"

    page.locator("#id_email").fill("ann@example.org")
    with page.expect_navigation():
        submit_button(comment_form(page)).click()
    # The browser lands on the commenter's own block, the held comment marked in it.
    assert page.url.endswith("#your-comments"), page.url
    notice = page.locator("#your-comments").get_by_text(re.compile("awaiting moderation", re.I))
    assert notice.first.is_visible()
    box = notice.first.bounding_box()  # in view: not left far above an empty form on a phone
    assert box and box["y"] + box["height"] > 0 and box["y"] < page.viewport_size["height"], box
    comment = Comment.objects.get(post=care_ms_post)
    assert comment.status == Comment.Status.HELD  # never spam for a person's speed
    assert comment.status_reason.startswith("sent again")


def test_the_moderation_queue_fits_1280_pixels(new_context, care_ms_post_with_thread, a_moderator):
    page = new_context(viewport={"width": 1280, "height": 800}).new_page()
    admin_login(page, a_moderator)
    page.goto("/admin/comments/comment/")
    assert page.locator("#result_list tbody tr").count() >= 1
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the queue scrolls sideways by {overflow} px"
    assert_fits(page, "#changelist .results", "#result_list")
    for column in ("status", "post_title", "received", "reason"):
        header = page.locator(f"#result_list th.column-{column}")
        box = header.bounding_box()
        assert box and box["x"] + box["width"] <= 1280, (column, box)
    title = page.locator("#result_list td.field-post_title").first.bounding_box()
    assert title["width"] >= 120, f"the post's title is squeezed to {title['width']} px"
    status = page.locator("#result_list td.field-status").first
    assert status.evaluate("e => e.getClientRects().length") >= 1
    words = status.inner_text().split()
    lines = status.evaluate(
        "e => { const r = document.createRange(); r.selectNodeContents(e);"
        " return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size }"
    )
    assert lines <= len(words), f"the status breaks inside a word: {words} on {lines} lines"


def test_the_post_editor_fits_1280_pixels(new_context, an_author_account):
    """The disclosures table and the labels box fit an ordinary laptop screen."""
    page = new_context(viewport={"width": 1280, "height": 800}).new_page()
    admin_login(page, an_author_account)
    page.goto("/admin/blog/post/add/")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    wide = page.evaluate(
        "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right"
        " > window.innerWidth).slice(-6).map(e => e.tagName + '#' + e.id + '.' + e.className"
        " + ' ' + Math.round(e.getBoundingClientRect().width))"
    )
    assert overflow <= 0, f"the post editor scrolls sideways by {overflow} px: {wide}"
    assert page.locator("#id_tags").bounding_box()["width"] >= 400
    assert_fits(page, "#disclosures-group", "#disclosures-group table")


SCROLLBAR = 17
"""Headless Chromium draws no scrollbars; a desktop browser takes about this much width."""


def assert_fits(page, box_selector, content_selector):
    """The content's right edge lies inside its box, with room for a desktop scrollbar."""
    box = page.locator(box_selector).first.bounding_box()
    content = page.locator(content_selector).first.bounding_box()
    room = page.viewport_size["width"] - SCROLLBAR
    right = content["x"] + content["width"]
    assert right <= box["x"] + box["width"] + 1, f"{content_selector} overflows {box_selector}"
    assert right <= room, f"{content_selector} ends at {right} px, past {room} px"


def test_an_address_the_browser_would_refuse_gets_the_same_error_summary(new_context, care_ms_post):
    """The form leaves checking to the server (novalidate, as GOV.UK forms do): every
    mistake gets the one error summary, not a browser bubble that screen readers may miss."""
    page = new_context().new_page()
    page.goto(care_ms_post.get_absolute_url())
    form = comment_form(page)
    fill_comment(form, name="Jane", email="jane@example,com", body="A question.")
    with page.expect_navigation() as navigation:
        submit_button(form).click()
    assert navigation.value.status == 400
    summary = page.locator("#comment-errors")
    assert summary.is_visible() and "Email" in summary.inner_text()
    assert page.locator("#id_body").input_value() == "A question."
