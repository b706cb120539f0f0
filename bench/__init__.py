"""`make bench`: seeds a synthetic company into SQLite and PostgreSQL, serves the app under
gunicorn, drives it with wrk and writes bench/results.md. See bench/run.py."""
