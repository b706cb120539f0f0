"""What every SQLite connection of the app is set up with (tracker/__init__.py, _sqlite_pragmas)."""
import pytest

from tracker import SQLITE_MMAP_SIZE


def test_every_sqlite_connection_is_set_up_for_a_shared_file(app, db):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's connection settings; PostgreSQL has none of these")
    with db.engine.connect() as conn:
        def pragma(name):
            return conn.exec_driver_sql(f"PRAGMA {name}").scalar()

        assert pragma("foreign_keys") == 1
        assert pragma("journal_mode") == "wal"
        assert pragma("busy_timeout") == 10000
        # read through a memory map, shared by all connections (a search at 10,000 items
        # reads more pages than a connection's own cache holds)
        assert pragma("mmap_size") == SQLITE_MMAP_SIZE
