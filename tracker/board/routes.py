"""The leaders' board, moving items, and "you said, we did"."""
from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import permissions, services, triage
from ..urls import safe_next
from ..errors import DomainError, Refused
from ..forms import show_error
from ..ideas.routes import load_idea
from ..models import MAX_ID
from .forms import HandOverForm, MoveForm

bp = Blueprint("board", __name__)


@bp.before_request
@login_required
def require_login():
    """The board is for the company's own people; only leaders and admins move cards."""


@bp.route("/board")
def index():
    category = request.args.get("category", type=int)
    filters = triage.BoardFilters(
        team=request.args.get("team", "mine" if current_user.led_team_ids else "")[:12],
        category=category if category and 0 < category <= MAX_ID else None, kind=request.args.get("kind", ""))
    columns = triage.board(filters, current_user._get_current_object())
    return render_template("board/index.html", columns=columns, filters=filters,
                           categories=services.category_choices(str(get_locale())), teams=services.all_teams(),
                           can_move=permissions.can_move_any(current_user), board_url=_board_url(filters))


def _board_url(filters: triage.BoardFilters) -> str:
    """This board as the reader filtered it, for a card's "Move…" to return to: the filters in
    the query that the board understood, and nothing else (a card's HTML is kept per link,
    tracker/fragments.py, so made-up parameters must not make new ones)."""
    team = filters.team if filters.team in ("mine", "") else str(filters.team_id) if filters.team_id else None
    understood = {"team": team, "category": filters.category, "kind": filters.kind_code}
    return url_for("board.index", **{name: understood[name] for name in request.args
                                     if understood.get(name) is not None})


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


@bp.route("/ideas/<int:idea_id>/move", methods=["GET", "POST"])
def move(idea_id: int):
    idea = load_idea(idea_id)
    refusal = _may_not_move(idea)
    if refusal is not None:
        return refusal
    form = _move_form(idea, next=request.args.get("next", ""))
    if form.validate_on_submit():
        try:
            triage.move_idea(idea, current_user, form.to_status.data, form.note.data, form.saving_minutes,
                             form.duplicate_of.data)
        except DomainError as error:
            show_error(form, error, "to_status")
        else:
            return _moved(idea, form)
    return _not_moved(idea, form)


def _may_not_move(idea):
    """The answer to someone who may not move (or hand over) this item; None for who may."""
    if permissions.moves_own_anonymous_item(idea, current_user):
        return _refused(idea, _("You wrote this item anonymously. So that nobody can tell, another leader of "
                                "its team or an admin moves it."))
    if not permissions.can_move_idea(idea, current_user):
        message = _("Only leaders of the owning team and admins can move this item.")
        if _wants_json():
            return _refused(idea, message)  # the script's answer, as for an own anonymous item
        raise Refused(message, back=url_for("ideas.detail", idea_id=idea.id))
    return None


def _refused(idea, message: str):
    """A move this reader may not make, said plainly: to the board's script, or on the item."""
    if _wants_json():
        return jsonify(ok=False, message=message), 403
    flash(message, "error")
    return redirect(url_for("ideas.detail", idea_id=idea.id))


def _moved(idea, form):
    """The board's script gets the fresh card; a form post goes back where it came from."""
    message = _("Moved to “%(status)s”.", status=triage.status_label(idea.status))
    if _wants_json():
        card = render_template("board/card.html", idea=triage.card(idea.id),
                               movable=permissions.can_move_idea(idea, current_user),
                               board_url=safe_next(form.next.data))
        return jsonify(ok=True, status=idea.status, message=message, card=card)
    flash(message, "success")
    return redirect(safe_next(form.next.data) if form.next.data else url_for("ideas.detail", idea_id=idea.id))


@bp.route("/ideas/<int:idea_id>/hand-over", methods=["POST"])
def hand_over(idea_id: int):
    idea = load_idea(idea_id)
    refusal = _may_not_move(idea)
    if refusal is not None:
        return refusal
    form = _hand_over_form(idea)
    if form.validate_on_submit():
        team = services.team_by_id(form.team_id.data)
        try:
            triage.hand_over(idea, current_user, team)
        except DomainError as error:
            show_error(form, error, "team_id")
        else:
            flash(_("Handed over to team “%(team)s”.", team=team.name), "success")
            return redirect(safe_next(form.next.data) if form.next.data else url_for("ideas.detail", idea_id=idea.id))
    return _not_moved(idea, _move_form(idea, next=form.next.data), hand_over_form=form)


def _move_form(idea, **data) -> MoveForm:
    form = MoveForm(**data)
    form.set_targets(idea.status)
    return form


def _hand_over_form(idea, **data) -> HandOverForm:
    form = HandOverForm(**data)
    form.set_teams(services.all_teams(), idea.team_id)
    return form


def _not_moved(idea, form, hand_over_form=None):
    """The move page (first visit, or with the refused form's errors: the move's, or the
    hand-over's when given), or the reason as JSON for the board's script."""
    refused = hand_over_form or form
    if request.method == "POST" and _wants_json():
        errors = [str(e) for field in refused for e in field.errors] + [str(e) for e in refused.form_errors]
        return jsonify(ok=False, message=" ".join(errors) or _("Please try again.")), 422
    back_url = safe_next(form.next.data) if form.next.data else url_for("ideas.detail", idea_id=idea.id)
    return render_template("board/move.html", idea=idea, form=form, hand_over_form=hand_over_form or
                           _hand_over_form(idea, next=form.next.data), back_url=back_url), \
        200 if request.method == "GET" else 422


@bp.route("/implemented")
def implemented():
    page = min(request.args.get("page", 1, type=int) or 1, 100000)
    pagination = triage.implemented_page(max(page, 1))
    return render_template("board/implemented.html", pagination=pagination,
                           notes=triage.implemented_notes(pagination.items),
                           total_saving=triage.total_saving_minutes())
