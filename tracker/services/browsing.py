"""Reading items: the filtered, sorted list and one item with everything its page shows."""
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import Integer, bindparam, select
from sqlalchemy.orm import joinedload, with_expression
from sqlalchemy.orm.attributes import set_committed_value

from .. import triage
from ..extensions import core_execute, db
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


def idea_for_page(idea_id: int, reader: User | None = None) -> Idea | None:
    """An item with everything its page shows: one statement for the item with its people,
    history and the reader's own vote (Idea.reader_vote_minutes), one for its comments with
    their authors. The items merged into it: merged_duplicates."""
    if not 0 < idea_id <= MAX_ID:
        return None
    reader_id = reader.id if reader is not None and reader.is_authenticated else None
    idea = db.session.scalar(_IDEA_FOR_PAGE, {"id": idea_id, "reader": reader_id})
    if idea is not None:
        set_committed_value(idea, "comments", db.session.scalars(_COMMENTS, {"id": idea_id}).all())
    return idea


def merged_duplicates(idea: Idea) -> list:
    """The items merged into this one as duplicates, for its page: rows of (id, title), oldest
    first. (Plain rows: an item page usually has none, and the ORM's work around a statement
    cost more than the statement.)"""
    return core_execute(_DUPLICATES, {"id": idea.id}).all()


def reader_vote(idea: Idea) -> Vote | None:
    """The reader's vote on an item loaded by idea_for_page, as its page shows it."""
    if idea.reader_vote_minutes is None:
        return None
    return Vote(idea_id=idea.id, minutes_per_week=idea.reader_vote_minutes)


_IDEA_FOR_PAGE = select(Idea).where(Idea.id == bindparam("id")).options(  # built once (see paging)
    joinedload(Idea.category), joinedload(Idea.team), joinedload(Idea.author),
    joinedload(Idea.history).joinedload(StatusChange.actor),
    with_expression(Idea.reader_vote_minutes, select(Vote.minutes_per_week).where(
        # (None unless given: a refresh of the item after a commit runs this again, without it.)
        Vote.idea_id == Idea.id, Vote.user_id == bindparam("reader", None, type_=Integer)
    ).correlate(Idea).scalar_subquery()),
).execution_options(populate_existing=True)  # the reader's vote also on an item the session already holds
# Comments apart from the item: joined with its history they made comments x changes rows
# (12 on average at make bench's 10,000 items, some over 100), each read through the ORM.
_COMMENTS = (select(Comment).where(Comment.idea_id == bindparam("id")).options(joinedload(Comment.author))
             .order_by(Comment.created_at, Comment.id))
_DUPLICATES = select(Idea.id, Idea.title).where(Idea.duplicate_of_id == bindparam("id")).order_by(Idea.id)
