"""Backup and restore of the embedded SQLite database, with SQLite's online backup API
(consistent while the app keeps serving). PostgreSQL has pg_dump and pg_restore for this."""
import sqlite3

import click

from .extensions import db


def _sqlite_path() -> str:
    url = db.engine.url
    if url.get_backend_name() != "sqlite" or not url.database:
        raise click.ClickException("This database is not SQLite: use pg_dump and pg_restore (see the README).")
    return url.database


def backup_sqlite(path: str) -> int:
    source = sqlite3.connect(_sqlite_path())
    target = sqlite3.connect(path)
    try:
        with target:
            source.backup(target, pages=1024)
        return target.execute("PRAGMA page_count").fetchone()[0]
    finally:
        target.close()
        source.close()


def restore_sqlite(path: str) -> None:
    db.session.remove()
    db.engine.dispose()  # no pooled connection of ours keeps the old file open
    source = sqlite3.connect(path)
    if source.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
        source.close()
        raise click.ClickException(f"{path} is not an intact SQLite database.")
    target = sqlite3.connect(_sqlite_path())
    try:
        with target:
            source.backup(target, pages=1024)
    finally:
        target.close()
        source.close()
