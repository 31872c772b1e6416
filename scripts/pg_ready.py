"""Exit 0 if the PostgreSQL server in the given URL accepts a connection."""

import sys

import dj_database_url
import psycopg

url = dj_database_url.parse(sys.argv[1])


def connect(dbname):
    psycopg.connect(
        host=url["HOST"] or "127.0.0.1",
        port=url["PORT"] or 5432,
        user=url["USER"] or None,
        password=url["PASSWORD"] or None,
        dbname=dbname,
        connect_timeout=3,
    ).close()


try:
    # The tests create their own database: the server must answer, the named one need not exist.
    try:
        connect(url["NAME"])
    except psycopg.OperationalError as missing:
        if "does not exist" not in str(missing):
            raise
        connect("postgres")
except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
    print(f"PostgreSQL not reachable: {exc}", file=sys.stderr)
    sys.exit(1)
