"""The name a reply from the moderator's desk is published under (issue 15).

The replier's public name (``blog.metadata.author_name``: the author profile's display
name, else the full name) when they have one. A username is an account's handle, not a
name (the demo's "admin"): a name that is only the username counts as none, and the reply
is then signed "The author" (the post's author; it carries the Author badge) or
"<site> moderators" (it carries the Moderator badge).
"""

from django.conf import settings

from blog.metadata import author_name

MAX_LENGTH = 100  # Comment.name
MODERATORS = " moderators"


def staff_reply_name(user, *, post):
    name = " ".join(author_name(user).split())
    if name and name.casefold() != user.get_username().casefold():
        return name[:MAX_LENGTH]
    if user.pk == post.author_id:
        return "The author"
    site = " ".join(str(settings.SITE_NAME).split()) or "Site"
    return f"{site[: MAX_LENGTH - len(MODERATORS)]}{MODERATORS}"
