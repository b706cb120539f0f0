"""The number of SQL statements a page sends does not grow with the data (no N+1) and
stays at 10 or fewer: the fast guard that `make bench` measures at full size."""
import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event, func, select

from tests.conftest import login
from tests.factories import make_idea, make_team, make_user
from tracker import services, triage
from tracker.extensions import db
from tracker.models import Idea, Vote
from tracker.workflow import Status

PATHS = [(), (Status.REVIEW,), (Status.REVIEW, Status.PLANNED), (Status.REVIEW, Status.PLANNED, Status.IN_PROGRESS),
         (Status.REVIEW, Status.PLANNED, Status.IN_PROGRESS, Status.IMPLEMENTED), (Status.DECLINED,),
         (Status.DUPLICATE,)]

PAGES = ["/", "/?sort=newest", "/?sort=hours", "/?sort=active", "/?q=form", "/board", "/board?team=",
         "/implemented", "/notifications", "/ideas/{idea}"]
ACTIONS = ["/ideas/{idea}/vote", "/ideas/{idea}/unvote"]


@contextmanager
def counting():
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def _company(size: int, leader, team, employee):
    people = [make_user(f"p{size}-{n}@example.com", f"Person {n}", team=team) for n in range(4)]
    ideas = []
    for n in range(size):
        idea = make_idea(people[n % 4], title=f"Form number {n}", team=team)
        for voter in people[:3]:
            if voter.id != idea.author_id:
                services.cast_vote(idea, voter, 15)
        services.add_comment(idea, people[(n + 1) % 4], "Same here")
        ideas.append(idea)
    for n, idea in enumerate(ideas[1:]):  # every board column gets cards
        path = PATHS[n % len(PATHS)]
        for step in path:
            triage.move_idea(idea, leader, step, note="Because", saving_minutes=30, duplicate_of=ideas[0])
    return ideas[0]


def _counts(client, idea) -> dict[str, int]:
    result = {}
    for url in PAGES:
        # As a running process serves it: the team and category lists are read once per change
        # to them, two statements more on each process's first page after it (counted in
        # tests/views/test_catalog.py; the pages with lists send 3-4 then).
        client.get(url.format(idea=idea.id))
        with counting() as statements:
            assert client.get(url.format(idea=idea.id)).status_code == 200, url
        result[url] = len(statements)
    for url in ACTIONS:
        with counting() as statements:
            assert client.post(url.format(idea=idea.id), data={"minutes_per_week": "15"},
                               headers={"X-Fragment": "vote"}).status_code == 200, url
        result[url] = len(statements)
    return result


@pytest.fixture
def measure(app, leader, team, employee):
    def run(size):
        idea = _company(size, leader, team, employee)
        client = app.test_client()
        login(client, leader)
        return _counts(client, idea)

    return run


def test_queries_per_request_are_few_and_flat(measure, db):
    small = measure(8)
    large = measure(40)
    assert all(n >= 2 for n in small.values()), small  # the counter sees the user load and the page's own
    assert small == large, "a page sends more statements when there is more data (N+1?)"
    too_many = {url: n for url, n in large.items() if n > 10}
    assert too_many == {}


def _plans(client, url: str, marker: str) -> list[str]:
    """SQLite's query plan for each statement of the page that contains marker."""
    captured = []

    def keep(conn, cursor, statement, parameters, *args):
        if marker in statement:
            captured.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)
    assert captured, f"{url} sent no statement with {marker!r}"
    with db.engine.connect() as conn:
        return [" | ".join(row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params))
                for sql, params in captured]


def test_sqlite_reads_the_narrow_indexes(app, measure, db, leader, admin):
    """Without statistics SQLite would read every item of a status through the status index
    for the waiting panel and for each board column; these read only the rows they show."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's planner (PostgreSQL plans from its statistics)")
    measure(8)
    more = [make_team("Logistik"), make_team("Personal")]
    leader.led_teams.extend(more)  # a leader of several teams, as in the benchmark
    db.session.commit()
    client = app.test_client()
    login(client, leader)
    [waiting] = _plans(client, "/", "AS waiting_total")
    # The oldest few and their count, each from the teams' partial index (not the whole company's).
    assert waiting.count("USING INDEX ix_ideas_unanswered (team_id=?") == 2, waiting
    [board] = _plans(client, "/board", "UNION ALL")
    assert "COVERING INDEX ix_ideas_team_status_votes" in board, board
    assert "ix_ideas_status_votes" not in board, board
    admin_client = app.test_client()
    login(admin_client, admin)
    [company] = _plans(admin_client, "/", "AS waiting_total")  # an admin's panel: every team
    assert company.count("USING INDEX ix_ideas_unanswered_age (") == 2, company


STATUS_AS_PARAMETER = re.compile(r"ideas(_\d+)?\.status\s*(=|!=|<>|\bIN\b)\s*\(?\s*(\?|%\()", re.IGNORECASE)


def test_statements_carry_statuses_in_their_text(app, db, leader, team, employee):
    """SQLite prepares a statement anew on every run where ideas.status meets a parameter,
    because the partial indexes on ideas name a status (tracker.sqlhints.status_param): the
    board was parsed and planned on every view. No page, filter or move may send one."""
    idea = _company(8, leader, team, employee)
    movable = make_idea(employee, title="Stamp every page", team=team)
    client = app.test_client()
    login(client, leader)
    with counting() as statements:
        for url in PAGES + ["/?status=review", "/?status=new&sort=hours&kind=problem", "/board?kind=idea",
                            "/board?team=&category=1"]:
            assert client.get(url.format(idea=idea.id)).status_code == 200, url
        response = client.post(f"/ideas/{movable.id}/move", data={"to_status": "review"})
        assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(type(movable), movable.id).status == Status.REVIEW  # the move's UPDATE ran
    assert any("ideas.status = 'review'" in sql for sql in statements)
    assert [sql for sql in statements if STATUS_AS_PARAMETER.search(sql)] == []


def test_postgresql_pages_and_votes_run_without_a_transaction(app, client, db, employee, colleague):
    """On PostgreSQL a page (GET) runs its statements without BEGIN and ROLLBACK around them,
    so psycopg keeps the statements it prepared (it forgets them at every ROLLBACK); so does a
    vote, whose one change is one statement; a form (POST) keeps its transaction, on the same
    pooled connection a page used before; and so does a request context made up outside a
    request (the mail jobs', which write)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("runs when the suite runs on PostgreSQL (SQLite keeps its transactions)")
    idea = make_idea(colleague, title="Forms in triplicate")
    idea_id, own_minutes = idea.id, idea.minutes_total
    login(client, employee)
    db.session.remove()
    db.engine.dispose()  # an empty pool: the requests below take turns on one connection
    seen, writes, connections = [], [], set()

    def record(conn, cursor, statement, *args):
        seen.append(conn.connection.dbapi_connection.autocommit)
        connections.add(id(conn.connection.dbapi_connection))
        if re.search(r"(?:^|\(|\) )(INSERT INTO|DELETE FROM|UPDATE) \w+", statement):  # or a WITH's part
            writes.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        modes, written = {}, {}
        vote, unvote = f"/ideas/{idea_id}/vote", f"/ideas/{idea_id}/unvote"
        for step, (method, url, form) in enumerate([
                ("get", f"/ideas/{idea_id}", None), ("post", vote, {"minutes_per_week": "15"}),
                ("post", vote, {"minutes_per_week": "15"}),  # again: already counted
                ("post", f"/ideas/{idea_id}/comments", {"body": "Same here"}), ("get", "/", None),
                ("post", unvote, {}), ("post", unvote, {})]):  # again: nothing left to withdraw
            seen.clear()
            writes.clear()
            response = getattr(client, method)(url, data=form, headers={"X-Fragment": "vote"} if url in (vote, unvote)
                                               else {})
            assert response.status_code in (200, 302), (url, response.status_code)
            modes[step], written[step] = set(seen), len(writes)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert modes == {0: {True}, 1: {True}, 2: {True}, 3: {False}, 4: {True}, 5: {True}, 6: {True}}
    assert [written[step] for step in (1, 2, 5, 6)] == [1, 1, 1, 1]  # the vote row and the counters: one statement
    assert len(connections) == 1  # one connection, back and forth between the two modes
    idea = db.session.get(Idea, idea_id)
    assert (idea.vote_count, idea.minutes_total, idea.comment_count) == (0, own_minutes, 1)  # all committed
    assert db.session.scalar(select(func.count()).select_from(Vote)) == 0
    db.session.remove()
    with app.test_request_context("/"):
        assert db.session.connection().connection.dbapi_connection.autocommit is False
