"""The app as production serves it (`app:app`), plus the benchmark's two routes for
comparison (bench/routes.py: a trivial route and an empty logged-in page).

gunicorn imports this module in every worker; with BENCH_READY_DIR set, each worker
leaves a file there once the app is loaded, so the benchmark can wait for all of them.
"""
import os
from pathlib import Path

from tracker import create_app

from . import routes

app = routes.add_to(create_app())

if os.environ.get("BENCH_READY_DIR"):
    Path(os.environ["BENCH_READY_DIR"], f"worker-{os.getpid()}").touch()
