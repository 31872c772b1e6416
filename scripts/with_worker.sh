#!/usr/bin/env bash
# Run a command (the web server) with the background-task worker beside it:
#   scripts/with_worker.sh <command...>
# The worker is db_worker (TASKS_BACKEND=database, the default) or rqworker with its
# scheduler (TASKS_BACKEND=rq). Ctrl-C stops both; so does the command ending, for any reason.
# WORKER_ID names this worker: keep it stable across restarts and unique among workers, so a
# restarted worker at once takes back a task it was killed in the middle of.
set -euo pipefail
PY="${PY:-.venv/bin/python}"
WORKER_ID="${WORKER_ID:-$(uname -n | cut -c1-40)-1}"
case "${TASKS_BACKEND:-database}" in
    rq) "$PY" manage.py rqworker --with-scheduler "${TASKS_QUEUE:-default}" & ;;
    *) "$PY" manage.py db_worker --worker-id "$WORKER_ID" --queue-name "${TASKS_QUEUE:-default}" & ;;
esac
worker=$!
stop_worker() {
    kill "$worker" 2>/dev/null || true
    wait "$worker" 2>/dev/null || true
}
trap stop_worker EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
"$@"
