"""Voters who click "me too" and "withdraw" on real servers over HTTP, and what the
database must hold afterwards. Used by the concurrency and the fault tests."""
import random
import threading
import time
from dataclasses import dataclass, field

import requests
from sqlalchemy import func, select, text

from tests.factories import PASSWORD, make_idea, make_team, make_user
from tests.servers import log_in
from tracker import services
from tracker.extensions import db
from tracker.models import Idea, User, Vote

TIMEOUT = 15  # seconds per HTTP request: nothing in these tests may hang
UNAVAILABLE = ("Nebenan is briefly unavailable", "The database did not answer")
AUTHOR_MINUTES = (30, 45, 60, 90, 120)


def make_voters(count: int, ideas: int = 4) -> tuple[list[User], list[int]]:
    """`count` employees who may vote, and `ideas` pain points written by someone else.

    One password hash for all: hashing is slow on purpose, and the login checks it anyway."""
    team = make_team("Buchhaltung")
    author = make_user("autorin@example.com", "Anna Autorin", team=team)
    idea_ids = [make_idea(author, title=f"Form {n} needs a wet signature", minutes_per_week=minutes).id
                for n, minutes in enumerate(AUTHOR_MINUTES[:ideas])]
    voters = [User(email=f"voter{n}@example.com", name=f"Voter {n}", role=author.role, team=team,
                   password_hash=author.password_hash, session_token=services.new_session_token())
              for n in range(count)]
    db.session.add_all(voters)
    db.session.commit()
    return voters, idea_ids


@dataclass
class Action:
    """One click: `double` means two identical requests at once (a double-click)."""
    idea_id: int
    kind: str  # "vote", "unvote", or "look" (open the item's page)
    minutes: int = 0
    double: bool = False
    fragment: bool = True  # the page's script asks for the vote box alone; else a plain form post
    started: float = 0.0
    ended: float = 0.0
    statuses: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    unavailable: int = 0  # answers that were the 503 "database did not answer" page

    @property
    def ok(self) -> bool:
        return bool(self.statuses) and all(200 <= s < 400 for s in self.statuses) and not self.problems \
            and not self.unavailable


class Voter:
    """One person in one browser: logged in through the real form, alternating between servers."""

    def __init__(self, user: User, urls: list[str], offset: int = 0):
        self.user_id, self.email = user.id, user.email
        self.urls, self.offset = urls, offset
        self.session = _session()
        self.token = ""
        self.actions: list[Action] = []
        self.requests = 0

    def url(self) -> str:
        self.requests += 1
        return self.urls[(self.offset + self.requests) % len(self.urls)]

    def log_in(self) -> None:
        self.token = log_in(self.session, self.url(), self.email, PASSWORD, timeout=TIMEOUT)

    def perform(self, action: Action, allow_unavailable: bool = False) -> Action:
        """Sends the action (twice at once for a double-click) and checks every answer."""
        action.started = time.monotonic()
        if action.double:
            # Two tabs of the same browser: same cookies, each request to another server.
            twin = _session()
            twin.cookies.update(self.session.cookies)
            results: list = [None, None]
            threads = [threading.Thread(target=self._send_into, args=(results, i, s, self.url(), action))
                       for i, s in enumerate((self.session, twin))]
            for t in threads:
                t.start()
            for t in threads:
                t.join(TIMEOUT * 2 + 5)
            answers = results
        else:
            answers = [self._send(self.session, self.url(), action)]
        action.ended = time.monotonic()
        for answer in answers:
            self._check(action, answer, allow_unavailable)
        self.actions.append(action)
        return action

    def _send_into(self, results, index, session, base, action):
        results[index] = self._send(session, base, action)

    def _send(self, session: requests.Session, base: str, action: Action):
        if action.kind == "look":
            try:
                return session.get(f"{base}/ideas/{action.idea_id}", timeout=TIMEOUT)
            except requests.RequestException as error:
                return error
        url = f"{base}/ideas/{action.idea_id}/{action.kind}"
        data = {"csrf_token": self.token}
        if action.kind == "vote":
            data["minutes_per_week"] = str(action.minutes)
        headers = {"X-Fragment": "vote"} if action.fragment else {}
        try:
            return session.post(url, data=data, headers=headers, timeout=TIMEOUT)
        except requests.RequestException as error:
            return error

    def _check(self, action: Action, answer, allow_unavailable: bool) -> None:
        where = f"{self.email} {action.kind} idea {action.idea_id}"
        if answer is None:
            action.problems.append(f"{where}: no answer in time")
            return
        if isinstance(answer, Exception):
            action.problems.append(f"{where}: {type(answer).__name__}: {answer}")
            return
        action.statuses.append(answer.status_code)
        body = answer.text
        if "database is locked" in body or "Traceback" in body:
            action.problems.append(f"{where}: the page shows an internal error: {body[:300]!r}")
        if answer.status_code == 503 and all(t in body for t in UNAVAILABLE):
            action.unavailable += 1
            if not allow_unavailable:
                action.problems.append(f"{where}: 503 database unavailable")
            return
        expected = 200 if action.fragment or action.kind == "look" else 302
        first = answer.history[0].status_code if answer.history else answer.status_code
        if first != expected or answer.status_code != 200:
            action.problems.append(f"{where}: answered {[r.status_code for r in answer.history]} "
                                   f"{answer.status_code}, expected {expected}: {body[:300]!r}")
            return
        if action.kind == "look":
            if 'id="vote"' not in body:
                action.problems.append(f"{where}: the page has no vote box")
            return
        # Read your own writes: the vote box the person sees next shows what they just did.
        shown = f'action="/ideas/{action.idea_id}/unvote"' if action.kind == "vote" \
            else f'action="/ideas/{action.idea_id}/vote"'
        if shown not in body:
            action.problems.append(f"{where}: the vote box does not show the {action.kind} that was answered OK")


def _session() -> requests.Session:
    """A browser without keep-alive: a reused connection that the server closes at the same
    moment (its keep-alive timeout) resets a request, a race of HTTP itself, not the app's."""
    session = requests.Session()
    session.headers["Connection"] = "close"
    return session


def random_actions(rng: random.Random, idea_ids: list[int], steps: int) -> list[Action]:
    """A bounded, seeded sequence of clicks on the same few ideas, with double-clicks."""
    actions = []
    for _ in range(steps):
        actions.append(Action(
            idea_id=rng.choice(idea_ids),
            kind="vote" if rng.random() < 0.6 else "unvote",
            minutes=rng.choice((0, 5, 15, 30, 60, 240)),
            double=rng.random() < 0.2,
            fragment=rng.random() < 0.7,
        ))
    return actions


UNKNOWN = object()  # an action whose outcome nobody can know (the answer was an error)


def expected_votes(voters: list[Voter]) -> dict[tuple[int, int], object]:
    """(idea, user) -> minutes of the vote that must exist, None for "no vote", UNKNOWN where
    an unanswered action leaves it open. A vote on an existing vote changes nothing (the
    first one's minutes stay); a withdrawal removes it."""
    state: dict[tuple[int, int], object] = {}
    for voter in voters:
        for action in voter.actions:
            if action.kind == "look":
                continue
            key = (action.idea_id, voter.user_id)
            before = state.get(key)
            if not action.ok:
                state[key] = UNKNOWN
            elif action.kind == "unvote":
                state[key] = None
            elif before is None:
                state[key] = action.minutes
            elif before is UNKNOWN:
                state[key] = UNKNOWN  # a vote exists now, but whose minutes it carries is open
    return state


def database_problems(idea_ids: list[int], expected: dict[tuple[int, int], object]) -> list[str]:
    """What the database holds that it must not: each vote as the voters left it, counters
    equal to the vote rows they summarise, no vote twice."""
    db.session.remove()
    problems = []
    duplicates = db.session.execute(text(
        "SELECT idea_id, user_id, count(*) FROM votes GROUP BY idea_id, user_id HAVING count(*) > 1")).all()
    if duplicates:
        problems.append(f"duplicate vote rows: {duplicates}")
    rows = {(v.idea_id, v.user_id): v.minutes_per_week
            for v in db.session.scalars(select(Vote).where(Vote.idea_id.in_(idea_ids)))}
    for key, minutes in sorted(expected.items(), key=lambda kv: kv[0]):
        if minutes is UNKNOWN:
            continue
        if minutes is None and key in rows:
            problems.append(f"idea {key[0]}: user {key[1]} withdrew, but the vote is there")
        elif minutes is not None and rows.get(key) != minutes:
            problems.append(f"idea {key[0]}: user {key[1]} voted with {minutes} min, database has {rows.get(key)}")
    for key in rows.keys() - expected.keys():
        problems.append(f"idea {key[0]}: a vote by user {key[1]} that nobody cast")
    for idea in db.session.scalars(select(Idea).where(Idea.id.in_(idea_ids)).order_by(Idea.id)):
        count, minutes = db.session.execute(
            select(func.count(), func.coalesce(func.sum(Vote.minutes_per_week), 0)).where(Vote.idea_id == idea.id)
        ).one()
        if idea.vote_count != count:
            problems.append(f"idea {idea.id}: vote_count {idea.vote_count}, but {count} vote rows")
        if idea.minutes_total != idea.minutes_per_week + minutes:
            problems.append(f"idea {idea.id}: minutes_total {idea.minutes_total}, but the author's "
                            f"{idea.minutes_per_week} + the votes' {minutes}")
    return problems


def run_all(voters: list[Voter], plans: list[list[Action]], deadline: float) -> list[str]:
    """Every voter works through its plan in its own thread, all at once. Returns errors
    raised inside the threads (a test must not lose them)."""
    errors: list[str] = []
    start = threading.Barrier(len(voters), timeout=TIMEOUT * 2)

    def work(voter: Voter, plan: list[Action]):
        try:
            voter.log_in()
            start.wait()
            for action in plan:
                if time.monotonic() > deadline:
                    errors.append(f"{voter.email}: out of time after {len(voter.actions)} actions")
                    return
                voter.perform(action)
        except Exception as error:  # noqa: BLE001 - reported to the test, not swallowed
            errors.append(f"{voter.email}: {type(error).__name__}: {error}")
            start.abort()

    threads = [threading.Thread(target=work, args=(v, p), daemon=True) for v, p in zip(voters, plans)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()) + TIMEOUT * 2 + 5)
    if any(t.is_alive() for t in threads):
        errors.append("some voters did not finish in time")
    return errors
