"""The status flow, over every (status, target) pair and every role."""
import itertools

import pytest
from sqlalchemy import func, select

from tests.factories import make_idea
from tracker import services, triage
from tracker.errors import DomainError, NotAllowed
from tracker.extensions import db
from tracker.models import StatusChange
from tracker.workflow import NOTE_REQUIRED, Status, allowed_targets, can_move

ALLOWED = {
    (Status.NEW, Status.REVIEW), (Status.REVIEW, Status.PLANNED), (Status.PLANNED, Status.IN_PROGRESS),
    (Status.IN_PROGRESS, Status.IMPLEMENTED), (Status.DECLINED, Status.REVIEW),
    *((s, t) for s in (Status.NEW, Status.REVIEW, Status.PLANNED, Status.IN_PROGRESS)
      for t in (Status.DECLINED, Status.DUPLICATE)),
}
PAIRS = list(itertools.product(Status, Status))


@pytest.mark.parametrize("source,target", PAIRS)
def test_can_move_allows_exactly_the_flow(source, target):
    assert can_move(source, target) == ((source, target) in ALLOWED)


def test_allowed_targets_follow_the_board_order():
    assert allowed_targets(Status.NEW) == [Status.REVIEW, Status.DECLINED, Status.DUPLICATE]
    assert allowed_targets(Status.IMPLEMENTED) == []
    assert allowed_targets("nonsense") == []


def _put(idea, status):
    idea.status = status
    db.session.commit()


def _extras(target, other):
    return dict(note="Because" if target in NOTE_REQUIRED else "", saving_minutes=60,
                duplicate_of=other if target == Status.DUPLICATE else None)


@pytest.mark.parametrize("source,target", PAIRS)
def test_move_idea_as_the_owning_leader(employee, leader, source, target):
    idea, other = make_idea(employee), make_idea(employee, title="The original")
    _put(idea, source)
    if (source, target) in ALLOWED:
        triage.move_idea(idea, leader, target, **_extras(target, other))
        db.session.refresh(idea)
        assert idea.status == target
        change = db.session.scalars(select(StatusChange).where(StatusChange.idea_id == idea.id)
                                    .order_by(StatusChange.id.desc())).first()
        assert (change.from_status, change.to_status, change.actor_id) == (source, target, leader.id)
    else:
        with pytest.raises(DomainError) as error:
            triage.move_idea(idea, leader, target, **_extras(target, other))
        assert "cannot move" in str(error.value.message)
        db.session.refresh(idea)
        assert idea.status == source


@pytest.mark.parametrize("role", ["employee", "author", "leader of another team"])
@pytest.mark.parametrize("source,target", sorted(ALLOWED))
def test_only_owning_leaders_and_admins_move(employee, colleague, other_leader, admin, role, source, target):
    idea, other = make_idea(employee), make_idea(employee, title="The original")
    _put(idea, source)
    actor = {"employee": colleague, "author": employee, "leader of another team": other_leader}[role]
    with pytest.raises(NotAllowed):
        triage.move_idea(idea, actor, target, **_extras(target, other))
    triage.move_idea(idea, admin, target, **_extras(target, other))
    db.session.refresh(idea)
    assert idea.status == target


@pytest.mark.parametrize("target,field", [(Status.DECLINED, "note"), (Status.DUPLICATE, "duplicate_of")])
def test_required_details_are_refused_when_missing(employee, leader, target, field):
    idea = make_idea(employee)
    with pytest.raises(DomainError) as error:
        triage.move_idea(idea, leader, target, note="  ")
    assert error.value.field == field
    assert db.session.scalar(select(func.count()).select_from(StatusChange)) == 1


def test_implemented_needs_what_changed_and_the_saving(employee, leader):
    idea = make_idea(employee)
    for step in (Status.REVIEW, Status.PLANNED, Status.IN_PROGRESS):
        triage.move_idea(idea, leader, step)
    with pytest.raises(DomainError) as error:
        triage.move_idea(idea, leader, Status.IMPLEMENTED, note="", saving_minutes=60)
    assert error.value.field == "note"
    with pytest.raises(DomainError) as error:
        triage.move_idea(idea, leader, Status.IMPLEMENTED, note="Form removed", saving_minutes=None)
    assert error.value.field == "saving_hours"
    triage.move_idea(idea, leader, Status.IMPLEMENTED, note="Form removed", saving_minutes=90)
    db.session.refresh(idea)
    assert (idea.status, idea.saving_minutes, idea.implemented_at is not None) == ("implemented", 90, True)
    assert triage.total_saving_minutes() == 90


def test_a_duplicate_cannot_point_at_itself_or_at_a_duplicate(employee, leader):
    first, second, third = (make_idea(employee, title=t) for t in ("First", "Second", "Third"))
    with pytest.raises(DomainError):
        triage.move_idea(first, leader, Status.DUPLICATE, duplicate_of=first)
    triage.move_idea(second, leader, Status.DUPLICATE, duplicate_of=third)
    with pytest.raises(DomainError):
        triage.move_idea(first, leader, Status.DUPLICATE, duplicate_of=second)


def test_a_stale_move_loses_cleanly(employee, leader):
    """Two leaders look at the same New card; the second move, based on what it saw, is refused."""
    idea = make_idea(employee)
    seen_by_second_leader = db.session.get(type(idea), idea.id)
    db.session.expunge(seen_by_second_leader)  # its page still shows "New"
    triage.move_idea(idea, leader, Status.REVIEW)
    with pytest.raises(DomainError) as error:
        triage.move_idea(seen_by_second_leader, leader, Status.DECLINED, note="No")
    assert "meanwhile" in str(error.value.message)
    db.session.expire_all()
    assert db.session.get(type(idea), idea.id).status == Status.REVIEW
    assert db.session.scalar(select(func.count()).select_from(StatusChange)) == 2


def test_the_first_response_is_the_first_move_or_leader_comment(employee, colleague, leader):
    from tracker import services

    moved, commented, untouched = (make_idea(employee, title=t) for t in ("Moved", "Commented", "Untouched"))
    services.add_comment(untouched, colleague, "Me too")  # an employee's comment is not a response
    services.add_comment(commented, leader, "We are looking into it")
    triage.move_idea(moved, leader, Status.REVIEW)
    for idea in (moved, commented, untouched):
        db.session.refresh(idea)
    assert moved.first_response_at is not None and commented.first_response_at is not None
    assert untouched.first_response_at is None


def test_waiting_lists_old_unanswered_items_oldest_first(app, employee, leader, other_team):
    from datetime import timedelta

    from tracker.models import utcnow

    old, older, fresh, answered = (make_idea(employee, title=t) for t in ("Old", "Older", "Fresh", "Answered"))
    elsewhere = make_idea(employee, title="Elsewhere", team=other_team)
    now = utcnow()
    for idea, days in ((old, 15), (older, 30), (fresh, 3), (answered, 40), (elsewhere, 20)):
        idea.created_at = now - timedelta(days=days)
    db.session.commit()
    triage.move_idea(answered, leader, Status.REVIEW)

    def waiting(panel):  # read with the first page of the list, as the leaders' start page does
        return services.list_ideas(services.IdeaFilters(), leader, 1, 20, panel).waiting

    mine = waiting(triage.Panel((leader.led_teams[0].id,)))
    assert [i.title for i in mine.oldest] == ["Older", "Old"] and mine.total == 2
    everywhere = waiting(triage.Panel(None))
    assert [i.title for i in everywhere.oldest] == ["Older", "Elsewhere", "Old"] and everywhere.total == 3
    first = waiting(triage.Panel(None, limit=1))
    assert [i.title for i in first.oldest] == ["Older"] and first.total == 3
    assert first.oldest[0].created_at == older.created_at and first.oldest[0].team_name == leader.led_teams[0].name
    assert waiting(triage.Panel(())) == triage.Waiting([], 0)  # a leader of no team
    with pytest.raises(ValueError):  # beside a filtered list, no rows would not mean "nothing waiting"
        services.list_ideas(services.IdeaFilters(kind="idea"), leader, 1, 20, triage.Panel(None))
    assert triage.is_waiting(old) and not triage.is_waiting(fresh)
