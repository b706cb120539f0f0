"""The migrations build the schema from nothing on both engines, agree with the models,
and go down and up again."""
import os
import uuid

import flask_migrate
import pytest
from sqlalchemy import create_engine, inspect, text

from tracker import create_app


@pytest.fixture
def empty_database_url(tmp_path):
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    from sqlalchemy.engine import make_url

    url = make_url(base)
    name = f"nebenan_migrations_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


def test_upgrade_from_empty_then_check_then_down_and_up(empty_database_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url, "SECRET_KEY": "x"})
    with app.app_context():
        from tracker.extensions import db

        flask_migrate.upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert {"users", "teams", "ideas", "votes", "comments", "status_changes", "notifications",
                "categories"} <= tables
        assert db.session.scalar(text("SELECT count(*) FROM categories")) == 8
        db.session.remove()  # an open transaction would block the DROPs on PostgreSQL
        flask_migrate.check()  # models and migrations agree, or this raises
        flask_migrate.downgrade(revision="base")
        db.session.remove()
        assert "ideas" not in set(inspect(db.engine).get_table_names())
        flask_migrate.upgrade()
        assert "ideas" in set(inspect(db.engine).get_table_names())
        db.session.remove()
        db.engine.dispose()


def test_search_folding_goes_down_and_up_with_the_items_in_it(empty_database_url):
    """Migration 0014 on a database with items: down to 0013, the index holds the words as
    written again; up again, folded."""
    from tests.factories import make_idea, make_team, make_user

    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url, "SECRET_KEY": "x"})
    with app.app_context():
        from tracker.extensions import db

        def indexed(word: str) -> bool:  # the index itself, without the app's folding of the query
            if db.engine.dialect.name == "postgresql":
                found = "SELECT count(*) FROM ideas WHERE search_vector @@ to_tsquery('simple', :word)"
            else:
                found = "SELECT count(*) FROM ideas_fts WHERE ideas_fts MATCH '\"' || :word || '\"'"
            result = db.session.scalar(text(found), {"word": word}) == 1
            db.session.remove()  # nothing open while the migrations run
            return result

        flask_migrate.upgrade()
        make_idea(make_user("erika@example.com", "Erika", team=make_team("Einkauf")), title="Straßenbahn Café")
        db.session.remove()
        assert indexed("strassenbahn") and indexed("cafe") and not indexed("straßenbahn")
        flask_migrate.downgrade(revision="0013")
        assert indexed("straßenbahn") and not indexed("strassenbahn")
        flask_migrate.upgrade()
        assert indexed("strassenbahn") and indexed("cafe") and not indexed("straßenbahn")
        db.engine.dispose()
