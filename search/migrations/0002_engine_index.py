"""The engine's own index: SQLite's FTS5 table and triggers, or PostgreSQL's GIN index and
text search configuration (search.engine_setup says what and why)."""

from django.db import migrations


def create(apps, schema_editor):
    from search import engine_setup

    engine_setup.create(schema_editor)


def drop(apps, schema_editor):
    from search import engine_setup

    engine_setup.drop(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
