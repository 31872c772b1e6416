"""``{% pending_comments post %}``: this browser's own comments on the post (held ones
marked "Awaiting moderation", Edit and Withdraw links), filled in per request; see
comments.rendering.pending_slot."""

from django import template

from comments.rendering import pending_slot

register = template.Library()


@register.simple_tag(takes_context=True)
def pending_comments(context, post):
    if not post.is_published:
        return ""
    return pending_slot(context.get("request"), post.pk)
