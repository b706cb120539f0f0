"""Plain factories: make_user(**kw), make_idea(**kw). They commit, like a user's action would."""
from tracker import services
from tracker.extensions import db
from tracker.models import Category, Team, User
from tracker.workflow import Kind, Role

PASSWORD = "correct-horse-battery"


def make_team(name: str) -> Team:
    team = Team(name=name)
    db.session.add(team)
    db.session.commit()
    return team


def make_user(email: str, name: str, role: str = Role.EMPLOYEE, team: Team | None = None,
              leads: list[Team] | None = None, password: str = PASSWORD) -> User:
    user = User(email=email, name=name, role=role, team=team, session_token=services.new_session_token())
    user.set_password(password)
    user.led_teams = list(leads or [])
    db.session.add(user)
    db.session.commit()
    return user


def category(code: str = "paperwork") -> Category:
    return db.session.scalar(db.select(Category).where(Category.code == code))


def make_idea(author: User, team: Team | None = None, **kw):
    fields = dict(kind=Kind.PAIN_POINT, title="Travel expenses need three signatures",
                  description="Every trip needs three signatures on paper.", category=category(),
                  team=team or author.team, minutes_per_week=30, anonymous=False)
    fields.update(kw)
    return services.submit_idea(author, **fields)
