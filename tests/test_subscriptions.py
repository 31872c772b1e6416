"""Notify me (issue 15): confirmation first, each event mailed once, one-click unsubscribe.

Tasks run on the immediate backend (tests/settings.py), so a queued mail is in mail.outbox
once the transaction's on-commit callbacks ran.
"""

import re
import time
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from comments.models import Comment
from comments.services import comment_approve, comment_hold, comment_submit
from outbox.services import mail_enqueue
from subscriptions import tokens
from subscriptions.addresses import email_hash
from subscriptions.models import Notice, Subscriber, Subscription
from subscriptions.services import subscriber_confirm, subscription_request
from tests.factories import make_user
from tests.strategies import any_script_email, any_script_text
from tests.test_comments_support import form_data, make_comment, post_url

Status = Comment.Status
ANN = "ann@example.org"
LINK = re.compile(r"http://testserver(/subscriptions/(?:confirm|unsubscribe)/[^/\s]+/)")


def committed():
    """Run what the block queues on commit (the mail), as a real commit would."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def approve(comment, moderator):
    with committed():
        return comment_approve(comment=comment, moderator=moderator)


def hold(comment, moderator):
    with committed():
        return comment_hold(comment=comment, moderator=moderator)


def post_to(client, url, *args, **kwargs):
    with committed():
        return client.post(url, *args, **kwargs)


@pytest.fixture
def a_moderator(db):
    moderator = make_user(staff=True, email="moderator@example.org")
    moderator.groups.add(Group.objects.get(name="Moderators"))
    return moderator


def to(address):
    return [m for m in mail.outbox if [a.lower() for a in m.to] == [address.lower()]]


def submit(post, *, email=ANN, approved=True, replies=True, ip="192.0.2.1", **data):
    data = {
        "name": "Ann Reader",
        "email": email,
        "body": f"Masked? {time.monotonic_ns()}",
        "notify_approved": approved,
        "notify_replies": replies,
        **data,
    }
    with committed():
        return comment_submit(post=post, data=data, request_meta={"ip_address": ip})


def links(message):
    confirm = [p for p in LINK.findall(message.body) if "/confirm/" in p]
    unsubscribe = [p for p in LINK.findall(message.body) if "/unsubscribe/" in p]
    return confirm, unsubscribe


def confirm_address(client, email=ANN):
    (message,) = to(email)
    (confirm,), _ = links(message)
    mail.outbox.clear()
    assert post_to(client, confirm).status_code == 200
    return confirm


def confirmed_subscription(post, client, **kwargs):
    comment = submit(post, **kwargs)
    confirm_address(client, kwargs.get("email", ANN))
    return comment, Subscription.objects.get(comment=comment)


# --- the form ------------------------------------------------------------------------------


def test_the_form_has_two_unticked_boxes_and_the_view_passes_them_on(client, a_post):
    page = client.get(a_post.get_absolute_url()).content.decode()
    for name in ("notify_approved", "notify_replies"):
        (tag,) = re.findall(rf'<input[^>]*name="{name}"[^>]*>', page)
        assert 'type="checkbox"' in tag and "checked" not in tag
    assert "Notify me by email when my comment is approved" in page
    assert "Notify me by email about replies to it" in page

    response = post_to(client, post_url(a_post), form_data(a_post, notify_replies="on"))
    assert response.status_code == 302
    subscription = Subscription.objects.get()
    assert (subscription.on_approval, subscription.on_replies) == (False, True)
    assert len(to(ANN)) == 1


def test_a_form_shown_again_with_errors_keeps_the_ticks(client, a_post):
    response = post_to(client, post_url(a_post), form_data(a_post, body="", notify_replies="on"))
    assert response.status_code == 400
    page = response.content.decode()
    (replies,) = re.findall(r'<input[^>]*name="notify_replies"[^>]*>', page)
    (approved,) = re.findall(r'<input[^>]*name="notify_approved"[^>]*>', page)
    assert " checked" in replies and " checked" not in approved
    assert not Subscription.objects.exists() and to(ANN) == []


def test_no_tick_no_subscription_and_no_mail(client, a_post):
    post_to(client, post_url(a_post), form_data(a_post))
    assert not Subscription.objects.exists() and to(ANN) == []


def test_spam_gets_no_subscription_and_no_mail(a_post):
    submit(a_post, honeypot="bot")
    assert not Subscriber.objects.exists() and to(ANN) == []


# --- confirmation ----------------------------------------------------------------------------


def test_nothing_but_one_confirmation_before_the_address_is_confirmed(a_post, a_moderator):
    comment = submit(a_post)
    (message,) = to(ANN)
    assert "confirm" in message.subject.lower()
    assert comment.body not in message.body and "Masked" not in message.body  # no relay
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["List-Unsubscribe"].startswith(
        "<http://testserver/subscriptions/unsubscribe/"
    )
    mail.outbox.clear()
    approve(comment, a_moderator)
    reply = submit(
        a_post, email="bob@example.org", approved=False, replies=False, parent=comment.pk
    )
    approve(reply, a_moderator)
    assert to(ANN) == []
    assert not Notice.objects.exists()


def test_fifty_comments_naming_a_victim_send_one_mail(a_post, settings):
    settings.COMMENT_RATE_LIMIT = "off"
    for n in range(50):
        email = "Victim@Example.org" if n % 2 else "victim@example.org"
        submit(a_post, email=email, ip=f"192.0.2.{n + 1}")
    assert len(to("victim@example.org")) == 1
    assert Subscriber.objects.count() == 1
    assert Subscription.objects.count() == 50


def test_no_second_confirmation_ever_and_the_first_link_keeps_working(client, a_post):
    submit(a_post)
    (first,), _ = links(to(ANN)[0])
    for days in (6, 8, 365):
        Subscriber.objects.update(
            confirmation_sent_at=timezone.now() - timezone.timedelta(days=days)
        )
        submit(a_post)
    assert len(to(ANN)) == 1  # one per address, ever (tests/test_subscriptions_feedback.py)
    assert post_to(client, first).status_code == 200
    assert Subscriber.objects.get().confirmed_at is not None


def test_get_shows_a_button_and_never_confirms(client, a_post, a_moderator):
    comment = submit(a_post)
    approve(comment, a_moderator)
    (confirm,), _ = links(to(ANN)[0])
    mail.outbox.clear()
    for _ in range(2):
        response = client.get(confirm)
        assert response.status_code == 200
        assert b'<form method="post"' in response.content and b"<button" in response.content
    assert client.head(confirm).status_code == 200
    assert Subscriber.objects.get().confirmed_at is None
    assert to(ANN) == []
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_confirming_sends_what_is_due_once_and_a_replay_is_refused(client, a_post, a_moderator):
    comment = submit(a_post)
    approve(comment, a_moderator)
    (confirm,), _ = links(to(ANN)[0])
    mail.outbox.clear()
    response = post_to(client, confirm)
    assert response.status_code == 200 and b"Address confirmed" in response.content
    (notice,) = to(ANN)
    assert "published" in notice.subject
    assert f"http://testserver{comment.get_absolute_url()}" in notice.body
    replay = post_to(client, confirm)
    assert replay.status_code == 410 and b"has been used" in replay.content
    assert client.get(confirm).status_code == 410
    assert len(to(ANN)) == 1


def test_forged_and_altered_confirmation_links_get_400(client, a_post):
    submit(a_post)
    (confirm,), _ = links(to(ANN)[0])
    token = confirm.rstrip("/").rsplit("/", 1)[1]
    other = tokens.confirmation_token(SimpleNamespace(pk=999, confirmation_nonce="x"))
    forged = [
        token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        "x" + token,
        "e30:1abcde:forged",
        tokens.unsubscribe_token(subscriber=Subscriber.objects.get()),  # the wrong salt
    ]
    for bad in forged:
        url = reverse("subscriptions:confirm", args=[bad])
        assert client.get(url).status_code == 400
        assert post_to(client, url).status_code == 400
    assert post_to(client, reverse("subscriptions:confirm", args=[other])).status_code == 410
    assert Subscriber.objects.get().confirmed_at is None


def test_an_expired_confirmation_link_gets_410(client, a_post, monkeypatch):
    submit(a_post)
    subscriber = Subscriber.objects.get()
    # One day past the link's life, whatever the setting says.
    days = settings.SUBSCRIPTIONS_CONFIRMATION_MAX_AGE_DAYS + 1
    too_old = time.time() - days * 86400
    monkeypatch.setattr("django.core.signing.time", SimpleNamespace(time=lambda: too_old))
    old = tokens.confirmation_token(subscriber)
    monkeypatch.undo()
    url = reverse("subscriptions:confirm", args=[old])
    for response in (client.get(url), post_to(client, url)):
        assert response.status_code == 410 and b"expired" in response.content
    assert Subscriber.objects.get().confirmed_at is None


@hsettings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(token=st.one_of(any_script_text(max_size=60), st.text(max_size=200)))
def test_any_text_as_a_token_is_a_clear_refusal(client, db, token):
    for name in ("confirm", "unsubscribe"):
        url = f"/subscriptions/{name}/{quote(token, safe='')}/"
        for response in (client.get(url), post_to(client, url)):
            assert response.status_code in (400, 404)


# --- notifications ---------------------------------------------------------------------------


def test_approval_is_mailed_once_with_unsubscribe_headers(client, a_post, a_moderator):
    comment, subscription = confirmed_subscription(a_post, client)
    approve(comment, a_moderator)
    hold(comment, a_moderator)
    approve(comment, a_moderator)
    (message,) = to(ANN)
    assert "A published write-up" in message.subject
    (header,) = LINK.findall(message.extra_headers["List-Unsubscribe"])
    assert message.extra_headers["List-Unsubscribe"] == f"<http://testserver{header}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    _, unsubscribe = links(message)
    assert header in unsubscribe and len(unsubscribe) == 2  # this comment; everything
    assert comment.body not in message.body


def test_an_approved_reply_is_mailed_once_but_never_ones_own(client, a_post, a_moderator):
    comment, subscription = confirmed_subscription(a_post, client, approved=False)
    approve(comment, a_moderator)
    assert to(ANN) == []  # no approval mail asked for
    reply = submit(
        a_post,
        email="bob@example.org",
        name="Bob https://evil.example.com",
        approved=False,
        replies=False,
        parent=comment.pk,
    )
    assert to(ANN) == []  # held: not yet
    approve(reply, a_moderator)
    hold(reply, a_moderator)
    approve(reply, a_moderator)
    (message,) = to(ANN)
    assert "reply" in message.subject.lower()
    assert f"http://testserver{reply.get_absolute_url()}" in message.body
    assert "https://evil.example.com" not in message.body and "evil[.]example[.]com" in message.body
    own = submit(a_post, email="ANN@Example.org", replies=False, parent=comment.pk)
    approve(own, a_moderator)
    assert len(to(ANN)) == 1


def test_a_reply_published_at_once_is_mailed(client, a_post, an_author):
    comment, _ = confirmed_subscription(a_post, client, approved=False)
    approve(comment, an_author)
    with committed():
        staff_reply = comment_submit(
            post=a_post,
            data={"body": "Yes, masked.", "parent": comment.pk},
            request_meta={"ip_address": "192.0.2.9"},
            user=an_author,
        )
    assert staff_reply.status == Status.APPROVED
    (message,) = to(ANN)
    assert f"http://testserver/comments/{staff_reply.pk}/thread/" in message.body


def test_a_comment_published_at_once_mails_no_approval(client, a_post, a_moderator):
    make_comment(a_post, email=ANN, status=Status.APPROVED)  # returning commenter
    Subscriber.objects.create(email_hash=email_hash(ANN), confirmed_at=timezone.now())
    comment = submit(a_post)
    assert comment.status == Status.APPROVED
    assert to(ANN) == []
    assert Subscription.objects.get(comment=comment).on_approval is False


# --- unsubscribing ---------------------------------------------------------------------------


def test_one_click_post_unsubscribes_without_a_csrf_token_and_again_is_harmless(
    client, a_post, a_moderator
):
    comment, subscription = confirmed_subscription(a_post, client)
    approve(comment, a_moderator)
    header = to(ANN)[0].extra_headers["List-Unsubscribe"].strip("<>")
    mail.outbox.clear()
    mail_program = Client(enforce_csrf_checks=True)
    for _ in range(2):
        response = post_to(
            mail_program,
            header,
            "List-Unsubscribe=One-Click",
            content_type="application/x-www-form-urlencoded",
        )
        assert response.status_code == 200
    subscription.refresh_from_db()
    assert subscription.ended_at is not None
    assert Subscriber.objects.get().opted_out_at is None  # only this comment
    reply = submit(a_post, email="bob@example.org", replies=False, parent=comment.pk)
    approve(reply, a_moderator)
    assert to(ANN) == []


def test_get_on_an_unsubscribe_link_only_shows_buttons(client, a_post, a_moderator):
    comment, subscription = confirmed_subscription(a_post, client)
    approve(comment, a_moderator)
    _, (one, everything) = links(to(ANN)[0])
    for url in (one, everything):
        response = client.get(url)
        assert response.status_code == 200 and b"<button" in response.content
    subscription.refresh_from_db()
    assert subscription.ended_at is None and Subscriber.objects.get().opted_out_at is None


def test_unsubscribe_from_everything_stops_every_mail_to_the_address(client, a_post, a_moderator):
    comment, subscription = confirmed_subscription(a_post, client)
    token = tokens.unsubscribe_token(subscription=subscription)
    response = post_to(
        client, reverse("subscriptions:unsubscribe", args=[token]), {"everything": "1"}
    )
    assert response.status_code == 200 and b"no more email to this address" in response.content
    assert Subscriber.objects.get().opted_out_at is not None
    approve(comment, a_moderator)
    later = submit(a_post)
    approve(later, a_moderator)
    assert to(ANN) == []
    assert not Subscription.objects.active().filter(comment=later).exists()  # kept, asleep
    assert mail_enqueue(to=ANN, subject="Anything", body="at all") == []  # the outbox veto


def test_the_confirmation_mail_s_own_link_means_never_mail_me(client, a_post):
    submit(a_post)
    (message,) = to(ANN)
    (confirm,), (never,) = links(message)
    assert message.extra_headers["List-Unsubscribe"] == f"<http://testserver{never}>"
    assert post_to(client, never).status_code == 200
    Subscriber.objects.update(confirmation_sent_at=None)
    submit(a_post)
    assert len(to(ANN)) == 1  # opted out: no second confirmation, whatever the window


def test_an_opted_out_moderator_still_gets_moderation_mail(a_post, a_moderator):
    Subscriber.objects.create(email_hash=email_hash(a_moderator.email), opted_out_at=timezone.now())
    assert mail_enqueue(to=a_moderator.email, subject="Held", body="x") == [a_moderator.email]


def test_bad_expired_and_gone_unsubscribe_links(client, a_post, monkeypatch):
    comment = submit(a_post)
    subscription = Subscription.objects.get()
    good = tokens.unsubscribe_token(subscription=subscription)
    forged = good[:-3] + ("xyz" if not good.endswith("xyz") else "abc")
    for url in (reverse("subscriptions:unsubscribe", args=[forged]),):
        assert client.get(url).status_code == 400 and post_to(client, url).status_code == 400
    long_ago = time.time() - 366 * 86400
    monkeypatch.setattr("django.core.signing.time", SimpleNamespace(time=lambda: long_ago))
    expired = tokens.unsubscribe_token(subscription=subscription)
    monkeypatch.undo()
    url = reverse("subscriptions:unsubscribe", args=[expired])
    assert post_to(client, url).status_code == 410
    subscription.refresh_from_db()
    assert subscription.ended_at is None
    comment.delete()
    url = reverse("subscriptions:unsubscribe", args=[good])
    for response in (client.get(url), post_to(client, url)):
        assert response.status_code == 410 and b"Nothing to unsubscribe" in response.content


# --- any script, and the admin ---------------------------------------------------------------


@hsettings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(email=any_script_email(), title=any_script_text())
def test_any_script_address_and_title_confirm_and_notify(db, a_post, a_moderator, email, title):
    mail.outbox.clear()
    a_post.title = title
    a_post.save()
    comment = Comment.objects.create(post=a_post, name="N", email=email, body="b")
    with committed():
        assert subscription_request(comment=comment, on_approval=True, on_replies=True)
    (message,) = [m for m in mail.outbox if m.to == [email]] or [None]
    if message is None:  # the address hashed like an earlier example's (same lower case)
        return
    (confirm,), _ = links(message)
    with committed():
        subscriber_confirm(token=confirm.rstrip("/").rsplit("/", 1)[1])
    approve(comment, a_moderator)
    sent = [m for m in mail.outbox if m.to == [email]]
    assert len(sent) == 2 and "\n" not in sent[1].subject


def test_the_admin_lists_subscriptions_and_shows_emails_to_moderators_only(
    client, a_post, a_moderator, django_assert_max_num_queries
):
    for n in range(12):
        submit(a_post, email=f"reader{n}@example.org", ip=f"192.0.2.{n + 1}")
    editor = make_user(staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    url = reverse("admin:subscriptions_subscription_changelist")
    client.force_login(a_moderator)
    with django_assert_max_num_queries(12):  # session, user, groups, count x2, rows, ...
        page = client.get(url).content.decode()
    assert "reader11@example.org" in page and "A published write-up" in page
    client.force_login(editor)
    page = client.get(url)
    assert page.status_code == 200 and b"reader11@example.org" not in page.content
    client.force_login(make_user(staff=True))
    assert client.get(url).status_code == 403
