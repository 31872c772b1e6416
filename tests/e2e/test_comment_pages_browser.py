"""Issue 19 in the browser: a thread in pages, followed without JavaScript by its links and
with it from an old "#comment-<id>" link to the page the comment is on now."""

import pytest

from comments.models import Comment
from comments.services import post_recount_comments
from tests.e2e.helpers import axe_violations

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
