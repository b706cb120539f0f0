"""Real app processes for tests: gunicorn, as in production, on free local ports."""
import os
import socket
import subprocess
import sys
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
def gunicorn(count: int, env: dict, workers: int = 1, threads: int = 1):
    """Starts `count` separate gunicorn processes (each its own server, as behind a load
    balancer) and yields their base URLs; stops them afterwards."""
    procs, urls = [], []
    base_env = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    try:
        for _ in range(count):
            port = free_port()
            cmd = [sys.executable, "-m", "gunicorn", "--no-control-socket", "--bind", f"127.0.0.1:{port}",
                   "--workers", str(workers), "--threads", str(threads), "--log-level", "warning", "app:app"]
            procs.append(subprocess.Popen(cmd, cwd=ROOT, env=base_env, stdout=subprocess.PIPE,
                                          stderr=subprocess.STDOUT))
            urls.append(f"http://127.0.0.1:{port}")
        for proc, url in zip(procs, urls):
            _wait_until_up(proc, url)
        yield urls
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def _wait_until_up(proc, url, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {proc.stdout.read().decode(errors='replace')}")
        try:
            requests.get(url + "/login", timeout=1)
            return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise RuntimeError(f"gunicorn at {url} did not start in {seconds} s")
