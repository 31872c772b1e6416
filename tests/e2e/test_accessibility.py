"""Accessibility: axe-core finds nothing on the reader pages, the comment form showing its
errors and the admin moderation queue; and the keyboard alone gets a reader from the top of
the post page, through the skip link, to a sent comment, seeing where the focus is."""

import pytest
from django.urls import reverse

from comments.models import Comment
from tests.e2e.helpers import (
    AWAITING,
    admin_login,
    axe_violations,
    public_pages,
    show_comment_form_errors,
)

pytestmark = pytest.mark.e2e

FOCUS_VISIBLE = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  const rect = el.getBoundingClientRect();
  const onScreen = rect.width > 1 && rect.height > 1 && rect.bottom > 0 && rect.right > 0
    && rect.top < innerHeight && rect.left < innerWidth;
  return {outline, shadow: style.boxShadow !== "none", onScreen,
          tag: el.tagName, text: (el.innerText || el.name || el.id || "").trim()};
}"""


def test_axe_finds_no_violations(new_context, care_ms_post_with_thread, a_moderator):
    care_ms_post = care_ms_post_with_thread
    page = new_context().new_page()
    found = {}
    for name, url in public_pages(care_ms_post).items():
        page.goto(url)
        if name == "post page":
            assert page.locator("li[id^='comment-']").count() == 4, "no thread to check"
        found[name] = axe_violations(page)
    show_comment_form_errors(page, care_ms_post)
    found["comment form with errors"] = axe_violations(page)

    admin = new_context().new_page()
    admin_login(admin, a_moderator)
    admin.goto(reverse("admin:comments_comment_changelist"))
    assert admin.locator("#changelist").is_visible(), "the moderation queue did not open"
    found["admin moderation queue"] = axe_violations(admin)

    found = {name: lines for name, lines in found.items() if lines}
    assert not found, "\n".join(
        f"{name}: {line}" for name, lines in found.items() for line in lines
    )


def test_keyboard_alone_reaches_and_sends_the_comment_form(page, care_ms_post):
    page.goto(care_ms_post.get_absolute_url())
    page.keyboard.press("Tab")
    first = page.evaluate(FOCUS_VISIBLE)
    assert first["tag"] == "A" and "skip" in first["text"].lower(), first
    assert first["onScreen"], "the skip link stays invisible when focused"
    assert first["outline"] or first["shadow"], "the skip link shows no focus ring"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main" or page.url.endswith("#main")

    for _ in range(400):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "name":
            break
    else:
        pytest.fail("Tab never reached the comment form's name field")
    focus = page.evaluate(FOCUS_VISIBLE)
    assert focus["onScreen"] and (focus["outline"] or focus["shadow"]), focus

    typed = {
        "name": "Kay Board",
        "email": "kay@example.org",
        "website": "",
        "body": "Sent without a mouse.",
        "competing_interests": "",
    }
    visited = []
    for _ in range(12):
        field = page.evaluate("document.activeElement.name || document.activeElement.tagName")
        visited.append(field)
        if field in typed and typed[field]:
            page.keyboard.type(typed[field])
        if page.evaluate("document.activeElement.type") == "submit":
            break
        page.keyboard.press("Tab")
    else:
        pytest.fail(f"Tab never reached the submit button; went through {visited}")
    assert "homepage_url" not in visited, "the honeypot field takes keyboard focus"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_text(AWAITING).first.is_visible()
    stored = Comment.objects.get(post=care_ms_post)
    assert (stored.name, stored.body) == ("Kay Board", "Sent without a mouse.")
