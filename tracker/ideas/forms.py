from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..forms import NoControlCharacters, WholeNumberField, strip
from ..i18n import KIND_LABELS
from ..workflow import MAX_MINUTES_PER_WEEK, Kind

MINUTES_RANGE = NumberRange(min=0, max=MAX_MINUTES_PER_WEEK,
                            message=_l("Enter between 0 and %(max)d minutes per week.", max=MAX_MINUTES_PER_WEEK))
# For "12,5", "12.5" or "lots": the range alone would not say what is wrong with 12.5.
MINUTES_UNREADABLE = _l("Enter whole minutes: a number between 0 and %(max)d.", max=MAX_MINUTES_PER_WEEK)


class IdeaForm(FlaskForm):
    kind = RadioField(_l("What is it?"), choices=[SelectChoice(k.value, KIND_LABELS[k]) for k in Kind],
                      default=Kind.PAIN_POINT.value, validators=[InputRequired()])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=160), NoControlCharacters()],
                        filters=[strip], description=_l("One line that names the problem or the idea."))
    description = TextAreaField(
        _l("Description"), validators=[DataRequired(), Length(max=20000), NoControlCharacters(allow_newlines=True)],
        filters=[strip], description=_l("What happens, how often, and what would help. Markdown is allowed."))
    # 0 is "Please choose…": marked with the other fields' errors, not after them (the service
    # checks the choice again, e.g. a category retired meanwhile).
    category_id = SelectField(_l("Category"), coerce=int, validate_choice=True,
                              validators=[NumberRange(min=1, message=_l("Choose one of the categories."))])
    team_id = SelectField(_l("Team that owns the process"), coerce=int, validate_choice=True,
                          validators=[NumberRange(min=1, message=_l("Choose the team that owns the process."))],
                          description=_l("The team that could change it, which may not be your own."))
    minutes_per_week = WholeNumberField(
        _l("Minutes lost per week"), validators=[Optional(), MINUTES_RANGE], unreadable=MINUTES_UNREADABLE,
        description=_l("For pain points: how much of your time it costs each week."))
    anonymous = BooleanField(
        _l("Submit anonymously"),
        description=_l("Nobody else sees your name, not even leaders or admins. You can still edit it."))

    def set_choices(self, categories, teams, locale: str) -> None:
        choose = SelectChoice(0, _l("Please choose…"))
        self.category_id.choices = [choose] + [SelectChoice(c.id, c.name_for(locale)) for c in categories]
        self.team_id.choices = [choose] + [SelectChoice(t.id, t.name) for t in teams]


class _OnEveryItemPage(FlaskForm):
    """Built on every item page and every vote: without a CSRF field of its own. CSRFProtect
    checks the token of every POST before any view runs (the pages write it with csrf_token());
    the form's own field would sign and check the same token a second time."""

    class Meta:
        csrf = False


class VoteForm(_OnEveryItemPage):
    minutes_per_week = WholeNumberField(_l("Your minutes lost per week"), validators=[Optional(), MINUTES_RANGE],
                                        unreadable=MINUTES_UNREADABLE)


class CommentForm(_OnEveryItemPage):
    body = TextAreaField(_l("Comment"), validators=[DataRequired(), Length(max=5000),
                                                    NoControlCharacters(allow_newlines=True)], filters=[strip])


def blank_comment_body():
    """The comment field as a new comment starts: no text, no errors (the kept fragment of the
    item page renders it once per language)."""
    return CommentForm(formdata=None).body


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for buttons that change state."""
