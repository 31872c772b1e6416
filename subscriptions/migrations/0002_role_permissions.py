"""Moderators (and Editors) may list the subscriptions; nobody edits them in the admin.

As in glossary/migrations/0002_role_permissions.py, permission rows post_migrate has not
made yet are created here with the names Django gives them."""

from django.db import migrations

GRANTS = {"Moderators": ("view",), "Editors": ("view",)}


def _permission(apps, db, action):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.using(db).get_or_create(
        app_label="subscriptions", model="subscription"
    )
    permission, _ = Permission.objects.using(db).get_or_create(
        content_type=content_type,
        codename=f"{action}_subscription",
        defaults={"name": f"Can {action} subscription"},
    )
    return permission


def grant(apps, schema_editor):
    db = schema_editor.connection.alias
    Group = apps.get_model("auth", "Group")
    for name, actions in GRANTS.items():
        group, _ = Group.objects.using(db).get_or_create(name=name)
        group.permissions.add(*[_permission(apps, db, action) for action in actions])


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    db = schema_editor.connection.alias
    ours = Permission.objects.using(db).filter(content_type__app_label="subscriptions")
    for group in Group.objects.using(db).filter(name__in=GRANTS):
        group.permissions.remove(*ours)


class Migration(migrations.Migration):
    dependencies = [
        ("subscriptions", "0001_initial"),
        ("roles", "0003_authors_delete_drafts_and_images"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
