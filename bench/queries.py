"""SQL statements per request, counted in-process with Flask's test client against a
seeded database, the same requests as the load test makes, as the same logged-in leader."""
import re
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import event

from tracker.extensions import db

from . import data
from .pages import Page, Targets
from .seed import make_app

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class PageQueries:
    counts: list[int] = field(default_factory=list)   # one per request measured
    statements: list[str] = field(default_factory=list)  # of the first request measured

    @property
    def low(self) -> int:
        return min(self.counts)

    @property
    def high(self) -> int:
        return max(self.counts)

    def __str__(self) -> str:
        return str(self.low) if self.low == self.high else f"{self.low}–{self.high}"


class StatementLog:
    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append(" ".join(statement.split()))

    def take(self) -> list[str]:
        taken, self.statements = self.statements, []
        return taken


def csrf_token(html: str) -> str:
    match = CSRF.search(html)
    if not match:
        raise RuntimeError("no CSRF token on the page")
    return match.group(1)


def count(url: str, pages: list[Page], targets: Targets, samples: int = 3) -> dict[str, PageQueries]:
    """Statements per request for each page; the vote toggle as two entries, vote and unvote."""
    app = make_app(url)
    result: dict[str, PageQueries] = defaultdict(PageQueries)
    # No app context around the requests: each request must push its own, as under
    # gunicorn, or g (the logged-in user, the CSRF token) and the session's identity
    # map would carry over from one request to the next and hide queries.
    with app.app_context():
        engine = db.engine
    log = StatementLog()
    event.listen(engine, "before_cursor_execute", log)
    try:
        client = app.test_client()
        token = csrf_token(client.get("/login").get_data(as_text=True))
        response = client.post("/login", data={"email": data.BENCH_EMAIL, "password": data.BENCH_PASSWORD,
                                               "csrf_token": token})
        if response.status_code != 302:
            raise RuntimeError(f"bench login failed: {response.status_code}")
        token = csrf_token(client.get(f"/ideas/{targets.idea_ids[0]}").get_data(as_text=True))

        def measure(name: str, method: str, path: str, **kw) -> None:
            log.take()
            response = client.open(path, method=method, **kw)
            if response.status_code != 200:
                raise RuntimeError(f"{method} {path}: {response.status_code}")
            statements = log.take()
            entry = result[name]
            if not entry.counts:
                entry.statements = statements
            entry.counts.append(len(statements))

        for page in pages:
            if page.name == "ping":
                continue
            if page.vote:
                headers = {"X-Fragment": "vote"}
                form = {"csrf_token": token, "minutes_per_week": "15"}
                for idea_id in targets.vote_ids[:samples]:
                    measure("vote", "POST", f"/ideas/{idea_id}/vote", data=form, headers=headers)
                    measure("unvote", "POST", f"/ideas/{idea_id}/unvote", data=form, headers=headers)
                continue
            client.get(page.paths[0])  # warm: the first request of a kind may load more (translations)
            for path in page.paths if len(page.paths) > 1 else page.paths * samples:
                measure(page.name, "GET", path)  # every item and phrase the load test uses
    finally:
        event.remove(engine, "before_cursor_execute", log)
        engine.dispose()
    return dict(result)
