"""The board's column totals come from team_status_counts, which triggers on `ideas` keep exact
(migration 0011) however items are written: submitted, handed to another team, moved, merged,
or changed by SQL by hand."""
import re

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.exc import OperationalError

from tests.conftest import login
from tests.factories import make_idea, make_user
from tracker import services, triage
from tracker.extensions import db
from tracker.models import Idea, TeamStatusCount
from tracker.workflow import Role, Status


def kept() -> dict[tuple[int, str], int]:
    rows = db.session.execute(select(TeamStatusCount.team_id, TeamStatusCount.status, TeamStatusCount.n))
    return {(team, status): n for team, status, n in rows if n}


def counted() -> dict[tuple[int, str], int]:
    rows = db.session.execute(select(Idea.team_id, Idea.status, func.count()).group_by(Idea.team_id, Idea.status))
    return {(team, status): n for team, status, n in rows}


def test_counts_follow_every_way_of_writing_items(employee, colleague, leader, other_leader, team, other_team):
    ideas = [make_idea(employee, title=f"Item {i}") for i in range(4)]
    elsewhere = make_idea(colleague, team=other_team, title="Elsewhere")
    assert kept() == counted() == {(team.id, Status.NEW): 4, (other_team.id, Status.NEW): 1}

    services.update_idea(ideas[0], employee, kind=ideas[0].kind, title="Handed over", description="Moved.",
                         category=ideas[0].category, team=other_team, minutes_per_week=30, anonymous=False)
    services.update_idea(ideas[1], employee, kind=ideas[1].kind, title="Same team", description="Edited.",
                         category=ideas[1].category, team=team, minutes_per_week=10, anonymous=False)
    assert kept() == counted() == {(team.id, Status.NEW): 3, (other_team.id, Status.NEW): 2}

    triage.move_idea(ideas[1], leader, Status.REVIEW)
    triage.move_idea(ideas[1], leader, Status.PLANNED)
    triage.move_idea(ideas[2], leader, Status.DECLINED, note="Law requires it.")
    triage.move_idea(ideas[3], leader, Status.DUPLICATE, note="Same", duplicate_of=ideas[1])
    triage.move_idea(elsewhere, other_leader, Status.REVIEW)
    assert kept() == counted() == {(team.id, Status.PLANNED): 1, (team.id, Status.DECLINED): 1,
                                   (team.id, Status.DUPLICATE): 1, (other_team.id, Status.NEW): 1,
                                   (other_team.id, Status.REVIEW): 1}

    # by hand: a status and a team changed in one statement, and an item deleted
    db.session.execute(text("UPDATE ideas SET status = 'in_progress', team_id = :team WHERE id = :id"),
                       {"team": team.id, "id": elsewhere.id})
    db.session.execute(text("DELETE FROM status_changes WHERE idea_id = :id"), {"id": ideas[2].id})
    db.session.execute(text("DELETE FROM notifications WHERE idea_id = :id"), {"id": ideas[2].id})
    db.session.execute(text("DELETE FROM ideas WHERE id = :id"), {"id": ideas[2].id})
    db.session.commit()
    assert kept() == counted() == {(team.id, Status.PLANNED): 1, (team.id, Status.DUPLICATE): 1,
                                   (team.id, Status.IN_PROGRESS): 1, (other_team.id, Status.NEW): 1}


def test_the_board_of_every_team_and_of_a_leader_totals_each_column(app, employee, colleague, leader,
                                                                     other_leader, team, other_team):
    admin = make_user("root@example.com", "Rita Root", role=Role.ADMIN)  # leads no team: sees every team
    mine = [make_idea(employee, title=f"Mine {i}") for i in range(3)]
    theirs = [make_idea(colleague, team=other_team, title=f"Theirs {i}") for i in range(2)]
    triage.move_idea(mine[0], leader, Status.REVIEW)
    triage.move_idea(theirs[0], other_leader, Status.REVIEW)
    triage.move_idea(theirs[1], other_leader, Status.DECLINED, note="Not ours.")

    def totals(user, query: str = "") -> list[str]:
        client = app.test_client()
        login(client, user)
        return re.findall(r'class="column-count">(\d+)<', client.get("/board" + query).get_data(as_text=True))

    # New, Under review, Planned, In progress, Implemented, Declined, Duplicate
    assert totals(admin) == ["2", "2", "0", "0", "0", "1", "0"]
    assert totals(leader) == ["2", "1", "0", "0", "0", "0", "0"]
    assert totals(leader, f"?team={other_team.id}") == ["0", "1", "0", "0", "0", "1", "0"]
    # a kind filter counts the items themselves, with the same result
    assert totals(leader, f"?team={other_team.id}&kind={theirs[0].kind}") == ["0", "1", "0", "0", "0", "1", "0"]


def test_emptying_the_items_empties_the_counts(employee):
    """PostgreSQL's TRUNCATE fires no row triggers; a statement trigger empties the counts."""
    make_idea(employee)
    emptied = "TRUNCATE ideas CASCADE" if db.engine.dialect.name == "postgresql" else "DELETE FROM ideas"
    db.session.execute(text("DELETE FROM notifications"))
    db.session.execute(text("DELETE FROM status_changes"))
    db.session.execute(text(emptied))
    db.session.commit()
    assert counted() == {}
    assert db.session.scalar(select(func.coalesce(func.sum(TeamStatusCount.n), 0))) == 0


def test_a_merge_locks_both_items_before_it_writes_either(employee, colleague, leader):
    """A merge writes the duplicate (and so its team's counters) and then the target; holding
    the first while it waited for the target could deadlock with a move of the target. It locks
    both items first, lowest id first (triage._lock_in_order)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's row locks (SQLite has one writer at a time)")
    duplicate, target = make_idea(employee, title="Copy"), make_idea(colleague, title="Original")
    sent = []

    def record(_conn, _cursor, statement, *_args):
        sent.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        triage.move_idea(duplicate, leader, Status.DUPLICATE, note="Same", duplicate_of=target)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    locked = next(i for i, sql in enumerate(sent) if sql.endswith("FOR NO KEY UPDATE"))
    written = next(i for i, sql in enumerate(sent) if sql.startswith("UPDATE ideas"))
    assert locked < written, sent

    # the lock covers both rows: another connection cannot take either meanwhile
    triage._lock_in_order(target.id, duplicate.id)
    with db.engine.connect() as other:
        for idea_id in (duplicate.id, target.id):
            with pytest.raises(OperationalError, match="could not obtain lock"):
                other.execute(text("SELECT id FROM ideas WHERE id = :id FOR NO KEY UPDATE NOWAIT"), {"id": idea_id})
            other.rollback()
    db.session.rollback()
