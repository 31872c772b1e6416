"""Issue 16 tryout fixes in a browser at 375 px: the comment form's notify-me tick boxes sit
inline with their (normal-weight) labels with 24 px targets; on the desk the Redact link
and the Reply summary are 24 px targets and the filter labels sit above their selects."""

import pytest
from django.urls import reverse

from comments.models import Comment
from tests.e2e.helpers import admin_login
from tests.test_comments_support import make_comment

pytestmark = pytest.mark.e2e

PHONE = {"viewport": {"width": 375, "height": 800}, "is_mobile": True, "has_touch": True}


def test_the_notify_boxes_are_inline_with_normal_labels_and_24px(new_context, care_ms_post):
    page = new_context(**PHONE).new_page()
    page.goto(care_ms_post.get_absolute_url())
    for name in ("notify_approved", "notify_replies"):
        box = page.locator(f'input[name="{name}"]')
        label = page.locator(f'label[for="{box.get_attribute("id")}"]')
        b, lab = box.bounding_box(), label.bounding_box()
        assert b["width"] >= 24 and b["height"] >= 24
        assert lab["height"] >= 24
        assert lab["x"] > b["x"] + b["width"] - 1  # beside the box, not under it
        assert abs(lab["y"] - b["y"]) < 12
        weight = label.evaluate("e => getComputedStyle(e).fontWeight")
        assert int(weight) < 600


def test_the_desk_at_375px_has_24px_targets_and_labels_above_selects(
    new_context, care_ms_post, a_moderator
):
    make_comment(care_ms_post, status=Comment.Status.HELD, body="Q?", status_reason="x")
    page = new_context(**PHONE).new_page()
    admin_login(page, a_moderator)
    page.goto(reverse("admin:comments_comment_desk"))
    for target in (page.locator(".desk-redact").first, page.locator(".desk-reply summary").first):
        box = target.bounding_box()
        assert box["height"] >= 24 and box["width"] >= 24
    for select_id in ("desk-status", "desk-reason", "desk-post"):
        label = page.locator(f'label[for="{select_id}"]').bounding_box()
        select = page.locator(f"#{select_id}").bounding_box()
        assert label["y"] + label["height"] <= select["y"] + 1
    page.goto(reverse("admin:comments_comment_desk") + "?status=spam")
    assert page.locator(".desk-empty").inner_text() == "No comments."
