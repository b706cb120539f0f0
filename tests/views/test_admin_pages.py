import pytest

from tests.conftest import login


@pytest.mark.parametrize("url,text", [
    ("/admin/users", "ada@example.com"),
    ("/admin/teams", "Einkauf"),
    ("/admin/teams/{team}", "Lena Leiterin"),
    ("/admin/categories", "Useless standardisation"),
    ("/admin/categories/{category}", "Unnütze Standardisierung"),
])
def test_admin_pages_render(client, admin, leader, team, url, text):
    from tests.factories import category

    login(client, admin)
    response = client.get(url.format(team=team.id, category=category("standardisation").id))
    assert response.status_code == 200
    assert text in response.get_data(as_text=True)
