"""ORCID iDs are stored as their address (https://orcid.org/0000-0002-1825-0097), as ORCID
asks sites to show them: the column grows to hold it, and stored bare iDs get the prefix."""

from django.db import migrations

import authors.orcid

ADDRESS = "https://orcid.org/"


def to_addresses(apps, schema_editor):
    AuthorProfile = apps.get_model("authors", "AuthorProfile")
    for profile in AuthorProfile.objects.exclude(orcid="").exclude(orcid__startswith=ADDRESS):
        profile.orcid = ADDRESS + profile.orcid
        profile.save(update_fields=["orcid"])


def to_bare_ids(apps, schema_editor):
    AuthorProfile = apps.get_model("authors", "AuthorProfile")
    for profile in AuthorProfile.objects.filter(orcid__startswith=ADDRESS):
        profile.orcid = profile.orcid[len(ADDRESS) :]
        profile.save(update_fields=["orcid"])


class Migration(migrations.Migration):
    dependencies = [
        ("authors", "0002_profiles_and_permissions"),
    ]

    operations = [
        migrations.AlterField(
            model_name="authorprofile",
            name="orcid",
            field=authors.orcid.OrcidField(
                blank=True,
                help_text="Like 0000-0002-1825-0097 or https://orcid.org/0000-0002-1825-0097 "
                "(stored as the address).",
                max_length=37,
                verbose_name="ORCID iD",
            ),
        ),
        migrations.RunPython(to_addresses, to_bare_ids),
    ]
