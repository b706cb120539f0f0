"""Full-text search over title and description, behind one function.

SQLite uses the FTS5 table `ideas_fts` (kept in sync by triggers from the
migration); PostgreSQL uses a GIN expression index over to_tsvector('simple', ...).
Both match every word the user typed as a prefix, in any order.
"""
import re

from sqlalchemy import Select, text

from .extensions import db
from .models import Idea

MAX_TERMS = 8
PG_DOCUMENT = "to_tsvector('simple', ideas.title || ' ' || ideas.description)"


def search_terms(query: str) -> list[str]:
    """Words of the query, lower-cased; punctuation and search syntax are dropped."""
    return [t.lower() for t in re.findall(r"\w+", query or "")][:MAX_TERMS]


def apply_search(stmt: Select, query: str) -> Select:
    terms = search_terms(query)
    if not terms:
        return stmt
    if db.engine.dialect.name == "postgresql":
        tsquery = " & ".join(f"{t}:*" for t in terms)
        return stmt.where(text(f"{PG_DOCUMENT} @@ to_tsquery('simple', :tsquery)").bindparams(tsquery=tsquery))
    match = " ".join(f'"{t}"*' for t in terms)
    matching = text("SELECT rowid FROM ideas_fts WHERE ideas_fts MATCH :match").bindparams(match=match)
    return stmt.where(Idea.id.in_(matching))
