"""Pagination over statements built once, and counting only as far as a reader can page.

Counting every matching item on each page view costs time in proportion to the whole
company's items (4.5 ms at 10,000 on PostgreSQL, make bench). The list counts at most
COUNT_AHEAD items past the start of the page shown; beyond that it says "more than".

A search reads its matches once (`paged_matches`): the page and the count are both taken
from them, where counting and paging each on their own ran the search twice.

Building a SQLAlchemy statement (and its cache key) costs more Python time than running it
does on an indexed page, so the list's statements are built once per shape of filters
(`paged`) and each request passes only its values.
"""
from collections.abc import Callable
from typing import NamedTuple

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination

from .cards import from_row
from .extensions import core_execute

COUNT_AHEAD = 1000


def inline(name: str) -> sa.BindParameter:
    """A LIMIT or OFFSET parameter written into the statement's text when it runs. PostgreSQL
    plans a prepared statement with parameters anew for each execution while it finds the
    general plan costlier, and a LIMIT it cannot see makes every general plan look costly
    (the list: 0.3 ms of planning per page). With the numbers in the text, the first page of
    a list is one statement without parameters, planned once per connection."""
    return sa.bindparam(name, type_=sa.Integer, literal_execute=True)


class Paged(NamedTuple):
    """A list's statements: one page of rows, each with the count in its column "matching";
    the count alone, for a page past the end; `exact`: the count is the whole number (kept
    by the database), not counted up to count_limit."""
    items: sa.Select
    count: sa.Select
    exact: bool = False


def paged(stmt: sa.Select, count_from: sa.Select | None = None, total: sa.Select | None = None) -> Paged:
    """One page of `stmt` (parameters page_limit, page_offset), each row with the count of
    matching rows up to count_limit; and that count alone, for a page past the end. (One
    statement for a page: the count is a subquery the database runs once.) `count_from`:
    the same rows without what only the page shows (joins for names), cheaper to count.
    `total`: a statement that reads the exact number of rows from counts the database keeps,
    instead of counting them."""
    if total is None:
        rows = ((stmt if count_from is None else count_from)
                .with_only_columns(sa.literal_column("1"), maintain_column_froms=True)
                .order_by(None).limit(inline("count_limit")).correlate(None).subquery())
        count = sa.select(sa.func.count()).select_from(rows)
    else:
        count = total
    items = (stmt.add_columns(count.correlate(None).scalar_subquery().label("matching"))
             .limit(inline("page_limit")).offset(inline("page_offset")))
    return Paged(items, count, exact=total is not None)


def paged_matches(cards: Callable[..., sa.Select], where: list, keys: tuple) -> Paged:
    """As `paged`, for a search: `where` picks the items, `keys` (columns of one table, the
    last unique) sort them, each descending. The matching items' keys, in order and up to
    count_limit, are read once into a table the database keeps for the statement (a
    materialized CTE); the page is the ids taken from it, with `cards(condition)` (the
    columns the page shows) for those ids only, and the count counts it. With the search
    condition in two places, PostgreSQL scanned the full-text index twice and sorted every
    match with all its columns: half the time at 10,000 items (make bench). The limit keeps
    the read bounded for a word that matches most items (the database walks the sort's index
    and stops), and taking the first count_limit in order keeps the page and the count exact."""
    descending = [key.desc() for key in keys]
    matches = (sa.select(*keys).where(*where).order_by(*descending).limit(inline("count_limit"))
               # (SQLite keeps a CTE read twice by itself since 3.35, and older ones know no MATERIALIZED.)
               .cte("matches").prefix_with("MATERIALIZED", dialect="postgresql"))
    page_ids = (sa.select(matches.c[keys[-1].key]).order_by(*(matches.c[key.key].desc() for key in keys))
                .limit(inline("page_limit")).offset(inline("page_offset")))
    count = sa.select(sa.func.count()).select_from(matches)
    items = cards(keys[-1].in_(page_ids)).order_by(*descending).add_columns(count.scalar_subquery().label("matching"))
    return Paged(items, count)


class CappedPagination(Pagination):
    """flask-sqlalchemy's pagination of cards (tracker.cards), over the statements of `paged`
    and their parameters, with `total` counted up to the page's offset + COUNT_AHEAD (or
    exact, Paged.exact); `capped` says whether there are more."""

    capped = False
    first_row = None
    waiting = None  # the waiting panel, where services.list_ideas read it with the page

    def _count_limit(self) -> int:
        return self._query_offset + COUNT_AHEAD + 1

    def _query_items(self) -> list:
        statements, params = self._query_args["statements"]
        params = {**params, "page_limit": self.per_page, "page_offset": self._query_offset,
                  "count_limit": self._count_limit()}
        rows = core_execute(statements.items, params).all()
        self.first_row = rows[0] if rows else None  # with any columns the statement carries besides
        self._counted = rows[0].matching if rows else None
        return [from_row(row) for row in rows]

    def _query_count(self) -> int:
        statements, params = self._query_args["statements"]
        counted = self._counted
        if counted is None:  # a page past the end (or nothing matches): count alone
            counted = core_execute(statements.count, {**params, "count_limit": self._count_limit()}).scalar()
        if statements.exact:
            return counted
        limit = self._count_limit() - 1
        self.capped = counted > limit
        return min(counted, limit)


def paginate_capped(statements: Paged, params: dict, page: int, per_page: int) -> CappedPagination:
    """The page asked for, or the last one when the reader asked past the end."""
    pagination = CappedPagination(statements=(statements, params), page=page, per_page=per_page,
                                  error_out=False, count=True)
    if pagination.pages and page > pagination.pages:
        pagination = CappedPagination(statements=(statements, params), page=pagination.pages,
                                      per_page=per_page, error_out=False, count=True)
    return pagination
