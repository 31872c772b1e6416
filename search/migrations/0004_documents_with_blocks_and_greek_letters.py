"""Documents now end each block with a line break (snippets no longer run a heading into its
text) and hold Greek letters' names beside the letters (search.extraction, search.text).
Documents are derived data: this empties them, and ``search_documents_fill_missing`` (run
after every ``migrate``) writes them all afresh, so a plain ``migrate`` deploy is enough."""

from django.db import migrations


def empty(apps, schema_editor):
    apps.get_model("search", "SearchDocument").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("search", "0003_documents_with_disclosures")]

    operations = [migrations.RunPython(empty, migrations.RunPython.noop)]
