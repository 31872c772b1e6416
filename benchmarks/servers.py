"""Start and stop gunicorn on 127.0.0.1 for the HTTP parts of the benchmark.

``gunicorn_server(**env)`` is a context manager: it picks a free loopback port, starts
gunicorn (2 sync workers, the benchmark settings), waits until ``/bench/hello/`` answers
and always stops the server (its process group) on the way out. ``GunicornServer`` is the
same server as an object that can also be restarted on its port, with its own workers,
threads and probe path (benchmarks/two_servers.py, tests/test_two_app_servers.py).
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


def _wait_until_ready(port, process, log_path, probe="/bench/hello/"):
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited early; see its log:\n{Path(log_path).read_text()}")
        try:
            if get(port, probe, timeout=2)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within {START_TIMEOUT} s")


def _print_log_tail(log_path, lines=40):
    with contextlib.suppress(OSError):
        tail = Path(log_path).read_text(errors="replace").splitlines()[-lines:]
        print(f"--- last lines of the gunicorn log ({log_path}):", *tail, "---", sep="\n")


class GunicornServer:
    """One gunicorn on a loopback port that can be stopped and started again on the same port
    (``restart()``: SIGTERM, gunicorn's graceful stop, then a fresh start).

    ``settings``: the Django settings module (environment ``DJANGO_SETTINGS_MODULE`` unless
    given); ``probe``: the path that must answer 200 before the server counts as up;
    ``workers`` and ``threads``: gunicorn's (threads > 1 uses gthread workers, as
    config/gunicorn.py does); ``env``: added to this process's environment.
    """

    def __init__(
        self,
        *,
        label,
        env=None,
        port=None,
        workers=WORKERS,
        threads=1,
        probe="/bench/hello/",
        log_dir=None,
    ):
        self.label, self.probe = label, probe
        self.port = port or free_port()
        self.workers, self.threads = workers, threads
        self.env = {**os.environ, **{k: str(v) for k, v in (env or {}).items()}}
        log_dir = Path(log_dir or os.environ.get("BENCH_DIR") or tempfile.gettempdir())
        self.log_path = log_dir / f"gunicorn-{label}-{self.port}.log"
        self.process = None

    @property
    def base_url(self):
        return f"http://{HOST}:{self.port}"

    def start(self):
        command = [
            str(GUNICORN),
            "config.wsgi:application",
            "--workers",
            str(self.workers),
            "--bind",
            f"{HOST}:{self.port}",
            "--log-level",
            "warning",
            "--timeout",
            "60",
            "--no-control-socket",  # two servers at once would share gunicorn 27's one
        ]
        if self.threads > 1:
            command += ["--worker-class", "gthread", "--threads", str(self.threads)]
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
                command,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            _wait_until_ready(self.port, self.process, self.log_path, self.probe)
        except Exception:
            _print_log_tail(self.log_path)
            self.stop()
            raise
        return self

    def stop(self, timeout=15):
        """SIGTERM to the process group (a graceful stop), SIGKILL if it overstays."""
        process, self.process = self.process, None
        if process is None:
            return None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            return process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            return process.wait(timeout=5)

    def restart(self):
        self.stop()
        return self.start()

    def log_text(self):
        with contextlib.suppress(OSError):
            return self.log_path.read_text(errors="replace")
        return ""


@contextlib.contextmanager
def gunicorn_server(*, label, **env):
    """Yield the port of a running gunicorn whose environment adds ``env``."""
    server = GunicornServer(label=label, env=env)
    server.start()
    try:
        yield server.port
    except Exception:
        _print_log_tail(server.log_path)
        raise
    finally:
        server.stop()
