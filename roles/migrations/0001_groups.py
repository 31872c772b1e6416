"""The three roles as groups, each with exactly its permissions.

Permissions are normally created by post_migrate, after every migration has run, so on a
fresh database they do not exist yet when this runs: missing content types and permission
rows are created here, with the same names Django gives them, and post_migrate then finds
them in place. Running it again (or on a database where someone made a group of the same
name) sets each group's permissions to exactly these.
"""

from django.db import migrations

ACTIONS = ("add", "change", "delete", "view")

ROLE_PERMISSIONS = {
    "Authors": {
        ("blog", "post"): ("add", "change", "view"),
        ("blog", "disclosure"): ("add", "change", "delete", "view"),
        ("taggit", "tag"): ("add", "view"),
    },
    "Editors": {
        ("blog", "post"): ACTIONS,
        ("blog", "disclosure"): ACTIONS,
        ("taggit", "tag"): ACTIONS,
        ("comments", "comment"): ("view",),
    },
    "Moderators": {
        ("comments", "comment"): ("change", "view"),
        ("blog", "post"): ("view",),
    },
}


def _permission(apps, db, app_label, model_name, action):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    model = apps.get_model(app_label, model_name)
    content_type, _ = ContentType.objects.using(db).get_or_create(
        app_label=app_label, model=model._meta.model_name
    )
    permission, _ = Permission.objects.using(db).get_or_create(
        content_type=content_type,
        codename=f"{action}_{model._meta.model_name}",
        defaults={"name": f"Can {action} {model._meta.verbose_name_raw}"},
    )
    return permission


def create_groups(apps, schema_editor):
    db = schema_editor.connection.alias
    Group = apps.get_model("auth", "Group")
    for name, grants in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.using(db).get_or_create(name=name)
        group.permissions.set(
            [
                _permission(apps, db, app_label, model_name, action)
                for (app_label, model_name), actions in grants.items()
                for action in actions
            ]
        )


def delete_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(
        name__in=ROLE_PERMISSIONS
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("blog", "0001_initial"),
        ("comments", "0001_initial"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [migrations.RunPython(create_groups, delete_groups)]
