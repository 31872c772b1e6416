"""Moderators may redact comments and read the redaction history (who, when, why; the
original text is for superusers only, whatever the permissions).

As in glossary/migrations/0002_role_permissions.py, permission rows post_migrate has not
made yet are created here with the names Django gives them."""

from django.db import migrations

GRANTS = {"Moderators": ("add", "view")}


def _permission(apps, db, action):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.using(db).get_or_create(
        app_label="comments", model="redaction"
    )
    permission, _ = Permission.objects.using(db).get_or_create(
        content_type=content_type,
        codename=f"{action}_redaction",
        defaults={"name": f"Can {action} redaction"},
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
    ours = Permission.objects.using(db).filter(
        content_type__app_label="comments", content_type__model="redaction"
    )
    for group in Group.objects.using(db).filter(name__in=GRANTS):
        group.permissions.remove(*ours)


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0004_redaction"),
        ("roles", "0003_authors_delete_drafts_and_images"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
