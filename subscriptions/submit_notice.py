"""What the commenter is told about their "notify me" ticks, in the notice after sending
(comments.extensions.register_submit_notice; comments imports nothing from here).

Said only when a confirmation mail was queued for this very comment: the address is not
confirmed and its confirmation was sent while the comment was being stored (an address
asked already, or confirmed, gets no such sentence, and nothing was mailed).
"""

from subscriptions.models import Subscription

CONFIRMATION_SENT = (
    "We have sent you an email to confirm your address: follow its link and you will get "
    "the notifications you asked for. Until then, nothing more is sent to it."
)


def confirmation_notice(*, comment, data):
    if not (data.get("notify_approved") or data.get("notify_replies")):
        return ""  # no ticks: no query
    subscription = (
        Subscription.objects.filter(comment_id=comment.pk).select_related("subscriber").first()
    )
    if subscription is None:
        return ""
    subscriber = subscription.subscriber
    sent = subscriber.confirmation_sent_at
    if subscriber.confirmed_at is None and sent is not None and sent >= comment.created_at:
        return CONFIRMATION_SENT
    return ""
