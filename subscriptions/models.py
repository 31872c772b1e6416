"""Who asked for which mail about which comment, and which mail went.

An address is kept as a keyed hash only (``addresses.email_hash``): the address itself stays
on the comment it came with, so deleting the comment deletes it. A ``Subscriber`` is one
address: confirmed or not, and whether it asked for no mail at all. A ``Subscription`` is
one comment's "notify me" ticks. A ``Notice`` is one mail sent for one event (the comment
approved, one reply approved): its unique constraint makes each event mail once.
"""

from django.db import models

from comments.models import Comment


class Subscriber(models.Model):
    email_hash = models.CharField(max_length=64, unique=True, editable=False)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The one outstanding confirmation: its nonce is in the link; a new one replaces it.
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    confirmation_nonce = models.CharField(max_length=32, blank=True, editable=False)
    # "Unsubscribe from everything": no mail of any kind to this address any more.
    opted_out_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "email address"

    def __str__(self):
        state = "confirmed" if self.confirmed_at else "unconfirmed"
        return f"Address {self.email_hash[:8]}\u2026 ({state})"


class SubscriptionQuerySet(models.QuerySet):
    def active(self):
        """Not ended, for a confirmed address that has not opted out."""
        return self.filter(
            ended_at__isnull=True,
            subscriber__confirmed_at__isnull=False,
            subscriber__opted_out_at__isnull=True,
        )


class Subscription(models.Model):
    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="subscriptions"
    )
    comment = models.OneToOneField(Comment, on_delete=models.CASCADE, related_name="subscription")
    on_approval = models.BooleanField("when approved", default=False)
    on_replies = models.BooleanField("about replies", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField("unsubscribed at", null=True, blank=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"Notifications for comment {self.comment_id}"


class Notice(models.Model):
    class Kind(models.TextChoices):
        APPROVED = "approved", "Comment approved"
        REPLY = "reply", "Reply approved"

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    about = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "kind", "about"], name="subscriptions_notice_once"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.about_id})"
