"""The planner hint is the condition itself, grouped, on every database."""
from sqlalchemy import column, or_, select, table
from sqlalchemy.dialects import postgresql, sqlite

from tracker.sqlhints import mostly_true

ideas = table("ideas", column("a"), column("b"), column("c"))
STMT = select(ideas.c.a).where(mostly_true(or_(ideas.c.a == 1, ideas.c.b == 2)), ideas.c.c == 3)


def test_other_databases_get_the_condition_in_parentheses():
    sql = str(STMT.compile(dialect=postgresql.dialect()))
    assert "WHERE (ideas.a = %(a_1)s OR ideas.b = %(b_1)s) AND ideas.c = %(c_1)s" in sql


def test_sqlite_gets_likelihood_and_no_comparison_appended():
    sql = str(STMT.compile(dialect=sqlite.dialect()))
    assert "WHERE likelihood(ideas.a = ? OR ideas.b = ?, 0.9) AND ideas.c = ?" in sql
