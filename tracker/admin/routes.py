"""Admin pages: people, teams and the list of categories."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from .. import services
from ..errors import DomainError
from ..forms import show_error
from ..permissions import admin_required, can_lead
from .forms import CategoryForm, EditUserForm, TeamForm

bp = Blueprint("admin", __name__)


@bp.before_request
@admin_required
def require_admin():
    """Every page here is for admins only."""


def _or_404(obj):
    if obj is None:
        abort(404)
    return obj


@bp.route("/users")
def users():
    return _users_page()


def _users_page(edited: EditUserForm | None = None, edited_id: int | None = None):
    """The people and a form per row; a refused row keeps what the admin chose, with the reason."""
    people = services.all_users()
    teams = _team_choices()
    forms = {user.id: edited if user.id == edited_id else _user_form(user, teams=teams) for user in people}
    return render_template("admin/users.html", people=people, forms=forms)


def _team_choices() -> list[SelectChoice]:
    return [SelectChoice(0, _("No team"))] + [SelectChoice(t.id, t.name) for t in services.all_teams()]


def _user_form(user, formdata=None, teams=None) -> EditUserForm:
    form = EditUserForm(formdata=formdata, obj=user, prefix=f"u{user.id}")
    form.team_id.choices = teams if teams is not None else _team_choices()
    if formdata is None:
        form.team_id.data = user.team_id or 0
    return form


@bp.route("/users/<int:user_id>", methods=["POST"])
def update_user(user_id: int):
    user = _or_404(services.user_by_id(user_id))
    form = _user_form(user, request.form)
    if form.validate():
        try:
            services.update_user(user, current_user, form.role.data, services.team_by_id(form.team_id.data),
                                 form.active.data)
        except DomainError as error:
            show_error(form, error, "role")
        else:
            flash(_("Changes to %(name)s are saved.", name=user.name), "success")
            return redirect(url_for("admin.users"))
    flash(_("Please check the entries for %(name)s.", name=user.name), "error")
    return _users_page(form, user.id), 422


def _team_form(team=None) -> TeamForm:
    form = TeamForm(obj=team)
    # Only who may lead (permissions.can_lead); a leader chosen before stays offered, to be removed.
    current = {u.id for u in team.leaders} if team is not None else set()
    form.leader_ids.choices = [SelectChoice(u.id, f"{u.name} <{u.email}>") for u in services.all_users()
                               if can_lead(u) or u.id in current]
    if team is not None and request.method == "GET":
        form.leader_ids.data = [u.id for u in team.leaders]
    return form


@bp.route("/teams", methods=["GET", "POST"])
def teams():
    form = _team_form()
    if form.validate_on_submit():
        try:
            services.create_team(form.name.data, form.leader_ids.data)
        except DomainError as error:
            show_error(form, error, "name")
        else:
            flash(_("The team is created."), "success")
            return redirect(url_for("admin.teams"))
    return render_template("admin/teams.html", teams=services.teams_with_people(), form=form)


@bp.route("/teams/<int:team_id>", methods=["GET", "POST"])
def edit_team(team_id: int):
    team = _or_404(services.team_by_id(team_id))
    form = _team_form(team)
    if form.validate_on_submit():
        try:
            services.update_team(team, form.name.data, form.leader_ids.data)
        except DomainError as error:
            show_error(form, error, "name")
        else:
            flash(_("The team is saved."), "success")
            return redirect(url_for("admin.teams"))
    return render_template("admin/team.html", team=team, form=form)


@bp.route("/categories", methods=["GET", "POST"])
def categories():
    form = CategoryForm(position=services.next_category_position())
    if form.validate_on_submit():
        try:
            services.save_category(None, form.name_en.data, form.name_de.data, form.position.data, form.active.data)
        except DomainError as error:
            show_error(form, error, "name_en")
        else:
            flash(_("The category is added."), "success")
            return redirect(url_for("admin.categories"))
    return render_template("admin/categories.html", categories=services.all_categories(), form=form)


@bp.route("/categories/<int:category_id>", methods=["GET", "POST"])
def edit_category(category_id: int):
    category = _or_404(services.category_by_id(category_id))
    form = CategoryForm(obj=category)
    if form.validate_on_submit():
        try:
            services.save_category(category, form.name_en.data, form.name_de.data, form.position.data,
                                   form.active.data)
        except DomainError as error:
            show_error(form, error, "name_en")
        else:
            flash(_("The category is saved."), "success")
            return redirect(url_for("admin.categories"))
    return render_template("admin/category.html", category=category, form=form)
