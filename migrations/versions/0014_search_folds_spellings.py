"""Search reads ß as ss and accented letters as plain ones, on both databases.

"Straße" is found as "Strasse", "Größe" as "Grösse" or "Grosse". SQLite's FTS5 tokenizer
(unicode61) matched letters without their accents already, but not ß and ss; PostgreSQL's
'simple' configuration matched neither. Both now index the text folded: ß (and ẞ) as ss; on
PostgreSQL also the accented Latin letters below as plain ones, which SQLite's tokenizer does
by itself. tracker/search.py folds the words of a query the same way (its ACCENTED is these
letters, kept equal by a test).

Revision ID: 0014
Revises: 0013
"""
import unicodedata

from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

_ACCENTED = "àáâãäåāăąçćčďèéêëēėęěìíîïīįñńňòóôõöōőřśšşťùúûüūůűýÿźżž"
FOLD_FROM = _ACCENTED + _ACCENTED.upper()
FOLD_TO = "".join(unicodedata.normalize("NFD", letter)[0].lower() for letter in FOLD_FROM)

OLD_DOCUMENT = "to_tsvector('simple', title || ' ' || description)"
DOCUMENT = (f"to_tsvector('simple', replace(replace(translate(title || ' ' || description, '{FOLD_FROM}', "
            f"'{FOLD_TO}'), 'ß', 'ss'), 'ẞ', 'ss'))")


def _sqlite_fold(column: str) -> str:
    return f"replace(replace({column}, 'ß', 'ss'), 'ẞ', 'ss')"


def _sqlite_triggers(fold) -> list[str]:
    new = f"new.id, {fold('new.title')}, {fold('new.description')}"
    old = f"old.id, {fold('old.title')}, {fold('old.description')}"
    return [
        f"""CREATE TRIGGER ideas_fts_insert AFTER INSERT ON ideas BEGIN
              INSERT INTO ideas_fts(rowid, title, description) VALUES ({new});
            END""",
        f"""CREATE TRIGGER ideas_fts_delete AFTER DELETE ON ideas BEGIN
              INSERT INTO ideas_fts(ideas_fts, rowid, title, description) VALUES ('delete', {old});
            END""",
        f"""CREATE TRIGGER ideas_fts_update AFTER UPDATE OF title, description ON ideas BEGIN
              INSERT INTO ideas_fts(ideas_fts, rowid, title, description) VALUES ('delete', {old});
              INSERT INTO ideas_fts(rowid, title, description) VALUES ({new});
            END""",
    ]


def _sqlite_reindex(fold) -> None:
    for name in ("ideas_fts_insert", "ideas_fts_delete", "ideas_fts_update"):
        op.execute(f"DROP TRIGGER {name}")
    for statement in _sqlite_triggers(fold):
        op.execute(statement)
    op.execute("INSERT INTO ideas_fts(ideas_fts) VALUES ('delete-all')")
    op.execute(f"INSERT INTO ideas_fts(rowid, title, description) "
               f"SELECT id, {fold('title')}, {fold('description')} FROM ideas")


def _postgres_document(document: str) -> None:
    op.execute("ALTER TABLE ideas DROP COLUMN search_vector")  # and its index
    op.execute(f"ALTER TABLE ideas ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({document}) STORED")
    op.execute("CREATE INDEX ix_ideas_fts ON ideas USING gin (search_vector) WITH (fastupdate = off)")


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        _postgres_document(DOCUMENT)
    else:
        _sqlite_reindex(_sqlite_fold)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        _postgres_document(OLD_DOCUMENT)
    else:
        _sqlite_reindex(lambda column: column)
