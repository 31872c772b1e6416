"""Authors may moderate the comments on their own posts.

The moderation email goes to the post's author, and an author decides in the admin what
the public sees; 0001 gave Authors no comment permissions, so that link ended in a 403.
The model permissions here say "may view and moderate comments"; roles.policy narrows
them to the comments on the author's own posts. Running it again changes nothing;
reversing it takes exactly these two away.
"""

from django.db import migrations

AUTHORS = "Authors"
GRANTS = {("comments", "comment"): ("change", "view")}


def _permissions(apps, db):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    found = []
    for (app_label, model_name), actions in GRANTS.items():
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


def grant_comment_moderation(apps, schema_editor):
    db = schema_editor.connection.alias
    Group = apps.get_model("auth", "Group")
    authors, _ = Group.objects.using(db).get_or_create(name=AUTHORS)
    authors.permissions.add(*_permissions(apps, db))


def revoke_comment_moderation(apps, schema_editor):
    db = schema_editor.connection.alias
    Group = apps.get_model("auth", "Group")
    authors = Group.objects.using(db).filter(name=AUTHORS).first()
    if authors is not None:
        authors.permissions.remove(*_permissions(apps, db))


class Migration(migrations.Migration):
    dependencies = [
        ("roles", "0001_groups"),
        ("comments", "0001_initial"),
    ]

    operations = [migrations.RunPython(grant_comment_moderation, revoke_comment_moderation)]
