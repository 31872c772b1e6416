"""Start and stop gunicorn on 127.0.0.1 for the HTTP parts of the benchmark.

``gunicorn_server(**env)`` is a context manager: it picks a free loopback port, starts
gunicorn (2 sync workers, the benchmark settings), waits until ``/bench/hello/`` answers
and always stops the server (its process group) on the way out.
"""

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")
HOST = "127.0.0.1"
WORKERS = 2
START_TIMEOUT = 30


def free_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def get(port, path, *, headers=None, timeout=30):
    """(status, headers, body) of one GET on a fresh loopback connection."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        conn.close()


def _wait_until_ready(port, process, log_path):
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited early; see its log:\n{Path(log_path).read_text()}")
        try:
            if get(port, "/bench/hello/", timeout=2)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within {START_TIMEOUT} s")


def _print_log_tail(log_path, lines=40):
    with contextlib.suppress(OSError):
        tail = Path(log_path).read_text(errors="replace").splitlines()[-lines:]
        print(f"--- last lines of the gunicorn log ({log_path}):", *tail, "---", sep="\n")


@contextlib.contextmanager
def gunicorn_server(*, label, **env):
    """Yield the port of a running gunicorn whose environment adds ``env``."""
    port = free_port()
    log_dir = Path(os.environ.get("BENCH_DIR") or tempfile.gettempdir())
    log_path = log_dir / f"gunicorn-{label}-{port}.log"
    environment = {**os.environ, **{k: str(v) for k, v in env.items()}}
    with open(log_path, "wb") as log:
        process = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
            [
                str(GUNICORN),
                "config.wsgi:application",
                "--workers",
                str(WORKERS),
                "--bind",
                f"{HOST}:{port}",
                "--log-level",
                "warning",
                "--timeout",
                "60",
            ],
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_until_ready(port, process, log_path)
        yield port
    except Exception:
        _print_log_tail(log_path)
        raise
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
