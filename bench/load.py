"""The load test: the app under gunicorn with the repository's gunicorn.conf.py, driven
by wrk from a second process, with a logged-in session."""
import os
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

from . import data
from .pages import Page, Targets
from .queries import csrf_token

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(__file__).resolve().parent / "wrk" / "bench.lua"
USER_AGENT = "nebenan-bench"
RESULT = re.compile(r"^BENCH (.*)$", re.MULTILINE)


@dataclass
class Measurement:
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int
    other_cpu: float = 0.0     # share of the machine other work used during this try
    disturbed: bool = False    # no try ran without other work in the way

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    base: str
    pid: int            # gunicorn's master; its workers are its children
    database: str       # PostgreSQL database name, or "" for SQLite


@contextmanager
def gunicorn(url: str, workers: int, log: Path):
    """gunicorn with the production config file, serving bench.wsgi:app (the app plus
    /_bench/ping) on a free local port; returns once every worker has loaded the app."""
    port = free_port()
    ready = Path(tempfile.mkdtemp(prefix="nebenan-bench-"))
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench-secret", "WEB_CONCURRENCY": str(workers),
           "BENCH_READY_DIR": str(ready), "PYTHONPATH": str(ROOT), "LOG_LEVEL": "warning",
           "INSTANCE_PATH": str(log.parent / "instance"), "RATELIMIT_STORAGE_URI": "memory://"}
    cmd = [sys.executable, "-m", "gunicorn", "--config", str(ROOT / "gunicorn.conf.py"),
           "--bind", f"127.0.0.1:{port}", "bench.wsgi:app"]
    with open(log, "ab") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while len(list(ready.iterdir())) < workers:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start; see {log}")
            time.sleep(0.1)
        while True:  # the workers have loaded the app; wait for the socket to answer
            try:
                requests.get(base + "/_bench/ping", timeout=2)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        database = url.rsplit("/", 1)[-1].split("?")[0] if url.startswith("postgresql") else ""
        yield Server(base, proc.pid, database)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(ready, ignore_errors=True)


def login(base: str, idea_id: int) -> tuple[str, str]:
    """Logs the bench user in; returns the session cookie and its CSRF token."""
    http = requests.Session()
    http.headers["User-Agent"] = USER_AGENT
    token = csrf_token(http.get(base + "/login", timeout=10).text)
    response = http.post(base + "/login", data={"email": data.BENCH_EMAIL, "password": data.BENCH_PASSWORD,
                                                "csrf_token": token}, allow_redirects=False, timeout=10)
    if response.status_code != 302:
        raise RuntimeError(f"bench login failed with {response.status_code}")
    token = csrf_token(http.get(f"{base}/ideas/{idea_id}", timeout=10).text)  # stores the token in the session
    return http.cookies["session"], token


def wrk(base: str, page: Page, targets: Targets, cookie: str, csrf: str, seconds: float, threads: int = 2,
        connections: int = 16) -> Measurement:
    env = {**os.environ, "BENCH_MODE": "vote" if page.vote else "get", "BENCH_PATHS": " ".join(page.paths),
           "BENCH_IDS": " ".join(map(str, targets.vote_ids)), "BENCH_CSRF": csrf, "BENCH_THREADS": str(threads)}
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s",
           "-s", str(SCRIPT), "-H", f"Cookie: session={cookie}", "-H", f"User-Agent: {USER_AGENT}", base]
    run = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=seconds + 60)
    match = RESULT.search(run.stdout)
    if run.returncode != 0 or not match:
        raise RuntimeError(f"wrk failed ({run.returncode}): {run.stdout}\n{run.stderr}")
    fields = dict(item.split("=") for item in match.group(1).split())
    n = {key: int(float(value)) for key, value in fields.items()}
    errors = n["non_200"] + n["connect_errors"] + n["read_errors"] + n["write_errors"] + n["timeouts"]
    return Measurement(requests=n["requests"], seconds=n["duration_us"] / 1e6, p50_ms=n["p50_us"] / 1000,
                       p95_ms=n["p95_us"] / 1000, p99_ms=n["p99_us"] / 1000, errors=errors)


def _machine_ticks() -> tuple[int, int]:
    """All CPU time so far and the busy part of it, in clock ticks, over all cores. Interrupt
    time is left out of "busy": it is mostly the loopback traffic of the benchmark itself and
    belongs to no process. Steal (the host running other machines) counts as busy."""
    user, nice, system, idle, iowait, irq, softirq, steal = \
        [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return user + nice + system + idle + iowait + irq + softirq + steal, user + nice + system + steal


def _our_ticks(servers: list[Server]) -> int:
    """CPU ticks used so far by the servers under test: gunicorn's master and workers, and
    the PostgreSQL backends connected to the benchmark's databases."""
    masters = {s.pid for s in servers}
    databases = {s.database for s in servers if s.database}
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
            rest = stat.rsplit(")", 1)[1].split()
            pid, ppid = int(entry.name), int(rest[1])
            ours = pid in masters or ppid in masters
            if not ours and databases and "postgres" in stat.split(")", 1)[0]:
                cmdline = Path(entry.path, "cmdline").read_bytes().decode(errors="replace")
                ours = any(f" {name} " in cmdline for name in databases)
            if ours:
                total += int(rest[11]) + int(rest[12])
        except (OSError, ValueError, IndexError):
            continue
    return total


class CpuWatch:
    """How much of the machine other work used while a measurement ran: the busy CPU time
    minus that of the servers under test and of wrk. 0.0 where there is no /proc."""

    def __init__(self, servers: list[Server]):
        self.servers = servers

    def __enter__(self):
        try:
            self.machine = _machine_ticks()
            self.ours = _our_ticks(self.servers)
        except (OSError, ValueError):
            self.machine = None
        self.children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return self

    def __exit__(self, *exc):
        self.other = 0.0
        if self.machine is None:
            return
        total, busy = _machine_ticks()
        ours = _our_ticks(self.servers) - self.ours
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        wrk_ticks = (children.ru_utime + children.ru_stime - self.children.ru_utime - self.children.ru_stime) \
            * os.sysconf("SC_CLK_TCK")
        elapsed = max(total - self.machine[0], 1)
        self.other = max(0.0, (busy - self.machine[1] - ours - wrk_ticks) / elapsed)


def cpu_busy(seconds: float = 2.0) -> float | None:
    """The share of all cores busy over a moment while the benchmark itself waits, so with
    other work; None where there is no /proc."""
    try:
        total0, busy0 = _machine_ticks()
        time.sleep(seconds)
        total1, busy1 = _machine_ticks()
    except (OSError, ValueError):
        return None
    return (busy1 - busy0) / max(total1 - total0, 1)


def check_tools() -> str | None:
    """Why the load test cannot run here, or None."""
    if shutil.which("wrk") is None:
        return "wrk is not installed: apt-get install -y wrk (Debian)"
    return None


@dataclass
class Target:
    """One database under test: what to serve and what to request from it."""
    url: str
    pages: list[Page]
    targets: Targets


def wait_quiet(limit: float = 0.15, patience: float = 90, progress=print) -> float | None:
    """Waits (up to `patience` seconds) until other work uses less than `limit` of the
    cores; returns the last share seen."""
    deadline = time.monotonic() + patience
    busy = cpu_busy()
    if busy is not None and busy > limit:
        progress(f"  other work keeps {busy:.0%} of the CPU busy; waiting up to {patience:.0f} s for it to finish")
        while busy is not None and busy > limit and time.monotonic() < deadline:
            busy = cpu_busy(3.0)
    return busy


def run(servers: dict[int, Target], seconds: float, warmup: float, workers: int, log: Path,
        repeat: int = 2, max_tries: int = 3, disturbed: float = 0.10,
        progress=print) -> dict[int, dict[str, Measurement]]:
    """Serves every database at once (idle sync workers cost nothing) and measures each page
    on each of them back to back, so that the sizes are compared under the same conditions.

    Each measurement is the best (highest throughput) of `repeat` tries during which other
    work on the machine used less than `disturbed` of its CPU; disturbed tries are repeated,
    up to `max_tries`. Other work only ever slows a try down."""
    results: dict[int, dict[str, Measurement]] = {size: {} for size in servers}
    with ExitStack() as stack:
        running, sessions = {}, {}
        for size, target in servers.items():
            running[size] = stack.enter_context(gunicorn(target.url, workers, log))
            sessions[size] = login(running[size].base, target.targets.idea_ids[0])
        everything = list(running.values())
        names = [page.name for page in next(iter(servers.values())).pages]
        for n, name in enumerate(names):
            for size, target in servers.items():
                page, base = target.pages[n], running[size].base
                if warmup:
                    wrk(base, page, target.targets, *sessions[size], warmup)
                clean, noisy = [], []
                while len(clean) < repeat and len(clean) + len(noisy) < max_tries:
                    with CpuWatch(everything) as watch:
                        m = wrk(base, page, target.targets, *sessions[size], seconds)
                    m.other_cpu = watch.other
                    (clean if watch.other < disturbed else noisy).append(m)
                best = max(clean or noisy, key=lambda t: t.rps)
                best.disturbed = not clean
                results[size][name] = best
                progress(f"    {name:<12} {size:>7,} ideas {best.rps:8.0f} req/s  p50 {best.p50_ms:6.1f} ms  "
                         f"p95 {best.p95_ms:6.1f} ms  tries {len(clean) + len(noisy)}"
                         + (f", other work {min(t.other_cpu for t in noisy):.0%}+" if noisy else "")
                         + (f"  ({best.errors} failed)" if best.errors else ""))
    return results
