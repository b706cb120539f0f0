from sqlalchemy import func, select

from tests.conftest import login
from tracker import services
from tracker.extensions import db
from tracker.models import Idea, Notification, StatusChange, Team, User, Vote
from tracker.workflow import Status


def test_create_user_makes_a_leader_of_a_new_team(runner):
    result = runner.invoke(args=["create-user", "chefin@example.com", "--name", "Chefin", "--role", "leader",
                                 "--team", "Controlling", "--password", "a-long-password"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "chefin@example.com"))
    assert user.role == "leader" and [t.name for t in user.led_teams] == ["Controlling"]
    assert services.authenticate("chefin@example.com", "a-long-password") == user


def test_create_user_refuses_a_leader_without_a_team(runner):
    result = runner.invoke(args=["create-user", "chefin@example.com", "--name", "Chefin", "--role", "leader",
                                 "--password", "a-long-password"])
    assert result.exit_code != 0 and "A leader needs a team to lead: give it with --team." in result.output
    assert db.session.scalar(select(User).where(User.email == "chefin@example.com")) is None


def test_create_user_refuses_a_taken_email(runner, employee):
    result = runner.invoke(args=["create-user", employee.email, "--name", "X", "--password", "a-long-password"])
    assert result.exit_code != 0
    assert "already exists" in result.output


def test_seed_demo_emails_nobody_now_or_later(app, runner, smtp):
    """With a mail server configured, the demo's made-up history is no news for its people."""
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count()).select_from(Notification)) > 20  # the bells still ring
    assert app.config["MAIL_SERVER"] == "127.0.0.1"  # the setting is back
    for command in ("send-pending", "send-digests"):
        assert runner.invoke(args=[command]).exit_code == 0
    assert smtp.messages == []


def test_seed_demo_builds_the_demo_company_once(runner):
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count()).select_from(Team)) >= 3
    assert 15 <= db.session.scalar(select(func.count()).select_from(User)) <= 40
    assert 30 <= db.session.scalar(select(func.count()).select_from(Idea)) <= 60
    for email in ("employee@example.com", "leader@example.com", "admin@example.com"):
        assert services.authenticate(email, "nebenan-demo") is not None, email
    leader = db.session.scalar(select(User).where(User.email == "leader@example.com"))
    assert leader.role == "leader" and leader.led_teams
    statuses = set(db.session.scalars(select(Idea.status)))
    assert statuses == set(Status)
    for idea in db.session.scalars(select(Idea)):
        votes = db.session.scalar(select(func.count()).select_from(Vote).where(Vote.idea_id == idea.id))
        assert idea.vote_count == votes
    assert db.session.scalar(select(func.count()).select_from(StatusChange)) > 40

    again = runner.invoke(args=["seed-demo", "--if-empty"])
    assert again.exit_code == 0 and "already has users" in again.output


def test_set_password_lets_someone_in_again_when_no_email_can_carry_a_link(app, runner, employee):
    elsewhere = app.test_client()
    login(elsewhere, employee)
    result = runner.invoke(args=["set-password", employee.email.upper(), "--password", "from-the-operator"])
    assert result.exit_code == 0, result.output
    assert f"New password set for {employee.email}" in result.output
    db.session.expire_all()
    assert services.authenticate(employee.email, "from-the-operator").id == employee.id
    assert elsewhere.get("/").status_code == 302  # logged out there
    unknown = runner.invoke(args=["set-password", "nobody@example.com", "--password", "whatever-it-is"])
    assert unknown.exit_code != 0 and "There is no account with the address nobody@example.com." in unknown.output
    short = runner.invoke(args=["set-password", employee.email, "--password", "short"])
    assert short.exit_code != 0 and "The password needs at least 10 characters." in short.output
    employee.active = False
    db.session.commit()
    inactive = runner.invoke(args=["set-password", employee.email, "--password", "from-the-operator"])
    assert inactive.exit_code == 0 and "The account is deactivated" in inactive.output
