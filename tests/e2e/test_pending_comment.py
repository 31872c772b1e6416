"""Your pending comment in two browsers (issue 15): the sender sees it, marked, on the same
cached page that the other visitor gets without it; the sender edits it within the window."""

import re

import pytest

from comments.models import Comment
from tests.e2e.helpers import axe_violations, submit_comment

pytestmark = pytest.mark.e2e
HELD_TEXT = "Were the raters masked at the 24-month visit?"
EDITED_TEXT = "Were the raters masked at every visit, not only at 24 months?"


def own_block(page):
    return page.locator("#your-comments")


def test_the_sender_sees_and_edits_it_and_the_other_browser_never_sees_it(
    new_context, care_ms_post
):
    url = care_ms_post.get_absolute_url()
    alice = new_context().new_page()
    bob = new_context().new_page()
    alice.goto(url)
    bob.goto(url)

    submit_comment(alice, name="Alice Reader", email="alice@example.org", body=HELD_TEXT)
    comment = Comment.objects.get(post=care_ms_post, name="Alice Reader")
    assert comment.status == Comment.Status.HELD
    block = own_block(alice)
    assert block.get_by_text("Awaiting moderation", exact=True).is_visible()
    assert HELD_TEXT in block.inner_text()

    served = alice.goto(url)
    assert served.headers.get("x-page-cache") == "hit"  # the shared page, filled for her
    assert HELD_TEXT in own_block(alice).inner_text()
    assert axe_violations(alice) == []

    for _ in range(2):
        served = bob.goto(url)
        assert served.headers.get("x-page-cache") == "hit"
        assert own_block(bob).count() == 0
        assert HELD_TEXT not in bob.content()
        assert "Awaiting moderation" not in bob.content()
    assert bob.goto(f"/comments/yours/{comment.pk}/edit/").status == 404

    with alice.expect_navigation():
        own_block(alice).get_by_role("link", name="Edit").click()
    assert axe_violations(alice) == []  # the edit page
    alice.get_by_label(re.compile(r"^\s*comment", re.I)).fill(EDITED_TEXT)
    with alice.expect_navigation():
        alice.get_by_role("button", name="Save my edit").click()
    assert "Your edit is saved" in alice.locator("#your-comments [role=status]").inner_text()
    assert EDITED_TEXT in own_block(alice).inner_text()
    assert own_block(alice).get_by_text("edited", exact=False).is_visible()

    comment.refresh_from_db()
    assert comment.body == EDITED_TEXT and comment.edits.get().body_before == HELD_TEXT
    bob.goto(url)
    assert EDITED_TEXT not in bob.content() and HELD_TEXT not in bob.content()
