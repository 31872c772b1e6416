"""The moderators' record of comments their authors withdrew (issue 15), and the
Moderators' permission to read it (as in 0005_moderators_redact: permission rows that
post_migrate has not made yet are created here with the names Django gives them)."""

import django.db.models.deletion
from django.db import migrations, models

GRANTS = {"Moderators": ("view",)}


def _permission(apps, db, action):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.using(db).get_or_create(
        app_label="comments", model="withdrawncomment"
    )
    permission, _ = Permission.objects.using(db).get_or_create(
        content_type=content_type,
        codename=f"{action}_withdrawncomment",
        defaults={"name": f"Can {action} withdrawn comment"},
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
        content_type__app_label="comments", content_type__model="withdrawncomment"
    )
    for group in Group.objects.using(db).filter(name__in=GRANTS):
        group.permissions.remove(*ours)


class Migration(migrations.Migration):

    dependencies = [
        ('blog', '0005_plain_language'),
        ('comments', '0009_commentedit_title_and_competing_interests_before'),
        ('roles', '0003_authors_delete_drafts_and_images'),
    ]

    operations = [
        migrations.CreateModel(
            name='WithdrawnComment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('comment_pk', models.PositiveBigIntegerField(db_index=True, verbose_name='comment id')),
                ('parent_pk', models.PositiveBigIntegerField(blank=True, null=True, verbose_name='in reply to comment')),
                ('name', models.CharField(max_length=100)),
                ('email_hash', models.CharField(db_index=True, max_length=64, verbose_name='email address (keyed hash)')),
                ('title', models.CharField(blank=True, max_length=200)),
                ('body', models.TextField(verbose_name='text when withdrawn')),
                ('earlier_texts', models.JSONField(blank=True, default=list, help_text="The texts before each of the commenter's edits.")),
                ('status', models.CharField(choices=[('held', 'Held for moderation'), ('approved', 'Approved'), ('rejected', 'Rejected'), ('spam', 'Spam')], max_length=10, verbose_name='status when withdrawn')),
                ('sent_at', models.DateTimeField()),
                ('withdrawn_at', models.DateTimeField(db_index=True)),
                ('post', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='blog.post')),
            ],
            options={
                'verbose_name': 'withdrawn comment',
                'ordering': ['-withdrawn_at', '-pk'],
            },
        ),
        migrations.RunPython(grant, revoke),
    ]
