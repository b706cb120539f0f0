"""The app as production serves it (`app:app`), plus one trivial route for the benchmark:
GET /_bench/ping answers "ok" through the same app, extensions and after-request hooks,
so its throughput is the ceiling of Flask + gunicorn on this machine.

gunicorn imports this module in every worker; with BENCH_READY_DIR set, each worker
leaves a file there once the app is loaded, so the benchmark can wait for all of them.
"""
import os
from pathlib import Path

from tracker import create_app

app = create_app()


@app.get("/_bench/ping")
def bench_ping():
    return "ok"


if os.environ.get("BENCH_READY_DIR"):
    Path(os.environ["BENCH_READY_DIR"], f"worker-{os.getpid()}").touch()
