"""The reader's notifications: the list, mark one or all as read."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import notifications
from ..ideas.forms import EmptyForm

bp = Blueprint("notifications", __name__)


@bp.before_request
@login_required
def require_login():
    """Everyone sees only their own notifications."""


@bp.route("/notifications")
def index():
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), 100000)
    return render_template("notifications/index.html", pagination=notifications.page_for(current_user, page),
                           empty_form=EmptyForm())


@bp.route("/notifications/<int:notification_id>/open", methods=["POST"])
def open_one(notification_id: int):
    """Marks it read and goes to the item it is about."""
    notification = notifications.get_own(current_user, notification_id)
    if notification is None or not EmptyForm().validate_on_submit():
        abort(404 if notification is None else 400)
    notifications.mark_read(current_user, notification.id)
    target = notification.target_idea_id or notification.idea_id
    return redirect(url_for("ideas.detail", idea_id=target))


@bp.route("/notifications/read-all", methods=["POST"])
def read_all():
    if not EmptyForm().validate_on_submit():
        abort(400)
    notifications.mark_read(current_user)
    flash(_("All notifications are marked as read."), "success")
    return redirect(url_for("notifications.index"))
