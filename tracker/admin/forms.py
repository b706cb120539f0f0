from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from ..forms import NoControlCharacters, WholeNumberField, strip
from ..i18n import ROLE_LABELS
from ..workflow import Role


class EditUserForm(FlaskForm):
    role = SelectField(_l("Role"), choices=[SelectChoice(r.value, ROLE_LABELS[r]) for r in Role])
    team_id = SelectField(_l("Team"), coerce=int, validate_choice=True)
    active = BooleanField(_l("Active"))


class TeamForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=80), NoControlCharacters()],
                       filters=[strip])
    leader_ids = SelectMultipleField(
        _l("Leaders"), coerce=int, validate_choice=True,
        description=_l("Employees chosen here become leaders. Hold Ctrl (⌘ on a Mac) to choose several."))


class CategoryForm(FlaskForm):
    name_en = StringField(_l("Name in English"), validators=[DataRequired(), Length(max=80), NoControlCharacters()],
                          filters=[strip])
    name_de = StringField(_l("Name in German"), validators=[DataRequired(), Length(max=80), NoControlCharacters()],
                          filters=[strip])
    position = WholeNumberField(_l("Position in lists"), default=0,
                            validators=[InputRequired(), NumberRange(min=0, max=999)])
    active = BooleanField(_l("Offered for new items"), default=True)
