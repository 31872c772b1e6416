"""Issue 19 in the browser: a thread in pages, followed without JavaScript by its links and
with it from an old "#comment-<id>" link to the page the comment is on now."""

import pytest

from comments.models import Comment
from comments.services import post_recount_comments
from tests.e2e.helpers import axe_violations
from tests.factories import make_post
from tests.test_comments_support import make_comment

pytestmark = pytest.mark.e2e


@pytest.fixture
def paged_thread(care_ms_post, settings):
    """Five conversations, two a page: three pages; a reply on page 2."""
    settings.COMMENTS_PER_PAGE = 2

    def approved(body, parent=None):
        return Comment.objects.create(
            post=care_ms_post,
            parent=parent,
            name="Ann Reader",
            email="ann@example.org",
            body=body,
            status=Comment.Status.APPROVED,
        )

    roots = [approved(f"Conversation {n}.") for n in range(5)]
    reply = approved("A reply on page two.", parent=roots[2])
    post_recount_comments(post_id=care_ms_post.pk)
    return roots, reply


def test_the_pager_works_without_javascript(new_context, care_ms_post, paged_thread):
    page = new_context(java_script_enabled=False).new_page()
    page.goto(care_ms_post.get_absolute_url())
    pager = page.get_by_role("navigation", name="Comment pages")
    pager.get_by_role("link", name="Newer comments").click()
    assert "cpage=2" in page.url
    assert page.locator("#comments-heading").inner_text() == "6 comments, page 2 of 3"
    assert page.get_by_text("A reply on page two.").is_visible()
    pager = page.get_by_role("navigation", name="Comment pages")
    pager.get_by_role("link", name="Page 3").click()
    assert page.get_by_text("Conversation 4.").is_visible()
    assert page.get_by_text("Conversation 0.").count() == 0


def test_an_old_anchor_link_finds_its_page(page, care_ms_post, paged_thread):
    _roots, reply = paged_thread
    page.goto(f"{care_ms_post.get_absolute_url()}#comment-{reply.pk}")
    page.wait_for_url(f"**?cpage=2#comment-{reply.pk}")
    assert page.locator(f"#comment-{reply.pk}").is_visible()
    assert (
        page.locator(f"#comment-{reply.pk} > p:first-child a")
        .first.get_attribute("aria-label")
        .endswith("Ann Reader\u2019s comment")
    )
    assert axe_violations(page) == []


@pytest.mark.parametrize("whose", ["held", "other post", "unknown"])
def test_an_old_anchor_to_a_comment_readers_cannot_reach_here_keeps_the_post(
    page, care_ms_post, paged_thread, whose
):
    """Tryout: comments.js sent the reader to /comments/<id>/thread/, a 404, in place of
    the post. Now it asks /comments/<id>/place/ first and stays on the post (as without
    JavaScript), with nothing in the console."""
    if whose == "held":
        target = make_comment(care_ms_post, status=Comment.Status.HELD, body="Held.").pk
    elif whose == "other post":
        other = make_post(title="Another write-up")
        target = make_comment(other, status=Comment.Status.APPROVED, body="Elsewhere.").pk
    else:
        target = 987654
    asked = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto(f"{care_ms_post.get_absolute_url()}#comment-{target}")
    page.wait_for_function(
        "id => performance.getEntriesByType('resource').some(e => e.name.includes(id))",
        arg=f"/comments/{target}/place/",
    )
    page.wait_for_timeout(300)
    assert page.url.endswith(f"{care_ms_post.get_absolute_url()}#comment-{target}")
    assert page.locator("#comments-heading").is_visible()
    assert any(f"/comments/{target}/place/" in url for url in asked)


def test_a_reply_link_to_another_page_and_cancel_leave_a_plain_address(
    page, care_ms_post, paged_thread
):
    """A reply link to a comment now on page 2 opens page 2 with the form under it; "Cancel
    reply" moves the form home and takes ?reply= out of the address, so a reload keeps it
    there. The page's other parameters stay."""
    roots, _reply = paged_thread
    page.goto(f"{care_ms_post.get_absolute_url()}?replyto={roots[2].pk}")
    page.wait_for_url(f"**?cpage=2&reply={roots[2].pk}#respond")
    assert page.locator(f"#comment-{roots[2].pk} #respond").count() == 1
    page.get_by_role("link", name="Cancel reply").click()
    assert page.url.endswith("?cpage=2#respond"), page.url
    assert page.locator(f"#comment-{roots[2].pk} #respond").count() == 0
    page.reload()
    assert page.locator(f"#comment-{roots[2].pk} #respond").count() == 0
    assert page.locator("#comment-form-heading").inner_text() == "Leave a comment"
