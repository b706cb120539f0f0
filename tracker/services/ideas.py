"""Items, votes and comments: submitting, editing, voting "me too", discussing."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, case, delete, func, select, text, update

from .. import notifications, permissions
from ..errors import DomainError, NotAllowed
from ..extensions import core_execute, db
from ..models import Category, Comment, Idea, StatusChange, Team, User, Vote, utcnow
from ..workflow import (CLOSED_STATUSES, INITIAL_STATUS, KIND_WITH_MINUTES, MAX_MINUTES_PER_WEEK, NotificationType,
                        can_vote_on, carries_minutes)
from .common import commit_with, get_by_id


def _check_minutes(kind: str, minutes: int | None) -> int:
    if not carries_minutes(kind):
        return 0
    minutes = minutes or 0
    if not 0 <= minutes <= MAX_MINUTES_PER_WEEK:
        raise DomainError(_l("Enter between 0 and %(max)d minutes per week.", max=MAX_MINUTES_PER_WEEK),
                          field="minutes_per_week")
    return minutes


def _check_choices(category: Category | None, team: Team | None) -> None:
    if category is None or not category.active:
        raise DomainError(_l("Choose one of the categories."), field="category_id")
    if team is None:
        raise DomainError(_l("Choose the team that owns the process."), field="team_id")


def submit_idea(author: User, *, kind: str, title: str, description: str, category: Category | None,
                team: Team | None, minutes_per_week: int | None, anonymous: bool) -> Idea:
    _check_choices(category, team)
    minutes = _check_minutes(kind, minutes_per_week)
    idea = Idea(
        kind=kind, title=title.strip(), description=description.strip(), category=category, team=team,
        author=author, anonymous=anonymous, minutes_per_week=minutes, minutes_total=minutes,
        status=INITIAL_STATUS,
    )
    # The submission opens the history. It names no actor, so it cannot reveal an anonymous author.
    idea.history.append(StatusChange(from_status=None, to_status=INITIAL_STATUS, actor=None))
    db.session.add(idea)
    db.session.flush()
    # Leaders hear of new items in their teams; the notification names no author.
    rows = notifications.notify([leader.id for leader in team.leaders], type=NotificationType.NEW_ITEM, idea=idea,
                                exclude=author)
    db.session.commit()
    notifications.deliver(rows)
    return idea


def _answered_by(idea: Idea, person: User) -> bool:
    """Whether `person` moved the item, handed it over, or gave its first response (add_comment
    set first_response_at to the time of an author's own comment until authors' comments stopped
    counting as a response). Made anonymous afterwards, its history or its comments would show
    that "the author" did: that the author is one of the team's few leaders or an admin."""
    moved = select(StatusChange.id).where(StatusChange.idea_id == idea.id, StatusChange.actor_id == person.id)
    if db.session.scalar(moved.limit(1)) is not None:
        return True
    return idea.first_response_at is not None and db.session.scalar(select(Comment.id).where(
        Comment.idea_id == idea.id, Comment.author_id == person.id,
        Comment.created_at == idea.first_response_at).limit(1)) is not None


def update_idea(idea: Idea, editor: User, *, kind: str, title: str, description: str, category: Category | None,
                team: Team | None, minutes_per_week: int | None, anonymous: bool) -> None:
    if not permissions.can_edit_idea(idea, editor):
        raise NotAllowed(_l("Only the author can edit this, and only while it is open."))
    if category is not None and category.id == idea.category_id:
        pass  # an item may keep a category that admins retired since
    else:
        _check_choices(category, team)
    if team is None:
        raise DomainError(_l("Choose the team that owns the process."), field="team_id")
    moved_team = team.id != idea.team_id
    if moved_team and idea.status != INITIAL_STATUS:
        raise DomainError(_l("The owning team is working on this already; ask its leaders to hand it over."),
                          field="team_id")
    if anonymous and not idea.anonymous and _answered_by(idea, editor):
        raise DomainError(_l("You answered this item yourself as a leader (a move or the first response), "
                             "and it shows: it can no longer be made anonymous."), field="anonymous")
    minutes = _check_minutes(kind, minutes_per_week)
    idea.kind, idea.title, idea.description = kind, title.strip(), description.strip()
    idea.category, idea.team, idea.anonymous = category, team, anonymous
    idea.minutes_per_week = minutes
    idea.updated_at = idea.last_activity_at = utcnow()
    db.session.flush()
    # Recounted from the rows: the kind decides whether the voters' minutes count at all.
    vote_minutes = select(func.coalesce(func.sum(Vote.minutes_per_week), 0)).where(
        Vote.idea_id == idea.id).scalar_subquery()
    db.session.execute(update(Idea).where(Idea.id == idea.id).values(
        minutes_total=minutes + (vote_minutes if carries_minutes(kind) else 0)))
    rows = []
    if moved_team:  # the new team's leaders hear of it as of a new item
        rows = notifications.notify([leader.id for leader in team.leaders], type=NotificationType.NEW_ITEM,
                                    idea=idea, exclude=editor)
    db.session.commit()
    notifications.deliver(rows)


def get_vote(idea: Idea, user: User) -> Vote | None:
    if not user.is_authenticated:
        return None
    return db.session.scalar(_VOTE, {"idea_id": idea.id, "user_id": user.id})


# Built once (see paging): session.get builds its statement anew on every item page.
_VOTE = select(Vote).where(Vote.idea_id == bindparam("idea_id"), Vote.user_id == bindparam("user_id"))


_CLOSED_FOR_VOTES = _l("This item is closed and takes no more votes.")
_CLOSED_KEEPS_VOTES = _l("This item is closed; its votes stay as they are.")


def cast_vote(idea: Idea, user: User, minutes_per_week: int | None = None) -> Vote | None:
    """Adds the user's "me too": the vote as stored (not loaded in the session), or None when
    it was already there.

    The primary key on (idea, user) is what keeps one vote per person, also when
    two requests race; the counters move by an atomic UPDATE in the same transaction (on
    PostgreSQL in the same statement), and the item takes their new values from it.
    """
    if permissions.is_author(idea, user):
        raise NotAllowed(_l("You cannot vote on your own item."))
    if not permissions.can_vote(idea, user):
        raise NotAllowed(_CLOSED_FOR_VOTES)
    minutes = _check_minutes(idea.kind, minutes_per_week)
    now = utcnow()
    params = {"idea": idea.id, "voter": user.id, "minutes": minutes, "now": now}
    if _in_one_statement():
        counters = core_execute(_VOTE_AND_COUNT, params).first()
    else:
        added = core_execute(_INSERT_VOTE, params).first()
        counters = None if added is None else core_execute(_COUNT_VOTE, {**params, "votes": 1}).one()
    if counters is None:
        if _closed_meanwhile(idea):
            raise NotAllowed(_CLOSED_FOR_VOTES)
        return None  # already voted (perhaps a moment ago, in a racing request)
    commit_with(idea, counters)
    return Vote(idea_id=idea.id, user_id=user.id, minutes_per_week=minutes, created_at=now)


def _in_one_statement() -> bool:
    """PostgreSQL writes the vote and moves the counters in one statement (SQLite has no
    INSERT or DELETE inside WITH): one round trip instead of two, and the request needs no
    transaction around it (see writes_in_one_statement)."""
    return db.engine.dialect.name == "postgresql"


def _closed_meanwhile(idea: Idea) -> bool:
    """After a vote or withdrawal that changed nothing: whether that is because the item was
    closed since the request read it (else the vote was there already, or gone). Ends SQLite's
    transaction (the INSERT took the write lock); PostgreSQL's one statement had none. The item
    is read again, so that the answer shows it as it is."""
    if not _in_one_statement():
        db.session.rollback()
    db.session.refresh(idea)
    return not can_vote_on(idea.status)


# The vote's statements, built once (see paging), run by core_execute: the counters move in
# the database, and the UPDATE returns them for the loaded item (commit_with). Written as text,
# in the words SQLite and PostgreSQL share: SQLAlchemy's dialect-specific insert() with
# on_conflict_do_nothing() is never kept in its compiled cache, so every vote compiled it anew
# (6 % of a vote request).
#
# Each checks in the database that the item is still open as it writes (a leader may just have
# closed it or merged it into another: the vote would stay on a closed duplicate), and moves
# the minutes by the kind the item has then (an author may just have made a pain point an idea,
# which recounts the minutes without the voters'). SQLite: one writer at a time, and a statement
# that writes reads the latest rows.
_CLOSED = ", ".join(f"'{status}'" for status in sorted(CLOSED_STATUSES))  # in the text, as every statement has them
_OPEN_ITEM = f"ideas.id = :idea AND ideas.status NOT IN ({_CLOSED})"
_INSERT_VOTE = text(
    "INSERT INTO votes (idea_id, user_id, minutes_per_week, created_at) "
    f"SELECT ideas.id, :voter, :minutes, :now FROM ideas WHERE {_OPEN_ITEM} "
    "ON CONFLICT (idea_id, user_id) DO NOTHING RETURNING user_id"
).bindparams(bindparam("now", type_=Vote.__table__.c.created_at.type))
_REMOVE_VOTE = text(
    "DELETE FROM votes WHERE votes.idea_id = :idea AND votes.user_id = :voter "
    f"AND EXISTS (SELECT 1 FROM ideas WHERE {_OPEN_ITEM}) RETURNING minutes_per_week")
_COUNT_VOTE = update(Idea).where(Idea.id == bindparam("idea")).values(
    vote_count=Idea.vote_count + bindparam("votes"),
    minutes_total=Idea.minutes_total + case((Idea.kind == KIND_WITH_MINUTES, bindparam("minutes")), else_=0),
    last_activity_at=func.coalesce(bindparam("now", type_=Idea.last_activity_at.type), Idea.last_activity_at),
).returning(Idea.vote_count, Idea.minutes_total, Idea.last_activity_at)

# PostgreSQL: the same in one statement each. It locks the item's row first, as a move or merge
# does before it touches the votes (triage._lock_in_order): a withdrawal that held its vote row
# while it waited for the item, which a merge held while it waited for that vote row, deadlocked.
# Waiting, it reads the item as the move left it. The UPDATE's FROM is the one row the INSERT or
# DELETE returned and its WHERE the item's key: the counters move exactly when the vote row did.
_LOCK_OPEN_ITEM = f"WITH item AS MATERIALIZED (SELECT ideas.id FROM ideas WHERE {_OPEN_ITEM} FOR NO KEY UPDATE)"
_MINUTES_COUNTED = "CASE WHEN ideas.kind = :kind_with_minutes THEN {row}.minutes_per_week ELSE 0 END"
_COUNTERS = (Idea.__table__.c.vote_count, Idea.__table__.c.minutes_total, Idea.__table__.c.last_activity_at)
_VOTE_AND_COUNT = text(
    f"{_LOCK_OPEN_ITEM}, added AS (INSERT INTO votes (idea_id, user_id, minutes_per_week, created_at) "
    "SELECT item.id, :voter, :minutes, :now FROM item "
    "ON CONFLICT (idea_id, user_id) DO NOTHING RETURNING minutes_per_week) "
    "UPDATE ideas SET vote_count = ideas.vote_count + 1, "
    f"minutes_total = ideas.minutes_total + {_MINUTES_COUNTED.format(row='added')}, "
    "last_activity_at = :now FROM added WHERE ideas.id = :idea "
    "RETURNING ideas.vote_count, ideas.minutes_total, ideas.last_activity_at"
).bindparams(bindparam("now", type_=Vote.__table__.c.created_at.type),
             bindparam("kind_with_minutes", str(KIND_WITH_MINUTES))).columns(*_COUNTERS)
_WITHDRAW_AND_COUNT = text(
    f"{_LOCK_OPEN_ITEM}, removed AS (DELETE FROM votes USING item "
    "WHERE votes.idea_id = item.id AND votes.user_id = :voter RETURNING votes.minutes_per_week) "
    "UPDATE ideas SET vote_count = ideas.vote_count - 1, "
    f"minutes_total = ideas.minutes_total - {_MINUTES_COUNTED.format(row='removed')} "
    "FROM removed WHERE ideas.id = :idea "
    "RETURNING ideas.vote_count, ideas.minutes_total, ideas.last_activity_at"
).bindparams(bindparam("kind_with_minutes", str(KIND_WITH_MINUTES))).columns(*_COUNTERS)


def withdraw_vote(idea: Idea, user: User) -> bool:
    """Removes the user's vote. Returns False when there was none."""
    if not can_vote_on(idea.status):
        raise NotAllowed(_CLOSED_KEEPS_VOTES)
    params = {"idea": idea.id, "voter": user.id}
    if _in_one_statement():
        counters = core_execute(_WITHDRAW_AND_COUNT, params).first()
    else:
        removed = core_execute(_REMOVE_VOTE, params).first()
        counters = None if removed is None else core_execute(
            _COUNT_VOTE, {**params, "votes": -1, "minutes": -removed.minutes_per_week, "now": None}).one()
    if counters is None:
        if _closed_meanwhile(idea):
            raise NotAllowed(_CLOSED_KEEPS_VOTES)
        return False
    commit_with(idea, counters)
    return True


def idea_by_id(idea_id: int | None) -> Idea | None:
    return get_by_id(Idea, idea_id)


def comment_by_id(comment_id: int) -> Comment | None:
    return get_by_id(Comment, comment_id)


def add_comment(idea: Idea, author: User, body: str) -> Comment:
    """Posts a comment and tells the item's followers. A comment by a leader of the
    owning team (or an admin) counts as the first response, unless they wrote the item."""
    now = utcnow()
    recipients = notifications.followers(idea)
    comment = Comment(idea=idea, author=author, body=body.strip(), created_at=now)
    db.session.add(comment)
    db.session.flush()
    values = dict(comment_count=Idea.comment_count + 1, last_activity_at=now)
    if permissions.is_responder(idea, author):
        values["first_response_at"] = func.coalesce(Idea.first_response_at, now)
    db.session.execute(update(Idea).where(Idea.id == idea.id).values(**values))
    # An anonymous author's own comment names nobody in the notifications either.
    actor = None if permissions.is_anonymous_author(idea, author) else author
    rows = notifications.notify(recipients, type=NotificationType.COMMENT_ADDED, idea=idea, actor=actor,
                                exclude=author, comment_id=comment.id)
    db.session.commit()
    notifications.deliver(rows)
    return comment


def check_comment_deletable(comment: Comment, user: User) -> None:
    """Raises NotAllowed, with the reason, unless `user` may delete the comment."""
    if not permissions.can_delete_comment(comment, user):
        raise NotAllowed(_l("You can only delete your own comments."))


def delete_comment(comment: Comment, user: User) -> None:
    check_comment_deletable(comment, user)
    deleted = db.session.execute(delete(Comment).where(Comment.id == comment.id).returning(Comment.idea_id)).first()
    if deleted is None:  # a second click: it is gone already
        db.session.rollback()
        return
    db.session.execute(update(Idea).where(Idea.id == deleted.idea_id).values(comment_count=Idea.comment_count - 1))
    db.session.commit()
