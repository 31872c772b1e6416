"""Documents now hold the post's disclosures and leave out the glossary's "Words explained"
list (search.documents). Documents are derived data: this empties them, and
``search_documents_fill_missing`` (run after every ``migrate``) writes them all afresh."""

from django.db import migrations


def empty(apps, schema_editor):
    apps.get_model("search", "SearchDocument").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("search", "0002_engine_index")]

    operations = [migrations.RunPython(empty, migrations.RunPython.noop)]
