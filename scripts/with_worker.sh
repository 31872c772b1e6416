#!/usr/bin/env bash
# Run a command (the web server) with the background-task worker beside it:
#   scripts/with_worker.sh <command...>
# The worker is db_worker (TASKS_BACKEND=database, the default) or rqworker with its
# scheduler (TASKS_BACKEND=rq). Ctrl-C or SIGTERM stops both; so does the command ending.
# WORKER_ID (db_worker) names this worker: keep it stable across restarts and unique among
# workers, so a restarted worker at once takes back a task it was killed in the middle of.
set -uo pipefail
PY="${PY:-.venv/bin/python}"
WORKER_ID="${WORKER_ID:-$(uname -n | cut -c1-40)-1}"
QUEUE="${TASKS_QUEUE:-default}"
case "${TASKS_BACKEND:-database}" in
    rq) "$PY" manage.py rqworker --with-scheduler "$QUEUE" & ;;
    *) "$PY" manage.py db_worker --worker-id "$WORKER_ID" --queue-name "$QUEUE" & ;;
esac
worker=$!
"$@" &
server=$!
stop() {
    trap - INT TERM EXIT
    kill -TERM "$server" "$worker" 2>/dev/null
    wait "$server" "$worker" 2>/dev/null
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
trap stop EXIT
wait "$server"
