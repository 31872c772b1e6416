"""Reply links are told apart from a commenter's website link, even one that ends the same
way (``#respond``, where WordPress keeps its comment form): in print only the Reply link is
hidden, and the script names only the Reply link "Reply to …"."""

import pytest

from comments.services import comment_approve, comment_submit

pytestmark = pytest.mark.e2e

WEBSITE = "https://wendy.example.org/2012/11/my-ms-story/#respond"


@pytest.fixture
def a_comment_with_such_a_website(care_ms_post, a_moderator):
    comment = comment_submit(
        post=care_ms_post,
        data={
            "name": "Wendy Press",
            "email": "wendy@example.org",
            "website": WEBSITE,
            "body": "My own story of the infusions.",
            "competing_interests": "None declared",
        },
        request_meta={"ip_address": "192.0.2.7", "user_agent": "e2e"},
    )
    return comment_approve(comment=comment, moderator=a_moderator)


def test_a_website_ending_in_respond_is_not_taken_for_the_reply_link(
    new_context, a_comment_with_such_a_website
):
    comment = a_comment_with_such_a_website
    page = new_context().new_page()
    page.goto(comment.post.get_absolute_url())
    byline = page.locator(f"#{comment.anchor} > p").first
    name = byline.locator(f'a[href="{WEBSITE}"]')
    reply = byline.get_by_role("link", name="Reply to Wendy Press")
    assert name.inner_text() == "Wendy Press"
    assert name.get_attribute("aria-label") is None
    assert reply.count() == 1
    page.emulate_media(media="print")
    assert name.is_visible(), "the commenter's name is hidden in print"
    assert not reply.is_visible(), "the Reply link is printed"
    assert "Wendy Press" in byline.inner_text()
