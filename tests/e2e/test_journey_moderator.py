"""Journey 3: a moderator approves a held comment in the admin; everyone then sees it."""

import re

import pytest

from comments.models import Comment
from tests.e2e.helpers import admin_approve, admin_login, submit_comment

pytestmark = pytest.mark.e2e

BODY = "See [the trial record](https://clinicaltrials.gov/study/NCT00548405): *two* doses."


def test_moderator_approves_and_the_comment_shows_with_a_nofollow_link(
    new_context, care_ms_post, a_moderator
):
    commenter = new_context().new_page()
    commenter.goto(care_ms_post.get_absolute_url())
    submit_comment(commenter, name="Ann Reader", email="ann@example.org", body=BODY)
    assert Comment.objects.get(post=care_ms_post).status == Comment.Status.HELD

    moderator = new_context().new_page()
    admin_login(moderator, a_moderator)
    with moderator.expect_navigation():
        moderator.locator("tr.model-comment th a").click()
    queue = moderator.locator("#result_list")
    assert "Ann Reader" in queue.inner_text()
    message = admin_approve(moderator, status_filter="held")
    assert re.search(r"approved", message, re.I), message
    assert Comment.objects.get(post=care_ms_post).status == Comment.Status.APPROVED

    for reader in (commenter, new_context().new_page()):
        reader.goto(care_ms_post.get_absolute_url())
        link = reader.locator('a[href="https://clinicaltrials.gov/study/NCT00548405"]').filter(
            has_text="the trial record"
        )
        assert link.count() == 1 and link.is_visible()
        assert set(link.get_attribute("rel").split()) >= {"nofollow", "ugc"}
        emphasis = reader.locator("em", has_text="two")
        assert emphasis.count() == 1 and emphasis.is_visible()
        assert "Ann Reader" in reader.locator("main").inner_text()
