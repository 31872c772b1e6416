"""The engine-specific parts of the search index, made by the migration (``search.0002``).

Kept here, not in the migration's text, so that a test can check both engines' set-up and
the README can point to one place.
"""

import logging

from django.db import DatabaseError, transaction

logger = logging.getLogger(__name__)

_COLUMNS = ("title", "summary", "body", "labels", "author", "identifiers", "folded")
_NEW = ", ".join(f"new.{c}" for c in _COLUMNS)
_OLD = ", ".join(f"old.{c}" for c in _COLUMNS)
_LIST = ", ".join(_COLUMNS)

# Column names are the constants above; nothing typed by anyone is in these statements.
SQLITE_CREATE = [
    # External content: the text lives once, in search_document; FTS5 keeps only its index.
    f"CREATE VIRTUAL TABLE search_fts USING fts5({_LIST}, content='search_document', "
    "content_rowid='post_id', tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER search_document_ai AFTER INSERT ON search_document BEGIN "  # noqa: S608
    f"INSERT INTO search_fts(rowid, {_LIST}) VALUES (new.post_id, {_NEW}); END",
    "CREATE TRIGGER search_document_ad AFTER DELETE ON search_document BEGIN "  # noqa: S608
    f"INSERT INTO search_fts(search_fts, rowid, {_LIST}) "
    f"VALUES ('delete', old.post_id, {_OLD}); END",
    "CREATE TRIGGER search_document_au AFTER UPDATE ON search_document BEGIN "  # noqa: S608
    f"INSERT INTO search_fts(search_fts, rowid, {_LIST}) "
    f"VALUES ('delete', old.post_id, {_OLD}); "
    f"INSERT INTO search_fts(rowid, {_LIST}) VALUES (new.post_id, {_NEW}); END",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS search_document_ai",
    "DROP TRIGGER IF EXISTS search_document_ad",
    "DROP TRIGGER IF EXISTS search_document_au",
    "DROP TABLE IF EXISTS search_fts",
]

POSTGRES_CONFIG = "trialpress_search"


def create(schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        for statement in SQLITE_CREATE:
            schema_editor.execute(statement)
    elif connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX search_document_vector_gin ON search_document USING gin (vector)"
        )
        _create_postgres_config(schema_editor)


def drop(schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        for statement in SQLITE_DROP:
            schema_editor.execute(statement)
    elif connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS search_document_vector_gin")
        schema_editor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {POSTGRES_CONFIG}")


def unaccent_available(connection):
    """Install ``unaccent`` if this role may (it needs CREATE rights on the database)."""
    try:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        return True
    except DatabaseError as error:
        logger.warning(
            "The unaccent extension could not be installed (%s): search still folds "
            "accents, but snippets will not highlight accented words.",
            error,
        )
        return False


def _create_postgres_config(schema_editor):
    """``trialpress_search``: English with ``unaccent`` when available, for highlighting.

    Matching never needs it: documents and queries are folded in Python (search.text).
    """
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_ts_config WHERE cfgname = %s", [POSTGRES_CONFIG])
        if cursor.fetchone():
            return
    schema_editor.execute(f"CREATE TEXT SEARCH CONFIGURATION {POSTGRES_CONFIG} (COPY = english)")
    if unaccent_available(connection):
        schema_editor.execute(
            f"ALTER TEXT SEARCH CONFIGURATION {POSTGRES_CONFIG} "
            "ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem"
        )
