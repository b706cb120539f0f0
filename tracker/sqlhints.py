"""Hints for SQLite's query planner, which plans without statistics unless ANALYZE has run:
it then takes any indexed equality for a selective one, and may read every item of a status
through the status index where another index would read a few rows; and it prepares a
statement anew on every run where a parameter meets a partial index's condition."""
from sqlalchemy import Boolean, String, bindparam, literal
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class mostly_true(FunctionElement):
    """A condition that holds for a large share of the rows. SQLite, planning without
    statistics (no ANALYZE), guesses that any indexed equality is selective; this tells it
    otherwise (its likelihood()). Other databases get the condition unchanged."""
    type = Boolean()
    inherit_cache = True
    _is_implicitly_boolean = True  # a condition in itself: no "= 1" appended on SQLite


@compiles(mostly_true)
def _mostly_true(element, compiler, **kw):
    return f"({compiler.process(element.clauses, **kw)})"  # grouped: an OR inside stays inside


@compiles(mostly_true, "sqlite")
def _mostly_true_sqlite(element, compiler, **kw):
    return f"likelihood({compiler.process(element.clauses, **kw)}, 0.9)"


def status_param(name: str) -> BindParameter:
    """The status parameter `name`, written into the statement's text when it runs.

    The partial indexes on ideas name a status in their condition (ix_ideas_unanswered:
    status = 'new'). Where a statement compares ideas.status with a parameter, SQLite asks the
    parameter's value whether such an index would serve, and so prepares the statement anew
    on every run: the board (a status per column) was parsed and planned on every view, 0.8 ms
    of its 2.7. With the status in the text, each statement is prepared once per connection
    and status (seven at most). Use it, or status_value(), wherever ideas.status meets a value."""
    return bindparam(name, type_=String, literal_execute=True)


def status_value(value: str) -> BindParameter:
    """A fixed status, written into the statement's text (see status_param)."""
    return literal(str(value), String, literal_execute=True)
