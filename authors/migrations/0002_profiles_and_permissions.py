"""Profiles for everyone who has written a post or is an Author or Editor, and the
permissions: Authors change their own profile (roles.policy and authors.admin narrow it to
their own), Editors everyone's.

Historical models only: the name and slug rules are restated here in their simplest form
(full name, else username; ``slugify``; ``-2``, ``-3``... on a clash).
"""

from django.db import migrations
from django.utils.text import slugify

AUTHOR_PERMISSIONS = {
    "authorprofile": ("view", "change"),
    "standinginterest": ("view", "add", "change", "delete"),
}
EDITOR_PERMISSIONS = {
    "authorprofile": ("view", "add", "change", "delete"),
    "standinginterest": ("view", "add", "change", "delete"),
}


def _free_slug(name, taken):
    base = slugify(name, allow_unicode=True)[:96].strip("-_") or "author"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


def create_profiles(apps, schema_editor):
    User = apps.get_model("auth", "User")
    Post = apps.get_model("blog", "Post")
    AuthorProfile = apps.get_model("authors", "AuthorProfile")
    writers = User.objects.filter(pk__in=Post.objects.values("author_id")) | User.objects.filter(
        groups__name__in=["Authors", "Editors"]
    )
    taken = set(AuthorProfile.objects.values_list("slug", flat=True))
    for user in writers.distinct().order_by("pk"):
        if AuthorProfile.objects.filter(user=user).exists():
            continue
        name = " ".join(f"{user.first_name} {user.last_name}".split()) or user.username
        AuthorProfile.objects.create(user=user, display_name=name, slug=_free_slug(name, taken))


def _permission(apps, db, model_name, action):
    """As roles.0001 does it: the permission may not exist yet (post_migrate makes them)."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    model = apps.get_model("authors", model_name)
    content_type, _ = ContentType.objects.using(db).get_or_create(
        app_label="authors", model=model._meta.model_name
    )
    permission, _ = Permission.objects.using(db).get_or_create(
        content_type=content_type,
        codename=f"{action}_{model._meta.model_name}",
        defaults={"name": f"Can {action} {model._meta.verbose_name_raw}"},
    )
    return permission


def grant_permissions(apps, schema_editor):
    db = schema_editor.connection.alias
    Group = apps.get_model("auth", "Group")
    for group_name, wanted in (("Authors", AUTHOR_PERMISSIONS), ("Editors", EDITOR_PERMISSIONS)):
        group, _ = Group.objects.using(db).get_or_create(name=group_name)
        group.permissions.add(
            *[
                _permission(apps, db, model, action)
                for model, actions in wanted.items()
                for action in actions
            ]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("authors", "0001_initial"),
        ("roles", "0002_authors_moderate_own_comments"),
        ("blog", "0003_labels_one_rule"),
    ]

    operations = [
        migrations.RunPython(create_profiles, migrations.RunPython.noop),
        migrations.RunPython(grant_permissions, migrations.RunPython.noop),
    ]
