"""Real app processes for tests: gunicorn, as in production, on free local ports.

Also what talks to them as a browser would (log_in, csrf_token_of) and a TCP relay
(TcpProxy) that stands in for a database which goes away and comes back.
"""
import os
import re
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(count: int, env: dict, workers: int = 1, threads: int = 1, log_dir: Path | None = None):
    """Starts `count` separate gunicorn processes (each its own server, as behind a load
    balancer) and yields their base URLs; stops them afterwards.

    With `log_dir`, each process writes its output to `gunicorn-<n>.log` there (read it with
    server_logs) instead of a pipe nobody reads, which a chatty server could fill up."""
    procs, urls, logs = [], [], []
    base_env = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    try:
        for n in range(count):
            port = free_port()
            cmd = [sys.executable, "-m", "gunicorn", "--no-control-socket", "--bind", f"127.0.0.1:{port}",
                   "--workers", str(workers), "--threads", str(threads), "--log-level", "warning", "app:app"]
            if log_dir is None:
                out = subprocess.PIPE
            else:
                out = open(Path(log_dir) / f"gunicorn-{n}.log", "wb")  # noqa: SIM115 - closed below
                logs.append(out)
            procs.append(subprocess.Popen(cmd, cwd=ROOT, env=base_env, stdout=out, stderr=subprocess.STDOUT))
            urls.append(f"http://127.0.0.1:{port}")
        for n, (proc, url) in enumerate(zip(procs, urls)):
            _wait_until_up(proc, url, log=None if log_dir is None else Path(log_dir) / f"gunicorn-{n}.log")
        yield urls
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        for out in logs:
            out.close()


def server_logs(log_dir: Path, limit: int = 4000) -> str:
    """The end of what the gunicorn processes started with `log_dir` wrote, for failure messages."""
    parts = []
    for path in sorted(Path(log_dir).glob("gunicorn-*.log")):
        text = path.read_text(errors="replace")
        parts.append(f"--- {path.name} ---\n{text[-limit:]}")
    return "\n".join(parts)


def _wait_until_up(proc, url, seconds=30, log: Path | None = None):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            output = log.read_bytes() if log is not None else proc.stdout.read()
            raise RuntimeError(f"gunicorn exited: {output.decode(errors='replace')}")
        try:
            requests.get(url + "/login", timeout=2)
            return
        except (requests.ConnectionError, requests.Timeout):  # not listening yet, or workers still booting
            time.sleep(0.1)
    raise RuntimeError(f"gunicorn at {url} did not start in {seconds} s")


# --- talking to a server as a browser does ---------------------------------------------

_CSRF = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')


def csrf_token_of(html: str) -> str:
    match = _CSRF.search(html)
    if not match:
        raise AssertionError("no CSRF token in the page")
    return match.group(1)


def log_in(session: requests.Session, base_url: str, email: str, password: str, timeout: float = 15) -> str:
    """Logs in through the real form (CSRF token included) and returns the CSRF token that
    is valid for the new session (login starts a fresh session, so the old token is void)."""
    token = csrf_token_of(session.get(base_url + "/login", timeout=timeout).text)
    response = session.post(base_url + "/login", data={"email": email, "password": password, "csrf_token": token},
                            timeout=timeout, allow_redirects=False)
    if response.status_code != 302:
        raise AssertionError(f"login of {email} at {base_url} answered {response.status_code}")
    return csrf_token_of(session.get(base_url + "/", timeout=timeout).text)


# --- a database that goes away ---------------------------------------------------------

class TcpProxy:
    """Relays TCP connections from a free local port to `upstream` (host, port).

    stop() cuts every relayed connection and then refuses new ones; start() accepts
    again on the same port. To an app that connects through it, that is a database
    server restart, without restarting the real one (which other tests share)."""

    def __init__(self, upstream: tuple[str, int]):
        self.upstream = upstream
        self.port = free_port()
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._running = threading.Event()
        self._acceptor: threading.Thread | None = None

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(128)
        listener.settimeout(0.05)
        self._running.set()
        self._acceptor = threading.Thread(target=self._accept, args=(listener,), daemon=True)
        self._acceptor.start()

    def stop(self) -> None:
        self._running.clear()
        if self._acceptor is not None:
            self._acceptor.join(timeout=5)  # closes the listener: new connections are refused
            self._acceptor = None
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            _close(sock)

    def _accept(self, listener: socket.socket) -> None:
        with listener:
            while self._running.is_set():
                try:
                    client, _ = listener.accept()
                except TimeoutError:
                    continue
                except OSError:
                    return
                try:
                    server = socket.create_connection(self.upstream, timeout=5)
                except OSError:
                    _close(client)
                    continue
                client.settimeout(None)
                server.settimeout(None)
                with self._lock:
                    self._sockets += [client, server]
                for src, dst in ((client, server), (server, client)):
                    threading.Thread(target=_pump, args=(src, dst), daemon=True).start()


def _pump(src: socket.socket, dst: socket.socket) -> None:
    try:
        while data := src.recv(65536):
            dst.sendall(data)
    except OSError:
        pass
    finally:
        _close(src)
        _close(dst)


def _close(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()
