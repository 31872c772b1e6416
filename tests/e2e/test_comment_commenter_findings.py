"""A commenter's findings on issue 15, in Chromium: a held comment lands in view in the
commenter's own block; buttons are touch-sized with one look on every page; the live word
count counts as the server does; every "Link" and "Reply" has a name of its own."""

import re

import pytest
from django.urls import reverse

from comments.models import Comment
from comments.words import word_count
from subscriptions import tokens
from tests.e2e.helpers import axe_violations, comment_form, fill_comment, submit_button

pytestmark = pytest.mark.e2e
TOUCH_PX = 44


def _send_held(page, url, **extra):
    page.goto(url)
    form = comment_form(page)
    fill_comment(form, name="Alice Reader", email="alice@example.org", body="Held words here.")
    for label in extra.get("tick", ()):
        form.get_by_label(label).check()
    with page.expect_navigation():
        submit_button(form).click()
    return Comment.objects.get(name="Alice Reader")


def _button_box(page, name):
    button = page.get_by_role("button", name=name)
    box = button.bounding_box()
    style = button.evaluate("b => getComputedStyle(b).backgroundColor")
    return box, style


def test_a_held_comment_lands_in_view_in_the_own_block(page, care_ms_post):
    _send_held(page, care_ms_post.get_absolute_url())
    assert page.url.endswith("#your-comments")
    block = page.locator("#your-comments")
    assert block.is_visible() and "Held words here." in block.inner_text()
    top = block.bounding_box()["y"]
    assert -1 <= top < page.viewport_size["height"]  # in view, not the form far below
    notice = block.get_by_role("status").inner_text()  # the notice: inside the block
    assert block.get_by_role("status").is_visible() and not page.locator("#notice").count()
    assert "only you can see it" in notice and "will appear once approved" not in notice


def test_buttons_are_touch_sized_and_look_alike_on_every_page(new_context, care_ms_post):
    page = new_context().new_page()
    url = care_ms_post.get_absolute_url()
    page.goto(url)
    send_box, send_colour = _button_box(page, "Send comment")
    assert send_box["height"] >= TOUCH_PX
    comment = _send_held(page, url, tick=["Notify me by email when my comment is approved"])
    pages = [
        (reverse("comments:withdraw", args=[comment.pk]), "Yes, withdraw my comment"),
        (reverse("comments:edit", args=[comment.pk]), "Save my edit"),
    ]
    subscription = comment.subscription
    pages += [
        (
            reverse(
                "subscriptions:confirm",
                args=[tokens.confirmation_token(subscription.subscriber)],
            ),
            "Confirm my address",
        ),
        (
            reverse(
                "subscriptions:unsubscribe",
                args=[tokens.unsubscribe_token(subscription=subscription)],
            ),
            re.compile("^Stop emails about this comment"),
        ),
    ]
    for address, name in pages:
        page.goto(address)
        box, colour = _button_box(page, name)
        assert box["height"] >= TOUCH_PX, (address, box)
        assert colour == send_colour, (address, colour)
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(pages[0][0])
    assert _button_box(page, pages[0][1])[0]["height"] >= TOUCH_PX


SAMPLES = [
    "Were the raters really *masked*? I don't think so: well-being, p = 0.001.",
    "  -- & ** ",
    "多发性硬化症的治疗 and more",
    "नमस्ते दुनिया",
    "Ελληνικά κείμενα, ok",
    "emoji 🙂 between 🙂 words",
    "ภาษาไทยไม่มีช่องว่าง",
    "𠀀𠀁𠀂 rare CJK",
]


def test_the_live_word_count_counts_as_the_server_does(page, care_ms_post, settings):
    settings.COMMENT_MAX_WORDS = 5
    page.goto(care_ms_post.get_absolute_url())
    for text in SAMPLES:
        assert page.evaluate("t => window.trialpressCountWords(t)", text) == word_count(text), text
    body = comment_form(page).get_by_label(re.compile(r"^\s*comment", re.I))
    counter = page.locator(".comment-word-count")
    assert counter.get_attribute("aria-live") == "polite"
    assert counter.inner_text() == "0 / 5 words"
    body.press_sequentially("one two three")
    page.wait_for_function(
        "() => document.querySelector('.comment-word-count').textContent.startsWith('3 /')"
    )
    assert counter.inner_text() == "3 / 5 words"
    body.fill("one two three four five six seven")
    page.wait_for_function(
        "() => document.querySelector('.comment-word-count').textContent.startsWith('7 /')"
    )
    assert "2 over the limit" in counter.inner_text()
    assert "comment-word-count-over" in counter.get_attribute("class")
    assert axe_violations(page) == []


def test_without_javascript_there_is_no_count(new_context, care_ms_post):
    page = new_context(java_script_enabled=False).new_page()
    page.goto(care_ms_post.get_absolute_url())
    assert page.locator(".comment-word-count").count() == 0


def test_every_link_and_reply_has_its_own_name(page, care_ms_post_with_thread):
    page.goto(care_ms_post_with_thread.get_absolute_url())
    # comments.js names them (the HTML leaves the names out to stay small).
    names = page.locator("ol.comment-list a[href^='/comments/']").evaluate_all(
        "links => links.map(a => a.getAttribute('aria-label'))"
    )
    assert len(names) >= 3 and len(set(names)) == len(names), names
    assert all(re.match(r"^\d{1,2} \w{3} \d{4}, .+\u2019s comment$", n) for n in names), names
    first = page.locator("ol.comment-list a[href^='/comments/']").first
    assert re.fullmatch(r"\d{1,2} \w{3} \d{4}", first.inner_text().strip())  # only the date shows
    reply = page.get_by_role("link", name=re.compile(r"^Reply to ")).first
    assert reply.is_visible()
