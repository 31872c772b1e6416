"""Template tags for the admin's own pages.

``{% comments_waiting_for_user as waiting %}``: the held comments the signed-in user may
see, so an Author's admin index counts only the comments on their own posts.
"""

from django import template

from comments.models import Comment
from roles import policy

register = template.Library()


@register.simple_tag(takes_context=True)
def comments_waiting_for_user(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None:
        return 0
    return policy.comments_visible_to(user, Comment.objects.held()).count()
