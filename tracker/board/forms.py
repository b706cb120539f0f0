from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from ..forms import DecimalNumberField, ItemNumberField, NoControlCharacters, strip
from ..i18n import STATUS_LABELS
from ..workflow import MAX_SAVING_HOURS_PER_WEEK, allowed_targets

SAVING_RANGE = NumberRange(min=0, max=MAX_SAVING_HOURS_PER_WEEK,
                           message=_l("Enter between 0 and %(max)d hours per week.", max=MAX_SAVING_HOURS_PER_WEEK))
DUPLICATE_NUMBER = NumberRange(min=1, message=_l("Please give the number of the item this one duplicates."))


class MoveForm(FlaskForm):
    # Not limited to the allowed targets here: the workflow refuses other moves with a clear message.
    to_status = SelectField(_l("Move to"), validators=[InputRequired()], validate_choice=False)
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=5000), NoControlCharacters(allow_newlines=True)],
                         filters=[strip], description=_l("Shown publicly on the item; Markdown is allowed. Required "
                                                         "when declining (the reason) and when implemented (what "
                                                         "changed)."))
    saving_hours = DecimalNumberField(
        _l("Realised saving (hours per week)"), places=2, validators=[Optional(), SAVING_RANGE],
        unreadable=SAVING_RANGE.message, description=_l("For Implemented: an estimate for the whole company."))
    duplicate_of = ItemNumberField(_l("Duplicate of item number"), validators=[Optional(), DUPLICATE_NUMBER],
                                   unreadable=DUPLICATE_NUMBER.message,
                                   description=_l("For Duplicate: the number (#) of the item it repeats."))
    next = HiddenField()

    def set_targets(self, status: str) -> None:
        self.to_status.choices = [SelectChoice(s.value, STATUS_LABELS[s]) for s in allowed_targets(status)]

    @property
    def saving_minutes(self) -> int | None:
        if self.saving_hours.data is None:
            return None
        return int((self.saving_hours.data * Decimal(60)).to_integral_value())


class HandOverForm(FlaskForm):
    team_id = SelectField(_l("Hand over to team"), coerce=int, validate_choice=True,
                          validators=[NumberRange(min=1, message=_l("Choose the team that owns the process."))],
                          description=_l("Its leaders triage it from now on; status, votes and history stay."))
    next = HiddenField()  # where the move page was opened from (the board), to return to

    def set_teams(self, teams, current_team_id: int) -> None:
        self.team_id.choices = [SelectChoice(0, _l("Please choose…"))] + [
            SelectChoice(t.id, t.name) for t in teams if t.id != current_team_id]
