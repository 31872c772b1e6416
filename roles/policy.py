"""Who may do what with posts: the roles' rules, one small function each.

Model permissions (from the groups made by roles/migrations/0001_groups.py) say what kind
of thing a user may do; these functions add whose posts they may do it to:

- Authors write and publish their own posts only, and see only those in the admin;
- Editors see, edit, publish and delete every post;
- Moderators see every post (to judge the comments on it) but edit none;
- superusers may do everything.

A user with post permissions but none of these roles is treated like an Author: own
posts only. The admin (blog/admin.py) applies these in its querysets and its permission
checks, so a hand-made request is refused as surely as a missing button.
"""

AUTHORS = "Authors"
EDITORS = "Editors"
MODERATORS = "Moderators"


def role_names(user):
    """The names of the user's groups, read once per user object (one query)."""
    if not (user.is_authenticated and user.is_active):
        return frozenset()
    cached = getattr(user, "_role_names", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._role_names = cached
    return cached


def is_editor(user):
    return user.is_active and (user.is_superuser or EDITORS in role_names(user))


def is_moderator(user):
    return user.is_active and (user.is_superuser or MODERATORS in role_names(user))


def sees_every_post(user):
    """Editors and Moderators see all posts; everyone else only their own."""
    return is_editor(user) or is_moderator(user)


def _owns(user, post):
    return post.author_id is not None and post.author_id == user.pk


def can_view_post(user, post):
    if not (user.has_perm("blog.view_post") or user.has_perm("blog.change_post")):
        return False
    return sees_every_post(user) or _owns(user, post)


def can_edit_post(user, post):
    """Change, publish or unpublish ``post`` (and its disclosures)."""
    return user.has_perm("blog.change_post") and (is_editor(user) or _owns(user, post))


def can_delete_post(user, post):
    return user.has_perm("blog.delete_post") and (is_editor(user) or _owns(user, post))


def posts_visible_to(user, queryset):
    """The posts of ``queryset`` the user may open in the admin."""
    if not (user.has_perm("blog.view_post") or user.has_perm("blog.change_post")):
        return queryset.none()
    if sees_every_post(user):
        return queryset
    return queryset.filter(author_id=user.pk)


def posts_editable_by(user, queryset):
    """The posts of ``queryset`` the user may change, publish or unpublish."""
    if not user.has_perm("blog.change_post"):
        return queryset.none()
    if is_editor(user):
        return queryset
    return queryset.filter(author_id=user.pk)
