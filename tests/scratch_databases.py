"""A database of its own for a test that starts the site's processes (gunicorn, the task
worker, manage.py): a SQLite file in the test's folder, or a fresh PostgreSQL database
beside the suite's, on the same server, dropped afterwards (no test helpers here)."""

import contextlib
import os

from django.conf import settings


def postgres_server():
    """``user[:password]@host:port`` of the suite's PostgreSQL server."""
    db = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}"


@contextlib.contextmanager
def scratch_database(engine, directory, purpose):
    """The ``DATABASE_URL`` of an empty database for ``purpose`` (a word: ``deploy``);
    ``engine`` is ``"sqlite"`` or ``"postgres"``. Named by the process, so two suites on
    one server never share one."""
    if engine == "sqlite":
        yield f"sqlite:///{directory / f'{purpose}.sqlite3'}"
        return
    import psycopg

    server = postgres_server()
    name = f"trialpress_{purpose}_{os.getpid()}"
    admin = f"postgresql://{server}/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgres://{server}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
