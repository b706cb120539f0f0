"""Rows gathered into JSON inside a statement, in each database's own words, so that a page
reads a few short lists beside its main rows in one round trip instead of one statement each.

PostgreSQL: json_build_object / json_agg / json_object_agg. SQLite (its JSON functions are
built in since 3.38): json_object / json_group_array / json_group_object. Either way the
value arrives decoded (PostgreSQL's driver decodes json itself; SQLite's text is decoded
here). An aggregate over no rows is NULL on PostgreSQL and empty on SQLite: read it with
`or []` / `or {}`. The order inside a list is not defined: sort what you read. Cast to Text,
the value arrives as text instead: decode it once where the same value repeats on every row.
"""
import json
import re
from datetime import datetime

from sqlalchemy import Text, literal_column
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeDecorator


class _Decoded(TypeDecorator):
    impl = Text
    cache_ok = True

    def process_result_value(self, value, dialect):
        return json.loads(value) if isinstance(value, str) else value


class json_object(FunctionElement):
    """An object from key, value, key, value, … (see `fields`)."""
    type = _Decoded()
    inherit_cache = True


class json_list(FunctionElement):
    """Aggregate: the values of its argument, one per row, as a list."""
    type = _Decoded()
    inherit_cache = True


class json_map(FunctionElement):
    """Aggregate: an object with one key (the first argument) and value (the second) per row."""
    type = _Decoded()
    inherit_cache = True


def moment(text: str | None) -> datetime | None:
    """A timestamp from inside a JSON value: PostgreSQL writes "2026-11-28T09:00:00.5", SQLite
    keeps what it stored, "2026-11-28 09:00:00.500000"; both are ISO 8601."""
    return None if text is None else datetime.fromisoformat(text)


_KEY = re.compile(r"^[a-z_]+$")


def fields(**columns) -> json_object:
    """json_object(key=column, …): an object with these keys."""
    parts = []
    for key, column in columns.items():
        if not _KEY.match(key):  # written into the statement: keys come from the code, never from input
            raise ValueError(f"not a key for a JSON object: {key!r}")
        parts += [literal_column(f"'{key}'"), column]
    return json_object(*parts)


_NAMES = {
    "postgresql": {json_object: "json_build_object", json_list: "json_agg", json_map: "json_object_agg"},
    "sqlite": {json_object: "json_object", json_list: "json_group_array", json_map: "json_group_object"},
}


def _compile(element, compiler, **kw):
    name = _NAMES[compiler.dialect.name][type(element)]
    return f"{name}({compiler.process(element.clauses, **kw)})"


def _compile_for_reading(element, compiler, **kw):
    """Any other dialect (str() of a statement, for reading it): SQLite's names."""
    return f"{_NAMES['sqlite'][type(element)]}({compiler.process(element.clauses, **kw)})"


for _function in (json_object, json_list, json_map):
    compiles(_function)(_compile_for_reading)
    compiles(_function, "postgresql")(_compile)
    compiles(_function, "sqlite")(_compile)
