"""gunicorn settings for production (`make serve`, or `gunicorn config.wsgi -c config/gunicorn.py`).

Threaded workers (gthread): a client that sends its request body slowly holds one thread,
not a whole worker, so the other threads keep serving. gunicorn still reads each request
in a thread, so on the open internet put a buffering reverse proxy (nginx, Caddy) in
front as well: it reads slow clients completely before passing the request on.

Environment: BIND (127.0.0.1:8000), WEB_CONCURRENCY (worker processes, 2), WEB_THREADS
(threads per worker, 8), WEB_TIMEOUT (seconds a request may take, 30).
"""

import os

bind = os.environ.get("BIND") or "127.0.0.1:8000"
workers = int(os.environ.get("WEB_CONCURRENCY") or 2)
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS") or 8)
timeout = int(os.environ.get("WEB_TIMEOUT") or 30)
accesslog = "-"
# gunicorn 27 opens a control socket for its `gunicornc` tool, by default one per user and
# host ($XDG_RUNTIME_DIR or ~/.gunicorn/gunicorn.ctl): several app servers on one host under
# one user would share it, each taking it over from the last. Trialpress does not use it.
control_socket_disable = True
