"""Template tags for the admin's own pages.

- ``{% comments_waiting_for_user as waiting %}``: the held comments the signed-in user may
  see, so an Author's admin index counts only the comments on their own posts.
- ``{% comments_spam_for_user as spam %}``: the comments filed as spam in the last
  ``SPAM_DAYS`` days that the user may see (``spam.count``, ``spam.since``): spam is
  visible beside the queue, so a person wrongly filed there is found.
"""

from datetime import datetime, time, timedelta

from django import template
from django.utils import timezone

from comments.models import Comment
from roles import policy

register = template.Library()

SPAM_DAYS = 7


def _user(context):
    request = context.get("request")
    return getattr(request, "user", None)


@register.simple_tag(takes_context=True)
def comments_waiting_for_user(context):
    user = _user(context)
    if user is None:
        return 0
    return policy.comments_visible_to(user, Comment.objects.held()).count()


@register.simple_tag(takes_context=True)
def comments_spam_for_user(context):
    """``since``: the start of the first of the last SPAM_DAYS days, in the site's zone."""
    day = timezone.localdate() - timedelta(days=SPAM_DAYS - 1)
    since = timezone.make_aware(datetime.combine(day, time.min))
    user = _user(context)
    spam = Comment.objects.filter(status=Comment.Status.SPAM, created_at__gte=since)
    count = 0 if user is None else policy.comments_visible_to(user, spam).count()
    return {"count": count, "since": since.isoformat(), "days": SPAM_DAYS}
