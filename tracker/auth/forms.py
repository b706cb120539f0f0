from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from ..forms import NoControlCharacters, strip
from ..i18n import LANGUAGE_NAMES
from ..workflow import EmailPreference

LANGUAGE_CHOICES = [SelectChoice(code, name) for code, name in LANGUAGE_NAMES.items()]


def _reachable_by_email(form, field):
    """Umlauts or accents before the @ need a mail server that speaks SMTPUTF8; the confirmation
    link could never be sent there, and the account never confirmed."""
    if field.data and not field.data.rsplit("@", 1)[0].isascii():
        raise ValidationError(_l("Please use an address without umlauts or accents before the @: "
                                 "Nebenan cannot send email to it."))


def _new_password_fields(label=_l("Password")):
    """A password someone chooses, and the same again."""
    return (PasswordField(label, validators=[DataRequired(), Length(min=10, max=200)],
                          description=_l("At least 10 characters.")),
            PasswordField(_l("Repeat password"),
                          validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))]))


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254), NoControlCharacters()],
                       filters=[strip])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Remember me"))
    next = HiddenField()
    confirm = HiddenField()  # the token of a confirmation link: the password completes it


class RegisterForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120), NoControlCharacters()],
                       filters=[strip])
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(check_deliverability=False), Length(max=254),
                                                _reachable_by_email], filters=[strip])
    team_id = SelectField(_l("Your team"), coerce=int, validate_choice=True)
    password, confirm = _new_password_fields()


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
                       filters=[strip])


class NewPasswordForm(FlaskForm):
    password, confirm = _new_password_fields(_l("New password"))


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])


class ChangeEmailForm(FlaskForm):
    email = EmailField(_l("New email address"), validators=[DataRequired(), Email(check_deliverability=False),
                                                            Length(max=254), _reachable_by_email], filters=[strip])
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])


class SettingsForm(FlaskForm):
    locale = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    email_preference = SelectField(_l("Email notifications"), choices=[
        SelectChoice(EmailPreference.IMMEDIATE.value, _l("Right away")),
        SelectChoice(EmailPreference.DAILY.value, _l("Once a day, as a digest")),
        SelectChoice(EmailPreference.NONE.value, _l("Never (only in Nebenan)")),
    ], description=_l("About items you wrote, voted on or commented on, and new items in teams you lead."))


class LanguageForm(FlaskForm):
    locale = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    next = HiddenField()
