"""Everything that changes a subscription, and the mail it sends (through the outbox, after
commit).

- ``subscription_request``: a comment's "notify me" ticks; the first request for an
  address sends ONE confirmation, ever: an address that does not confirm is never mailed
  again, however many comments name it (no window after which a stranger could be mailed
  again); once confirmed, later requests need none;
- ``notice_for``: what the commenter is told about their ticks after sending;
- ``subscriber_confirm``: the address's owner confirmed: the notices still due go;
- ``subscription_end`` / ``subscriber_opt_out``: unsubscribe from one comment / from
  everything (``address_opted_out`` then vetoes the address for every message);
  ``subscriber_opt_in``: "Email me again", from a link mailed to the address;
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


class Outcome:
    """What became of a comment's ticks (``notice_for`` words it for the commenter)."""

    CONFIRMATION_SENT = "confirmation sent"
    CONFIRMATION_PENDING = "confirmation pending"  # sent earlier, its link still works
    CONFIRMATION_EXPIRED = "confirmation expired"  # sent earlier, never confirmed
    CONFIRMED = "confirmed"
    OPTED_OUT = "opted out"


# Set on the comment instance that comment_submit returns (nothing is stored).
OUTCOME_ATTRIBUTE = "_subscriptions_outcome"


def _confirmation_send(*, subscriber, address):
    """The one confirmation an address ever gets; False when it had it already."""
    if subscriber.confirmation_sent_at is not None:
        return False
    subscriber.confirmation_sent_at = timezone.now()
    subscriber.confirmation_nonce = secrets.token_urlsafe(16)
    subscriber.full_clean()
    subscriber.save(update_fields=["confirmation_sent_at", "confirmation_nonce"])
    subject, body, headers = mail.confirmation_message(subscriber)
    mail_enqueue(to=address, subject=subject, body=body, headers=headers)
    return True


def _pending_outcome(subscriber):
    sent = subscriber.confirmation_sent_at
    max_age = timedelta(days=settings.SUBSCRIPTIONS_CONFIRMATION_MAX_AGE_DAYS)
    if subscriber.confirmation_nonce and timezone.now() - sent < max_age:
        return Outcome.CONFIRMATION_PENDING
    return Outcome.CONFIRMATION_EXPIRED


def subscription_request(*, comment, on_approval, on_replies):
    """Record ``comment``'s ticks (call inside the transaction that saved it).

    Nothing for a comment filed as spam or rejected, or without an address. An address
    that asked for no mail gets none, but its ticks are kept: "Email me again" brings
    them back. Returns the Subscription or None; what became of the ticks is put on the
    comment for ``notice_for``.
    """
    if not (on_approval or on_replies) or not comment.email:
        return None
    if comment.status not in (Status.HELD, Status.APPROVED):
        return None
    with transaction.atomic():
        subscriber = _subscriber_locked(comment.email)
        subscription = Subscription(
            subscriber=subscriber,
            comment=comment,
            # Published at once: the commenter sees it; no mail says so.
            on_approval=bool(on_approval) and comment.status == Status.HELD,
            on_replies=bool(on_replies),
        )
        subscription.full_clean(exclude=["subscriber", "comment"])
        subscription.save()
        if subscriber.opted_out_at is not None:
            outcome = Outcome.OPTED_OUT
        elif subscriber.confirmed_at is not None:
            outcome = Outcome.CONFIRMED
        elif _confirmation_send(subscriber=subscriber, address=comment.email):
            outcome = Outcome.CONFIRMATION_SENT
        else:
            outcome = _pending_outcome(subscriber)
    setattr(comment, OUTCOME_ATTRIBUTE, outcome)
    return subscription


NOTICES = {
    Outcome.CONFIRMATION_SENT: (
        "We have emailed you a link to confirm your address: until you confirm, we send "
        "nothing else."
    ),
    Outcome.CONFIRMATION_PENDING: (
        "We will email you nothing yet: we sent this address a confirmation link earlier "
        "and send only one. Confirm with that link and you will get the emails you asked "
        "for, about this comment too."
    ),
    Outcome.CONFIRMATION_EXPIRED: (
        "We will email you nothing: we sent this address a confirmation link earlier, "
        "which was not used and has expired, and we send only one per address."
    ),
    Outcome.OPTED_OUT: (
        "We will email you nothing: this address asked us for no email. To get emails "
        "again, open the link to stop emails in any email we sent you and press "
        "\u201cEmail me again\u201d (this comment\u2019s emails then follow)."
    ),
}


def notice_for(comment):
    """One sentence for the commenter about their notify-me ticks, or None when there is
    nothing to say (no ticks, a confirmed address, or spam: a spammer learns nothing).
    Reads what ``on_comment_submitted`` put on the comment ``comment_submit`` returned."""
    return NOTICES.get(getattr(comment, OUTCOME_ATTRIBUTE, None))


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


def latest_comment(subscriber):
    """The comment of the address's latest request, with its post and whether readers see
    it: (comment, shown), or (None, False) when its comments are gone."""
    subscription = (
        Subscription.objects.filter(subscriber=subscriber).select_related("comment__post").first()
    )
    if subscription is None:
        return None, False
    comment = subscription.comment
    return comment, Comment.objects.public().filter(pk=comment.pk).exists()


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


def subscriber_opt_in(*, subscriber):
    """ "Email me again": only ever from a link mailed to the address, so it confirms the
    address too. The notices due for what it ticked meanwhile go; again is harmless."""
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        if subscriber.opted_out_at is None:
            return subscriber
        subscriber.opted_out_at = None
        subscriber.confirmed_at = subscriber.confirmed_at or timezone.now()
        subscriber.confirmation_nonce = ""
        subscriber.full_clean()
        subscriber.save(update_fields=["opted_out_at", "confirmed_at", "confirmation_nonce"])
        _notify_due(subscriber)
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
