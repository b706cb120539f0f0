"""Hints for SQLite's query planner, which plans without statistics unless ANALYZE has run:
it then takes any indexed equality for a selective one, and may read every item of a status
through the status index where another index would read a few rows."""
from sqlalchemy import Boolean
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
