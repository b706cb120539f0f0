"""The team and category lists in filters and forms: a process keeps them while
catalog_version stays, and every change to teams or categories, however it is written,
shows on the next page (services.organisation.catalog, migration 0010)."""
from sqlalchemy import text

from tests.conftest import login
from tests.factories import make_team
from tests.test_query_counts import counting
from tracker.extensions import db


def _as_elsewhere(sql: str, **params) -> None:
    """A change on a connection of its own: another app process, the command line, SQL by hand."""
    with db.engine.begin() as conn:
        conn.execute(text(sql), params)


def _list_reads(statements: list[str]) -> tuple[int, int]:
    teams = sum(s.startswith("SELECT teams.id, teams.name") for s in statements)
    categories = sum(s.startswith("SELECT categories.id, categories.name_en") for s in statements)
    return teams, categories


def test_the_lists_are_read_once_per_change(client, leader, team):
    login(client, leader)
    client.get("/")
    with counting() as again:
        assert client.get("/").status_code == 200
    assert _list_reads(again) == (0, 0)
    make_team("Reisestelle")
    with counting() as after_change:
        page = client.get("/board").get_data(as_text=True)
    assert _list_reads(after_change) == (1, 1)
    assert ">Reisestelle</option>" in page


def test_every_change_shows_on_the_next_page(client, leader, team):
    login(client, leader)
    before = client.get("/").get_data(as_text=True)
    assert f">{team.name}</option>" in before and ">Internal paperwork and bureaucracy</option>" in before

    _as_elsewhere("UPDATE teams SET name = 'Einkauf & Logistik' WHERE id = :id", id=team.id)
    _as_elsewhere("INSERT INTO teams (name, created_at) VALUES ('Poststelle', CURRENT_TIMESTAMP)")
    _as_elsewhere("UPDATE categories SET name_en = 'Paper forms' WHERE code = 'paperwork'")
    page = client.get("/board").get_data(as_text=True)
    assert ">Einkauf &amp; Logistik</option>" in page and f">{team.name}</option>" not in page
    assert ">Poststelle</option>" in page
    assert ">Paper forms</option>" in page and ">Internal paperwork and bureaucracy</option>" not in page

    _as_elsewhere("DELETE FROM teams WHERE name = 'Poststelle'")
    _as_elsewhere("UPDATE categories SET name_de = 'Papierformulare' WHERE code = 'paperwork'")
    client.post("/language", data={"locale": "de", "next": "/"})
    page = client.get("/").get_data(as_text=True)
    assert ">Poststelle</option>" not in page and ">Papierformulare</option>" in page


def test_a_team_renamed_by_an_admin_shows_at_once(client, admin, team):
    login(client, admin)
    assert f">{team.name}</option>" in client.get("/").get_data(as_text=True)
    assert client.post(f"/admin/teams/{team.id}", data={"name": "Controlling"}).status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert ">Controlling</option>" in page and f">{team.name}</option>" not in page


def test_a_deleted_category_goes_from_the_filters(client, leader):
    _as_elsewhere("INSERT INTO categories (code, name_en, name_de, position, active) "
                  "VALUES ('meetings', 'Meetings', 'Besprechungen', 5, :yes)", yes=True)
    login(client, leader)
    assert ">Meetings</option>" in client.get("/").get_data(as_text=True)
    _as_elsewhere("DELETE FROM categories WHERE code = 'meetings'")
    assert ">Meetings</option>" not in client.get("/").get_data(as_text=True)


def test_a_visitor_without_an_account_gets_the_lists_fresh(client, team):
    """No signed-in user, no number: the registration form reads the teams itself."""
    assert f">{team.name}</option>" in client.get("/register").get_data(as_text=True)
    _as_elsewhere("UPDATE teams SET name = 'Einkauf & Logistik' WHERE id = :id", id=team.id)
    assert ">Einkauf &amp; Logistik</option>" in client.get("/register").get_data(as_text=True)


def test_every_change_moves_the_number_by_a_step_of_its_own(app, team):
    """Random steps: a database restored from its own backup does not count up through the
    numbers again that a running process kept lists for."""
    def number():
        return db.session.execute(text("SELECT version FROM catalog_version")).scalar_one()

    seen = [number()]
    for n in range(3):
        _as_elsewhere("UPDATE teams SET name = :name WHERE id = :id", name=f"Team {n}", id=team.id)
        db.session.rollback()  # a fresh read
        seen.append(number())
    steps = [b - a for a, b in zip(seen, seen[1:])]
    assert all(step >= 1 for step in steps) and len(set(steps)) == 3, steps
    with db.engine.begin() as conn:
        assert conn.execute(text("SELECT count(*) FROM catalog_version")).scalar_one() == 1
