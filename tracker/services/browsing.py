"""Reading items: the filtered, sorted list and one item with everything its page shows."""
import json
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy import Integer, bindparam, func, join, literal_column, outerjoin, select
from sqlalchemy.orm import aliased, joinedload, with_expression

from .. import triage
from ..extensions import db
from ..cards import select_cards
from ..models import MAX_ID, Comment, Idea, StatusChange, User, Vote
from ..paging import paginate_capped, paged
from ..search import search_condition, search_query
from ..workflow import Kind, Status


SORTS = {
    "votes": (Idea.vote_count.desc(), Idea.id.desc()),
    "newest": (Idea.created_at.desc(), Idea.id.desc()),
    "hours": (Idea.minutes_total.desc(), Idea.id.desc()),
    "active": (Idea.last_activity_at.desc(), Idea.id.desc()),
}


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


def list_ideas(filters: IdeaFilters, viewer: User, page: int, per_page: int):
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
    return paginate_capped(_list_statements(sort, shape, dialect), params, page, per_page)


@lru_cache(maxsize=512)
def _list_statements(sort: str, filters: tuple[str, ...], dialect: str):
    """The list's statements for one sort and set of filters, built once (see paging); the
    filters' values are the parameters of the same names."""
    conditions = {
        "kind": lambda: [Idea.kind == bindparam("kind")],
        "status": lambda: [Idea.status == bindparam("status")],
        "category": lambda: [Idea.category_id == bindparam("category")],
        "team": lambda: [Idea.team_id == bindparam("team")],
        "team_ids": lambda: [Idea.team_id.in_(bindparam("team_ids", expanding=True))],
        "author_id": lambda: [Idea.author_id == bindparam("author_id")],
        "cutoff": triage.waiting_conditions,
        "search": lambda: [search_condition(dialect)],
    }
    where = [condition for name in filters for condition in conditions[name]()]
    return paged(select_cards(*where).order_by(*SORTS[sort]), count_from=select(Idea.id).where(*where))


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


@dataclass(frozen=True)
class PageComment:
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
    as JSON lists beside it. (Each of those read on its own cost a round trip to the database,
    and through the ORM ~20 µs per row: a third of the page's Python time.)"""
    if not 0 < idea_id <= MAX_ID:
        return None
    reader_id = reader.id if reader is not None and reader.is_authenticated else None
    row = db.session.execute(_item_page_statement(db.engine.dialect.name),
                             {"id": idea_id, "reader": reader_id}).one_or_none()
    if row is None:
        return None
    idea, history, comments, duplicates = row
    return ItemPage(
        idea=idea,
        history=sorted((Change(c["id"], c["from"], c["to"], _person(c["actor_id"], c["actor"]), c["note"],
                               _moment(c["at"])) for c in _entries(history)), key=_in_order),
        comments=sorted((PageComment(c["id"], c["author_id"], Person(c["author_id"], c["author"]), c["body"],
                                     _moment(c["at"])) for c in _entries(comments)), key=_in_order),
        duplicates=sorted((Merged(d["id"], d["title"]) for d in _entries(duplicates)), key=lambda d: d.id),
    )


def _entries(value) -> list[dict]:
    """A JSON list from the database: PostgreSQL's driver decodes json itself, SQLite gives text;
    PostgreSQL's json_agg over no rows is NULL."""
    if value is None:
        return []
    return json.loads(value) if isinstance(value, str) else value


def _person(person_id: int | None, name: str | None) -> Person | None:
    return None if person_id is None else Person(person_id, name)


def _moment(text: str) -> datetime:
    # PostgreSQL writes "2026-11-28T09:00:00.5", SQLite keeps "2026-11-28 09:00:00.500000": both ISO 8601.
    return datetime.fromisoformat(text)


def _in_order(entry) -> tuple:
    return entry.created_at, entry.id


def reader_vote(idea: Idea) -> Vote | None:
    """The reader's vote on an item loaded by item_page, as its page shows it."""
    if idea.reader_vote_minutes is None:
        return None
    return Vote(idea_id=idea.id, minutes_per_week=idea.reader_vote_minutes)


@lru_cache(maxsize=None)  # one per database engine; built once (see paging)
def _item_page_statement(dialect: str):
    actor, commenter, merged = aliased(User, name="actor"), aliased(User, name="commenter"), \
        aliased(Idea, name="merged")
    history = _json_list(dialect, {
        "id": StatusChange.id, "from": StatusChange.from_status, "to": StatusChange.to_status,
        "actor_id": StatusChange.actor_id, "actor": actor.name, "note": StatusChange.note,
        "at": StatusChange.created_at,
    }, select_from=outerjoin(StatusChange, actor, actor.id == StatusChange.actor_id),
        where=StatusChange.idea_id == Idea.id)
    comments = _json_list(dialect, {
        "id": Comment.id, "author_id": Comment.author_id, "author": commenter.name, "body": Comment.body,
        "at": Comment.created_at,
    }, select_from=join(Comment, commenter, commenter.id == Comment.author_id), where=Comment.idea_id == Idea.id)
    duplicates = _json_list(dialect, {"id": merged.id, "title": merged.title}, select_from=merged,
                            where=merged.duplicate_of_id == Idea.id)
    return select(Idea, history, comments, duplicates).where(Idea.id == bindparam("id")).options(
        joinedload(Idea.category), joinedload(Idea.team), joinedload(Idea.author),
        with_expression(Idea.reader_vote_minutes, select(Vote.minutes_per_week).where(
            # (None unless given: a refresh of the item after a commit runs this again, without it.)
            Vote.idea_id == Idea.id, Vote.user_id == bindparam("reader", None, type_=Integer)
        ).correlate(Idea).scalar_subquery()),
    ).execution_options(populate_existing=True)  # the reader's vote also on an item the session already holds


def _json_list(dialect: str, fields: dict, select_from, where):
    """A scalar subquery: the rows as a JSON list of objects with the given keys."""
    postgres = dialect == "postgresql"
    make_object = func.json_build_object if postgres else func.json_object
    aggregate = func.json_agg if postgres else func.json_group_array
    pairs = [part for key, column in fields.items() for part in (literal_column(f"'{key}'"), column)]
    return select(aggregate(make_object(*pairs))).select_from(select_from).where(where) \
        .correlate(Idea).scalar_subquery()
