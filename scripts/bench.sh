#!/usr/bin/env bash
# `make bench`: render times, query counts and sizes in-process, then throughput with
# gunicorn and wrk, then worker memory over 10,000 mixed requests, then comment submission
# (GET + POST, and POST only) on SQLite and PostgreSQL, then search over 10,000 posts on
# both. Each figure is printed beside its target with its spread over runs, and the
# machine's load at the start and the end; nothing is refused on a busy machine.
# Everything runs on 127.0.0.1 against a throwaway database in a temporary folder,
# which is removed at the end; the Python steps stop every server they start.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python

if ! command -v wrk >/dev/null 2>&1 && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing wrk with apt-get..."
  (apt-get install -y -qq wrk >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq wrk >/dev/null 2>&1; }) \
    || echo "Could not install wrk."
fi

BENCH_DIR="$(mktemp -d "${TMPDIR:-/tmp}/trialpress-bench.XXXXXX")"
trap 'rm -rf "$BENCH_DIR"' EXIT

# The production set-up (DEBUG off), loopback only; no Redis unless a step asks for it.
unset REDIS_URL
export DJANGO_SETTINGS_MODULE=benchmarks.settings
export DEBUG=0
export SECRET_KEY="bench-only-$(date +%s)-$$"
export ALLOWED_HOSTS="127.0.0.1,localhost,testserver"
export SITE_URL="http://127.0.0.1"
export SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0 SECURE_HSTS_SECONDS=0
export TRIALPRESS_VAR_DIR="$BENCH_DIR"
export DATABASE_URL="sqlite:///$BENCH_DIR/bench.sqlite3"
export STATIC_ROOT="$BENCH_DIR/static"
export EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend"
export LOG_LEVEL=WARNING
export BENCH_DIR BENCH_RESULTS="$BENCH_DIR/results.jsonl"

$PY -m benchmarks.results --start
echo "Preparing a throwaway SQLite database in $BENCH_DIR..."
$PY manage.py migrate --no-input -v 0
$PY manage.py collectstatic --no-input -v 0

PAGE_CACHE_SECONDS=0 $PY -m benchmarks.render
$PY -m benchmarks.throughput
$PY -m benchmarks.memory
$PY -m benchmarks.submissions
$PY -m benchmarks.hostile
$PY -m benchmarks.flood
$PY -m benchmarks.revisions
$PY -m benchmarks.search  # == Search, authors, citing ==
$PY -m benchmarks.two_servers  # issue 19: two app servers, PostgreSQL and Redis, mixed load
$PY -m benchmarks.results
