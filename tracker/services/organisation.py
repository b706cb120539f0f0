"""What admins manage: teams and their leaders, people's roles, categories."""
import re
from typing import NamedTuple

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from ..errors import DomainError
from ..extensions import core_execute, db, reads_only
from ..models import Category, Team, User, in_language, utcnow
from ..workflow import Role
from .accounts import add_user, new_session_token, normalise_email, replace_password
from .common import commit_or_conflict, flush_or_conflict, get_by_id


def get_or_create_team(name: str) -> Team:
    """The team of that name (case and spaces aside, as the admin pages compare them), or a new one."""
    name = name.strip()
    for team in db.session.scalars(select(Team)):
        if _same_name(team.name, name):
            return team
    team = Team(name=name)
    db.session.add(team)
    return team


def create_user(email: str, name: str, password: str, role: str, team_name: str | None) -> User:
    """For the command line: creates the team when it does not exist yet."""
    if role not in set(Role):
        raise DomainError(f"Unknown role {role!r}; choose one of {', '.join(Role)}.")
    if role == Role.LEADER and not (team_name or "").strip():
        raise DomainError("A leader needs a team to lead: give it with --team.")
    team = get_or_create_team(team_name) if (team_name or "").strip() else None
    user = add_user(email, name, password, role, team)
    if role == Role.LEADER and team is not None:
        user.led_teams.append(team)
    commit_or_conflict(_l("An account with this email address already exists."), field="email")
    return user


MIN_PASSWORD_LENGTH = 10  # as the forms ask (tracker/auth/forms.py)


def set_password_of(email: str, password: str) -> User:
    """For the command line, when no email can carry a link: a new password for the account
    with this address (confirmed with it: whoever runs Nebenan vouches for it); its sessions end."""
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise DomainError(f"There is no account with the address {email}.")
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise DomainError(f"The password needs at least {MIN_PASSWORD_LENGTH} characters.")
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
    replace_password(user, password)
    return user


def team_by_id(team_id: int | None) -> Team | None:
    return get_by_id(Team, team_id)


def category_by_id(category_id: int | None) -> Category | None:
    return get_by_id(Category, category_id)


def user_by_id(user_id: int) -> User | None:
    return get_by_id(User, user_id)


def all_users() -> list[User]:
    return list(db.session.scalars(select(User).options(joinedload(User.team), selectinload(User.led_teams))
                                   .order_by(User.name)))


def teams_with_people() -> list[Team]:
    """For the admin's team list: leaders and members loaded with the teams (no query per row)."""
    return list(db.session.scalars(select(Team).options(selectinload(Team.leaders), selectinload(Team.members))
                                   .order_by(Team.name)))


class Choice(NamedTuple):
    """A team or a category to choose: its id and its name (in the reader's language). Plain
    tuples: the list and the board offer every team and category in their filters, and a
    tuple's fields read ten times faster than a row's."""
    id: int
    name: str


# Built once: most pages run these for their filters and forms (see paging).
_ALL_TEAMS = select(Team.id, Team.name).order_by(Team.name)
_CATEGORY_NAMES = select(Category.id, Category.name_en, Category.name_de).order_by(Category.position, Category.id)
_ACTIVE_CATEGORIES = select(Category).where(Category.active).order_by(Category.position, Category.id)
_ALL_CATEGORIES = select(Category).order_by(Category.position, Category.id)


class Catalog(NamedTuple):
    """Every team and every category (id, English and German name) as the database held them
    at catalog_version `version` or later (models.CatalogVersion)."""
    version: int
    teams: tuple[Choice, ...]
    categories: tuple[tuple[int, str, str], ...]


CATALOG = "nebenan.catalog"


def _read_teams() -> tuple[Choice, ...]:
    return tuple(Choice(*row) for row in core_execute(_ALL_TEAMS))


def _read_categories() -> tuple[tuple[int, str, str], ...]:
    return tuple(tuple(row) for row in core_execute(_CATEGORY_NAMES))


def catalog() -> Catalog | None:
    """The lists this process read last, read again if the catalog_version the signed-in user's
    statement saw differs; None where no such number is known. Kept per app, only on requests
    that change nothing (GET, HEAD): each list is read after the number, so it is at least as
    new as the number says, and a request that changes a team cannot meet its old list."""
    if not reads_only():
        return None
    version = getattr(current_user, "catalog_version", None)
    if version is None:
        return None
    kept = current_app.extensions.get(CATALOG)
    if kept is None or kept.version != version:
        kept = current_app.extensions[CATALOG] = Catalog(version, _read_teams(), _read_categories())
    return kept


def all_teams() -> tuple[Choice, ...]:
    """Every team, for choosing one."""
    kept = catalog()
    return kept.teams if kept else _read_teams()


def category_choices(locale: str) -> tuple[Choice, ...]:
    """Every category, retired ones too (their items stay), for filtering."""
    kept = catalog()
    return tuple(Choice(id_, in_language(locale, en, de))
                 for id_, en, de in (kept.categories if kept else _read_categories()))


def active_categories() -> list[Category]:
    return list(db.session.scalars(_ACTIVE_CATEGORIES))


def all_categories() -> list[Category]:
    return list(db.session.scalars(_ALL_CATEGORIES))


def _same_name(a: str, b: str) -> bool:
    """Names people would take for the same: case and runs of spaces aside."""
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _check_team_name(name: str, team: Team | None = None) -> None:
    """Teams are chosen by name in every form and filter, so no two may read alike (the
    database's unique constraint sees only exact equals)."""
    for other_id, other in db.session.execute(select(Team.id, Team.name)):
        if (team is None or other_id != team.id) and _same_name(other, name):
            raise DomainError(_l("A team with this name already exists."), field="name")


def create_team(name: str, leader_ids: list[int]) -> Team:
    _check_team_name(name)
    team = Team(name=name.strip())
    team.leaders = _leaders(leader_ids)
    db.session.add(team)
    commit_or_conflict(_l("A team with this name already exists."), field="name")
    return team


def update_team(team: Team, name: str, leader_ids: list[int]) -> None:
    if not _same_name(name, team.name):  # look-alikes from before the rule may keep their names
        _check_team_name(name, team)
    before = list(team.leaders)
    leaders = _leaders(leader_ids)  # read before the name changes (a query flushes)
    team.name = name.strip()
    team.leaders = leaders
    # The roles below read each former leader's teams: a query that flushes the name. A name
    # taken meanwhile (a race past the check) is a message then, not a 500.
    flush_or_conflict(_l("A team with this name already exists."), field="name")
    for user in before:
        # Chosen here, an employee becomes a leader (_leaders); no longer leading any team,
        # a leader becomes an employee again. Admins keep their role.
        if user.role == Role.LEADER and not user.led_teams:
            user.role = Role.EMPLOYEE
    commit_or_conflict(_l("A team with this name already exists."), field="name")


def _leaders(user_ids: list[int]) -> list[User]:
    if not user_ids:
        return []
    users = list(db.session.scalars(select(User).where(User.id.in_(user_ids))))
    for user in users:
        if user.role == Role.EMPLOYEE:
            if user.email_confirmed_at is None:  # the form offers only who may (permissions.can_lead)
                raise _not_confirmed(user, "leader_ids")
            user.role = Role.LEADER
    return users


def _not_confirmed(user: User, field: str) -> DomainError:
    return DomainError(_l("%(name)s has not confirmed their email address yet: until then the account cannot log "
                          "in, nor lead or administer.", name=user.name), field=field)


def update_user(user: User, actor: User, role: str, team: Team | None, active: bool) -> None:
    if user.id == actor.id and (role != Role.ADMIN or not active):
        raise DomainError(_l("You cannot take away your own admin rights or deactivate yourself."),
                          field="role" if role != Role.ADMIN else "active")
    if role != user.role and role != Role.EMPLOYEE and user.email_confirmed_at is None:
        raise _not_confirmed(user, "role")
    if role == Role.LEADER and user.role != Role.LEADER and not user.led_teams:
        # Someone made a leader here leads their own team to begin with, or their board would
        # be empty; the Teams page chooses the leaders of each team.
        if team is None:
            raise DomainError(_l("A leader needs a team to lead: choose their team here, or choose them as a "
                                 "leader on the Teams page."), field="team_id")
        user.led_teams = [team]
    user.role = role
    user.team = team
    if role != Role.LEADER and role != Role.ADMIN:
        user.led_teams = []
    if user.active and not active:
        user.session_token = new_session_token()  # signs the user out everywhere
    user.active = active
    db.session.commit()


def next_category_position() -> int:
    """New categories go to the end of the lists unless the admin says otherwise."""
    last = db.session.scalar(select(func.max(Category.position)))
    return min((last or 0) + 10, 999)


def save_category(category: Category | None, name_en: str, name_de: str, position: int, active: bool) -> Category:
    # The lists show one name per language: each must tell the categories apart. A name kept
    # as it was is not checked (look-alikes from before the rule stay editable).
    changed = [(field, name) for field, name, current in (
        ("name_en", name_en, category.name_en if category else None),
        ("name_de", name_de, category.name_de if category else None))
        if current is None or not _same_name(name, current)]
    for other in db.session.execute(select(Category.id, Category.name_en, Category.name_de)):
        if category is not None and other.id == category.id:
            continue
        for field, name in changed:
            if _same_name(name, getattr(other, field)):
                raise DomainError(_l("A category with this name already exists."), field=field)
    if category is None:
        code = _category_code(name_en)
        category = Category(code=code)
        db.session.add(category)
    category.name_en = name_en.strip()
    category.name_de = name_de.strip()
    category.position = position
    category.active = active
    commit_or_conflict(_l("A category with this name already exists."), field="name_en")
    return category


def _category_code(name: str) -> str:
    base = "_".join(w.lower() for w in re.findall(r"[A-Za-z0-9]+", name))[:30] or "category"
    code, n = base, 1
    while db.session.scalar(select(Category.id).where(Category.code == code)):
        n += 1
        code = f"{base}_{n}"
    return code
