"""Who may do what: can_* predicates and one role_required decorator."""
from functools import wraps

from flask import abort, current_app
from flask_login import current_user

from .workflow import CLOSED_STATUSES, Role, can_vote_on


def role_required(*roles: str):
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


admin_required = role_required(Role.ADMIN)


def is_author(idea, user) -> bool:
    return user.is_authenticated and idea.author_id == user.id


def can_see_author(idea, user) -> bool:
    """Nobody but the author learns who wrote an anonymous item: not leaders, not admins."""
    return not idea.anonymous or is_author(idea, user)


def is_anonymous_author(idea, person) -> bool:
    """Whether `person` (a user or an id) wrote this item anonymously: then their comments and
    moves on it show as the author's, without their name."""
    person_id = person if isinstance(person, int) or person is None else person.id
    return bool(idea.anonymous and person_id is not None and person_id == idea.author_id)


def can_edit_idea(idea, user) -> bool:
    return is_author(idea, user) and idea.status not in CLOSED_STATUSES


def can_vote(idea, user) -> bool:
    return user.is_authenticated and not is_author(idea, user) and can_vote_on(idea.status)


def waits_for_others_votes(idea, user) -> bool:
    """The reader's own item, still taking votes (from colleagues: not from its author)."""
    return is_author(idea, user) and can_vote_on(idea.status)


def can_delete_comment(comment, user) -> bool:
    return user.is_authenticated and (comment.author_id == user.id or user.role == Role.ADMIN)


def can_move_idea(idea, user) -> bool:
    """Leaders of the owning team, and admins. Employees see everything and move nothing.
    Nobody moves (or answers first) their own anonymous item: that it was moved by "the
    author" would tell everyone that a leader of the team wrote it (another leader or an admin
    moves it; moves_own_anonymous_item says why to the author)."""
    if not user.is_authenticated or is_anonymous_author(idea, user):
        return False
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.LEADER and idea.team_id in user.led_team_ids


def moves_own_anonymous_item(idea, user) -> bool:
    """Someone who could move this item but wrote it anonymously (can_move_idea)."""
    return user.is_authenticated and is_anonymous_author(idea, user) and (
        user.role == Role.ADMIN or (user.role == Role.LEADER and idea.team_id in user.led_team_ids))


def movable_ids(ideas, user, own_anonymous: frozenset[int] = frozenset()) -> frozenset[int]:
    """The ids of those of `ideas` that `user` may move (can_move_idea for a whole board, whose
    cards do not carry their author: `own_anonymous` are the ids of those `user` wrote
    anonymously)."""
    if not user.is_authenticated or user.role not in (Role.ADMIN, Role.LEADER):
        return frozenset()
    if user.role == Role.ADMIN:
        return frozenset(idea.id for idea in ideas if idea.id not in own_anonymous)
    led = frozenset(user.led_team_ids)
    return frozenset(idea.id for idea in ideas if idea.team_id in led and idea.id not in own_anonymous)


def is_responder(idea, user) -> bool:
    """Whose comment counts as the first response: the people who may move it, but not its
    author (a leader or an admin adding to their own item has answered nobody)."""
    return can_move_idea(idea, user) and not is_author(idea, user)


def can_lead(user) -> bool:
    """Who may be made a leader or an admin: an active account whose address is confirmed (an
    unconfirmed one may be someone else's address, and cannot log in)."""
    return user.active and user.email_confirmed_at is not None


def can_move_any(user) -> bool:
    """Whether the board offers this person any moves at all."""
    return user.is_authenticated and (user.role == Role.ADMIN or (user.role == Role.LEADER and bool(user.led_team_ids)))
