"""One function per use case. Each does at most one commit per user action and
raises DomainError with a message the user can read when a rule says no."""
import re
import secrets
from dataclasses import dataclass
from functools import cache

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash
from sqlalchemy.orm import joinedload, selectinload

from . import notifications, permissions, triage
from .errors import DomainError, NotAllowed
from .extensions import db
from .models import MAX_ID, Category, Comment, Idea, StatusChange, Team, User, Vote, utcnow
from .paging import paginate_capped
from .search import apply_search
from .workflow import (
    INITIAL_STATUS, MAX_MINUTES_PER_WEEK, Kind, NotificationType, Role, Status, can_vote_on, carries_minutes,
)


# --- accounts --------------------------------------------------------------------

def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def email_domain_allowed(email: str) -> bool:
    allowed = current_app.config["ALLOWED_EMAIL_DOMAINS"]
    return not allowed or email.rsplit("@", 1)[-1] in allowed


def new_session_token() -> str:
    return secrets.token_hex(16)


def _new_user(email: str, name: str, password: str, role: str, team: Team | None) -> User:
    email = normalise_email(email)
    if db.session.scalar(select(User.id).where(User.email == email)):
        raise DomainError(_l("An account with this email address already exists."), field="email")
    user = User(email=email, name=name.strip(), role=role, team=team, session_token=new_session_token())
    user.set_password(password)
    db.session.add(user)
    return user


def register_user(email: str, name: str, password: str, team: Team | None) -> User:
    email = normalise_email(email)
    if not email_domain_allowed(email):
        raise DomainError(_l("Please register with your company email address."), field="email")
    user = _new_user(email, name, password, Role.EMPLOYEE, team)
    _commit_or_conflict(_l("An account with this email address already exists."), field="email")
    return user


def create_user(email: str, name: str, password: str, role: str, team_name: str | None) -> User:
    """For the command line: creates the team when it does not exist yet."""
    if role not in set(Role):
        raise DomainError(f"Unknown role {role!r}; choose one of {', '.join(Role)}.")
    team = get_or_create_team(team_name) if team_name else None
    user = _new_user(email, name, password, role, team)
    if role == Role.LEADER and team is not None:
        user.led_teams.append(team)
    _commit_or_conflict(_l("An account with this email address already exists."), field="email")
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user, or None for a wrong email, a wrong password or a deactivated
    account alike, so that the answer never tells which accounts exist."""
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        check_password_hash(_dummy_hash(), password)  # as slow as a real check: timing tells nothing
        return None
    if not user.check_password(password) or not user.active:
        return None
    return user


@cache
def _dummy_hash() -> str:
    return generate_password_hash(secrets.token_hex(16))


def load_user(user_id: str) -> User | None:
    """Flask-Login's loader: the id carries the session token, see User.get_id."""
    ident, _, token = (user_id or "").partition(":")
    if not ident.isdigit():
        return None
    user = db.session.get(User, int(ident))
    if user is None or not token or not secrets.compare_digest(user.session_token, token):
        return None
    return user


def end_sessions(user: User) -> None:
    """Logs the user out everywhere: every session cookie carries the old token."""
    user.session_token = new_session_token()
    db.session.commit()


def set_locale(user: User, locale: str) -> None:
    user.locale = locale
    db.session.commit()


def update_settings(user: User, locale: str, email_preference: str) -> None:
    user.locale, user.email_preference = locale, email_preference
    db.session.commit()


# --- teams and categories ------------------------------------------------------------

def get_or_create_team(name: str) -> Team:
    name = name.strip()
    team = db.session.scalar(select(Team).where(Team.name == name))
    if team is None:
        team = Team(name=name)
        db.session.add(team)
    return team


def team_by_id(team_id: int | None) -> Team | None:
    return _get(Team, team_id)


def category_by_id(category_id: int | None) -> Category | None:
    return _get(Category, category_id)


def user_by_id(user_id: int) -> User | None:
    return _get(User, user_id)


def all_users() -> list[User]:
    return list(db.session.scalars(select(User).options(joinedload(User.team)).order_by(User.name)))


def teams_with_people() -> list[Team]:
    """For the admin's team list: leaders and members loaded with the teams (no query per row)."""
    return list(db.session.scalars(select(Team).options(selectinload(Team.leaders), selectinload(Team.members))
                                   .order_by(Team.name)))


def all_teams() -> list[Team]:
    return list(db.session.scalars(select(Team).order_by(Team.name)))


def active_categories() -> list[Category]:
    return list(db.session.scalars(select(Category).where(Category.active).order_by(Category.position, Category.id)))


def all_categories() -> list[Category]:
    return list(db.session.scalars(select(Category).order_by(Category.position, Category.id)))


def create_team(name: str, leader_ids: list[int]) -> Team:
    team = Team(name=name.strip())
    team.leaders = _leaders(leader_ids)
    db.session.add(team)
    _commit_or_conflict(_l("A team with this name already exists."), field="name")
    return team


def update_team(team: Team, name: str, leader_ids: list[int]) -> None:
    team.name = name.strip()
    team.leaders = _leaders(leader_ids)
    _commit_or_conflict(_l("A team with this name already exists."), field="name")


def _leaders(user_ids: list[int]) -> list[User]:
    if not user_ids:
        return []
    users = list(db.session.scalars(select(User).where(User.id.in_(user_ids))))
    for user in users:
        if user.role == Role.EMPLOYEE:
            user.role = Role.LEADER
    return users


def update_user(user: User, actor: User, role: str, team: Team | None, active: bool) -> None:
    if user.id == actor.id and (role != Role.ADMIN or not active):
        raise DomainError(_l("You cannot take away your own admin rights or deactivate yourself."))
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
    if category is None:
        code = _category_code(name_en)
        category = Category(code=code)
        db.session.add(category)
    category.name_en = name_en.strip()
    category.name_de = name_de.strip()
    category.position = position
    category.active = active
    _commit_or_conflict(_l("A category with this name already exists."), field="name_en")
    return category


def _category_code(name: str) -> str:
    base = "_".join(w.lower() for w in re.findall(r"[A-Za-z0-9]+", name))[:30] or "category"
    code, n = base, 1
    while db.session.scalar(select(Category.id).where(Category.code == code)):
        n += 1
        code = f"{base}_{n}"
    return code


# --- ideas ------------------------------------------------------------------------

def _check_minutes(kind: str, minutes: int | None) -> int:
    if not carries_minutes(kind):
        return 0
    minutes = minutes or 0
    if not 0 <= minutes <= MAX_MINUTES_PER_WEEK:
        raise DomainError(_l("Enter between 0 and %(max)d minutes per week.", max=MAX_MINUTES_PER_WEEK),
                          field="minutes_per_week")
    return minutes


def _check_choices(category: Category | None, team: Team | None) -> None:
    if category is None or not category.active:
        raise DomainError(_l("Choose one of the categories."), field="category_id")
    if team is None:
        raise DomainError(_l("Choose the team that owns the process."), field="team_id")


def submit_idea(author: User, *, kind: str, title: str, description: str, category: Category | None,
                team: Team | None, minutes_per_week: int | None, anonymous: bool) -> Idea:
    _check_choices(category, team)
    minutes = _check_minutes(kind, minutes_per_week)
    idea = Idea(
        kind=kind, title=title.strip(), description=description.strip(), category=category, team=team,
        author=author, anonymous=anonymous, minutes_per_week=minutes, minutes_total=minutes,
        status=INITIAL_STATUS,
    )
    # The submission opens the history. It names no actor, so it cannot reveal an anonymous author.
    idea.history.append(StatusChange(from_status=None, to_status=INITIAL_STATUS, actor=None))
    db.session.add(idea)
    db.session.flush()
    # Leaders hear of new items in their teams; the notification names no author.
    rows = notifications.notify([leader.id for leader in team.leaders], type=NotificationType.NEW_ITEM, idea=idea,
                                exclude=author)
    db.session.commit()
    notifications.deliver(rows)
    return idea


def update_idea(idea: Idea, editor: User, *, kind: str, title: str, description: str, category: Category | None,
                team: Team | None, minutes_per_week: int | None, anonymous: bool) -> None:
    if not permissions.can_edit_idea(idea, editor):
        raise NotAllowed(_l("Only the author can edit this, and only while it is open."))
    if category is not None and category.id == idea.category_id:
        pass  # an item may keep a category that admins retired since
    else:
        _check_choices(category, team)
    if team is None:
        raise DomainError(_l("Choose the team that owns the process."), field="team_id")
    moved_team = team.id != idea.team_id
    if moved_team and idea.status != INITIAL_STATUS:
        raise DomainError(_l("The owning team is working on this already; ask its leaders to hand it over."),
                          field="team_id")
    minutes = _check_minutes(kind, minutes_per_week)
    idea.kind, idea.title, idea.description = kind, title.strip(), description.strip()
    idea.category, idea.team, idea.anonymous = category, team, anonymous
    idea.minutes_per_week = minutes
    idea.updated_at = idea.last_activity_at = utcnow()
    db.session.flush()
    # Recounted from the rows: the kind decides whether the voters' minutes count at all.
    vote_minutes = select(func.coalesce(func.sum(Vote.minutes_per_week), 0)).where(
        Vote.idea_id == idea.id).scalar_subquery()
    db.session.execute(update(Idea).where(Idea.id == idea.id).values(
        minutes_total=minutes + (vote_minutes if carries_minutes(kind) else 0)))
    rows = []
    if moved_team:  # the new team's leaders hear of it as of a new item
        rows = notifications.notify([leader.id for leader in team.leaders], type=NotificationType.NEW_ITEM,
                                    idea=idea, exclude=editor)
    db.session.commit()
    notifications.deliver(rows)


def get_vote(idea: Idea, user: User) -> Vote | None:
    if not user.is_authenticated:
        return None
    return db.session.get(Vote, (idea.id, user.id))


def cast_vote(idea: Idea, user: User, minutes_per_week: int | None = None) -> bool:
    """Adds the user's "me too". Returns False when the vote was already there.

    The primary key on (idea, user) is what keeps one vote per person, also when
    two requests race; the counters move by an atomic UPDATE in the same transaction.
    """
    if permissions.is_author(idea, user):
        raise NotAllowed(_l("You cannot vote on your own item."))
    if not permissions.can_vote(idea, user):
        raise NotAllowed(_l("This item is closed and takes no more votes."))
    minutes = _check_minutes(idea.kind, minutes_per_week)
    if not _insert_vote(idea.id, user.id, minutes):
        db.session.rollback()
        return False  # already voted (perhaps a moment ago, in a racing request)
    db.session.execute(
        update(Idea).where(Idea.id == idea.id).values(
            vote_count=Idea.vote_count + 1, minutes_total=Idea.minutes_total + minutes, last_activity_at=utcnow())
    )
    db.session.commit()
    return True


def _insert_vote(idea_id: int, user_id: int, minutes: int) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING in the caller's transaction: True when the row is new."""
    insert = postgresql_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = insert(Vote).values(idea_id=idea_id, user_id=user_id, minutes_per_week=minutes, created_at=utcnow())
    return db.session.execute(stmt.on_conflict_do_nothing().returning(Vote.user_id)).first() is not None


def withdraw_vote(idea: Idea, user: User) -> bool:
    """Removes the user's vote. Returns False when there was none."""
    if not can_vote_on(idea.status):
        raise NotAllowed(_l("This item is closed; its votes stay as they are."))
    removed = db.session.execute(
        delete(Vote).where(Vote.idea_id == idea.id, Vote.user_id == user.id).returning(Vote.minutes_per_week)
    ).first()
    if removed is None:
        db.session.rollback()
        return False
    counted = removed.minutes_per_week if carries_minutes(idea.kind) else 0
    db.session.execute(
        update(Idea).where(Idea.id == idea.id).values(
            vote_count=Idea.vote_count - 1, minutes_total=Idea.minutes_total - counted)
    )
    db.session.commit()
    return True


def idea_by_id(idea_id: int | None) -> Idea | None:
    return _get(Idea, idea_id)


def comment_by_id(comment_id: int) -> Comment | None:
    return _get(Comment, comment_id)


def add_comment(idea: Idea, author: User, body: str) -> Comment:
    """Posts a comment and tells the item's followers. A comment by a leader of the
    owning team (or an admin) counts as the first response."""
    now = utcnow()
    recipients = notifications.followers(idea)
    comment = Comment(idea=idea, author=author, body=body.strip(), created_at=now)
    db.session.add(comment)
    db.session.flush()
    values = dict(comment_count=Idea.comment_count + 1, last_activity_at=now)
    if permissions.is_responder(idea, author):
        values["first_response_at"] = func.coalesce(Idea.first_response_at, now)
    db.session.execute(update(Idea).where(Idea.id == idea.id).values(**values))
    # An anonymous author's own comment names nobody in the notifications either.
    actor = None if permissions.is_anonymous_author(idea, author) else author
    rows = notifications.notify(recipients, type=NotificationType.COMMENT_ADDED, idea=idea, actor=actor,
                                exclude=author, comment_id=comment.id)
    db.session.commit()
    notifications.deliver(rows)
    return comment


def delete_comment(comment: Comment, user: User) -> None:
    if not permissions.can_delete_comment(comment, user):
        raise NotAllowed(_l("You can only delete your own comments."))
    deleted = db.session.execute(delete(Comment).where(Comment.id == comment.id).returning(Comment.idea_id)).first()
    if deleted is None:  # a second click: it is gone already
        db.session.rollback()
        return
    db.session.execute(update(Idea).where(Idea.id == deleted.idea_id).values(comment_count=Idea.comment_count - 1))
    db.session.commit()


# --- browsing ---------------------------------------------------------------------

SORTS = {
    "votes": (Idea.vote_count.desc(), Idea.id.desc()),
    "newest": (Idea.created_at.desc(), Idea.id.desc()),
    "hours": (Idea.minutes_total.desc(), Idea.id.desc()),
    "active": (Idea.last_activity_at.desc(), Idea.id.desc()),
}


@dataclass
class IdeaFilters:
    sort: str = "votes"
    kind: str = ""
    status: str = ""
    category: int | None = None
    team: int | None = None
    team_ids: list[int] | None = None  # "my teams" of a leader
    mine: bool = False
    waiting: bool = False  # only items waiting for a response
    q: str = ""

    @property
    def narrowed(self) -> bool:
        """Any choice besides the search words: a sort other than the default, or a filter."""
        return self.sort != "votes" or bool(self.kind or self.status or self.category or self.team
                                            or self.team_ids or self.mine or self.waiting)


def list_ideas(filters: IdeaFilters, viewer: User, page: int, per_page: int):
    stmt = select(Idea).options(joinedload(Idea.category), joinedload(Idea.team))
    if filters.kind in set(Kind):
        stmt = stmt.where(Idea.kind == filters.kind)
    if filters.status in set(Status):
        stmt = stmt.where(Idea.status == filters.status)
    if filters.category:
        stmt = stmt.where(Idea.category_id == filters.category)
    if filters.team:
        stmt = stmt.where(Idea.team_id == filters.team)
    elif filters.team_ids:
        stmt = stmt.where(Idea.team_id.in_(filters.team_ids))
    if filters.mine:
        stmt = stmt.where(Idea.author_id == viewer.id)
    if filters.waiting:
        stmt = stmt.where(*triage.waiting_conditions())
    stmt = apply_search(stmt, filters.q)
    stmt = stmt.order_by(*SORTS.get(filters.sort, SORTS["votes"]))
    return paginate_capped(stmt, page, per_page)


def idea_for_page(idea_id: int) -> Idea | None:
    """An item with everything its page shows, loaded in one go."""
    if not 0 < idea_id <= MAX_ID:
        return None
    return db.session.scalar(
        select(Idea).where(Idea.id == idea_id).options(
            joinedload(Idea.category), joinedload(Idea.team),
            joinedload(Idea.comments).joinedload(Comment.author),
            joinedload(Idea.history).joinedload(StatusChange.actor),
        )
    )


# --- helpers ----------------------------------------------------------------------

def _get(model, ident):
    """By primary key; None for anything that cannot be an id (absent, negative, too large)."""
    return db.session.get(model, ident) if isinstance(ident, int) and 0 < ident <= MAX_ID else None


def _commit_or_conflict(message, field: str | None = None) -> None:
    try:
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        raise DomainError(message, field=field) from error
