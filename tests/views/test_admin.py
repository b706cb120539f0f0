from datetime import timedelta

from sqlalchemy import func, select

from tests.conftest import login
from tests.factories import make_idea, make_team, make_user
from tracker.extensions import db
from tracker.models import Category, Notification, Team, User


def test_admin_changes_role_team_and_deactivates(client, admin, employee, other_team):
    login(client, admin)
    page = client.get("/admin/users").get_data(as_text=True)
    assert employee.email in page
    prefix = f"u{employee.id}-"
    response = client.post(f"/admin/users/{employee.id}", data={
        prefix + "role": "leader", prefix + "team_id": other_team.id})
    assert response.status_code == 302
    db.session.refresh(employee)
    assert (employee.role, employee.team_id, employee.active) == ("leader", other_team.id, False)


def test_a_new_leader_leads_their_own_team(client, admin, employee, team):
    login(client, admin)
    prefix = f"u{employee.id}-"
    response = client.post(f"/admin/users/{employee.id}", data={
        prefix + "role": "leader", prefix + "team_id": team.id, prefix + "active": "y"})
    assert response.status_code == 302
    db.session.refresh(employee)
    assert employee.role == "leader" and [t.name for t in employee.led_teams] == [team.name]
    page = client.get(response.location).get_data(as_text=True)
    assert f"Leads {team.name}" in page


def test_a_leader_without_a_team_is_refused_and_the_choice_kept(client, admin, employee):
    login(client, admin)
    prefix = f"u{employee.id}-"
    response = client.post(f"/admin/users/{employee.id}", data={
        prefix + "role": "leader", prefix + "team_id": 0, prefix + "active": "y"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "A leader needs a team to lead" in page
    assert f"Please check the entries for {employee.name}." in page
    row = page[page.index(f'id="user-{employee.id}"'):page.index("</tr>", page.index(f'id="user-{employee.id}"'))]
    assert '<option selected value="leader">' in row and 'aria-invalid="true"' in row
    db.session.refresh(employee)
    assert (employee.role, employee.led_teams) == ("employee", [])


def test_a_leader_leading_no_team_can_still_be_deactivated(client, admin, leader, team):
    leader.led_teams = []  # as the command line can create one
    db.session.commit()
    login(client, admin)
    prefix = f"u{leader.id}-"
    response = client.post(f"/admin/users/{leader.id}", data={prefix + "role": "leader", prefix + "team_id": team.id})
    assert response.status_code == 302
    db.session.refresh(leader)
    assert (leader.role, leader.active, leader.led_teams) == ("leader", False, [])  # not made to lead again


def test_a_leader_removed_from_their_last_team_is_an_employee_again(client, admin, leader, team, other_team):
    other_leader = make_user("olga@example.com", "Olga Other", role="leader", team=other_team,
                             leads=[team, other_team])
    login(client, admin)
    response = client.post(f"/admin/teams/{team.id}", data={"name": team.name, "leader_ids": [other_leader.id]})
    assert response.status_code == 302
    db.session.refresh(leader)
    db.session.refresh(other_leader)
    assert (leader.role, leader.led_teams) == ("employee", [])
    assert other_leader.role == "leader"
    client.post(f"/admin/teams/{other_team.id}", data={"name": other_team.name, "leader_ids": [admin.id]})
    db.session.refresh(other_leader)
    assert other_leader.role == "leader"  # still leads the first team
    client.post(f"/admin/teams/{team.id}", data={"name": team.name})
    db.session.refresh(admin)
    db.session.refresh(other_leader)
    assert (other_leader.role, admin.role) == ("employee", "admin")  # an admin keeps their role


def test_admin_cannot_lock_themselves_out(client, admin):
    login(client, admin)
    prefix = f"u{admin.id}-"
    response = client.post(f"/admin/users/{admin.id}", data={prefix + "role": "employee", prefix + "team_id": 0,
                                                             prefix + "active": "y"})
    assert response.status_code == 422
    assert "You cannot take away your own admin rights or deactivate yourself." in response.get_data(as_text=True)
    db.session.refresh(admin)
    assert admin.role == "admin"
    response = client.post(f"/admin/users/{admin.id}", data={prefix + "role": "admin", prefix + "team_id": 0})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="user-{admin.id}-active-error">You cannot take away' in page  # beside the box that caused it
    db.session.refresh(admin)
    assert admin.active


def test_admins_see_who_has_not_confirmed_their_address_yet(client, smtp, admin, employee, team):
    """A registration waits for its emailed link: the admin sees it waiting, not as a member."""
    client.post("/register", data={"name": "Neu Ling", "email": "neu@example.com", "team_id": team.id,
                                   "password": "a-long-password", "confirm": "a-long-password"})
    login(client, admin)
    people = client.get("/admin/users").get_data(as_text=True)
    row = people[people.index("<td>neu@example.com"):]
    assert row.index("Not confirmed yet: registered") < row.index("</td>")
    assert people.count("Not confirmed yet") == 1  # the employee is confirmed
    teams = client.get("/admin/teams").get_data(as_text=True)
    assert "<td>2 <span class=\"help\">(and 1 not confirmed yet)</span></td>" in teams  # the employee, the admin


def test_someone_not_confirmed_yet_leads_nothing_and_gets_no_email(client, smtp, admin, employee, team):
    """An unconfirmed registration may be someone else's address: it is not offered as a leader,
    cannot be made one, and (made one before this rule) is not emailed."""
    client.post("/register", data={"name": "Neu Ling", "email": "neu@example.com", "team_id": team.id,
                                   "password": "a-long-password", "confirm": "a-long-password"})
    newcomer = db.session.scalar(select(User).where(User.email == "neu@example.com"))
    login(client, admin)
    assert "&lt;neu@example.com&gt;" not in client.get(f"/admin/teams/{team.id}").get_data(as_text=True)
    chosen = client.post(f"/admin/teams/{team.id}", data={"name": team.name, "leader_ids": [newcomer.id]})
    assert "is not a valid choice for this field." in chosen.get_data(as_text=True)
    prefix = f"u{newcomer.id}-"
    made = client.post(f"/admin/users/{newcomer.id}", data={prefix + "role": "leader", prefix + "team_id": team.id,
                                                            prefix + "active": "y"})
    assert made.status_code == 422
    assert "Neu Ling has not confirmed their email address yet" in made.get_data(as_text=True)
    db.session.refresh(newcomer)
    assert newcomer.role == "employee" and newcomer.led_teams == []
    newcomer.role, newcomer.led_teams = "leader", [team]  # as an admin could before
    db.session.commit()
    smtp.messages.clear()
    make_idea(employee, team=team)
    assert smtp.to("neu@example.com") == []
    [note] = db.session.scalars(select(Notification).where(Notification.user_id == newcomer.id)).all()
    # Nor from the retries, nor in a digest; the notification waits in the app, for when they can log in.
    note.created_at -= timedelta(minutes=30)
    newcomer.email_preference = "daily"
    db.session.commit()
    runner = client.application.test_cli_runner()
    assert runner.invoke(args=["send-digests"]).exit_code == 0
    newcomer.email_preference = "immediate"
    db.session.commit()
    assert runner.invoke(args=["send-pending"]).exit_code == 0
    assert smtp.to("neu@example.com") == []


def test_admin_creates_a_team_with_leaders(client, admin, employee):
    login(client, admin)
    response = client.post("/admin/teams", data={"name": "Controlling", "leader_ids": [employee.id]})
    assert response.status_code == 302
    team = db.session.scalar(select(Team).where(Team.name == "Controlling"))
    assert [u.email for u in team.leaders] == [employee.email]
    db.session.refresh(employee)
    assert employee.role == "leader"
    duplicate = client.post("/admin/teams", data={"name": "Controlling"})
    assert b"A team with this name already exists." in duplicate.data


def test_admin_renames_a_team(client, admin, team):
    login(client, admin)
    client.post(f"/admin/teams/{team.id}", data={"name": "Einkauf & Logistik"})
    db.session.refresh(team)
    assert team.name == "Einkauf & Logistik"


def test_a_team_cannot_take_a_name_that_reads_like_another(client, admin, team, other_team):
    """Renaming to a taken name once ended in a 500 (the name was flushed by a query before
    the commit); case and spaces aside, a name that reads the same is taken too."""
    login(client, admin)
    for typed in (other_team.name, f"  {other_team.name.upper()} "):
        response = client.post(f"/admin/teams/{team.id}", data={"name": typed})
        page = response.get_data(as_text=True)
        assert response.status_code == 200 and "A team with this name already exists." in page
        assert f'value="{typed.strip()}"' in page or f'value="{typed}"' in page  # what was typed stays
    created = client.post("/admin/teams", data={"name": team.name.lower()})
    assert "A team with this name already exists." in created.get_data(as_text=True)
    client.post(f"/admin/teams/{team.id}", data={"name": "Geschäftsführung"})
    decomposed = client.post("/admin/teams", data={"name": "Gescha\u0308ftsfu\u0308hrung"})  # pasted from a PDF
    assert "A team with this name already exists." in decomposed.get_data(as_text=True)
    db.session.expire_all()
    assert sorted(db.session.scalars(select(Team.name))) == sorted(["Geschäftsführung", other_team.name])
    assert client.get("/admin/teams").status_code == 200  # the session is usable afterwards


def test_look_alike_names_from_before_the_rule_stay_editable(client, admin, team, employee):
    twin = make_team(team.name.upper())  # as the command line could make one before
    login(client, admin)
    response = client.post(f"/admin/teams/{twin.id}", data={"name": twin.name, "leader_ids": [employee.id]})
    assert response.status_code == 302
    db.session.expire_all()
    assert [u.id for u in db.session.get(Team, twin.id).leaders] == [employee.id]


def test_the_command_line_finds_a_team_by_its_name_as_the_admin_pages_compare(runner, team):
    result = runner.invoke(args=["create-user", "neu@example.com", "--name", "Neu", "--password", "a-long-password",
                                 "--team", f" {team.name.lower()} "])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "neu@example.com"))
    assert user.team_id == team.id
    assert db.session.scalar(select(func.count()).select_from(Team)) == 1


def test_two_categories_cannot_share_a_name_in_either_language(client, admin):
    login(client, admin)
    other = db.session.scalar(select(Category).where(Category.code == "other"))
    before = db.session.scalar(select(func.count()).select_from(Category))
    for data, field_text in (({"name_en": " other ", "name_de": "Neu"}, "name_en"),
                             ({"name_en": "Brand new", "name_de": other.name_de.upper()}, "name_de")):
        response = client.post("/admin/categories", data={**data, "position": 5, "active": "y"})
        page = response.get_data(as_text=True)
        assert "A category with this name already exists." in page, field_text
    assert db.session.scalar(select(func.count()).select_from(Category)) == before
    first = db.session.scalar(select(Category).where(Category.id != other.id).order_by(Category.id))
    response = client.post(f"/admin/categories/{first.id}",
                           data={"name_en": other.name_en, "name_de": first.name_de, "position": 1, "active": "y"})
    assert "A category with this name already exists." in response.get_data(as_text=True)
    ok = client.post(f"/admin/categories/{first.id}",  # its own names again: not a clash with itself
                     data={"name_en": first.name_en.lower(), "name_de": first.name_de, "position": 1, "active": "y"})
    assert ok.status_code == 302


def test_admin_edits_the_category_list(client, admin, employee):
    login(client, admin)
    client.post("/admin/categories", data={"name_en": "Meetings", "name_de": "Besprechungen", "position": 5,
                                           "active": "y"})
    added = db.session.scalar(select(Category).where(Category.name_en == "Meetings"))
    assert (added.code, added.name_de, added.active) == ("meetings", "Besprechungen", True)
    other = db.session.scalar(select(Category).where(Category.code == "other"))
    client.post(f"/admin/categories/{other.id}", data={"name_en": "Other", "name_de": "Sonstiges", "position": 90})
    db.session.refresh(other)
    assert other.active is False
    client.post("/logout")
    login(client, employee)
    form = client.get("/ideas/new").get_data(as_text=True)
    assert "Meetings" in form and ">Other<" not in form


def test_an_item_keeps_a_retired_category_when_edited(client, employee):
    idea = make_idea(employee)
    idea.category.active = False
    db.session.commit()
    login(client, employee)
    page = client.get(f"/ideas/{idea.id}/edit").get_data(as_text=True)
    assert "Internal paperwork and bureaucracy" in page
    response = client.post(f"/ideas/{idea.id}/edit", data={
        "kind": "pain_point", "title": "Renamed", "description": "d", "category_id": idea.category_id,
        "team_id": idea.team_id, "minutes_per_week": "5"})
    assert response.status_code == 302
