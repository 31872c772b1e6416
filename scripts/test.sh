#!/usr/bin/env bash
# Runs the whole suite on SQLite, then on PostgreSQL when one answers.
# Under CI=true PostgreSQL is required.
set -u
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export DJANGO_SETTINGS_MODULE=tests.settings
# PostgreSQL for the second pass: TEST_DATABASE_URL, else DATABASE_URL if it names
# PostgreSQL, else the local server.
case "${DATABASE_URL:-}" in
  postgres://*|postgresql://*|pgsql://*) default_pg="$DATABASE_URL" ;;
  *) default_pg="postgres://postgres@127.0.0.1:5432/test" ;;
esac
PG_URL="${TEST_DATABASE_URL:-$default_pg}"
status=0

echo "== Test suite on SQLite"
env -u DATABASE_URL $PY -m pytest "$@" || status=$?

if $PY scripts/pg_ready.py "$PG_URL"; then
  echo "== Test suite on PostgreSQL ($PG_URL)"
  DATABASE_URL="$PG_URL" $PY -m pytest -m "not e2e" "$@" || status=$?
elif [ "${CI:-}" = "true" ]; then
  echo "FAILED: PostgreSQL is not reachable at $PG_URL and CI=true requires both engines."
  status=1
else
  echo "NOTE: PostgreSQL is not reachable at $PG_URL: the suite ran on SQLite only."
fi
exit $status
