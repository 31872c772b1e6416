"""Authors and Editors may add, change and delete trial records and everything under them
(roles.policy then limits Authors to the records of their own posts); Moderators, who see
every post, may view them.

As in roles/migrations/0001_groups.py, permission rows that post_migrate has not made yet
are created here with the names Django gives them; running it again sets the same rows.
"""

from django.db import migrations

MODELS = ("trialrecord", "arm", "outcome", "outcomeresult", "harm", "harmresult")
ALL = ("add", "change", "delete", "view")
GRANTS = {"Authors": ALL, "Editors": ALL, "Moderators": ("view",)}


def _permission(apps, db, model_name, action):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    model = apps.get_model("trials", model_name)
    content_type, _ = ContentType.objects.using(db).get_or_create(
        app_label="trials", model=model_name
    )
    permission, _ = Permission.objects.using(db).get_or_create(
        content_type=content_type,
        codename=f"{action}_{model_name}",
        defaults={"name": f"Can {action} {model._meta.verbose_name_raw}"},
    )
    return permission


def grant(apps, schema_editor):
    db = schema_editor.connection.alias
    Group = apps.get_model("auth", "Group")
    for name, actions in GRANTS.items():
        group, _ = Group.objects.using(db).get_or_create(name=name)
        group.permissions.add(
            *[_permission(apps, db, model, action) for model in MODELS for action in actions]
        )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    db = schema_editor.connection.alias
    ours = Permission.objects.using(db).filter(content_type__app_label="trials")
    for group in Group.objects.using(db).filter(name__in=GRANTS):
        group.permissions.remove(*ours)


class Migration(migrations.Migration):
    dependencies = [
        ("trials", "0001_initial"),
        ("roles", "0002_authors_moderate_own_comments"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
