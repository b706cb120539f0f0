"""The leaders' side: moving items through the status flow, merging duplicates,
the board, items waiting for a response, and "you said, we did"."""
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Text, and_, bindparam, cast, delete, func, insert, literal, select, union_all, update
from sqlalchemy.orm import joinedload

from . import notifications, permissions
from .cards import Card, from_row, select_cards
from .errors import DomainError, DomainErrors, NotAllowed
from .extensions import core_execute, db
from .models import MAX_ID, Idea, StatusChange, Team, TeamStatusCount, User, Vote, utcnow
from .paging import inline
from .sqlhints import mostly_true, status_value
from .sqljson import fields, json_list, json_map, moment
from .workflow import (
    BOARD_COLUMNS, CLOSED_STATUSES, MAX_SAVING_HOURS_PER_WEEK, NOTE_REQUIRED, SAVING_REQUIRED, TARGET_REQUIRED, Kind,
    NotificationType, Status, allowed_targets, can_merge_into, can_move, carries_minutes,
)

MAX_NOTE = 5000


def move_idea(idea: Idea, actor: User, to_status: str, note: str = "", saving_minutes: int | None = None,
              duplicate_of: Idea | int | None = None) -> None:
    """Moves an item one step in the flow, records who, when, from, to and why, and
    tells everyone who follows it. One commit; email after it."""
    if not permissions.can_move_idea(idea, actor):
        raise NotAllowed(_l("Only leaders of the owning team and admins can move this item."))
    from_status = idea.status
    if to_status not in set(Status) or not can_move(from_status, to_status):
        raise DomainError(_l("An item cannot move from “%(from)s” to “%(to)s”.",
                             **{"from": status_label(from_status), "to": status_label(to_status)}), field="to_status")
    note = (note or "").strip()
    # Said together: a leader moving to Implemented hears of the note and the saving at once (a
    # form the view refused first, say an unreadable saving, is answered before these).
    problems = []
    if to_status in NOTE_REQUIRED and not note:
        problems.append(DomainError(_l("Please give the reason.") if to_status == Status.DECLINED else
                                    _l("Please describe what changed."), field="note"))
    elif len(note) > MAX_NOTE:
        problems.append(DomainError(_l("Please keep the note under %(max)d characters.", max=MAX_NOTE), field="note"))
    if to_status in SAVING_REQUIRED and (saving_minutes is None
                                         or not 0 <= saving_minutes <= MAX_SAVING_HOURS_PER_WEEK * 60):
        problems.append(DomainError(_l("Please estimate the saving: between 0 and %(max)d hours per week.",
                                       max=MAX_SAVING_HOURS_PER_WEEK), field="saving_hours"))
    if problems:
        raise problems[0] if len(problems) == 1 else DomainErrors(problems)
    if to_status in TARGET_REQUIRED:
        duplicate_of = _duplicate_target(idea, duplicate_of)
        _lock_in_order(idea.id, duplicate_of.id)

    now = utcnow()
    moved = db.session.execute(  # compare-and-set: a concurrent move of the same item loses cleanly
        update(Idea).where(Idea.id == idea.id, Idea.status == status_value(from_status)).values(
            status=to_status, last_activity_at=now,
            first_response_at=func.coalesce(Idea.first_response_at, now))
    ).rowcount
    if not moved:
        db.session.rollback()
        raise DomainError(_l("Someone moved this item meanwhile. Please reload and try again."), field="to_status")
    db.session.add(StatusChange(idea_id=idea.id, from_status=from_status, to_status=to_status, actor=actor,
                                note=note, created_at=now))
    recipients = notifications.followers(idea)
    if to_status == Status.IMPLEMENTED:
        idea.implemented_at, idea.saving_minutes = now, saving_minutes
    shown_actor = None if permissions.is_anonymous_author(idea, actor) else actor
    if to_status == Status.DUPLICATE:
        idea.duplicate_of = duplicate_of
        merge_votes(idea, duplicate_of)
        rows = notifications.notify(recipients, type=NotificationType.MERGED, idea=idea, actor=shown_actor,
                                    exclude=actor,
                                    from_status=from_status, to_status=to_status, target_idea_id=duplicate_of.id,
                                    text=note)
    else:
        rows = notifications.notify(recipients, type=NotificationType.STATUS_CHANGED, idea=idea,
                                    actor=shown_actor, exclude=actor, from_status=from_status, to_status=to_status,
                                    text=note)
    db.session.commit()
    notifications.deliver(rows)


def hand_over(idea: Idea, actor: User, team: Team | None) -> None:
    """Gives an open item to another team, whose leaders triage it from now on (they hear of it
    as of a new item; its followers hear where it went). Its status, votes and history stay, and
    the history shows the hand-over; the board's counts follow (triggers)."""
    if not permissions.can_move_idea(idea, actor):
        raise NotAllowed(_l("Only leaders of the owning team and admins can move this item."))
    if team is None:
        raise DomainError(_l("Choose the team that owns the process."), field="team_id")
    if team.id == idea.team_id:
        raise DomainError(_l("The item is with this team already."), field="team_id")
    if idea.status in CLOSED_STATUSES:
        raise DomainError(_l("This item is closed; it moves no further."), field="team_id")
    from_team_id, now = idea.team_id, utcnow()
    moved = db.session.execute(  # compare-and-set, as a move: a concurrent hand-over loses cleanly
        update(Idea).where(Idea.id == idea.id, Idea.team_id == from_team_id)
        .values(team_id=team.id, last_activity_at=now)
    ).rowcount
    if not moved:
        db.session.rollback()
        raise DomainError(_l("Someone moved this item meanwhile. Please reload and try again."), field="team_id")
    db.session.add(StatusChange(idea_id=idea.id, from_status=idea.status, to_status=idea.status, actor=actor,
                                from_team_id=from_team_id, to_team_id=team.id, created_at=now))
    leaders = {leader.id for leader in team.leaders}
    rows = notifications.notify(leaders, type=NotificationType.NEW_ITEM, idea=idea, exclude=actor)
    rows += notifications.notify(notifications.followers(idea) - leaders, type=NotificationType.HANDED_OVER,
                                 idea=idea, actor=actor, exclude=actor, text=team.name)
    db.session.commit()
    notifications.deliver(rows)


def _lock_in_order(*idea_ids: int) -> None:
    """PostgreSQL: locks the rows of items a change writes together (a merge: the duplicate and
    its target), lowest id first, before it writes any. Each write to an item's status also
    locks its team's counter rows (migration 0011); a merge that held the duplicate and its
    counters while it waited for the target, which a move of the target held while it waited
    for the same counters, would deadlock. SQLite has one writer at a time."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(Idea.id).where(Idea.id.in_(idea_ids)).order_by(Idea.id)
                           .with_for_update(key_share=True)).all()


def status_label(status: str) -> str:
    from .i18n import STATUS_LABELS

    return str(STATUS_LABELS.get(status, status))


def _duplicate_target(idea: Idea, target: Idea | int | None) -> Idea:
    """The item a duplicate merges into, given as an item or by its number."""
    if target is None:
        raise DomainError(_l("Please give the number of the item this one duplicates."), field="duplicate_of")
    if isinstance(target, int):
        number, target = target, db.session.get(Idea, target) if 0 < target <= MAX_ID else None
        if target is None:
            raise DomainError(_l("There is no item #%(number)d.", number=number), field="duplicate_of")
    if target.id == idea.id:
        raise DomainError(_l("An item cannot duplicate itself."), field="duplicate_of")
    if target.status == Status.DUPLICATE:
        raise DomainError(_l("That item is itself a duplicate; please choose the item it points to."),
                          field="duplicate_of")
    if not can_merge_into(target.status):
        raise DomainError(_l("Item #%(number)d is closed; merge only into an open item.", number=target.id),
                          field="duplicate_of")
    return target


def merge_votes(duplicate: Idea, target: Idea) -> None:
    """Votes move to the target; whoever voted on both keeps one vote. The duplicate's
    author joins the target's "me too"s where neither is anonymous. Counters on both are
    recounted from the rows."""
    minutes = Vote.minutes_per_week if carries_minutes(target.kind) else literal(0)
    already = select(Vote.user_id).where(Vote.idea_id == target.id)
    db.session.execute(insert(Vote).from_select(
        ["idea_id", "user_id", "minutes_per_week", "created_at"],
        select(literal(target.id), Vote.user_id, minutes, Vote.created_at).where(
            Vote.idea_id == duplicate.id, Vote.user_id.not_in(already), Vote.user_id != target.author_id),
    ))
    # Not where either item is anonymous: whether the count grew would tell whether the
    # duplicate's author wrote (or voted on) the target.
    author_is_new = not (duplicate.anonymous or target.anonymous) and duplicate.author_id != target.author_id \
        and db.session.get(Vote, (target.id, duplicate.author_id)) is None
    if author_is_new:
        db.session.add(Vote(idea_id=target.id, user_id=duplicate.author_id,
                            minutes_per_week=duplicate.minutes_per_week if carries_minutes(target.kind) else 0))
        db.session.flush()
    db.session.execute(delete(Vote).where(Vote.idea_id == duplicate.id))
    votes = select(func.count()).where(Vote.idea_id == target.id).scalar_subquery()
    vote_minutes = select(func.coalesce(func.sum(Vote.minutes_per_week), 0)).where(
        Vote.idea_id == target.id).scalar_subquery()
    db.session.execute(update(Idea).where(Idea.id == target.id).values(
        vote_count=votes, minutes_total=Idea.minutes_per_week + vote_minutes, last_activity_at=utcnow()))
    db.session.execute(update(Idea).where(Idea.id == duplicate.id).values(vote_count=0, minutes_total=0))
    db.session.expire(target)


# --- the board ------------------------------------------------------------------------

@dataclass
class BoardFilters:
    team: str = "mine"      # "mine" (the leader's teams), "" (all) or a team id
    category: int | None = None
    kind: str = ""

    @property
    def team_id(self) -> int | None:
        """The one team chosen, if any."""
        team = self.team
        return int(team) if team.isascii() and team.isdigit() and 0 < int(team) <= MAX_ID else None

    @property
    def kind_code(self) -> str | None:
        """The kind chosen, if it is one."""
        return self.kind if self.kind in set(Kind) else None


_ONE_CARD = select_cards(Idea.id == bindparam("idea_id"))  # built once (see paging)


def card(idea_id: int) -> Card | None:
    """One item as the board shows it: the answer to a move made by dragging."""
    row = core_execute(_ONE_CARD, {"idea_id": idea_id}).first()
    return from_row(row) if row else None


@dataclass
class Column:
    status: Status
    cards: list[Card]
    total: int
    targets: tuple[Status, ...]  # where its cards may move
    waiting: frozenset[int]  # ids of its cards waiting for a response
    movable: frozenset[int]  # ids of its cards the viewer may move


def team_ids_for(filters: BoardFilters, viewer: User) -> list[int] | None:
    """None means every team."""
    if filters.team == "mine":
        return viewer.led_team_ids or None
    return [filters.team_id] if filters.team_id else None


def board(filters: BoardFilters, viewer: User) -> list[Column]:
    """Each column's top cards by votes, then hours, and how many it holds in all."""
    team_ids = team_ids_for(filters, viewer)
    params = {"team_ids": list(team_ids) if team_ids else None, "category": filters.category or None,
              "kind": filters.kind_code}
    shape = tuple(name for name, value in params.items() if value is not None)
    params = {name: params[name] for name in shape}
    params["per_column"] = current_app.config["BOARD_CARDS_PER_COLUMN"]
    params["viewer_id"] = viewer.id
    rows = core_execute(_board_statement(shape), params).all()
    # Every card row carries the totals (as text: decoded once, not once per row); no rows
    # means every column is empty.
    totals = json.loads(rows[0].totals or "{}") if rows else {}
    cards = [from_row(row) for row in rows]
    own_anonymous = frozenset(row.id for row in rows if row.own_anonymous)
    now, days = utcnow(), current_app.config["RESPONSE_DAYS"]
    columns = []
    for status in BOARD_COLUMNS:
        mine = [c for c in cards if c.status == status]
        columns.append(Column(status, mine, totals.get(status, 0), tuple(allowed_targets(status)),
                              frozenset(c.id for c in mine if c.waiting_since(now, days)),
                              permissions.movable_ids(mine, viewer, own_anonymous)))
    return columns


def _board_conditions(filters: tuple[str, ...]) -> list:
    conditions = {
        "team_ids": lambda: Idea.team_id.in_(bindparam("team_ids", expanding=True)),
        "category": lambda: Idea.category_id == bindparam("category"),
        "kind": lambda: Idea.kind == bindparam("kind"),
    }
    return [conditions[name]() for name in filters]


@lru_cache(maxsize=64)
def _board_statement(filters: tuple[str, ...]):
    """Built once per set of filters (see paging): the top :per_column cards of each column, as
    card rows (tracker.cards), each with how many items every status holds (`totals`, a JSON
    object as text; the database computes it once) and whether the viewer (:viewer_id) wrote it
    anonymously (`own_anonymous`, for permissions.movable_ids; not part of the card). One
    statement, one round trip."""
    conditions = _board_conditions(filters)
    # Each column's top cards come from its own indexed, LIMITed branch (an empty column's
    # branch reads nothing).
    ranking = (Idea.vote_count.desc(), Idea.minutes_total.desc(), Idea.id.desc())
    # (mostly_true: through the covering index, which starts with the team, not the status index.)
    branches = [select(Idea.id).where(mostly_true(Idea.status == status_value(status)), *conditions).order_by(*ranking)
                .limit(inline("per_column")).subquery() for status in BOARD_COLUMNS]
    top = union_all(*(select(branch.c.id) for branch in branches)).subquery()
    counted = _column_totals(filters, conditions)
    totals = cast(select(json_map(counted.c.status, counted.c.n)).correlate(None).scalar_subquery(), Text)
    own_anonymous = and_(Idea.anonymous, Idea.author_id == bindparam("viewer_id"))
    return (select_cards(Idea.id.in_(select(top.c.id)))
            .add_columns(totals.label("totals"), own_anonymous.label("own_anonymous")).order_by(*ranking))


def _column_totals(filters: tuple[str, ...], conditions: list):
    """How many items each status holds under the filters (rows status, n). By team alone from
    the counts the database keeps (TeamStatusCount: a few rows per team, however many items);
    a category or kind filter counts the items themselves."""
    if "category" in filters or "kind" in filters:
        return select(Idea.status, func.count().label("n")).where(*conditions).group_by(Idea.status).subquery()
    counts = TeamStatusCount
    by_team = [counts.team_id.in_(bindparam("team_ids", expanding=True))] if "team_ids" in filters else []
    return select(counts.status, func.sum(counts.n).label("n")).where(*by_team).group_by(counts.status).subquery()


@dataclass
class Waiting:
    oldest: list[Card]   # the first few, oldest first
    total: int


def waiting_conditions() -> list:
    """Waiting for a response: still New, and nobody answered by the parameter :cutoff
    (waiting_cutoff()).

    These match the partial indexes ix_ideas_unanswered (per team) and ix_ideas_unanswered_age
    (the whole company), which hold exactly the candidates:
    SQLite uses a partial index only when the query states its condition with the same
    literal (not a bound parameter), and would otherwise read every New item through the
    status index."""
    return [mostly_true(Idea.status == status_value(Status.NEW)), Idea.first_response_at.is_(None),
            Idea.created_at <= bindparam("cutoff", type_=Idea.created_at.type)]


def waiting_cutoff() -> datetime:
    """Created before this and still unanswered means waiting."""
    return utcnow() - timedelta(days=current_app.config["RESPONSE_DAYS"])


@dataclass(frozen=True)
class Panel:
    """What the waiting panel covers: the items of these teams, or of the whole company (None);
    it shows the oldest `limit` of them."""
    team_ids: tuple[int, ...] | None
    limit: int = 5

    @property
    def covers_nothing(self) -> bool:
        """A leader of no team: the panel is empty without asking the database."""
        return self.team_ids == ()


def waiting_params(panel: Panel) -> dict:
    """The parameters of waiting_columns for this panel."""
    params = {"cutoff": waiting_cutoff(), "waiting_limit": panel.limit}
    if panel.team_ids is not None:
        params["waiting_team_ids"] = list(panel.team_ids)
    return params


def waiting_columns(per_team: bool) -> list:
    """The waiting panel as two columns that the page's main statement carries (saving the
    panel a round trip; each is computed once, whatever the rows): `waiting_oldest`, the oldest
    few as card objects in a JSON list (text, decoded once), and `waiting_total`, how many
    there are. Parameters: waiting_params. Read them with waiting_from."""
    conditions = waiting_conditions()
    if per_team:
        conditions.append(Idea.team_id.in_(bindparam("waiting_team_ids", expanding=True)))
    # The oldest few and how many there are, each planned on its own from the partial indexes.
    # (A window count over the LIMITed rows made PostgreSQL 15 expect to stop after a few rows
    # and read the whole company's waiting items through the age index, filtering out other teams.)
    oldest = select_cards(*conditions).order_by(Idea.created_at, Idea.id).limit(inline("waiting_limit")).subquery()
    listed = select(json_list(fields(**dict(zip(Card._fields, oldest.c))))).correlate(None).scalar_subquery()
    total = select(func.count()).select_from(Idea).where(*conditions).correlate(None).scalar_subquery()
    return [cast(listed, Text).label("waiting_oldest"), total.label("waiting_total")]


def waiting_from(row) -> Waiting:
    """The panel from a row with waiting_columns; None (no rows) means nothing is waiting."""
    if row is None or not row.waiting_total:
        return Waiting([], 0)
    oldest = [_card_from_json(item) for item in json.loads(row.waiting_oldest)]
    return Waiting(sorted(oldest, key=lambda card: (card.created_at, card.id)), row.waiting_total)


def _card_from_json(item: dict) -> Card:
    return Card(**dict(item, created_at=moment(item["created_at"]),
                       first_response_at=moment(item["first_response_at"])))


def is_waiting(idea: Idea) -> bool:
    return idea.waiting_since(utcnow(), current_app.config["RESPONSE_DAYS"])


# --- you said, we did -----------------------------------------------------------------

def implemented_page(page: int, per_page: int = 20):
    stmt = select(Idea).where(Idea.status == status_value(Status.IMPLEMENTED)).options(
        joinedload(Idea.category), joinedload(Idea.team)).order_by(Idea.implemented_at.desc(), Idea.id.desc())
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def total_saving_minutes() -> int:
    return db.session.scalar(select(func.coalesce(func.sum(Idea.saving_minutes), 0)).where(
        Idea.status == status_value(Status.IMPLEMENTED))) or 0


def implemented_notes(ideas: list[Idea]) -> dict[int, str]:
    """What changed, per item: the note of its move to Implemented (one query for a page)."""
    rows = db.session.execute(select(StatusChange.idea_id, StatusChange.note).where(
        StatusChange.idea_id.in_([idea.id for idea in ideas]), StatusChange.to_status == Status.IMPLEMENTED
    ).order_by(StatusChange.created_at)).all()
    return {idea_id: note for idea_id, note in rows}
