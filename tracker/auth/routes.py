"""Log in, log out, register, and the user's language."""
from urllib.parse import urlsplit, urlunsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale, refresh
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from wtforms import SelectChoice

from .. import notifications, services
from ..errors import DomainError
from ..extensions import limiter
from ..forms import show_error
from ..ideas.forms import EmptyForm
from ..urls import page_for
from .forms import (
    ChangeEmailForm, ChangePasswordForm, ForgotPasswordForm, LanguageForm, LoginForm, NewPasswordForm, RegisterForm,
    SettingsForm,
)

bp = Blueprint("auth", __name__)


def _keep_language(user) -> None:
    """Someone without a language of their own keeps the one they log in with (chosen in the
    footer, or their browser's): their emails, written without a request, speak it too, and
    the settings page shows what is really saved."""
    if not user.locale:
        services.set_locale(user, str(get_locale()))


def _fresh_session() -> None:
    """A new session at login (no fixation); only the chosen language and the messages for
    the next page carry over."""
    kept = {key: session[key] for key in ("locale", "_flashes") if key in session}
    session.clear()
    session.update(kept)


def _login_failed(response) -> bool:
    """Only failed attempts count against the limits: a successful login redirects."""
    return response.status_code != 302


def _submitted_email() -> str:
    return "login:" + services.normalise_email(request.form.get("email", ""))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN_PER_ACCOUNT"], key_func=_submitted_email,
               methods=["POST"], deduct_when=_login_failed, scope="login-account")
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN_PER_IP"], methods=["POST"], deduct_when=_login_failed,
               scope="login-ip")
def login():
    if current_user.is_authenticated:
        return redirect(url_for("ideas.index"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = _authenticated(form)
        if user is not None:
            _fresh_session()
            login_user(user, remember=form.remember.data)
            _keep_language(user)
            return redirect(page_for(form.next.data))
    # A refused password on a confirmation link's form: the language switch returns to that form.
    back = url_for("auth.confirm", token=form.confirm.data) if form.confirm.data else None
    return render_template("auth/login.html", form=form, language_next=back)


def _authenticated(form: LoginForm):
    """The user the form's email and password name; else None, with the reason flashed. An
    address not confirmed yet is confirmed by the right password together with the token of
    the emailed link (form.confirm: the link opens this form); without it a new link goes out.
    Inbox and password together: someone who registered a colleague's address cannot get in,
    and the colleague who opens the link cannot open an account whose password they never chose."""
    try:
        user = services.authenticate(form.email.data, form.password.data)
    except services.EmailNotConfirmed as unconfirmed:
        if not form.confirm.data:
            _keep_language(unconfirmed.user)  # the new link's email in the language of this page
            _confirmation_sent(unconfirmed.user, again=True)
            return None
        try:
            user = services.confirm_email(form.confirm.data, unconfirmed.user)
        except DomainError as error:
            flash(error.message, "error")
            return None
        flash(_("Your email address is confirmed. Welcome to Nebenan, %(name)s!", name=user.name), "success")
        return user
    except DomainError as error:  # the right password for a deactivated account
        flash(error.message, "error")
        return None
    if user is None:
        flash(_("Email or password is wrong."), "error")
    return user


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        services.end_sessions(current_user)  # a copied session or remember-me cookie stops working too
    language = str(get_locale())
    logout_user()
    session.clear()
    session["locale"] = language  # the login page goes on in the language of the account
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))


def _reset_email() -> str:
    return "reset:" + services.normalise_email(request.form.get("email", ""))


@bp.route("/password/forgot", methods=["GET", "POST"])
# Each request emails the address: limited per address, and per sender of many addresses.
@limiter.limit(lambda: current_app.config["RATELIMIT_PASSWORD_RESET"], key_func=_reset_email, methods=["POST"],
               scope="reset-account")
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN_PER_IP"], methods=["POST"], scope="reset-ip")
def forgot_password():
    if current_user.is_authenticated:
        return redirect(url_for("ideas.index"))
    form = ForgotPasswordForm()
    if notifications.mail_enabled() and form.validate_on_submit():
        services.send_password_reset(form.email.data)
        flash(_("If %(email)s has an account here, a link to set a new password is on its way there. It works "
                "for %(hours)d hours; if nothing arrives within a few minutes, please try again.",
                email=services.normalise_email(form.email.data), hours=services.RESET_HOURS), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form, mail=notifications.mail_enabled())


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """The link from the email: a new password, and in."""
    if current_user.is_authenticated:
        flash(_("You are logged in as %(email)s. To use a link that sets a new password, log out first.",
                email=current_user.email), "info")
        return redirect(url_for("ideas.index"))
    form = NewPasswordForm()
    try:
        user = services.password_reset_for(token)
        if form.validate_on_submit():
            user = services.reset_password(token, form.password.data)
            return _signed_in(user, _("Your new password is saved. Welcome back, %(name)s!", name=user.name))
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("auth.forgot_password"))
    return render_template("auth/reset.html", form=form, user=user)


def _registered_email() -> str:
    return "register:" + services.normalise_email(request.form.get("email", ""))


def _registered(response) -> bool:
    """A registration that went through (and, with a mail server, sent a link)."""
    return response.status_code == 302


@bp.route("/register", methods=["GET", "POST"])
# Registering an unconfirmed address again sends another link: not a way to flood an inbox.
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN_PER_ACCOUNT"], key_func=_registered_email,
               methods=["POST"], deduct_when=_registered, scope="register-account")
# ... nor, address after address, a way to send mail to anyone from one machine.
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN_PER_IP"], methods=["POST"], scope="register-ip")
def register():
    if current_user.is_authenticated:
        return redirect(url_for("ideas.index"))
    form = RegisterForm()
    form.team_id.choices = [SelectChoice(0, _("No team yet"))] + [SelectChoice(t.id, t.name) for t in services.all_teams()]
    if form.validate_on_submit():
        try:
            user = services.register_user(form.email.data, form.name.data, form.password.data,
                                          services.team_by_id(form.team_id.data))
        except services.AccountExists as exists:
            if notifications.mail_enabled():
                return _taken_address(exists.user)
            show_error(form, exists, "email")  # the account would open at once: no secret to keep
        except DomainError as error:
            show_error(form, error, "email")
        else:
            if user.email_confirmed_at is None:
                return _awaiting_confirmation(user)
            return _signed_in(user, _("Welcome to Nebenan, %(name)s!", name=user.name))
    return render_template("auth/register.html", form=form)


def _signed_in(user, welcome: str):
    """In, in a new session, after registering or setting a new password."""
    _fresh_session()
    login_user(user)
    _keep_language(user)
    flash(welcome, "success")
    return redirect(url_for("ideas.index"))


def _taken_address(owner):
    """The answer of any registration; the address's owner hears of it by email."""
    _said_sent(services.send_account_exists(owner), owner.email)
    return redirect(url_for("auth.login"))


def _awaiting_confirmation(user):
    """After registering with a mail server: the link goes out, in the language registered in."""
    services.set_locale(user, str(get_locale()))
    _confirmation_sent(user)
    return redirect(url_for("auth.login"))


def _confirmation_sent(user, again: bool = False) -> None:
    """Emails the link that confirms the address, and says so (or that the mail failed)."""
    sent = services.send_confirmation(user)
    if sent and again:
        flash(_("Please confirm your email address first. We sent a new link to %(email)s.", email=user.email),
              "error")
    else:
        _said_sent(sent, user.email)


def _said_sent(sent: bool, email: str) -> None:
    """What a registration answers: the same whether the address was new or had an account."""
    if not sent:
        flash(_("We could not send the confirmation email just now. Please log in again in a few minutes "
                "to get it."), "error")
    else:
        flash(_("Almost done: we sent a link to %(email)s. Open it and enter your password to confirm your address.",
                email=email), "success")


@bp.route("/confirm/<token>")
def confirm(token: str):
    """The link from the confirmation email: the login form, whose password completes it."""
    if current_user.is_authenticated:
        return redirect(url_for("ideas.index"))
    try:
        user = services.confirmation_for(token)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("auth.login"))
    if user.email_confirmed_at is not None:
        flash(_("Your email address is confirmed already. Please log in."), "info")
        return redirect(url_for("auth.login"))
    flash(_("Thank you, %(name)s. Enter your password to confirm your email address.", name=user.name), "info")
    return render_template("auth/login.html", form=LoginForm(email=user.email, confirm=token))


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    form = _settings_form()
    if form.validate_on_submit():
        services.update_settings(current_user, form.locale.data, form.email_preference.data)
        refresh()  # the confirmation in the language just chosen
        flash(_("Your settings are saved."), "success")
        return redirect(url_for("auth.settings"))
    return _settings_page(form=form)


def _settings_page(**forms):
    """The settings page, with the form that was refused (marked, with what was typed)."""
    forms = {"form": _settings_form(), "password_form": ChangePasswordForm(), "email_form": _email_form(), **forms}
    return render_template("auth/settings.html", **forms)


def _guessing_key() -> str:
    return f"password:{current_user.get_id() or request.remote_addr}"


def _refused(response) -> bool:
    return response.status_code == 422


# A session left open must not let anyone try the current password without end: the password
# and the email forms count together.
_guessing_limit = limiter.shared_limit(lambda: current_app.config["RATELIMIT_LOGIN_PER_ACCOUNT"],
                                       scope="current-password", key_func=_guessing_key, methods=["POST"],
                                       deduct_when=_refused)


@bp.route("/settings/password", methods=["GET", "POST"])
@login_required
@_guessing_limit
def change_password():
    """The password, changed with the current one; this session stays (with its "remember me"),
    every other one ends."""
    if request.method == "GET":  # the address a refused change left in the address bar
        return redirect(url_for("auth.settings", _anchor="change-password"))
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current.data, form.password.data)
        except DomainError as error:
            show_error(form, error, "current")
        else:
            _keep_this_session()
            flash(_("Your new password is saved. You are logged out everywhere else."), "success")
            return redirect(url_for("auth.settings"))
    return _settings_page(password_form=form), 422


def _link_sent(response) -> bool:
    return response.status_code == 302


@bp.route("/settings/email", methods=["GET", "POST"])
@login_required
@_guessing_limit
# Each link goes to an address of the person's choosing: limited like the links for a new password.
@limiter.limit(lambda: current_app.config["RATELIMIT_PASSWORD_RESET"], key_func=_guessing_key, methods=["POST"],
               deduct_when=_link_sent, scope="change-email")
def change_email():
    """A new address, with the current password. With a mail server the account moves there
    once a link sent to it is opened (the address is the way in: it must be one's own)."""
    if request.method == "GET":
        return redirect(url_for("auth.settings", _anchor="change-email"))
    form = _email_form()
    if form.validate_on_submit():
        try:
            _move_or_send_link(services.check_new_email(current_user, form.current.data, form.email.data))
            return redirect(url_for("auth.settings"))
        except DomainError as error:
            show_error(form, error, "email")
    return _settings_page(email_form=form), 422


def _move_or_send_link(email: str) -> None:
    """Without a mail server the account moves at once; with one, a link goes to the address."""
    if not notifications.mail_enabled():
        _move_to(email)
    elif services.send_email_change(current_user, email):
        flash(_("We sent a link to %(email)s. Your address changes when you open it; until then it stays "
                "%(old)s.", email=email, old=current_user.email), "success")
    else:
        flash(_("We could not send the email just now. Please try again in a few minutes."), "error")


def _move_to(email: str) -> None:
    """The account's new address; this session goes on, every other one ends."""
    services.change_email(current_user, email)
    _keep_this_session()
    flash(_("Your email address is now %(email)s. You are logged out everywhere else.", email=email), "success")


@bp.route("/settings/email/<token>", methods=["GET", "POST"])
@login_required
def confirm_email_change(token: str):
    """The link from the email to the new address: asks, then moves the account there."""
    try:
        email = services.email_change_for(token, current_user)
        form = EmptyForm()
        if form.validate_on_submit():
            _move_to(email)
            return redirect(url_for("auth.settings"))
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("auth.settings"))
    return render_template("auth/confirm_email_change.html", email=email, form=form)


def _email_form() -> ChangeEmailForm:
    # Its own prefix: its "current password" must not share the password form's id on the page.
    form = ChangeEmailForm(prefix="new-email")
    if notifications.mail_enabled():
        form.email.description = _("We email a link to the new address; your address changes when you open it.")
    return form


def _settings_form() -> SettingsForm:
    return SettingsForm(locale=str(get_locale()), email_preference=current_user.email_preference)


def _keep_this_session() -> None:
    """After the session token changed: this session (and its remember-me cookie, if it has one)
    carries the new one; every other session ends."""
    remembered = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
    login_user(current_user._get_current_object(), remember=remembered)


@bp.route("/language", methods=["POST"])
def language():
    """The language switch in the footer: remembered for the session, and for the account."""
    form = LanguageForm()
    if form.validate_on_submit():
        session["locale"] = form.locale.data
        if current_user.is_authenticated:
            services.set_locale(current_user, form.locale.data)
    return redirect(_page_to_return_to(form.next.data))


def _page_to_return_to(target: str | None) -> str:
    """The page the switch was pressed on (page_for(`next`)); without `next`, the referrer on
    this site."""
    referrer = urlsplit(request.referrer or "")
    from_here = referrer.netloc == request.host and referrer.path
    for candidate in (target, from_here and urlunsplit(("", "", referrer.path, referrer.query, ""))):
        if candidate:
            return page_for(candidate)
    return url_for("ideas.index")
