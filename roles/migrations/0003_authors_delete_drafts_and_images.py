"""Authors delete their own never-public drafts; Authors and Editors use the media library.

The model permissions say "may delete posts" and "may upload, describe, delete images";
roles.policy narrows them: an Author deletes only their own drafts that were never public,
and describes or deletes only the images they uploaded (Editors: any). Running it again
changes nothing; reversing it takes exactly these away.
"""

from django.db import migrations

GRANTS = {
    "Authors": {
        ("blog", "post"): ("delete",),
        ("media_library", "image"): ("add", "change", "delete", "view"),
    },
    "Editors": {
        ("media_library", "image"): ("add", "change", "delete", "view"),
    },
}


def _permissions(apps, db, grants):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    found = []
    for (app_label, model_name), actions in grants.items():
        model = apps.get_model(app_label, model_name)
        content_type, _ = ContentType.objects.using(db).get_or_create(
            app_label=app_label, model=model._meta.model_name
        )
        for action in actions:
            permission, _ = Permission.objects.using(db).get_or_create(
                content_type=content_type,
                codename=f"{action}_{model._meta.model_name}",
                defaults={"name": f"Can {action} {model._meta.verbose_name_raw}"},
            )
            found.append(permission)
    return found


def grant(apps, schema_editor):
    db = schema_editor.connection.alias
    Group = apps.get_model("auth", "Group")
    for name, grants in GRANTS.items():
        group, _ = Group.objects.using(db).get_or_create(name=name)
        group.permissions.add(*_permissions(apps, db, grants))


def revoke(apps, schema_editor):
    db = schema_editor.connection.alias
    Group = apps.get_model("auth", "Group")
    for name, grants in GRANTS.items():
        group = Group.objects.using(db).filter(name=name).first()
        if group is not None:
            group.permissions.remove(*_permissions(apps, db, grants))


class Migration(migrations.Migration):
    dependencies = [
        ("roles", "0002_authors_moderate_own_comments"),
        ("blog", "0001_initial"),
        ("media_library", "0001_initial"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
