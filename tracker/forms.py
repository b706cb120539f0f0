"""Form helpers shared by the blueprints."""
import re
import unicodedata
from decimal import Decimal

from wtforms import DecimalField, IntegerField
from wtforms.validators import StopValidation, ValidationError


class _TypedNumber:
    """A number field that reads only what a person types for a number: the digits 0-9 (Python
    would also take other scripts' digits, "1_000", "NaN", and a signalling NaN that breaks the
    range check). What cannot be read gets one message, `unreadable` (say, the range the field
    takes), not a second one from the range check after it; a blank field is empty, for Optional().
    Each field names the text it reads (`pattern`) and how it reads it (its method `read`)."""
    pattern: re.Pattern
    not_a_number = ""

    def __init__(self, label=None, validators=None, unreadable=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.unreadable = unreadable

    def process_formdata(self, valuelist):
        if not valuelist:
            return  # not sent at all: the default stays
        text = valuelist[0].strip() if isinstance(valuelist[0], str) else ""
        self.data = None
        if not text:
            return
        try:
            if self.pattern.fullmatch(text):
                self.data = self.read(text)
                return
        except ValueError:  # more digits than Python reads into a number (4,300)
            pass
        raise ValueError(self.unreadable or self.gettext(self.not_a_number))

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()  # its message is there already


class WholeNumberField(_TypedNumber, IntegerField):
    pattern = re.compile(r"[+-]?[0-9]+")
    not_a_number = "Not a valid integer value."

    def read(self, text: str) -> int:
        return int(text)


class ItemNumberField(WholeNumberField):
    """An item's number as the pages write it, "#21", or without its sign."""
    pattern = re.compile(r"#?\s*[0-9]+")

    def read(self, text: str) -> int:
        return int(text.lstrip("#"))


class DecimalNumberField(_TypedNumber, DecimalField):
    """Takes a decimal comma too, as German is written ("2,5")."""
    pattern = re.compile(r"[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)")
    not_a_number = "Not a valid decimal value."

    def read(self, text: str) -> Decimal:
        return Decimal(text.replace(",", "."))


# Characters that turn the direction of the text after them: inside a title or a name they
# could write the rest of a sentence around it (a notification, an email) backwards. Refused
# there; long text (a description, a comment) may hold them, as mixed right-to-left and
# left-to-right writing does, and is shown as a block of its own. Marks (U+200E, U+200F) stay
# allowed everywhere.
DIRECTION_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


class NoControlCharacters:
    """Refuses control characters (C0, DEL and C1), and in one line of text those that turn
    the direction of the text; long text (allow_newlines) may hold tabs, newlines and those."""

    def __init__(self, allow_newlines: bool = False):
        self.allowed = {"\t", "\n", "\r"} | DIRECTION_CONTROLS if allow_newlines else set()

    def __call__(self, form, field):
        from flask_babel import lazy_gettext as _l

        if any((unicodedata.category(ch) == "Cc" or ch in DIRECTION_CONTROLS) and ch not in self.allowed
               for ch in field.data or ""):
            raise ValidationError(_l("Please remove the invisible control characters."))


def show_error(form, error, default_field: str) -> None:
    """Puts a service's DomainError next to its field, or above the form when no field has that name
    (each of several at once next to its own)."""
    from wtforms import Field

    from .errors import DomainErrors

    if isinstance(error, DomainErrors):
        for each in error.errors:
            show_error(form, each, default_field)
        return

    field = getattr(form, error.field or default_field, None)
    if isinstance(field, Field):
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


# Invisible characters that str.strip() keeps: zero-width space, joiners, word joiner and the
# invisible operators, the byte order mark, the soft hyphen, direction marks, the combining
# grapheme joiner, the Mongolian vowel separator; and letters and symbols that show as blank
# (the Hangul fillers, the blank Braille pattern); and the tag characters.
_INVISIBLE = ("\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad\u200e\u200f\u034f\u180e"
              "\u115f\u1160\u3164\uffa0\u2800" + "".join(chr(code) for code in range(0xE0000, 0xE0080)))
# What str.strip() takes (no space character lies above U+3000), and those.
_AROUND = "".join(chr(code) for code in range(0x3001) if chr(code).isspace()) + _INVISIBLE


def strip(value):
    """Without the spaces and invisible characters around it (a title of zero-width spaces alone
    is an empty title), and with its letters composed (NFC): a "ü" pasted as "u" and two dots
    (as some Mac programs and PDFs write it) is the same "ü" for search and for names that must
    differ."""
    return unicodedata.normalize("NFC", value.strip(_AROUND)) if isinstance(value, str) else value
