"""The database goes away under load, and comes back.

A request caught in flight gets the clear 503 page ("Nebenan is briefly unavailable"),
never a 500 or a traceback; the running app processes recover by themselves (the pool
replaces dead connections); nothing that was committed is lost, and nothing answered
with a 503 is half done.

PostgreSQL only. The real server is shared (CI, other test runs), so it is never
restarted: one test terminates the app's connections, the other sends the app through
a TCP relay that stops (connections cut, new ones refused) and starts again.
"""
import random
import threading
import time
import uuid

import psycopg
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from tests.servers import TcpProxy, gunicorn, server_logs
from tests.voting import Action, Voter, database_problems, expected_votes, make_voters, random_actions
from tracker.extensions import db
from tracker.models import Idea, Vote

SEED = 20250612
RECOVERY_SECONDS = 5  # after the fault, requests must work again within this time
GRACE = 1.0  # a backend told to terminate may take a moment to go


@pytest.fixture
def postgres_url(app) -> str:
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "postgresql":
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL=postgresql+psycopg://...); CI runs it there")
    return url


def _server_env(database_url) -> dict:
    return {
        "DATABASE_URL": database_url.render_as_string(hide_password=False),
        "SECRET_KEY": "test-secret",
        "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_LOGIN_PER_ACCOUNT": "1000 per minute",
        "RATELIMIT_LOGIN_PER_IP": "1000 per minute",
        "MAIL_SERVER": "",
    }


def _libpq(url) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


class Traffic:
    """Voters clicking and reading in a loop, each in its own thread, until stopped."""

    def __init__(self, voters: list[Voter], idea_ids: list[int]):
        self.voters, self.idea_ids = voters, idea_ids
        self.stopping = threading.Event()
        self.errors: list[str] = []
        self.threads = [threading.Thread(target=self._run, args=(v, n), daemon=True) for n, v in enumerate(voters)]

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        for t in self.threads:
            t.join(40)
        if any(t.is_alive() for t in self.threads):
            self.errors.append("a voter thread did not stop in time")

    def _run(self, voter: Voter, n: int) -> None:
        rng = random.Random(SEED + n)
        try:
            while not self.stopping.is_set():
                action = random_actions(rng, self.idea_ids, 1)[0]
                if rng.random() < 0.25:
                    action.kind = "look"
                voter.perform(action, allow_unavailable=True)
                time.sleep(0.01)
        except Exception as error:  # noqa: BLE001 - reported to the test
            self.errors.append(f"{voter.email}: {type(error).__name__}: {error}")


def _wait_for_recovery(voter: Voter, idea_id: int) -> float:
    """Seconds until a request works again (after which every request must work)."""
    start = time.monotonic()
    while time.monotonic() - start < RECOVERY_SECONDS:
        if voter.perform(Action(idea_id, "look"), allow_unavailable=True).ok:
            return time.monotonic() - start
        time.sleep(0.1)
    pytest.fail(f"requests did not succeed again within {RECOVERY_SECONDS} s of the fault")


def _assert_outcome(voters, idea_ids, logs, fault_ended: float, before_fault: dict[int, int]) -> None:
    actions = [a for v in voters for a in v.actions]
    assert [p for a in actions for p in a.problems] == [], logs  # only normal answers and the 503 page
    assert [s for a in actions for s in a.statuses if s >= 500 and s != 503] == [], logs
    late = [a for a in actions if a.started > fault_ended + GRACE]
    assert late, "no requests after the fault: the test proves nothing"
    assert [(a.kind, a.statuses) for a in late if not a.ok] == [], f"the app did not recover by itself\n{logs}"
    assert database_problems(idea_ids, expected_votes(voters)) == []
    for idea_id, count in before_fault.items():  # committed before the fault: all still there
        assert db.session.scalar(select(func.count()).select_from(Vote).where(Vote.idea_id == idea_id)) == count


def _terminate(conn, application_name: str) -> int:
    """Ends every connection the app processes hold, as a failover or a DBA would."""
    return len(conn.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name = %s",
        [application_name]).fetchall())


def _wait_until_blocked_by(conn, blocker_pid: int) -> None:
    """Until an app connection waits for a lock that `blocker_pid` holds."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if conn.execute("SELECT 1 FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))",
                        [blocker_pid]).fetchone():
            return
        time.sleep(0.02)
    pytest.fail("the vote request never reached the database")


def _voters_who_voted(users, urls, idea_id: int, minutes: int) -> list[Voter]:
    """Logged-in voters, each with a vote on idea_id from before any fault."""
    voters = [Voter(user, urls) for user in users]
    for voter in voters:
        voter.log_in()
        assert voter.perform(Action(idea_id, "vote", minutes=minutes)).ok
    return voters


def test_terminated_connections_give_503_and_the_app_recovers(postgres_url, tmp_path):
    # Only the app's own connections are terminated, never other users of the shared server.
    application_name = f"nebenan-fault-{uuid.uuid4().hex[:8]}"
    app_url = postgres_url.update_query_dict({"application_name": application_name})
    users, idea_ids = make_voters(5, ideas=4)
    kept, busy, locked = idea_ids[0], idea_ids[1:3], idea_ids[3]

    with gunicorn(1, _server_env(app_url), workers=2, threads=2, log_dir=tmp_path) as urls, \
            psycopg.connect(_libpq(postgres_url), autocommit=True) as admin:
        voters = _voters_who_voted(users, urls, kept, minutes=10)
        victim, clickers = voters[0], voters[1:]

        with Traffic(clickers, busy) as traffic:
            # One vote held in flight for sure: its insert waits for a row lock we hold.
            with psycopg.connect(_libpq(postgres_url)) as locker:
                locker.execute("SELECT 1 FROM ideas WHERE id = %s FOR UPDATE", [locked])
                in_flight = threading.Thread(
                    target=victim.perform, args=(Action(locked, "vote", minutes=15),), kwargs={"allow_unavailable": True})
                in_flight.start()
                _wait_until_blocked_by(admin, locker.info.backend_pid)
                assert _terminate(admin, application_name) > 0
                locker.rollback()
            in_flight.join(30)
            # More faults at random moments, with requests running.
            for _ in range(3):
                time.sleep(0.3)
                _terminate(admin, application_name)
            fault_ended = time.monotonic()
            _wait_for_recovery(victim, busy[0])
            time.sleep(1.5)
        for voter in voters:  # every voter, on each worker it happens to reach
            for idea_id in busy:
                assert voter.perform(Action(idea_id, "look")).ok, server_logs(tmp_path)
        logs = server_logs(tmp_path)

    assert traffic.errors == []
    held = next(a for a in victim.actions if a.idea_id == locked)
    assert held.idea_id == locked and held.statuses == [503] and held.unavailable == 1, (held, logs)
    db.session.remove()  # a fresh connection: nothing of the fault test's own lingers
    assert db.session.scalar(select(func.count()).select_from(Vote).where(Vote.idea_id == locked)) == 0, \
        "a vote answered with 503 was saved after all"
    assert db.session.get(Idea, locked).vote_count == 0
    _assert_outcome(voters, idea_ids, logs, fault_ended, before_fault={kept: len(voters)})


def test_database_outage_gives_503_and_the_app_recovers(postgres_url, tmp_path):
    """As the app sees a database restart: connections cut, new ones refused, then back."""
    proxy = TcpProxy((postgres_url.host or "127.0.0.1", postgres_url.port or 5432))
    proxy.start()
    try:
        app_url = postgres_url.set(host="127.0.0.1", port=proxy.port)
        users, idea_ids = make_voters(5, ideas=3)
        kept, busy = idea_ids[0], idea_ids[1:]
        with gunicorn(1, _server_env(app_url), workers=2, threads=2, log_dir=tmp_path) as urls:
            voters = _voters_who_voted(users, urls, kept, minutes=20)
            watcher, clickers = voters[0], voters[1:]
            with Traffic(clickers, busy) as traffic:
                time.sleep(0.5)
                down = time.monotonic()
                proxy.stop()
                time.sleep(2)
                up = time.monotonic()
                proxy.start()
                _wait_for_recovery(watcher, busy[0])
                time.sleep(1.5)
            for voter in voters:
                for idea_id in busy:
                    assert voter.perform(Action(idea_id, "look")).ok, server_logs(tmp_path)
            logs = server_logs(tmp_path)
    finally:
        proxy.stop()

    assert traffic.errors == []
    during = [a for v in voters for a in v.actions if down + 0.1 < a.started and a.ended < up]
    assert during, "no requests while the database was away: the test proves nothing"
    assert [(a.kind, a.statuses) for a in during if a.unavailable != len(a.statuses)] == [], \
        f"while the database was away, every answer must be the 503 page\n{logs}"
    _assert_outcome(voters, idea_ids, logs, up, before_fault={kept: len(voters)})
