"""Editors record notices about papers by hand (add, change, delete, view)."""

from django.db import migrations

ACTIONS = ("add", "change", "delete", "view")


def grant(apps, schema_editor):
    db = schema_editor.connection.alias
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    editors = Group.objects.using(db).filter(name="Editors").first()
    if editors is None:
        return
    content_type, _ = ContentType.objects.using(db).get_or_create(
        app_label="blog", model="papernotice"
    )
    for action in ACTIONS:
        permission, _ = Permission.objects.using(db).get_or_create(
            content_type=content_type,
            codename=f"{action}_papernotice",
            defaults={"name": f"Can {action} notice about a paper"},
        )
        editors.permissions.add(permission)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    editors = Group.objects.filter(name="Editors").first()
    if editors is not None:
        editors.permissions.remove(
            *Permission.objects.filter(content_type__app_label="blog", codename__endswith="_papernotice")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0004_public_record"),
        ("roles", "0002_authors_moderate_own_comments"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
