"""Backup and restore round-trip every table: SQLite through the app's commands,
PostgreSQL through pg_dump and pg_restore as the README documents."""
import os
import shutil
import subprocess
import uuid

import pytest
from sqlalchemy import create_engine, text

from tracker.extensions import db


def snapshot(engine) -> dict[str, list]:
    tables = [t.name for t in db.metadata.sorted_tables]
    with engine.connect() as conn:
        return {name: sorted(map(tuple, conn.execute(text(f"SELECT * FROM {name}")).all()), key=repr)
                for name in tables}


def test_sqlite_backup_and_restore_round_trip(app, runner, tmp_path):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's backup commands; PostgreSQL is covered by the pg_dump test")
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    before = snapshot(db.engine)
    assert sum(len(rows) for rows in before.values()) > 500
    backup = tmp_path / "nebenan-backup.db"
    result = runner.invoke(args=["backup", str(backup)])
    assert result.exit_code == 0, result.output
    db.session.execute(text("DELETE FROM comments"))
    db.session.execute(text("UPDATE ideas SET title = 'changed after the backup'"))
    db.session.commit()
    assert snapshot(db.engine) != before
    result = runner.invoke(args=["restore", str(backup), "--yes"])
    assert result.exit_code == 0, result.output
    assert snapshot(db.engine) == before
    search = db.session.execute(text("SELECT count(*) FROM ideas_fts WHERE ideas_fts MATCH 'unterschriften'"))
    assert search.scalar() > 0


def test_restore_refuses_a_broken_file(runner, tmp_path):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's backup commands")
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    result = runner.invoke(args=["restore", str(broken), "--yes"])
    assert result.exit_code != 0


def test_backup_on_postgresql_points_to_pg_dump(runner):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the message for PostgreSQL installations")
    result = runner.invoke(args=["backup", "/tmp/x.db"])
    assert result.exit_code != 0 and "pg_dump" in result.output


def test_postgresql_pg_dump_and_pg_restore_round_trip(app, runner):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("runs when the suite runs on PostgreSQL")
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.fail("pg_dump and pg_restore are needed on a PostgreSQL machine")
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    before = snapshot(db.engine)
    url = db.engine.url
    restored_name = f"nebenan_restore_{uuid.uuid4().hex[:8]}"
    conn_args = ["-h", url.host or "127.0.0.1", "-p", str(url.port or 5432), "-U", url.username or "postgres"]
    env = {**os.environ, **({"PGPASSWORD": url.password} if url.password else {})}
    dump = subprocess.run(["pg_dump", "-Fc", *conn_args, url.database], capture_output=True, env=env, check=True)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {restored_name}"))
    try:
        subprocess.run(["pg_restore", "--no-owner", *conn_args, "-d", restored_name], input=dump.stdout,
                       env=env, check=True, capture_output=True)
        restored = create_engine(url.set(database=restored_name))
        try:
            assert snapshot(restored) == before
        finally:
            restored.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {restored_name} WITH (FORCE)"))
        admin.dispose()
