"""Issue 16: the moderator's desk in a browser. At 375 and 1,280 px the page does not
scroll sideways and passes axe; a moderator approves with JavaScript off and comes back
to the next comment; with JavaScript on, j and a approve the focused comment; a reply
from the desk is published at once under the author's badge."""

import pytest
from django.urls import reverse

from comments.models import Comment
from tests.e2e.helpers import admin_login, axe_violations, nu_errors
from tests.test_comments_support import make_comment

pytestmark = pytest.mark.e2e

Status = Comment.Status
LONG_WORD = "Pneumonoultramicroscopicsilicovolcanoconiosis" * 3


def held_comments(post):
    first = make_comment(
        post,
        status=Status.HELD,
        body=f"Were the raters *masked*? {LONG_WORD}",
        status_reason="patient identifier: NHS number",
        website="https://a-very-long-website-address.example.org/" + "path/" * 12,
    )
    second = make_comment(
        post, status=Status.HELD, body="Second question.", status_reason="new commenter"
    )
    return first, second


def no_sideways_scroll(page):
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


@pytest.mark.parametrize("width", [375, 1280])
def test_the_desk_fits_the_screen_and_passes_axe(new_context, care_ms_post, a_moderator, width):
    held_comments(care_ms_post)
    # axe injects a script and styles the admin's CSP refuses: this context lets them in.
    page = new_context(
        viewport={"width": width, "height": 900},
        is_mobile=width < 600,
        has_touch=width < 600,
        bypass_csp=True,
    ).new_page()
    admin_login(page, a_moderator)
    page.goto(reverse("admin:comments_comment_desk"))
    assert page.locator(".desk-row").count() == 2
    assert no_sideways_scroll(page), width
    assert axe_violations(page) == []
    page.locator(".desk-row details summary").first.click()
    assert axe_violations(page) == []


def test_a_moderator_approves_without_javascript_and_lands_on_the_next_comment(
    new_context, care_ms_post, a_moderator
):
    first, second = held_comments(care_ms_post)
    page = new_context(java_script_enabled=False).new_page()
    admin_login(page, a_moderator)
    page.goto(reverse("admin:comments_comment_changelist"))
    with page.expect_navigation():
        page.get_by_role("link", name="Moderator\u2019s desk").click()
    row = page.locator(f"#desk-{first.pk}")
    assert "NHS number" in row.inner_text()
    with page.expect_navigation():
        row.get_by_role("button", name=f"Approve comment {first.pk}").click()
    assert page.url.endswith(f"#desk-{second.pk}")
    assert f"Comment {first.pk} approved." in page.locator(".messagelist").inner_text()
    assert page.locator(".desk-row").count() == 1
    first.refresh_from_db()
    assert first.status == Status.APPROVED and first.moderated_by == a_moderator


def test_keyboard_shortcuts_move_and_act_but_not_while_typing(
    new_context, care_ms_post, a_moderator
):
    first, second = held_comments(care_ms_post)
    page = new_context().new_page()
    admin_login(page, a_moderator)
    page.goto(reverse("admin:comments_comment_desk"))
    # Typing "a", "r" and "s" in the reply box is typing, not moderating.
    page.locator(f"#desk-{first.pk} summary").click()
    box = page.locator(f"#desk-{first.pk}-reply")
    box.click()
    page.keyboard.type("jars")
    assert box.input_value() == "jars"
    page.locator("#desk-list").focus()
    page.keyboard.press("j")
    page.keyboard.press("j")
    assert page.evaluate("document.activeElement.id") == f"desk-{second.pk}"
    page.keyboard.press("k")
    assert page.evaluate("document.activeElement.id") == f"desk-{first.pk}"
    page.keyboard.press("j")
    with page.expect_navigation():
        page.keyboard.press("s")
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.status == Status.SPAM and first.status == Status.HELD
    assert f"Comment {second.pk} marked as spam." in page.locator(".messagelist").inner_text()


def test_the_author_replies_from_the_desk_without_javascript(
    new_context, care_ms_post, an_author_account
):
    care_ms_post.author = an_author_account
    care_ms_post.save()
    first, _second = held_comments(care_ms_post)
    page = new_context(java_script_enabled=False).new_page()
    admin_login(page, an_author_account)
    page.goto(reverse("admin:comments_comment_desk"))
    row = page.locator(f"#desk-{first.pk}")
    row.locator("summary").click()
    row.get_by_label("Your reply").fill("Yes: both raters were masked.")
    with page.expect_navigation():
        row.get_by_role("button", name="Publish the reply").click()
    assert "is published" in page.locator(".messagelist").inner_text()
    reader = new_context().new_page()
    reader.goto(care_ms_post.get_absolute_url())
    reply = reader.locator("li", has_text="Yes: both raters were masked.").last
    assert "Author" in reply.locator(".comment-badge").inner_text()


def test_the_desk_is_valid_html(java, new_context, care_ms_post, a_moderator, tmp_path):
    first, _second = held_comments(care_ms_post)
    make_comment(care_ms_post, status=Status.APPROVED, body="Published.", parent=None)
    page = new_context().new_page()
    admin_login(page, a_moderator)
    sent = {}
    for name, query in (("held", ""), ("all", f"?status=all&post={care_ms_post.pk}")):
        response = page.goto(reverse("admin:comments_comment_desk") + query)
        assert response.status == 200
        sent[name] = response.text()
    assert f'id="desk-{first.pk}"' in sent["held"]
    errors = nu_errors(sent, tmp_path)
    assert not errors, errors
