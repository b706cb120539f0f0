"""Items as the list, the waiting panel and the board show them: plain rows, not loaded items.

A page of 20 rows or a board of 56 cards loaded as ORM objects with their category and team
cost twice the SQL's own time (make bench); these pages only read a dozen columns."""
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Select, select

from .models import Category, Idea, Team, in_language


class Card(NamedTuple):
    """A tuple: made, hashed and compared in C (a board makes 56 and looks each up by value,
    tracker/fragments.py)."""
    id: int
    title: str
    kind: str
    status: str
    team_id: int
    vote_count: int
    comment_count: int
    minutes_total: int
    created_at: datetime
    first_response_at: datetime | None
    category_en: str
    category_de: str
    team_name: str

    waiting_since = Idea.waiting_since  # the same rule over the same attribute names

    def category_name(self, locale: str) -> str:
        return in_language(locale, self.category_en, self.category_de)


COLUMNS = (Idea.id, Idea.title, Idea.kind, Idea.status, Idea.team_id, Idea.vote_count, Idea.comment_count,
           Idea.minutes_total, Idea.created_at, Idea.first_response_at, Category.name_en, Category.name_de, Team.name)


def select_cards(*conditions) -> Select:
    """The columns of Card for the items matching `conditions`; make each with from_row(row)."""
    return (select(*COLUMNS).join(Category, Category.id == Idea.category_id)
            .join(Team, Team.id == Idea.team_id).where(*conditions))


def from_row(row) -> Card:
    return Card._make(row[:len(COLUMNS)])
