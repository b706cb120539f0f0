"""gunicorn's settings for production. `gunicorn` reads this file from the working
directory, so `.venv/bin/gunicorn` alone serves the app; options on the command line win.

PORT and WEB_CONCURRENCY come from the environment, as most hosting platforms set them.
"""
import os

wsgi_app = "app:app"
bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"

# Sync workers: on the 2 cores we measured, 2 serve as much as 4, and threads
# (gthread) only made the tail latency worse. See bench/results.md.
worker_class = "sync"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
timeout = 30

# gunicorn 25+ opens a control socket under ~/.gunicorn/ and a second instance on the
# same machine silently takes it over; the app does not use it.
control_socket_disable = True

# No access log by default (the load balancer keeps one); errors go to stderr.
# `--access-logfile -` on the command line turns it on.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")


def when_ready(server):
    """Rate limits are counted per process unless they are stored where every process sees them:
    with the default memory storage, each of the workers lets through the whole limit."""
    storage = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    if server.num_workers > 1 and storage.startswith("memory"):
        server.log.warning("%d workers count rate limits each on their own (RATELIMIT_STORAGE_URI=%s), so "
                           "each limit lets through %d times as much; set RATELIMIT_STORAGE_URI to a Redis "
                           "server (redis://host:6379/0) that all of them share", server.num_workers, storage,
                           server.num_workers)
