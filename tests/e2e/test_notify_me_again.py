"""Notify me (issue 15), the way back: from "Address confirmed" to the post, stopping all
emails and starting them again with "Email me again" (no JavaScript needed)."""

import re

import pytest
from django.core import mail

from subscriptions.models import Subscriber
from tests.e2e.helpers import comment_form, fill_comment, submit_button

pytestmark = pytest.mark.e2e
LINK = re.compile(r"http://testserver(/subscriptions/(?:confirm|unsubscribe)/[^/\s]+/)")


def test_confirm_go_back_stop_everything_and_email_me_again(new_context, care_ms_post):
    mail.outbox.clear()
    page = new_context(java_script_enabled=False).new_page()
    page.goto(care_ms_post.get_absolute_url())
    form = comment_form(page)
    fill_comment(form, name="Ann Reader", email="ann@example.org", body="Masked raters?")
    form.get_by_label("Notify me by email about replies to it").check()
    with page.expect_navigation():
        submit_button(form).click()

    (confirmation,) = [m for m in mail.outbox if m.to == ["ann@example.org"]]
    confirm, never = LINK.findall(confirmation.body)
    page.goto(confirm)
    page.get_by_role("button", name="Confirm my address").click()
    assert page.get_by_role("heading", name="Address confirmed").is_visible()
    assert page.get_by_text("awaiting moderation").is_visible()
    with page.expect_navigation():
        page.get_by_role("link", name=care_ms_post.title).click()
    assert page.url.endswith(care_ms_post.get_absolute_url())

    page.goto(never)
    page.get_by_role("button", name="Stop all emails").click()
    assert page.get_by_role("heading", name="Unsubscribed").is_visible()
    assert Subscriber.objects.get().opted_out_at is not None
    page.get_by_role("button", name="Email me again").click()
    assert page.get_by_role("heading", name="Emails resumed").is_visible()
    subscriber = Subscriber.objects.get()
    assert subscriber.opted_out_at is None and subscriber.confirmed_at is not None
