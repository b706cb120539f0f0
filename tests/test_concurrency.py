"""Many people voting at once on the same items, through real app processes.

Whatever the interleaving, each count equals what the voters did: one row per vote,
counters that match the rows, no error page. On PostgreSQL two processes share the
database; on SQLite one process with threads shares the file (WAL, busy timeout).
"""
import random
import time

import pytest
from sqlalchemy.engine import make_url

from tests.servers import gunicorn, server_logs
from tests.voting import Voter, database_problems, expected_votes, make_voters, random_actions, run_all

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
