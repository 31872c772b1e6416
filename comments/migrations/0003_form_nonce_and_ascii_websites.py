"""A form token sends one comment (``form_nonce``), and websites are kept in ASCII.

Earlier comments' international addresses are brought to the form the comment form now
stores (host in punycode), so a look-alike host shows as what it is everywhere.
"""

from django.db import migrations, models


def websites_in_ascii(apps, schema_editor):
    from comments.addresses import ascii_address

    Comment = apps.get_model("comments", "Comment")
    for pk, website in Comment.objects.exclude(website="").values_list("pk", "website").iterator():
        if website.isascii():
            continue
        try:
            ascii_website = ascii_address(website)
        except ValueError:  # a host IDNA refuses: leave it for a moderator to see as typed
            continue
        if len(ascii_website) <= 200:
            Comment.objects.filter(pk=pk).update(website=ascii_website)


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0002_comment_email_status_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="comment",
            name="form_nonce",
            field=models.CharField(
                blank=True, default=None, editable=False, max_length=32, null=True, unique=True
            ),
        ),
        migrations.RunPython(websites_in_ascii, migrations.RunPython.noop, elidable=True),
    ]
