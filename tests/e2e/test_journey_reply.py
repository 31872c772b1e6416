"""Journey 4: a reader replies to a published comment, without JavaScript and with it."""

import re

import pytest

from comments.models import Comment
from comments.services import comment_approve, comment_submit
from tests.e2e.helpers import AWAITING, comment_form, fill_comment, submit_button

pytestmark = pytest.mark.e2e

REPLY = re.compile(r"reply", re.I)


@pytest.fixture
def a_published_comment(care_ms_post, a_moderator):
    comment = comment_submit(
        post=care_ms_post,
        data={
            "name": "Ann Reader",
            "email": "ann@example.org",
            "body": "Were the raters really masked?",
            "competing_interests": "None declared",
        },
        request_meta={"ip_address": "192.0.2.1", "user_agent": "e2e"},
    )
    return comment_approve(comment=comment, moderator=a_moderator)


def reply_through_the_page(page, parent, *, javascript, name, email, body):
    page.goto(parent.get_absolute_url())
    thread_entry = page.locator(f"#{parent.anchor}")
    assert "Were the raters really masked?" in thread_entry.inner_text()
    reply = thread_entry.get_by_role("link", name=REPLY).or_(
        thread_entry.get_by_role("button", name=REPLY)
    )
    if javascript:
        page.evaluate("window.notReloaded = true")
    reply.first.click()
    page.wait_for_load_state()
    if javascript:
        # The script moves the form under the comment, in place, without a page load.
        assert page.evaluate("window.notReloaded === true"), "the page was loaded again"
    assert f"reply={parent.pk}#respond" in page.url, page.url
    form = comment_form(page)
    assert form.is_visible()
    under = page.locator(f"#{parent.anchor} form.comment-form, #{parent.anchor} + * form")
    assert under.count() == 1, "the form is not under the comment being replied to"
    heading = page.locator("#comment-form-heading")
    assert "Reply to Ann Reader" in heading.inner_text()
    fill_comment(form, name=name, email=email, body=body)
    with page.expect_navigation():
        submit_button(form).click()
    assert page.get_by_text(AWAITING).first.is_visible(), "no awaiting-moderation notice"
    stored = Comment.objects.get(body=body)
    assert stored.parent_id == parent.pk, "the reply was not attached to the comment"
    return stored


def test_reader_replies_without_javascript_and_with_it(
    new_context, care_ms_post, a_published_comment, a_moderator
):
    without_js = new_context(java_script_enabled=False).new_page()
    first = reply_through_the_page(
        without_js,
        a_published_comment,
        javascript=False,
        name="Ben NoScript",
        email="ben@example.org",
        body="Yes: see the methods section.",
    )
    with_js = new_context().new_page()
    second = reply_through_the_page(
        with_js,
        a_published_comment,
        javascript=True,
        name="Cy Script",
        email="cy@example.org",
        body="And the appendix, table S2.",
    )
    for reply in (first, second):
        comment_approve(comment=reply, moderator=a_moderator)

    reader = new_context().new_page()
    reader.goto(care_ms_post.get_absolute_url())
    for reply in (first, second):
        shown = reader.locator(f"#{reply.anchor}")
        assert shown.is_visible()
        assert reply.body in shown.inner_text()
        nested = reader.evaluate(
            """([parentId, replyId]) => {
                const parent = document.getElementById(parentId);
                const reply = document.getElementById(replyId);
                const box = parent.closest("li") || parent.parentElement;
                return box.contains(reply) && parent !== reply;
            }""",
            [a_published_comment.anchor, reply.anchor],
        )
        assert nested, f"{reply.anchor} is not shown inside the thread of its parent"


def test_with_javascript_a_reply_shows_who_it_answers_and_starts_at_the_first_empty_field(
    new_context, care_ms_post, a_published_comment
):
    """On a phone, Reply moves the form under the comment: its heading ("Reply to Ann
    Reader") is on screen and focus is in Name, the first field still empty, not in the
    comment box below the fold with Name and Email scrolled away (the final tryout)."""
    phone = new_context(viewport={"width": 375, "height": 740}).new_page()
    phone.goto(care_ms_post.get_absolute_url())
    entry = phone.locator(f"#{a_published_comment.anchor}")
    entry.get_by_role("link", name=REPLY).first.click()
    heading = phone.locator("#comment-form-heading")
    assert "Reply to Ann Reader" in heading.inner_text()
    top = heading.evaluate("h => h.getBoundingClientRect().top")
    assert -2 <= top < 740, f"the reply's heading is off screen (top {top} px)"
    assert phone.evaluate("document.activeElement.name") == "name"


def test_with_javascript_a_reload_keeps_the_reply_where_it_was(
    new_context, care_ms_post, a_published_comment
):
    """Reply, type, reload (a phone does it on its own after a while in another app): the
    form is still under the comment, saying whom it answers, as the address says. Before,
    it went back to the end of the thread, where a browser that restores typed text on
    reload (Firefox) left the reply to be sent as a new comment. (Headless Chromium restores
    no typed text on reload, so that part is not checked here.) Cancel takes the reply out
    of the address, so a reload after it stays at the end."""
    phone = new_context(viewport={"width": 375, "height": 740}).new_page()
    phone.goto(care_ms_post.get_absolute_url())
    entry = phone.locator(f"#{a_published_comment.anchor}")
    entry.get_by_role("link", name=REPLY).first.click()
    comment_form(phone).locator("textarea[name=body]").fill("See table S2 of the appendix.")
    assert phone.url.endswith(f"?reply={a_published_comment.pk}#respond"), phone.url
    phone.reload()
    assert phone.locator(f"#{a_published_comment.anchor} form.comment-form").count() == 1
    assert "Reply to Ann Reader" in phone.locator("#comment-form-heading").inner_text()
    assert phone.locator("input.comment-parent-input").input_value() == str(a_published_comment.pk)
    phone.get_by_role("link", name="Cancel reply").click()
    assert "reply=" not in phone.url, phone.url
    phone.reload()
    assert phone.locator(f"#{a_published_comment.anchor} form.comment-form").count() == 0
    assert phone.locator("#comment-form-heading").inner_text() == "Leave a comment"
