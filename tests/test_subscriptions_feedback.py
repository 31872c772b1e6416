"""Notify me, as a commenter tried it (issue 15): what the commenter is told when nothing
will be sent, the reply quoted in its mail, the way back from the "confirmed" page, the
one-confirmation-ever policy and pages that are never cached."""

import re
import time
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import given

from comments.models import Comment
from subscriptions import tokens
from subscriptions.models import Notice, Subscriber, Subscription
from subscriptions.services import notice_for
from tests.factories import make_user
from tests.strategies import any_script_paragraphs
from tests.test_comments_support import make_comment
from tests.test_subscriptions import (
    ANN,
    approve,
    confirm_address,
    links,
    post_to,
    submit,
    to,
)

pytestmark = pytest.mark.django_db
Status = Comment.Status
LONG_AGO = timezone.timedelta(days=400)


@pytest.fixture
def a_moderator(db):
    moderator = make_user(staff=True, email="moderator@example.org")
    moderator.groups.add(Group.objects.get(name="Moderators"))
    return moderator


@pytest.fixture(autouse=True)
def no_rate_limit(settings):
    settings.COMMENT_RATE_LIMIT = "off"


def opt_out(client, email=ANN):
    subscriber = Subscriber.objects.get()
    url = reverse(
        "subscriptions:unsubscribe", args=[tokens.unsubscribe_token(subscriber=subscriber)]
    )
    assert post_to(client, url).status_code == 200
    return url


# --- a. the commenter learns when nothing will be sent ---------------------------------------


def test_a_first_request_says_a_confirmation_was_sent(a_post):
    comment = submit(a_post)
    notice = notice_for(comment)
    assert "confirm" in notice and "email" in notice


def test_no_ticks_spam_or_a_confirmed_address_need_no_notice(client, a_post):
    assert notice_for(submit(a_post, approved=False, replies=False)) is None
    assert notice_for(submit(a_post, honeypot="bot")) is None  # a spammer learns nothing
    submit(a_post, body="Ticked")
    confirm_address(client)
    assert notice_for(submit(a_post, body="Another one")) is None
    assert notice_for(make_comment(a_post)) is None  # not through comment_submit


def test_an_opted_out_address_is_told_nothing_will_be_sent_and_how_to_opt_in(client, a_post):
    submit(a_post)
    confirm_address(client)
    opt_out(client)
    mail.outbox.clear()
    comment = submit(a_post, body="After opting out")
    notice = notice_for(comment)
    assert "no email" in notice.lower() or "nothing" in notice.lower()
    assert "Email me again" in notice  # the button that opts in again
    assert to(ANN) == []


def test_an_unconfirmed_address_is_told_its_one_confirmation_went_already(a_post, settings):
    submit(a_post)
    mail.outbox.clear()
    notice = notice_for(submit(a_post, body="Second"))
    assert "earlier" in notice and "confirm" in notice and to(ANN) == []
    Subscriber.objects.update(confirmation_sent_at=timezone.now() - LONG_AGO)
    notice = notice_for(submit(a_post, body="Third"))
    assert "expired" in notice and to(ANN) == []


def test_the_post_view_hands_the_notice_on_through_the_comment(client, a_post, monkeypatch):
    """What c15a's notice reads: ``services.comment_submit`` returns the comment the hook saw."""
    from comments import services

    seen = []
    real = services.comment_submit

    def spy(**kwargs):
        comment = real(**kwargs)
        seen.append(notice_for(comment))
        return comment

    monkeypatch.setattr(services, "comment_submit", spy)
    from tests.test_comments_support import form_data, post_url

    post_to(client, post_url(a_post), form_data(a_post, notify_replies="on"))
    assert seen and "confirm" in seen[0]


def test_the_notice_reaches_comments_through_its_extension_hook(a_post):
    """comments never imports subscriptions: its view asks ``extensions.notices_for``."""
    from comments import extensions

    comment = submit(a_post)
    assert extensions.notices_for(comment) == [notice_for(comment)]
    assert extensions.notices_for(submit(a_post, approved=False, replies=False)) == []


# --- opting in again -------------------------------------------------------------------------


def test_email_me_again_resumes_the_address_and_what_it_ticked_meanwhile(
    client, a_post, a_moderator
):
    submit(a_post)
    confirm_address(client)
    url = opt_out(client)
    later = submit(a_post, body="While opted out")
    page = client.get(url).content.decode()
    assert "Email me again" in page and "no more email" in page.lower()
    approve(later, a_moderator)
    assert to(ANN) == []
    response = post_to(client, url, {"resume": "1"})
    assert response.status_code == 200 and b"We will email this address again" in response.content
    subscriber = Subscriber.objects.get()
    assert subscriber.opted_out_at is None and subscriber.confirmed_at is not None
    (message,) = to(ANN)  # the approval of the comment sent while opted out, once
    assert "published" in message.subject
    assert post_to(client, url, {"resume": "1"}).status_code == 200
    assert len(to(ANN)) == 1


def test_a_mail_programs_one_click_post_never_resumes(client, a_post):
    submit(a_post)
    confirm_address(client)
    url = opt_out(client)
    mail_program = Client(enforce_csrf_checks=True)
    post_to(
        mail_program,
        url,
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert Subscriber.objects.get().opted_out_at is not None


def test_resuming_by_the_confirmation_mails_own_never_link_confirms(client, a_post):
    submit(a_post)
    (confirm,), (never,) = links(to(ANN)[0])
    post_to(client, never)
    assert post_to(client, confirm).status_code == 410  # opting out voided it
    post_to(client, never, {"resume": "1"})
    subscriber = Subscriber.objects.get()
    assert subscriber.confirmed_at is not None and subscriber.opted_out_at is None


# --- b. the reply mail quotes the reply ------------------------------------------------------


def test_the_reply_mail_quotes_the_reply_as_plain_text_with_a_link(client, a_post, a_moderator):
    comment = submit(a_post, approved=False)
    confirm_address(client)
    approve(comment, a_moderator)
    body = (
        "Two points:\n\n- masking was *partial*\n- see https://evil.example.com/x\n\n"
        + "word " * 300
    )
    reply = submit(
        a_post, email="bob@example.org", approved=False, replies=False, parent=comment.pk, body=body
    )
    approve(reply, a_moderator)
    (message,) = to(ANN)
    assert "> Two points:\n>\n> \u2022 masking was partial\n" in message.body
    assert "evil[.]example[.]com" in message.body and "https://evil" not in message.body
    quoted = [line for line in message.body.splitlines() if line.startswith(">")]
    assert 500 <= len("\n".join(quoted)) <= 700 and quoted[-1].endswith("\u2026")
    assert f"http://testserver{reply.get_absolute_url()}" in message.body
    assert "*partial*" not in message.body


@given(text=any_script_paragraphs())
def test_any_script_reply_is_quoted_without_breaking_the_mail(a_post, text):
    from subscriptions.mail import reply_message

    parent = make_comment(a_post, email=ANN)
    subscriber = Subscriber.objects.get_or_create(email_hash="x" * 64)[0]
    subscription = Subscription.objects.create(subscriber=subscriber, comment=parent)
    reply = make_comment(a_post, parent=parent, body=text, name="Bo")
    subject, body, _headers = reply_message(subscription, reply)
    assert "\n" not in subject
    lines = body.splitlines()
    url = f"http://testserver{reply.get_absolute_url()}"
    (link,) = [n for n, line in enumerate(lines) if line.endswith(f" {url}")]
    assert all(line.startswith("> ") or line in (">", "") for line in lines[1:link])


# --- c. the "confirmed" page leads back ------------------------------------------------------


def test_the_confirmed_page_links_the_comment_or_its_post(client, a_post, a_moderator):
    held = submit(a_post)
    (confirm,), _ = links(to(ANN)[0])
    response = post_to(client, confirm)
    page = response.content.decode()
    assert f'href="{a_post.get_absolute_url()}"' in page and a_post.title in page
    assert "awaiting moderation" in page.lower()
    assert f"#comment-{held.pk}" not in page  # not shown yet: no anchor to land on

    Subscriber.objects.update(confirmed_at=None, confirmation_nonce="n2")
    approve(held, a_moderator)
    token = tokens.confirmation_token(
        SimpleNamespace(pk=Subscriber.objects.get().pk, confirmation_nonce="n2")
    )
    page = post_to(client, reverse("subscriptions:confirm", args=[token])).content.decode()
    assert f'href="{held.get_absolute_url()}"' in page


# --- d. one confirmation per address, ever ---------------------------------------------------


def test_one_confirmation_ever_for_an_unconfirmed_address(client, a_post):
    submit(a_post)
    (first,), _ = links(to(ANN)[0])
    for days in (8, 30, 400):
        Subscriber.objects.update(
            confirmation_sent_at=timezone.now() - timezone.timedelta(days=days)
        )
        submit(a_post, body=f"After {days} days", ip=f"192.0.2.{days % 250}")
    assert len(to(ANN)) == 1
    assert post_to(client, first).status_code == 200  # still the one outstanding link
    assert Subscriber.objects.get().confirmed_at is not None


def test_once_confirmed_later_subscriptions_need_no_confirmation(client, a_post, a_moderator):
    submit(a_post)
    confirm_address(client)
    later = submit(a_post, body="A later comment")
    assert to(ANN) == []  # no confirmation asked again
    approve(later, a_moderator)
    (message,) = to(ANN)
    assert "published" in message.subject


def test_a_forged_or_replayed_confirmation_never_sends_another(client, a_post):
    submit(a_post)
    (confirm,), _ = links(to(ANN)[0])
    token = confirm.rstrip("/").rsplit("/", 1)[1]
    forged = reverse(
        "subscriptions:confirm", args=[token[:-2] + ("AA" if not token.endswith("AA") else "BB")]
    )
    assert post_to(client, forged).status_code == 400
    assert post_to(client, confirm).status_code == 200
    replay = post_to(client, confirm)
    assert replay.status_code == 410 and b"has been used" in replay.content
    assert len(to(ANN)) == 1 and not Notice.objects.exists()


def test_an_expired_confirmation_says_no_new_one_will_come(client, a_post, monkeypatch):
    submit(a_post)
    subscriber = Subscriber.objects.get()
    too_old = time.time() - (django_settings.SUBSCRIPTIONS_CONFIRMATION_MAX_AGE_DAYS + 1) * 86400
    monkeypatch.setattr("django.core.signing.time", SimpleNamespace(time=lambda: too_old))
    old = tokens.confirmation_token(subscriber)
    monkeypatch.undo()
    page = client.get(reverse("subscriptions:confirm", args=[old]))
    assert page.status_code == 410
    assert b"latest email" not in page.content and b"no more email" in page.content.lower()


# --- e. never cached, never indexed, a CSRF token that a cache could hold --------------------


def test_the_pages_are_private_noindex_and_never_stored(client, a_post, settings):
    settings.PAGE_CACHE_SECONDS = 300
    settings.PAGE_CACHE_HEADER = True
    submit(a_post)
    (confirm,), (never,) = links(to(ANN)[0])
    bad = reverse("subscriptions:confirm", args=["x"])
    for url in (confirm, never, bad):
        for _ in range(2):
            response = client.get(url)
            assert (
                "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
            )
            assert response["X-Robots-Tag"] == "noindex"
            assert '<meta name="robots" content="noindex">' in response.content.decode()
            assert response.get("X-Page-Cache") != "hit"
    for response in (post_to(client, never), post_to(client, confirm)):
        assert "private" in response["Cache-Control"] and response["X-Robots-Tag"] == "noindex"


def test_the_confirm_form_carries_a_working_csrf_token(a_post):
    browser = Client(enforce_csrf_checks=True)
    submit(a_post)
    (confirm,), _ = links(to(ANN)[0])
    page = browser.get(confirm).content.decode()
    (token,) = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert post_to(browser, confirm).status_code == 403  # no token: refused
    assert post_to(browser, confirm, {"csrfmiddlewaretoken": token}).status_code == 200
    assert Subscriber.objects.get().confirmed_at is not None
