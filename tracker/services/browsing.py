"""Reading items: the filtered, sorted list and one item with everything its page shows."""
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy import Integer, bindparam, func, join, outerjoin, select
from sqlalchemy.orm import aliased, joinedload, with_expression

from .. import triage
from ..extensions import db
from ..cards import select_cards
from ..models import MAX_ID, Comment, Idea, StatusChange, Team, TeamStatusCount, User, Vote
from ..paging import paginate_capped, paged, paged_matches
from ..search import search_condition, search_query
from ..sqlhints import status_param
from ..sqljson import fields, json_list, moment
from ..workflow import Kind, Status


SORT_KEYS = {  # each descending; the id last, for a stable order
    "votes": (Idea.vote_count, Idea.id),
    "newest": (Idea.created_at, Idea.id),
    "hours": (Idea.minutes_total, Idea.id),
    "active": (Idea.last_activity_at, Idea.id),
}
SORTS = {name: tuple(key.desc() for key in keys) for name, keys in SORT_KEYS.items()}


@dataclass
class IdeaFilters:
    sort: str = "votes"
    kind: str = ""
    status: str = ""
    category: int | None = None
    team: int | None = None
    team_ids: list[int] | None = None  # "my teams" of a leader
    mine: bool = False
    waiting: bool = False  # only items waiting for a response
    q: str = ""

    @property
    def narrowed(self) -> bool:
        """Any choice besides the search words: a sort other than the default, or a filter."""
        return self.sort != "votes" or bool(self.kind or self.status or self.category or self.team
                                            or self.team_ids or self.mine or self.waiting)


def list_ideas(filters: IdeaFilters, viewer: User, page: int, per_page: int, panel: triage.Panel | None = None):
    """One page of the list. `panel`: the waiting panel to read in the same statement
    (pagination.waiting); only beside the list without filters, where no rows means no items
    at all, so nothing waiting."""
    dialect = db.engine.dialect.name
    params = {"kind": filters.kind if filters.kind in set(Kind) else None,
              "status": filters.status if filters.status in set(Status) else None,
              "category": filters.category, "team": filters.team,
              "team_ids": None if filters.team else (list(filters.team_ids) if filters.team_ids else None),
              "author_id": viewer.id if filters.mine else None,
              "cutoff": triage.waiting_cutoff() if filters.waiting else None,
              "search": search_query(filters.q, dialect)}
    sort = filters.sort if filters.sort in SORTS else "votes"
    shape = tuple(name for name, value in params.items() if value is not None)
    params = {name: params[name] for name in shape}
    if panel is not None and shape:
        raise ValueError("the waiting panel is read only with the list without filters")
    panel_shape = None
    if panel is not None and not panel.covers_nothing:
        panel_shape = "all" if panel.team_ids is None else "teams"
        params.update(triage.waiting_params(panel))
    pagination = paginate_capped(_list_statements(sort, shape, dialect, panel_shape), params, page, per_page)
    if panel is not None:
        pagination.waiting = triage.waiting_from(pagination.first_row if panel_shape else None)
    return pagination


@lru_cache(maxsize=512)
def _list_statements(sort: str, filters: tuple[str, ...], dialect: str, panel: str | None = None):
    """The list's statements for one sort and set of filters, built once (see paging); the
    filters' values are the parameters of the same names. `panel` ("all", "teams"): with
    the waiting panel's columns (triage.waiting_columns)."""
    conditions = {
        "kind": lambda: [Idea.kind == bindparam("kind")],
        "status": lambda: [Idea.status == status_param("status")],
        "category": lambda: [Idea.category_id == bindparam("category")],
        "team": lambda: [Idea.team_id == bindparam("team")],
        "team_ids": lambda: [Idea.team_id.in_(bindparam("team_ids", expanding=True))],
        "author_id": lambda: [Idea.author_id == bindparam("author_id")],
        "cutoff": triage.waiting_conditions,
        "search": lambda: [search_condition(dialect)],
    }
    where = [condition for name in filters for condition in conditions[name]()]
    if "search" in filters:  # (no waiting panel beside a search)
        return paged_matches(select_cards, where, SORT_KEYS[sort])
    cards = select_cards(*where).order_by(*SORTS[sort])
    if panel is not None:
        cards = cards.add_columns(*triage.waiting_columns(per_team=panel == "teams"))
    return paged(cards, count_from=select(Idea.id).where(*where), total=_kept_total(filters))


def _kept_total(filters: tuple[str, ...]):
    """The number of items under `filters` from the counts the database keeps per team and
    status (TeamStatusCount), when those are all the filters: exact, and read from a few rows
    per team where counting the items themselves (up to COUNT_AHEAD of them) was a third of
    the list's time on PostgreSQL. None for other filters: those count the items."""
    conditions = {
        "status": lambda: TeamStatusCount.status == status_param("status"),
        "team": lambda: TeamStatusCount.team_id == bindparam("team"),
        "team_ids": lambda: TeamStatusCount.team_id.in_(bindparam("team_ids", expanding=True)),
    }
    if not set(filters) <= set(conditions):
        return None
    return select(func.coalesce(func.sum(TeamStatusCount.n), 0)).where(*(conditions[name]() for name in filters))


@dataclass(frozen=True)
class Person:
    """Someone named on an item's page: the id decides whether the name may show (anonymity)."""
    id: int
    name: str


@dataclass(frozen=True)
class Change:
    """One step of an item's history, as its page shows it."""
    id: int
    from_status: str | None
    to_status: str
    actor: Person | None
    note: str
    created_at: datetime
    from_team: str | None = None  # a hand-over: the team it came from, and the one it went to
    to_team: str | None = None


@dataclass(frozen=True)
class PageComment:
    """A comment, as an item's page shows it."""
    id: int
    author_id: int
    author: Person
    body: str
    created_at: datetime


@dataclass(frozen=True)
class Merged:
    """An item merged into this one as a duplicate."""
    id: int
    title: str


@dataclass(frozen=True)
class ItemPage:
    """An item with everything its page shows: the item (with its category, team, author and
    the reader's own vote, Idea.reader_vote_minutes), its history, comments and merged
    duplicates, oldest first."""
    idea: Idea
    history: list[Change]
    comments: list[PageComment]
    duplicates: list[Merged]


def item_page(idea_id: int, reader: User | None = None) -> ItemPage | None:
    """One statement: the item through the ORM, its history, comments and merged duplicates
    as JSON lists beside it (tracker.sqljson). Read on their own, each list cost a round trip
    to the database, and the ORM's work takes ~20 µs per row."""
    if not 0 < idea_id <= MAX_ID:
        return None
    reader_id = reader.id if reader is not None and reader.is_authenticated else None
    row = db.session.execute(_ITEM_PAGE, {"id": idea_id, "reader": reader_id}).one_or_none()
    if row is None:
        return None
    idea, history, comments, duplicates = row
    return ItemPage(
        idea=idea,
        history=sorted((Change(c["id"], c["from_"], c["to"], _person(c["actor_id"], c["actor"]), c["note"],
                               moment(c["at"]), c["from_team"], c["to_team"]) for c in history or []),
                       key=_in_order),
        comments=sorted((PageComment(c["id"], c["author_id"], Person(c["author_id"], c["author"]), c["body"],
                                     moment(c["at"])) for c in comments or []), key=_in_order),
        duplicates=sorted((Merged(d["id"], d["title"]) for d in duplicates or []), key=lambda d: d.id),
    )


def _person(person_id: int | None, name: str | None) -> Person | None:
    return None if person_id is None else Person(person_id, name)


def _in_order(entry) -> tuple:
    return entry.created_at, entry.id


def reader_vote(idea: Idea) -> Vote | None:
    """The reader's vote on an item loaded by item_page, as its page shows it."""
    if idea.reader_vote_minutes is None:
        return None
    return Vote(idea_id=idea.id, minutes_per_week=idea.reader_vote_minutes)


_ACTOR, _COMMENTER, _MERGED = aliased(User, name="actor"), aliased(User, name="commenter"), \
    aliased(Idea, name="merged")
_FROM_TEAM, _TO_TEAM = aliased(Team, name="from_team"), aliased(Team, name="to_team")
_ITEM_PAGE = select(  # built once (see paging)
    Idea,
    select(json_list(fields(
        id=StatusChange.id, from_=StatusChange.from_status, to=StatusChange.to_status,
        actor_id=StatusChange.actor_id, actor=_ACTOR.name, note=StatusChange.note, at=StatusChange.created_at,
        from_team=_FROM_TEAM.name, to_team=_TO_TEAM.name,
    ))).select_from(outerjoin(StatusChange, _ACTOR, _ACTOR.id == StatusChange.actor_id)
                    .outerjoin(_FROM_TEAM, _FROM_TEAM.id == StatusChange.from_team_id)
                    .outerjoin(_TO_TEAM, _TO_TEAM.id == StatusChange.to_team_id))
    .where(StatusChange.idea_id == Idea.id).correlate(Idea).scalar_subquery(),
    select(json_list(fields(
        id=Comment.id, author_id=Comment.author_id, author=_COMMENTER.name, body=Comment.body, at=Comment.created_at,
    ))).select_from(join(Comment, _COMMENTER, _COMMENTER.id == Comment.author_id))
    .where(Comment.idea_id == Idea.id).correlate(Idea).scalar_subquery(),
    select(json_list(fields(id=_MERGED.id, title=_MERGED.title)))
    .where(_MERGED.duplicate_of_id == Idea.id).correlate(Idea).scalar_subquery(),
).where(Idea.id == bindparam("id")).options(
    joinedload(Idea.category), joinedload(Idea.team), joinedload(Idea.author),
    with_expression(Idea.reader_vote_minutes, select(Vote.minutes_per_week).where(
        # (None unless given: a refresh of the item after a commit runs this again, without it.)
        Vote.idea_id == Idea.id, Vote.user_id == bindparam("reader", None, type_=Integer)
    ).correlate(Idea).scalar_subquery()),
).execution_options(populate_existing=True)  # the reader's vote also on an item the session already holds
