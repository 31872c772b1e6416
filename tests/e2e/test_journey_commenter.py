"""Journey 2: a commenter writes Markdown, is told it awaits moderation, and nobody sees it yet."""

import pytest

from comments.models import Comment
from tests.e2e.helpers import AWAITING, comment_form, fill_comment, submit_button

pytestmark = pytest.mark.e2e

BODY = "I read [the EMA assessment](https://www.ema.europa.eu/) and it is *very* cautious."


def test_commenter_submits_markdown_and_sees_the_awaiting_moderation_notice(
    new_context, care_ms_post
):
    commenter = new_context().new_page()
    commenter.goto(care_ms_post.get_absolute_url())
    form = comment_form(commenter)
    assert form.is_visible()
    fill_comment(form, name="Ann Reader", email="ann@example.org", body=BODY)
    with commenter.expect_navigation():
        submit_button(form).click()

    assert commenter.url.split("#")[0].endswith(care_ms_post.get_absolute_url())
    notice = commenter.get_by_text(AWAITING).first
    assert notice.is_visible(), "no awaiting-moderation notice"
    # Held: not in the thread; shown to its sender alone, marked (issue 15, "your pending
    # comment"; tests/e2e/test_pending_comment.py checks the other browser never sees it).
    own = commenter.locator("#your-comments")
    assert "the EMA assessment" in own.inner_text() and "Awaiting moderation" in own.inner_text()
    link = 'a[href="https://www.ema.europa.eu/"]'
    assert commenter.locator(link).count() == own.locator(link).count() == 1

    stored = Comment.objects.get(post=care_ms_post)
    assert stored.status == Comment.Status.HELD
    assert stored.name == "Ann Reader"

    stranger = new_context().new_page()
    stranger.goto(care_ms_post.get_absolute_url())
    assert stranger.get_by_role("heading", level=1).is_visible()
    assert "the EMA assessment" not in stranger.content()
    assert (
        stranger.get_by_text(AWAITING).count() == 0
        or not stranger.get_by_text(AWAITING).first.is_visible()
    )
