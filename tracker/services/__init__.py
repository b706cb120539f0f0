"""One function per use case, by domain: accounts (people's own), organisation (what admins
manage), ideas (items, votes, comments), browsing (reading them). Each does at most one commit
per user action and raises DomainError with a message the user can read when a rule says no.
The leaders' side (moving items, the board) is tracker.triage. Views call `services.<use case>`."""
from .accounts import (
    RESET_HOURS, AccountExists, EmailNotConfirmed, authenticate, change_email, change_password, check_new_email,
    confirm_email, confirmation_for, email_change_for, email_domain_allowed, end_sessions, load_user,
    new_session_token, normalise_email, password_reset_for, register_user, reset_password, send_account_exists,
    send_confirmation, send_email_change, send_password_reset, set_locale, update_settings,
)
from .browsing import SORTS, IdeaFilters, ItemPage, item_page, list_ideas, reader_vote
from .ideas import (
    add_comment, cast_vote, check_comment_deletable, comment_by_id, delete_comment, get_vote, idea_by_id,
    submit_idea, update_idea, withdraw_vote,
)
from .organisation import (
    active_categories, all_categories, all_teams, all_users, category_by_id, category_choices, create_team,
    create_user, get_or_create_team, next_category_position, save_category, set_password_of, team_by_id,
    teams_with_people,
    update_team, update_user, user_by_id,
)

__all__ = [
    "RESET_HOURS", "AccountExists", "EmailNotConfirmed", "authenticate", "change_email", "change_password",
    "check_new_email", "confirm_email", "confirmation_for", "email_change_for", "email_domain_allowed",
    "end_sessions", "load_user", "new_session_token", "normalise_email", "password_reset_for", "register_user",
    "reset_password", "send_account_exists", "send_confirmation", "send_email_change", "send_password_reset",
    "set_locale", "update_settings",
    "SORTS", "IdeaFilters", "ItemPage", "item_page", "list_ideas", "reader_vote",
    "add_comment", "cast_vote", "check_comment_deletable", "comment_by_id", "delete_comment", "get_vote",
    "idea_by_id", "submit_idea", "update_idea", "withdraw_vote",
    "active_categories", "all_categories", "all_teams", "all_users", "category_by_id", "category_choices",
    "create_team", "create_user",
    "get_or_create_team", "next_category_position", "save_category", "set_password_of", "team_by_id",
    "teams_with_people",
    "update_team", "update_user", "user_by_id",
]
