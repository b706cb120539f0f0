"""Reading items: the filtered, sorted list and one item with everything its page shows."""
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from .. import triage
from ..extensions import db
from ..models import MAX_ID, Comment, Idea, StatusChange, User
from ..paging import paginate_capped
from ..search import apply_search
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
    stmt = select(Idea).options(joinedload(Idea.category), joinedload(Idea.team))
    if filters.kind in set(Kind):
        stmt = stmt.where(Idea.kind == filters.kind)
    if filters.status in set(Status):
        stmt = stmt.where(Idea.status == filters.status)
    if filters.category:
        stmt = stmt.where(Idea.category_id == filters.category)
    if filters.team:
        stmt = stmt.where(Idea.team_id == filters.team)
    elif filters.team_ids:
        stmt = stmt.where(Idea.team_id.in_(filters.team_ids))
    if filters.mine:
        stmt = stmt.where(Idea.author_id == viewer.id)
    if filters.waiting:
        stmt = stmt.where(*triage.waiting_conditions())
    stmt = apply_search(stmt, filters.q)
    stmt = stmt.order_by(*SORTS.get(filters.sort, SORTS["votes"]))
    return paginate_capped(stmt, page, per_page)


def idea_for_page(idea_id: int) -> Idea | None:
    """An item with everything its page shows, loaded in one go."""
    if not 0 < idea_id <= MAX_ID:
        return None
    return db.session.scalar(
        select(Idea).where(Idea.id == idea_id).options(
            joinedload(Idea.category), joinedload(Idea.team),
            joinedload(Idea.comments).joinedload(Comment.author),
            joinedload(Idea.history).joinedload(StatusChange.actor),
        )
    )
