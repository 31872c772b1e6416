"""Who may do what with posts and their comments: the roles' rules, one small function each.

Model permissions (from the groups made by the roles migrations) say what kind of thing a
user may do; these functions add whose posts (and whose posts' comments) they may do it to:

- Authors write and publish their own posts only, and see only those in the admin; they
  delete their own drafts that were never public;
- Editors see, edit, publish and delete every post;
- images: everyone in a role sees the whole media library; the uploader and Editors
  describe and delete an image;
- Moderators see every post (to judge the comments on it) but edit none;
- superusers may do everything.

Comments: Moderators (and superusers) moderate every comment; Editors read every comment
but moderate none; Authors read and moderate the comments on their own posts only (the
moderation email goes to the post's author).

A user with post or comment permissions but none of these roles is treated like an
Author: own posts only. The admin (blog/admin.py, comments/admin.py) applies these in its
querysets and its permission checks, so a hand-made request is refused as surely as a
missing button.
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


def was_never_public(post):
    """A draft no reader can have seen: still a draft, and no approved comment on it (a
    post that was published and returned to draft may carry readers' words). Import-free:
    reads the post's own fields (``comment_count`` counts approved comments)."""
    return post.status == "draft" and not post.comment_count


def can_delete_post(user, post):
    """Editors delete any post; an author only their own drafts that were never public
    (as WordPress's Contributors: a published post stays, its readers may have cited it)."""
    if not user.has_perm("blog.delete_post"):
        return False
    return is_editor(user) or (_owns(user, post) and was_never_public(post))


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


# --- images (media_library) ---------------------------------------------------------------


def can_change_image(user, image):
    """Describe or delete an image: its uploader, or an Editor. Every member of the roles
    may see and insert any image in the library (as in WordPress)."""
    owns = image.uploaded_by_id is not None and image.uploaded_by_id == user.pk
    return user.has_perm("media_library.change_image") and (is_editor(user) or owns)


def can_delete_image(user, image):
    owns = image.uploaded_by_id is not None and image.uploaded_by_id == user.pk
    return user.has_perm("media_library.delete_image") and (is_editor(user) or owns)


# --- comments ---------------------------------------------------------------------------


def sees_every_comment(user):
    """Moderators and Editors read every comment; everyone else those on their own posts."""
    return is_moderator(user) or is_editor(user)


def _may_view_comments(user):
    return user.has_perm("comments.view_comment") or user.has_perm("comments.change_comment")


def _on_own_post(user, comment):
    return comment.post.author_id is not None and comment.post.author_id == user.pk


def can_view_comment(user, comment):
    if not _may_view_comments(user):
        return False
    return sees_every_comment(user) or _on_own_post(user, comment)


def can_moderate_comment(user, comment):
    """Approve, reject, mark as spam or hold ``comment``."""
    return user.has_perm("comments.change_comment") and (
        is_moderator(user) or _on_own_post(user, comment)
    )


def comments_visible_to(user, queryset):
    """The comments of ``queryset`` the user may open in the admin."""
    if not _may_view_comments(user):
        return queryset.none()
    if sees_every_comment(user):
        return queryset
    return queryset.filter(post__author_id=user.pk)


def comments_moderated_by(user, queryset):
    """The comments of ``queryset`` the user may moderate."""
    if not user.has_perm("comments.change_comment"):
        return queryset.none()
    if is_moderator(user):
        return queryset
    return queryset.filter(post__author_id=user.pk)
