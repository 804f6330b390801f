"""Form building blocks shared by every blueprint: field types and validators."""

import re
import unicodedata

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectMultipleField, StringField, TextAreaField, widgets
from wtforms.validators import Length, ValidationError

from .vocab import DAYS, PARTS, slot_index, slot_keys


def clean_text(value: str | None) -> str:
    """Normalise user text: NFC, no control characters (except newlines), trimmed."""
    if value is None:
        return ""
    value = unicodedata.normalize("NFC", value)
    value = "".join(ch for ch in value if ch in "\n\t" or unicodedata.category(ch)[0] != "C"
                    or ch in "\u200c\u200d")  # keep zero-width joiners (Persian, Arabic)
    return value.strip()


class CleanStringField(StringField):
    """A one-line text field that normalises what was typed (newlines become spaces)."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.data = clean_text(self.data).replace("\n", " ").replace("\t", " ")


class CleanTextAreaField(TextAreaField):
    """A multi-line text field that normalises what was typed."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.data = clean_text(self.data).replace("\r\n", "\n")


class SmallIntegerField(IntegerField):
    """A whole number as people type it: ``NumberRange`` can compare it without overflow.

    WTForms turns any run of digits into an int, and a 4,000-digit int cannot be compared
    with a float bound; more than nine digits is never a real answer here.
    """

    def process_formdata(self, valuelist):
        if valuelist and len(str(valuelist[0]).strip()) > 9:
            self.data = None
            raise ValueError(_l("Please fill in a number."))
        super().process_formdata(valuelist)


class MultiCheckboxField(SelectMultipleField):
    """A group of checkboxes; unknown submitted values fail validation with a message.

    WTForms 3.3 deprecates tuple choices in the constructor; they are assigned right after
    construction instead, which keeps the ``(value, label)`` pairs the macros expect.
    """

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()

    def __init__(self, label=None, validators=None, choices=(), **kwargs):
        super().__init__(label, validators, choices=[], **kwargs)
        self.choices = list(choices() if callable(choices) else choices)

    def pre_validate(self, form):
        known = {value for value, _label in self.choices or []}
        if any(value not in known for value in self.data or []):
            raise ValidationError(_l("Please choose from the list."))


class SlotsField(MultiCheckboxField):
    """The weekly availability grid: values are ``day-part`` keys, 21 in all."""

    def __init__(self, label=None, validators=None, **kwargs):
        choices = [(f"{d}-{p}", f"{d}-{p}") for d in DAYS for p in PARTS]
        super().__init__(label, validators, choices=choices, **kwargs)

    @property
    def mask(self) -> int:
        mask = 0
        for key in self.data or []:
            day, _sep, part = key.partition("-")
            if day in DAYS and part in PARTS:
                mask |= 1 << slot_index(day, part)
        return mask

    def set_mask(self, mask: int) -> None:
        self.data = [f"{d}-{p}" for d, p in slot_keys(mask)]


def name_length(max_length: int = 100) -> Length:
    """Names of any script and shape: one letter is fine, very long is not."""
    return Length(min=1, max=max_length,
                  message=_l("Please write between %(min)d and %(max)d characters."))


_NAME_FORBIDDEN = re.compile(r"[<>{}\\@]|https?:|www\.")


def person_name(form, field) -> None:
    """Accept names in any script and of any shape, but not markup, links or digits only."""
    value = field.data or ""
    if _NAME_FORBIDDEN.search(value) or value.isdigit():
        raise ValidationError(_l("Please write only your name."))
    if not any(unicodedata.category(ch)[0] == "L" for ch in value):
        raise ValidationError(_l("Please write your name with letters."))
