"""Issue 15 for the moderators, in a browser: the commenter's title on the desk (a long one
fits a phone, the page passes axe), "Reply (approves the comment)" on held rows only, and
the record of a withdrawn comment found from the admin's index."""

import pytest
from django.urls import reverse

from comments import services
from comments.models import Comment
from tests.e2e.helpers import admin_login, axe_violations
from tests.test_comments_support import make_comment

pytestmark = pytest.mark.e2e

Status = Comment.Status
LONG_TITLE = "Re-analysis of the " + "alemtuzumab" * 8 + " trial \u05e2\u05d1\u05e8\u05d9\u05ea"


@pytest.mark.parametrize("width", [375, 1280])
def test_the_desk_shows_titles_and_says_reply_approves_on_held_rows_only(
    new_context, care_ms_post, a_moderator, width
):
    held = make_comment(care_ms_post, status=Status.HELD, title=LONG_TITLE, body="Held.")
    approved = make_comment(care_ms_post, status=Status.APPROVED, title="<b>Bold?</b>")
    page = new_context(viewport={"width": width, "height": 900}, bypass_csp=True).new_page()
    admin_login(page, a_moderator)
    page.goto(reverse("admin:comments_comment_desk") + "?status=all")
    held_row, approved_row = page.locator(f"#desk-{held.pk}"), page.locator(f"#desk-{approved.pk}")
    assert held_row.locator(".desk-title").inner_text() == f"Title: {LONG_TITLE}"
    assert approved_row.locator(".desk-title").inner_text() == "Title: <b>Bold?</b>"
    assert held_row.locator("summary").inner_text().startswith("Reply (approves the comment)")
    approved_summary = approved_row.locator("summary").inner_text()
    assert approved_summary.startswith("Reply") and "approves" not in approved_summary
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    assert axe_violations(page) == []


def test_a_moderator_finds_a_withdrawn_comment_from_the_admin_index(
    new_context, care_ms_post, a_moderator
):
    comment = make_comment(care_ms_post, title="Second thoughts", body="I take it back.")
    services.comment_withdraw(comment_id=comment.pk)
    page = new_context(java_script_enabled=False).new_page()
    admin_login(page, a_moderator)
    with page.expect_navigation():
        page.get_by_role("link", name="Withdrawn comments").first.click()
    listing = page.locator("#result_list").inner_text()
    assert "Second thoughts" in listing and "I take it back." in listing
    assert care_ms_post.title[:40] in listing
