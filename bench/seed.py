"""Builds a benchmark database: the real migrations, then bulk inserts of bench.data's rows.

SQLite: SQLAlchemy Core executemany in one transaction (the migration's triggers fill the
full-text table). PostgreSQL: COPY, then VACUUM ANALYZE, as autovacuum would do on a live
database. Either way the counters on ideas are checked against the rows afterwards.
"""
import logging
import random
import time
from dataclasses import dataclass
from pathlib import Path

import flask_migrate
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from tracker import create_app
from tracker.extensions import db
from tracker.models import Comment, Idea, Notification, StatusChange, Team, User, Vote, team_leaders

from . import data, routes

SERIAL_TABLES = ("teams", "users", "ideas", "comments", "status_changes", "notifications")


@dataclass
class Seeded:
    url: str
    ideas: int
    counts: dict
    seconds: float
    company: data.Company


def make_app(url: str):
    """The app as the load test serves it (bench/wsgi.py), on the given database."""
    return routes.add_to(create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": False}))


def fresh_database(kind: str, ideas: int, out: Path, pg_admin_url: str | None) -> str:
    """An empty database for one run; the URL to reach it."""
    if kind == "sqlite":
        path = out.resolve() / f"nebenan-{ideas}.db"
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    admin = sa.make_url(pg_admin_url)
    name = f"nebenan_bench_{ideas}"
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        # SSD storage, as the README advises for production.
        conn.exec_driver_sql(f'ALTER DATABASE "{name}" SET random_page_cost = 1.1')
    engine.dispose()
    return admin.set(database=name).render_as_string(hide_password=False)


def seed(kind: str, ideas: int, out: Path, pg_admin_url: str | None = None, password_hash: str | None = None) -> Seeded:
    started = time.monotonic()
    url = fresh_database(kind, ideas, out, pg_admin_url)
    password_hash = password_hash or generate_password_hash(data.BENCH_PASSWORD)
    company = data.company(ideas, password_hash)
    app = make_app(url)
    with app.app_context():
        logging.disable(logging.INFO)  # alembic's "Running upgrade ..." lines, twice per database
        try:
            flask_migrate.upgrade()
        finally:
            logging.disable(logging.NOTSET)
        with db.engine.begin() as conn:
            category_ids = list(conn.scalars(sa.select(sa.text("id")).select_from(sa.text("categories"))
                                             .order_by(sa.text("id"))))
            rng = random.Random(7)
            duplicates = []
            for idea in company.ideas:
                idea["category_id"] = rng.choice(category_ids)
                if idea["duplicate_of_id"]:
                    duplicates.append({"b_id": idea["id"], "b_target": idea["duplicate_of_id"]})
            ideas_rows = [{**idea, "duplicate_of_id": None} for idea in company.ideas]
            bulk(conn, Team.__table__, company.teams)
            bulk(conn, User.__table__, company.users)
            bulk(conn, team_leaders, company.team_leaders)
            bulk(conn, Idea.__table__, ideas_rows)
            ideas_table = Idea.__table__
            conn.execute(ideas_table.update().where(ideas_table.c.id == sa.bindparam("b_id"))
                         .values(duplicate_of_id=sa.bindparam("b_target")), duplicates)
            bulk(conn, Vote.__table__, company.votes)
            bulk(conn, Comment.__table__, company.comments)
            bulk(conn, StatusChange.__table__, company.status_changes)
            bulk(conn, Notification.__table__, company.notifications)
            if conn.dialect.name == "postgresql":
                for table in SERIAL_TABLES:
                    conn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                         f"(SELECT max(id) FROM {table}))")
            check_counters(conn)
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
        else:
            with db.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        db.session.remove()
        db.engine.dispose()
    return Seeded(url=url, ideas=ideas, counts=company.counts(), seconds=time.monotonic() - started, company=company)


def _fill_defaults(table: sa.Table, rows: list[dict]) -> tuple[list[str], list[dict]]:
    """Columns to write, with Python-side defaults for any the generator does not know
    (a column added by a later migration), so that COPY gets them too."""
    if not rows:
        return [], rows
    given = set(rows[0])
    extra = {}
    for column in table.columns:
        if column.name in given or column.default is None:
            continue
        default = column.default
        if getattr(default, "is_scalar", False):
            extra[column.name] = lambda value=default.arg: value
        elif getattr(default, "is_callable", False):
            extra[column.name] = lambda fn=default.arg: fn(None)
    if extra:
        rows = [{**row, **{name: make() for name, make in extra.items()}} for row in rows]
    return [c.name for c in table.columns if c.name in rows[0]], rows


def bulk(conn: sa.Connection, table: sa.Table, rows: list[dict]) -> None:
    columns, rows = _fill_defaults(table, rows)
    if not rows:
        return
    if conn.dialect.name != "postgresql":
        conn.execute(table.insert(), rows)
        return
    cursor = conn.connection.driver_connection.cursor()
    names = ", ".join(f'"{c}"' for c in columns)
    with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([row[c] for c in columns])
    cursor.close()


COUNTER_CHECKS = {
    "vote_count": "SELECT count(*) FROM ideas i WHERE vote_count <> "
                  "(SELECT count(*) FROM votes v WHERE v.idea_id = i.id)",
    "minutes_total": "SELECT count(*) FROM ideas i WHERE minutes_total <> CASE WHEN status = 'duplicate' THEN 0 "
                     "ELSE minutes_per_week + (SELECT coalesce(sum(minutes_per_week), 0) FROM votes v "
                     "WHERE v.idea_id = i.id) END",
    "comment_count": "SELECT count(*) FROM ideas i WHERE comment_count <> "
                     "(SELECT count(*) FROM comments c WHERE c.idea_id = i.id)",
    # the triggers of migration 0011 count the bulk-inserted items per team and status: every
    # group of items has its count, and every count its items
    "team_status_counts": "SELECT (SELECT count(*) FROM (SELECT team_id, status, count(*) AS n FROM ideas "
                          "GROUP BY team_id, status) c LEFT JOIN team_status_counts k "
                          "ON k.team_id = c.team_id AND k.status = c.status WHERE coalesce(k.n, -1) <> c.n) + "
                          "(SELECT count(*) FROM team_status_counts k WHERE k.n <> (SELECT count(*) FROM ideas i "
                          "WHERE i.team_id = k.team_id AND i.status = k.status))",
}


def check_counters(conn: sa.Connection) -> None:
    for name, query in COUNTER_CHECKS.items():
        wrong = conn.exec_driver_sql(query).scalar()
        if wrong:
            raise AssertionError(f"{wrong} rows disagree with the items on {name} after seeding")
