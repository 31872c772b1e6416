"""Issue 16: a moderator redacts a patient's phone number from a published comment with
JavaScript off; readers then see "[removed by moderator]", and the page passes axe."""

import pytest

from comments.models import Comment, Redaction
from tests.e2e.helpers import admin_login, axe_violations
from tests.test_comments_support import make_comment

pytestmark = pytest.mark.e2e

NUMBER = "07700 900123"


def test_a_moderator_redacts_a_phone_number_without_javascript(
    new_context, care_ms_post, a_moderator
):
    comment = make_comment(
        care_ms_post, status=Comment.Status.APPROVED, body=f"Ring my MS nurse on {NUMBER}."
    )
    reader = new_context().new_page()
    reader.goto(care_ms_post.get_absolute_url())
    assert NUMBER in reader.locator("main").inner_text()  # and now in the page cache

    moderator = new_context(java_script_enabled=False).new_page()
    admin_login(moderator, a_moderator)
    moderator.goto(comment.get_admin_url())
    form = moderator.locator("form.comment-redact")
    form.get_by_label("Text to remove").fill(NUMBER)
    form.get_by_label("Reason").fill("patient identifier: phone number")
    with moderator.expect_navigation():
        form.get_by_role("button", name="Redact").click()
    assert "The text was removed" in moderator.locator(".messagelist").inner_text()
    history = moderator.locator("#redaction-history").inner_text()
    assert "patient identifier: phone number" in history and a_moderator.username in history
    assert NUMBER not in moderator.locator("#content").inner_text()
    assert Redaction.objects.get().original_body.endswith(f"{NUMBER}.")

    # axe runs scripts and injects styles the admin's CSP refuses: it checks the comment's
    # page and the Redact page in a context with JavaScript on that lets its styles through.
    checker = new_context(bypass_csp=True).new_page()
    admin_login(checker, a_moderator)
    for address in (comment.get_admin_url(), f"{comment.get_admin_url()}redact/"):
        checker.goto(address)
        assert axe_violations(checker) == [], address

    reader.goto(care_ms_post.get_absolute_url())
    text = reader.locator("main").inner_text()
    assert NUMBER not in text and "[removed by moderator]" in text


@pytest.mark.parametrize("width", [1280, 375])
def test_the_redact_form_on_the_comments_page_is_as_wide_as_the_page(
    new_context, care_ms_post, a_moderator, width
):
    """Tryout (issue 19): the Redact form came after the admin's floated change form, in a
    sliver on the right, its textarea 14 px wide, and the page scrolled sideways."""
    comment = make_comment(care_ms_post, status=Comment.Status.APPROVED, body="A comment.")
    moderator = new_context(viewport={"width": width, "height": 900}).new_page()
    admin_login(moderator, a_moderator)
    moderator.goto(comment.get_admin_url())
    overflow = moderator.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    box = moderator.locator("form.comment-redact").get_by_label("Text to remove").bounding_box()
    assert box["width"] >= min(300, width - 120) and box["x"] + box["width"] <= width
