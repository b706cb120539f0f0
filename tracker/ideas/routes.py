"""Browsing, submitting, voting and commenting."""
import re

from flask import (
    Blueprint, abort, current_app, flash, get_flashed_messages, redirect, render_template, request, url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import permissions, services, triage
from ..errors import DomainError, Refused
from ..extensions import limiter, writes_in_one_statement
from ..forms import show_error
from ..models import MAX_ID
from ..search import has_words
from ..workflow import Kind, Status
from .forms import CommentForm, EmptyForm, IdeaForm, VoteForm

VOTE_FLASH = "vote-"  # flashed as "vote-success" / "vote-error": shown in the vote box (base.html skips them)

bp = Blueprint("ideas", __name__)

ITEM_NUMBER = re.compile(r"#\s*([0-9]{1,10})")  # searched for, an item's number opens the item


@bp.app_template_test("vote_answer")
def is_vote_answer(category: str) -> bool:
    """A flashed message's category that belongs in the vote box, not at the top of the page."""
    return category.startswith(VOTE_FLASH)


@bp.before_request
@login_required
def require_login():
    """Every page here is for the company's own people."""


def load_idea(idea_id: int):
    """The item alone, or 404."""
    idea = services.idea_by_id(idea_id)
    if idea is None:
        abort(404)
    return idea


def load_page(idea_id: int) -> services.ItemPage:
    """The item with everything its page shows, or 404."""
    page = services.item_page(idea_id, current_user)
    if page is None:
        abort(404)
    return page


_KINDS, _STATUSES = frozenset(Kind), frozenset(Status)


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, type=int)
    return value if value and 0 < value <= MAX_ID else None


def _one_of(name: str, known, default: str = "") -> str:
    value = request.args.get(name, default)
    return value if value in known else default


def _list_filters() -> services.IdeaFilters:
    """The list's filters from the query string; anything unknown means "no filter"."""
    return services.IdeaFilters(
        sort=_one_of("sort", services.SORTS, "votes"), kind=_one_of("kind", _KINDS),
        status=_one_of("status", _STATUSES), category=_int_arg("category"), team=_int_arg("team"),
        team_ids=current_user.led_team_ids if request.args.get("team") == "mine" else None,
        mine=request.args.get("mine") == "1", waiting=request.args.get("waiting") == "1",
        q=request.args.get("q", "")[:200],
    )


@bp.route("/")
def index():
    filters = _list_filters()
    searched_item = _item_numbered(filters.q)
    if searched_item is not None:
        return redirect(url_for("ideas.detail", idea_id=searched_item))
    page = min(_int_arg("page") or 1, 100000)
    panel = None  # the leaders' start page: what waits for their response, above the whole list
    if permissions.can_move_any(current_user) and page == 1 and not request.args:
        panel = triage.Panel(None if current_user.is_admin else tuple(current_user.led_team_ids))
    pagination = services.list_ideas(filters, current_user, page, current_app.config["IDEAS_PER_PAGE"], panel)
    return render_template("ideas/index.html", pagination=pagination, filters=filters,
                           wordless=bool(filters.q.strip()) and not has_words(filters.q),
                           waiting=pagination.waiting if panel else None,
                           categories=services.category_choices(str(get_locale())), teams=services.all_teams())


def _item_numbered(query: str) -> int | None:
    """The item whose number, as the pages write it ("#43"), is the whole search, if it exists."""
    number = ITEM_NUMBER.fullmatch(query.strip())
    if number is None or int(number.group(1)) > MAX_ID or services.idea_by_id(int(number.group(1))) is None:
        return None
    return int(number.group(1))


def _idea_form(idea=None) -> IdeaForm:
    form = IdeaForm(obj=idea)
    categories = services.active_categories()
    if idea is not None and idea.category not in categories:
        categories.append(idea.category)
    form.set_choices(categories, services.all_teams(), str(get_locale()))
    return form


def _idea_fields(form: IdeaForm) -> dict:
    return dict(kind=form.kind.data, title=form.title.data, description=form.description.data,
                category=services.category_by_id(form.category_id.data), team=services.team_by_id(form.team_id.data),
                minutes_per_week=form.minutes_per_week.data, anonymous=form.anonymous.data)


def _per_user() -> str:
    return f"user:{current_user.id}" if current_user.is_authenticated else request.remote_addr or ""


def _saved(response) -> bool:
    """Only what was saved counts against a limit: a refused form (422) is typed again and sent again."""
    return response.status_code < 400


@bp.route("/ideas/new", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_SUBMIT"], key_func=_per_user, methods=["POST"], scope="submit",
               deduct_when=_saved)
def new():
    form = _idea_form()
    if form.validate_on_submit():
        try:
            idea = services.submit_idea(current_user, **_idea_fields(form))
        except DomainError as error:
            show_error(form, error, "title")
        else:
            flash(_("Thank you! Your entry is saved."), "success")
            return redirect(url_for("ideas.detail", idea_id=idea.id))
    return render_template("ideas/form.html", form=form, idea=None), 200 if request.method == "GET" else 422


@bp.route("/ideas/<int:idea_id>/edit", methods=["GET", "POST"])
def edit(idea_id: int):
    idea = load_idea(idea_id)
    if not permissions.can_edit_idea(idea, current_user):
        raise Refused(_("Only the author can edit this, and only while it is open."),
                      back=url_for("ideas.detail", idea_id=idea.id))
    form = _idea_form(idea)
    if form.validate_on_submit():
        try:
            services.update_idea(idea, current_user, **_idea_fields(form))
        except DomainError as error:
            show_error(form, error, "title")
        else:
            flash(_("Your changes are saved."), "success")
            return redirect(url_for("ideas.detail", idea_id=idea.id))
    return render_template("ideas/form.html", form=form, idea=idea), 200 if request.method == "GET" else 422


@bp.route("/ideas/<int:idea_id>")
def detail(idea_id: int):
    page = load_page(idea_id)
    # The answer to a vote without JavaScript sits in the vote box, where the page opens (#vote).
    vote_message, vote_category = next(((message, category.removeprefix(VOTE_FLASH))
                                        for category, message in get_flashed_messages(with_categories=True)
                                        if is_vote_answer(category)), (None, None))
    return _detail_page(page, VoteForm(), vote_message, vote_category)


def _detail_page(page: services.ItemPage, vote_form: VoteForm, vote_message: str | None = None,
                 vote_category: str | None = None, comment_form: CommentForm | None = None):
    """The item's page; `comment_form`: a comment that was refused, shown with what was typed
    (without one, the page shows the empty field, tracker/fragments.py)."""
    return render_template("ideas/detail.html", idea=page.idea, history=page.history, comments=page.comments,
                           duplicates=page.duplicates, vote=services.reader_vote(page.idea), vote_form=vote_form,
                           comment_form=comment_form, vote_message=vote_message,
                           vote_message_category=vote_category)


_UNKNOWN = object()  # the reader's vote, not known yet


def _vote_response(idea_id: int, message: str | None, category: str = "success", form: VoteForm | None = None,
                   vote=_UNKNOWN):
    """The vote box alone for the page's script (with a refused form's marks); else a refused
    field shows the page again with what was typed (422), and anything else goes back to the page.
    `vote`: the reader's vote when the action knows it (a Vote, or None after withdrawing)."""
    if request.headers.get("X-Fragment") == "vote":
        idea = load_idea(idea_id)  # the one the action loaded, with its new counts
        if vote is _UNKNOWN:
            vote = services.get_vote(idea, current_user)
        # The box shows the vote form only to someone who has not voted.
        return render_template("ideas/_vote.html", idea=idea, vote=vote,
                               vote_form=form or (VoteForm() if vote is None else None),
                               vote_message=message, vote_message_category=category)
    if form is not None and form.minutes_per_week.errors:
        return _detail_page(load_page(idea_id), form, message, category), 422
    if message:
        flash(message, VOTE_FLASH + category)
    return redirect(url_for("ideas.detail", idea_id=idea_id) + "#vote")


@bp.route("/ideas/<int:idea_id>/vote", methods=["POST"])
@writes_in_one_statement
def vote(idea_id: int):
    idea = load_idea(idea_id)
    form = VoteForm()
    if not form.validate_on_submit():
        message = " ".join(map(str, form.minutes_per_week.errors)) or _("Please try again.")
        return _vote_response(idea_id, message, "error", form)
    try:
        vote = services.cast_vote(idea, current_user, form.minutes_per_week.data)
    except DomainError as error:
        return _vote_response(idea_id, str(error.message), "error")
    if vote is None:  # there already: sent again from another tab, or twice without the script
        return _vote_response(idea_id, _("You had voted on this already; your vote stays as it was."))
    return _vote_response(idea_id, _("Your vote is counted."), vote=vote)


@bp.route("/ideas/<int:idea_id>/unvote", methods=["POST"])
@writes_in_one_statement
def unvote(idea_id: int):
    idea = load_idea(idea_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        withdrawn = services.withdraw_vote(idea, current_user)
    except DomainError as error:
        return _vote_response(idea_id, str(error.message), "error")
    if not withdrawn:  # gone already: withdrawn from another tab, or twice without the script
        return _vote_response(idea_id, _("You had not voted on this; there is nothing to withdraw."))
    return _vote_response(idea_id, _("Your vote is withdrawn."), vote=None)


@bp.route("/ideas/<int:idea_id>/comments", methods=["POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_COMMENT"], key_func=_per_user, scope="comment",
               deduct_when=_saved)
def comment(idea_id: int):
    idea = load_idea(idea_id)
    form = CommentForm()
    if form.validate_on_submit():
        services.add_comment(idea, current_user, form.body.data)
        flash(_("Your comment is posted."), "success")
        return redirect(url_for("ideas.detail", idea_id=idea.id) + "#comments")
    return _detail_page(load_page(idea_id), VoteForm(), comment_form=form), 422


@bp.route("/comments/<int:comment_id>/delete", methods=["POST"])
def delete_comment(comment_id: int):
    comment = services.comment_by_id(comment_id)
    if comment is None:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    back = url_for("ideas.detail", idea_id=comment.idea_id) + "#comments"
    try:
        if request.form.get("confirmed") != "1":  # the browser did not ask (no JavaScript): this page asks
            services.check_comment_deletable(comment, current_user)
            return render_template("ideas/delete_comment.html", comment=comment)
        services.delete_comment(comment, current_user)
    except DomainError as error:
        raise Refused(error.message, back=back) from error
    flash(_("The comment is deleted."), "success")
    return redirect(back)
