"""Notify me (issue 15), as a commenter lives it: tick, confirm from the email (a page with a
button, no JavaScript needed), hear about the approval, stop it with the email's link."""

import re

import pytest
from django.core import mail

from comments.models import Comment
from comments.services import comment_approve
from subscriptions.models import Subscriber, Subscription
from tests.e2e.helpers import AWAITING, comment_form, fill_comment, submit_button
from tests.factories import make_user

pytestmark = pytest.mark.e2e
LINK = re.compile(r"http://testserver(/subscriptions/(?:confirm|unsubscribe)/[^/\s]+/)")


def mails_to(address):
    return [m for m in mail.outbox if m.to == [address]]


def test_tick_confirm_hear_and_unsubscribe(new_context, care_ms_post):
    mail.outbox.clear()
    page = new_context(java_script_enabled=False).new_page()
    page.goto(care_ms_post.get_absolute_url())
    form = comment_form(page)
    fill_comment(form, name="Ann Reader", email="ann@example.org", body="Masked raters?")
    form.get_by_label("Notify me by email when my comment is approved").check()
    with page.expect_navigation():
        submit_button(form).click()
    assert page.get_by_text(AWAITING).first.is_visible()

    (confirmation,) = mails_to("ann@example.org")
    assert "Masked raters" not in confirmation.body
    (confirm, never) = LINK.findall(confirmation.body)
    page.goto(confirm)
    assert Subscriber.objects.get().confirmed_at is None  # opening the link is not enough
    page.get_by_role("button", name="Confirm my address").click()
    assert page.get_by_role("heading", name="Address confirmed").is_visible()

    comment = Comment.objects.get(post=care_ms_post)
    comment_approve(comment=comment, moderator=make_user(superuser=True))
    (_, approved) = mails_to("ann@example.org")
    assert "published" in approved.subject
    this_comment = LINK.findall(approved.body)[0]
    page.goto(this_comment)
    page.get_by_role("button", name="Stop emails about this comment").click()
    assert page.get_by_role("heading", name="Unsubscribed").is_visible()
    assert Subscription.objects.get().ended_at is not None
