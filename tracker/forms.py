"""Form helpers shared by the blueprints."""
from wtforms.validators import ValidationError


class NoControlCharacters:
    """Refuses control characters (except tab and newlines in long text)."""

    def __init__(self, allow_newlines: bool = False):
        self.allowed = {"\t", "\n", "\r"} if allow_newlines else set()

    def __call__(self, form, field):
        from flask_babel import lazy_gettext as _l

        if any(ord(ch) < 32 and ch not in self.allowed for ch in field.data or ""):
            raise ValidationError(_l("Please remove the invisible control characters."))


def show_error(form, error, default_field: str) -> None:
    """Puts a service's DomainError next to its field, or above the form when no field has that name."""
    from wtforms import Field

    field = getattr(form, error.field or default_field, None)
    if isinstance(field, Field):
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


def strip(value):
    return value.strip() if isinstance(value, str) else value
