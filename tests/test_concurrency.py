"""Many people voting at once on the same items, through real app processes.

Whatever the interleaving, each count equals what the voters did: one row per vote,
counters that match the rows, no error page. On PostgreSQL two processes share the
database; on SQLite one process with threads shares the file (WAL, busy timeout).
"""
import random
import sqlite3
import time
from contextlib import contextmanager

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.engine import make_url

from tests.conftest import login
from tests.factories import make_idea
from tests.servers import gunicorn, server_logs
from tests.voting import Voter, database_problems, expected_votes, make_voters, random_actions, run_all
from tracker.models import Vote

SEED = 20250611
STEPS = 16  # actions per voter
RUN_SECONDS = 25


def _backend(app) -> str:
    return make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name()


def _server_env(app) -> dict:
    return {
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": "test-secret",  # the same for every process: a session is valid on each
        "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_LOGIN_PER_ACCOUNT": "1000 per minute",
        "RATELIMIT_LOGIN_PER_IP": "1000 per minute",
        "MAIL_SERVER": "",
    }


def _vote_at_once(urls: list[str], voter_count: int, log_dir) -> None:
    users, idea_ids = make_voters(voter_count, ideas=4)
    voters = [Voter(user, urls, offset=n) for n, user in enumerate(users)]
    plans = [random_actions(random.Random(SEED + n), idea_ids, STEPS) for n in range(voter_count)]

    errors = run_all(voters, plans, deadline=time.monotonic() + RUN_SECONDS)

    logs = server_logs(log_dir)
    assert errors == [], f"{errors}\n{logs}"
    actions = [a for v in voters for a in v.actions]
    assert len(actions) == voter_count * STEPS
    assert any(a.double for a in actions) and any(not a.fragment for a in actions)
    assert [s for a in actions for s in a.statuses if s >= 500] == [], logs
    assert [p for a in actions for p in a.problems] == [], logs
    expected = expected_votes(voters)
    assert sum(m is not None for m in expected.values()) > 0, "nobody voted in the end: the test proves nothing"
    assert database_problems(idea_ids, expected) == [], logs


def test_votes_through_two_processes_add_up_on_postgresql(app, tmp_path):
    if _backend(app) != "postgresql":
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL=postgresql+psycopg://...); CI runs it there")
    with gunicorn(2, _server_env(app), workers=2, threads=4, log_dir=tmp_path) as urls:
        _vote_at_once(urls, voter_count=32, log_dir=tmp_path)


def test_votes_through_threads_add_up_on_sqlite(app, tmp_path):
    if _backend(app) != "sqlite":
        pytest.skip("the SQLite variant; the suite runs on PostgreSQL now (TEST_DATABASE_URL)")
    with gunicorn(1, _server_env(app), workers=1, threads=8, log_dir=tmp_path) as urls:
        _vote_at_once(urls, voter_count=24, log_dir=tmp_path)


@contextmanager
def _item_locked_elsewhere(app, db, idea_id: int, wait_ms: int):
    """Another transaction holds what a vote on the item needs, and the app's connections give
    up after `wait_ms`: SQLite's busy timeout against a write lock on the file; PostgreSQL's
    lock_timeout against a lock on the item's row."""
    import tracker

    if _backend(app) == "sqlite":
        holder = sqlite3.connect(make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database, isolation_level=None)
        saved = tracker.SQLITE_BUSY_TIMEOUT_MS
        tracker.SQLITE_BUSY_TIMEOUT_MS = wait_ms
        db.engine.dispose()  # new connections, with the short timeout
        try:
            holder.execute("BEGIN IMMEDIATE")
            yield
        finally:
            holder.close()
            tracker.SQLITE_BUSY_TIMEOUT_MS = saved
            db.engine.dispose()
        return

    def short_wait(dbapi_connection, _record, _proxy):
        autocommit, dbapi_connection.autocommit = dbapi_connection.autocommit, True  # a SET that stays
        dbapi_connection.execute(f"SET lock_timeout = {wait_ms}")
        dbapi_connection.autocommit = autocommit

    holder = db.engine.connect()
    transaction = holder.begin()
    holder.execute(text("SELECT id FROM ideas WHERE id = :id FOR UPDATE"), {"id": idea_id})
    event.listen(db.engine, "checkout", short_wait)
    try:
        yield
    finally:
        event.remove(db.engine, "checkout", short_wait)
        transaction.rollback()
        holder.close()
        db.engine.dispose()  # no connection keeps the short lock_timeout


def test_a_vote_that_waits_too_long_for_a_lock_says_so_and_saves_nothing(app, db, client, employee, colleague):
    idea = make_idea(employee)
    login(client, colleague)
    with _item_locked_elsewhere(app, db, idea.id, wait_ms=200):
        page = client.post(f"/ideas/{idea.id}/vote", data={"minutes_per_week": "15"})
        fragment = client.post(f"/ideas/{idea.id}/vote", data={"minutes_per_week": "15"},
                               headers={"X-Fragment": "vote", "Accept": "application/json"})
    assert page.status_code == 503
    html = page.get_data(as_text=True)
    assert "Nebenan is busy right now" in html and "your change was not saved" in html
    assert "did not answer" not in html
    assert fragment.status_code == 503 and "your change was not saved" in fragment.json["error"]
    assert db.session.scalar(select(func.count()).select_from(Vote)) == 0
    # the lock is gone: the same vote goes through
    client.post(f"/ideas/{idea.id}/vote", data={"minutes_per_week": "15"})
    db.session.refresh(idea)
    assert (idea.vote_count, idea.minutes_total) == (1, 15 + idea.minutes_per_week)
