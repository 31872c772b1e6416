"""Preview a comment on a phone (375 px): without JavaScript (a page load) and in place."""

import re

import pytest

from comments.models import Comment
from tests.e2e.helpers import (
    axe_violations,
    comment_form,
    fill_comment,
    nu_errors,
    submit_button,
)
from tests.e2e.test_valid_html import BROKEN

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 740}
BODY = "Were the raters *masked*?\n\n- yes\n- no\n\n<script>window.__xss = 1</script>"


def preview_button(form):
    return form.get_by_role("button", name="Preview")


def assert_previewed(page, new_context, javascript):
    section = page.locator("section.comment-preview")
    assert section.is_visible()
    assert section.locator("em", has_text="masked").count() == 1
    assert section.locator("li").count() == 2
    assert section.locator("script").count() == 0
    assert "<script>" in section.inner_text()  # shown as the text it is, not run
    box = section.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    assert comment_form(page).get_by_label(re.compile(r"^\s*comment", re.I)).input_value() == BODY
    assert Comment.objects.count() == 0
    checked = page
    if not javascript:
        # Playwright cannot evaluate (nor run axe) where JavaScript is off: the same HTML,
        # at the same address and width, in a page where it is on.
        checked = new_context(viewport=PHONE).new_page()
        checked.goto("/")
        checked.set_content(page.content())
    assert checked.evaluate("window.__xss") is None
    overflow = checked.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow} px"
    assert axe_violations(checked) == []


@pytest.mark.parametrize("javascript", [False, True], ids=["without-js", "with-js"])
def test_preview_then_send_on_a_phone(new_context, care_ms_post, javascript):
    page = new_context(viewport=PHONE, java_script_enabled=javascript).new_page()
    page.goto(care_ms_post.get_absolute_url())
    form = comment_form(page)
    fill_comment(form, name="Ann Reader", email="ann@example.org", body=BODY)
    form.get_by_label("Title (optional)").fill("On masking")
    url_before = page.url
    if javascript:
        preview_button(form).click()
        page.locator("section.comment-preview").wait_for()
        assert page.url == url_before  # in place: no page load
        assert page.evaluate("document.activeElement.id") == "comment-preview"
    else:
        with page.expect_navigation():
            preview_button(form).click()
        assert page.url.endswith("#respond"), page.url  # the heading, the preview just below
    assert_previewed(page, new_context, javascript)
    assert page.locator("section.comment-preview").get_by_text("On masking").is_visible()

    # Previewing again replaces the preview; then the comment is sent as previewed.
    form = comment_form(page)
    form.get_by_label(re.compile(r"^\s*comment", re.I)).fill(BODY + "\n\nAnd *blinded*?")
    if javascript:
        preview_button(form).click()
        page.locator("section.comment-preview em", has_text="blinded").wait_for()
    else:
        with page.expect_navigation():
            preview_button(form).click()
    assert page.locator("section.comment-preview").count() == 1
    with page.expect_navigation():
        submit_button(comment_form(page)).click()
    comment = Comment.objects.get()
    assert comment.title == "On masking"
    assert comment.body.endswith("And *blinded*?")
    assert comment.status != Comment.Status.SPAM


def test_an_in_place_preview_with_errors_says_so(new_context, care_ms_post, settings):
    settings.COMMENT_MAX_WORDS = 5
    page = new_context(viewport=PHONE).new_page()
    page.goto(care_ms_post.get_absolute_url())
    form = comment_form(page)
    fill_comment(form, name="Ann", email="ann@example.org", body="one two three four five six")
    preview_button(form).click()
    errors = page.locator("section.comment-preview .comment-preview-errors")
    errors.wait_for()
    assert "Your comment has 6 words; the limit is 5." in errors.inner_text()
    assert axe_violations(page) == []
    assert Comment.objects.count() == 0


def test_a_responses_own_page_is_valid_and_accessible_on_a_phone(
    new_context, java, care_ms_post_with_thread, tmp_path
):
    """The comment's date in the thread leads to the response's page; it is valid."""
    post = care_ms_post_with_thread
    reply = Comment.objects.approved().filter(post=post, parent__isnull=False).first()
    page = new_context(viewport=PHONE).new_page()
    page.goto(post.get_absolute_url())
    byline = page.locator(f"#comment-{reply.pk} > p:first-child")
    with page.expect_navigation():
        byline.get_by_role("link", name=re.compile(r"\u2019s comment$")).click()
    assert page.url.endswith(f"/comments/{reply.pk}/")
    assert page.get_by_role("heading", level=1).inner_text() == f"Re: {post.title}"
    assert page.locator("#cite").is_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow} px"
    assert axe_violations(page) == []
    sent = {"response page": page.goto(reply.get_response_url()).text()}

    plain = new_context(viewport=PHONE, java_script_enabled=False).new_page()
    plain.goto(post.get_absolute_url())
    form = comment_form(plain)
    fill_comment(form, name="Ann", email="ann@example.org", body=BODY)
    with plain.expect_navigation() as navigation:
        preview_button(form).click()
    sent["preview page"] = navigation.value.text()
    sent["known broken page"] = BROKEN  # proves the checker ran
    errors = nu_errors(sent, tmp_path)
    assert errors.pop("known broken page", []), "the HTML checker did not run"
    assert not errors, errors
