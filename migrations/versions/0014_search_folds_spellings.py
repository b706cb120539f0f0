"""Search reads ß as ss and accented letters as plain ones, on both databases.

"Straße" is found as "Strasse", "Größe" as "Grösse" or "Grosse". SQLite's FTS5 tokenizer
(unicode61) matched letters with one accent without it already, but not ß and ss, nor letters
with two accents; PostgreSQL's 'simple' configuration matched none of them. Now:

- PostgreSQL indexes title and description through translate() (the accented Latin letters
  below as plain ones) and ß and ẞ as ss.
- SQLite indexes the view ideas_search_text, title and description with ß and ẞ as ss, and
  its tokenizer drops every accent (remove_diacritics 2). The full-text table reads that view
  as its content, so FTS5's own 'rebuild' and 'integrity-check' see what the triggers index.

A later SQLite migration that rebuilds `ideas` (alembic's batch mode copies, drops and renames
it) must drop the view and the three ideas_fts_* triggers first and make them again after, as
_sqlite_drop_index and _sqlite_index here do: SQLite refuses to rename a table a view reads,
and a rebuild drops the table's triggers.

tracker/search.py folds the words of a query the same way (its ACCENTED is FOLD_FROM below,
kept equal by a test).

Revision ID: 0014
Revises: 0013
"""
import unicodedata

from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def _accented_latin() -> str:
    """Latin letters (Latin-1 Supplement, Extended-A and -B, Extended Additional) whose canonical
    decomposition is a plain ASCII letter with accents; Ǡ and ǡ, which SQLite's tokenizer keeps,
    left out. Canonical decompositions never change (Unicode's stability policy)."""
    letters = []
    for code in [*range(0xC0, 0x250), *range(0x1E00, 0x1F00)]:
        decomposed = unicodedata.normalize("NFD", chr(code))
        if len(decomposed) > 1 and decomposed[0].isascii() and decomposed[0].isalpha() \
                and all(unicodedata.combining(mark) for mark in decomposed[1:]) and chr(code) not in "Ǡǡ":
            letters.append(chr(code))
    return "".join(letters)


FOLD_FROM = _accented_latin()
FOLD_TO = "".join(unicodedata.normalize("NFD", letter)[0] for letter in FOLD_FROM)

OLD_DOCUMENT = "to_tsvector('simple', title || ' ' || description)"
DOCUMENT = (f"to_tsvector('simple', replace(replace(translate(title || ' ' || description, '{FOLD_FROM}', "
            f"'{FOLD_TO}'), 'ß', 'ss'), 'ẞ', 'ss'))")

_TRIGGERS = ("ideas_fts_insert", "ideas_fts_delete", "ideas_fts_update")


def _sqlite_fold(column: str) -> str:
    return f"replace(replace({column}, 'ß', 'ss'), 'ẞ', 'ss')"


def _sqlite_index(content: str, tokenizer: str, fold) -> None:
    """The full-text table over `content`, and the triggers that keep it, with `fold` applied
    to what they index (the same as `content` holds)."""
    new = f"new.id, {fold('new.title')}, {fold('new.description')}"
    old = f"old.id, {fold('old.title')}, {fold('old.description')}"
    op.execute(f"CREATE VIRTUAL TABLE ideas_fts USING fts5(title, description, content='{content}', "
               f"content_rowid='id'{tokenizer})")
    op.execute(f"""CREATE TRIGGER ideas_fts_insert AFTER INSERT ON ideas BEGIN
                     INSERT INTO ideas_fts(rowid, title, description) VALUES ({new});
                   END""")
    op.execute(f"""CREATE TRIGGER ideas_fts_delete AFTER DELETE ON ideas BEGIN
                     INSERT INTO ideas_fts(ideas_fts, rowid, title, description) VALUES ('delete', {old});
                   END""")
    op.execute(f"""CREATE TRIGGER ideas_fts_update AFTER UPDATE OF title, description ON ideas BEGIN
                     INSERT INTO ideas_fts(ideas_fts, rowid, title, description) VALUES ('delete', {old});
                     INSERT INTO ideas_fts(rowid, title, description) VALUES ({new});
                   END""")
    op.execute("INSERT INTO ideas_fts(ideas_fts) VALUES ('rebuild')")


def _sqlite_drop_index() -> None:
    for name in _TRIGGERS:
        op.execute(f"DROP TRIGGER {name}")
    op.execute("DROP TABLE ideas_fts")


def _postgres_document(document: str) -> None:
    op.execute("ALTER TABLE ideas DROP COLUMN search_vector")  # and its index
    op.execute(f"ALTER TABLE ideas ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({document}) STORED")
    op.execute("CREATE INDEX ix_ideas_fts ON ideas USING gin (search_vector) WITH (fastupdate = off)")


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        _postgres_document(DOCUMENT)
        return
    _sqlite_drop_index()
    op.execute(f"CREATE VIEW ideas_search_text AS SELECT id, {_sqlite_fold('title')} AS title, "
               f"{_sqlite_fold('description')} AS description FROM ideas")
    _sqlite_index("ideas_search_text", ", tokenize='unicode61 remove_diacritics 2'", _sqlite_fold)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        _postgres_document(OLD_DOCUMENT)
        return
    _sqlite_drop_index()
    op.execute("DROP VIEW ideas_search_text")
    _sqlite_index("ideas", "", lambda column: column)
