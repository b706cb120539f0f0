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
    client.get("/")
    client.post(f"/admin/teams/{team.id}", data={"name": "Controlling"})
    assert ">Controlling</option>" in client.get("/").get_data(as_text=True)
