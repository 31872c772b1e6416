"""Everything that changes a subscription, and the mail it sends (through the outbox, after
commit).

- ``subscription_request``: a comment's "notify me" ticks; the first request for an
  unconfirmed address sends ONE confirmation, and no other for
  SUBSCRIPTIONS_CONFIRMATION_INTERVAL_DAYS (and never while one is outstanding);
- ``subscriber_confirm``: the address's owner confirmed: the notices still due go;
- ``subscription_end`` / ``subscriber_opt_out``: unsubscribe from one comment / from
  everything (``address_opted_out`` then vetoes the address for every message);
- ``on_comment_submitted`` / ``on_comment_status_changed``: the hooks comments calls
  (comments.extensions), which send each notice once (``Notice``).
"""

import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from comments.models import Comment
from outbox.services import mail_enqueue
from subscriptions import mail, tokens
from subscriptions.addresses import email_hash
from subscriptions.models import Notice, Subscriber, Subscription

logger = logging.getLogger(__name__)
Status = Comment.Status


class TokenUsed(Exception):
    """A genuine link that has done its work, or was replaced by a newer one (410)."""


def _subscriber_locked(address):
    digest = email_hash(address)
    Subscriber.objects.get_or_create(email_hash=digest)
    return Subscriber.objects.select_for_update().get(email_hash=digest)


def _confirmation_window():
    return timedelta(
        days=max(
            settings.SUBSCRIPTIONS_CONFIRMATION_INTERVAL_DAYS,
            settings.SUBSCRIPTIONS_CONFIRMATION_MAX_AGE_DAYS,
        )
    )


def _confirmation_send(*, subscriber, address):
    """One confirmation per window per address; False when the window holds it back."""
    now = timezone.now()
    sent = subscriber.confirmation_sent_at
    if sent is not None and now - sent < _confirmation_window():
        return False
    subscriber.confirmation_sent_at = now
    subscriber.confirmation_nonce = secrets.token_urlsafe(16)
    subscriber.full_clean()
    subscriber.save(update_fields=["confirmation_sent_at", "confirmation_nonce"])
    subject, body, headers = mail.confirmation_message(subscriber)
    mail_enqueue(to=address, subject=subject, body=body, headers=headers)
    return True


def subscription_request(*, comment, on_approval, on_replies):
    """Record ``comment``'s ticks (call inside the transaction that saved it).

    Nothing for a comment filed as spam or rejected, without an address, or from an address
    that asked for no mail. Returns the Subscription or None.
    """
    if not (on_approval or on_replies) or not comment.email:
        return None
    if comment.status not in (Status.HELD, Status.APPROVED):
        return None
    with transaction.atomic():
        subscriber = _subscriber_locked(comment.email)
        if subscriber.opted_out_at is not None:
            return None
        subscription = Subscription(
            subscriber=subscriber,
            comment=comment,
            # Published at once: the commenter sees it; no mail says so.
            on_approval=bool(on_approval) and comment.status == Status.HELD,
            on_replies=bool(on_replies),
        )
        subscription.full_clean(exclude=["subscriber", "comment"])
        subscription.save()
        if subscriber.confirmed_at is None:
            _confirmation_send(subscriber=subscriber, address=comment.email)
    return subscription


def _notice_send(*, subscription, kind, about):
    """Mail one notice unless it went already; True when queued now."""
    with transaction.atomic():
        _notice, created = Notice.objects.get_or_create(
            subscription=subscription, kind=kind, about=about
        )
        if not created:
            return False
        if kind == Notice.Kind.APPROVED:
            subject, body, headers = mail.approved_message(subscription)
        else:
            subject, body, headers = mail.reply_message(subscription, about)
        mail_enqueue(
            to=subscription.comment.email,
            subject=subject,
            body=body,
            headers=headers,
            about=[subscription.comment, about],  # either withdrawn before it goes: not sent
        )
    return True


def _active_subscriptions():
    return Subscription.objects.active().select_related("subscriber", "comment__post")


def _notify_approved(comment):
    subscription = _active_subscriptions().filter(comment=comment, on_approval=True).first()
    if subscription is not None:
        _notice_send(subscription=subscription, kind=Notice.Kind.APPROVED, about=comment)


def _notify_reply(reply):
    """Tell the parent's subscriber about ``reply``: never about their own."""
    if not reply.parent_id:
        return
    subscription = (
        _active_subscriptions().filter(comment_id=reply.parent_id, on_replies=True).first()
    )
    if subscription is None or email_hash(reply.email) == subscription.subscriber.email_hash:
        return
    if Comment.objects.visible().filter(pk__in=[reply.pk, reply.parent_id]).count() != 2:
        return
    _notice_send(subscription=subscription, kind=Notice.Kind.REPLY, about=reply)


def _notify_due(subscriber):
    """After confirming: the notices for what happened while the address was unconfirmed."""
    for subscription in _active_subscriptions().filter(subscriber=subscriber):
        comment = subscription.comment
        if subscription.on_approval and comment.status == Status.APPROVED:
            _notice_send(subscription=subscription, kind=Notice.Kind.APPROVED, about=comment)
        if subscription.on_replies:
            for reply in Comment.objects.visible().filter(parent=comment).order_by("pk"):
                _notify_reply(reply)


def subscriber_confirm(*, token):
    """Confirm the address a confirmation link names. Raises tokens.BadToken (forged),
    tokens.ExpiredToken, or TokenUsed (confirmed already, or a newer link was sent)."""
    subscriber_id, nonce = tokens.read_confirmation(token)
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().filter(pk=subscriber_id).first()
        if subscriber is None:
            raise TokenUsed()
        if subscriber.confirmed_at is not None or not secrets.compare_digest(
            subscriber.confirmation_nonce, nonce
        ):
            raise TokenUsed()
        subscriber.confirmed_at = timezone.now()
        subscriber.confirmation_nonce = ""
        subscriber.opted_out_at = None  # confirming is asking for mail
        subscriber.full_clean()
        subscriber.save(update_fields=["confirmed_at", "confirmation_nonce", "opted_out_at"])
        _notify_due(subscriber)
    return subscriber


def check_confirmation(*, token):
    """What ``subscriber_confirm`` would raise, without changing anything (for a GET)."""
    subscriber_id, nonce = tokens.read_confirmation(token)
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None or subscriber.confirmed_at is not None:
        raise TokenUsed()
    if not secrets.compare_digest(subscriber.confirmation_nonce, nonce):
        raise TokenUsed()
    return subscriber


def unsubscribe_target(*, token):
    """(kind, object) an unsubscribe link names: ("subscription", Subscription) or
    ("address", Subscriber). Raises tokens.BadToken, tokens.ExpiredToken, or TokenUsed
    when the subscription is gone (its comment deleted)."""
    kind, pk = tokens.read_unsubscribe(token)
    if kind == "subscription":
        target = Subscription.objects.select_related("subscriber", "comment__post")
    else:
        target = Subscriber.objects
    found = target.filter(pk=pk).first()
    if found is None:
        raise TokenUsed()
    return kind, found


def subscription_end(*, subscription):
    """No more mail about this comment; again is harmless."""
    with transaction.atomic():
        updated = Subscription.objects.filter(pk=subscription.pk, ended_at__isnull=True).update(
            ended_at=timezone.now()
        )
    subscription.refresh_from_db(fields=["ended_at"])
    return bool(updated)


def subscriber_opt_out(*, subscriber):
    """No more mail of any kind to this address; again is harmless."""
    now = timezone.now()
    with transaction.atomic():
        Subscriber.objects.filter(pk=subscriber.pk, opted_out_at__isnull=True).update(
            opted_out_at=now, confirmation_nonce=""
        )
        Subscription.objects.filter(subscriber=subscriber, ended_at__isnull=True).update(
            ended_at=now
        )
    subscriber.refresh_from_db()
    return subscriber


def address_opted_out(address):
    """The outbox veto: an address that asked for no mail, unless it is a staff account's
    (moderation mail is their work, not a subscription)."""
    opted_out = Subscriber.objects.filter(
        email_hash=email_hash(address), opted_out_at__isnull=False
    ).exists()
    if not opted_out:
        return False
    staff = get_user_model().objects.filter(is_active=True, is_staff=True, email__iexact=address)
    return not staff.exists()


# -- the hooks comments calls (comments.extensions) -----------------------------------------


def on_comment_submitted(*, comment, data):
    subscription_request(
        comment=comment,
        on_approval=data.get("notify_approved"),
        on_replies=data.get("notify_replies"),
    )
    if comment.status == Status.APPROVED and comment.parent_id:
        _notify_reply(comment)


def on_comment_status_changed(*, comment_id, previous, status):
    if status != Status.APPROVED or previous == Status.APPROVED:
        return
    comment = Comment.objects.select_related("post").filter(pk=comment_id).first()
    if comment is None or comment.status != Status.APPROVED:
        return
    _notify_approved(comment)
    _notify_reply(comment)
