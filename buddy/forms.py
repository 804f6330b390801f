"""The form kit shared by every blueprint: field types, validators and small forms.

One of each: ``DecimalCommaField``, ``not_in_future``, ``RejectForm``, ``ConfirmForm``,
``Select``/``Radio`` (choices assigned after construction), ``locale_choices``,
``contact_fields`` (e-mail and phone, for the person themselves or typed by a coordinator).
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from flask import render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import (
    DataRequired,
    Email,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from . import clock
from .auth.services import PASSWORD_MAX, normalise_email, normalise_phone
from .i18n import NATIVE_NAMES, language_name
from .vocab import DAYS, PARTS, slot_index, slot_keys

TOO_LONG = _l("This is too long.")
PASSWORD_MISSING = _l("Please fill in your password.")
EARLIEST_DATE = date(2000, 1, 1)


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


def required_text(missing, max_length: int) -> list:
    """Validators of a text that must be filled in (``missing`` if not) and fit ``max_length``."""
    return [DataRequired(missing), Length(max=max_length, message=TOO_LONG)]


def current_password(label, missing=PASSWORD_MISSING) -> PasswordField:
    """The field where a person types the password they have now, to prove it is them."""
    return PasswordField(label, validators=required_text(missing, PASSWORD_MAX),
                         render_kw={"autocomplete": "current-password"})


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


# WTForms 3.3 warns (an error in our tests) when tuple choices are passed to a field's
# constructor; assigning them right after is supported and keeps the (value, label) pairs
# that the shared form macros and MultiCheckboxField expect.

class Select(SelectField):
    """A select whose ``(value, label)`` choices are assigned after construction."""

    def __init__(self, label=None, validators=None, choices=(), **kwargs):
        super().__init__(label, validators, choices=[], **kwargs)
        self.choices = list(choices)


class Radio(RadioField):
    """Radio buttons whose ``(value, label)`` choices are assigned after construction."""

    def __init__(self, label=None, validators=None, choices=(), **kwargs):
        super().__init__(label, validators, choices=[], **kwargs)
        self.choices = list(choices)


def not_in_future(form, field) -> None:
    """A date that already happened (today is fine), and not absurdly long ago."""
    if field.data and field.data > clock.today():
        raise ValidationError(_l("This date is in the future."))
    if field.data and field.data < EARLIEST_DATE:
        raise ValidationError(_l("This date is too long ago."))


_DECIMAL = re.compile(r"^[+-]?\d{1,3}(?:[.,]\d{1,12})?$")


class DecimalCommaField(StringField):
    """A decimal number typed with a comma or a dot (52,0907 or 52.0907); no NaN, no 1e3."""

    def __init__(self, label=None, validators=None, invalid_message=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.invalid_message = invalid_message or _l(
            "Please write a number, like 52,0907 or 52.0907.")

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist:
            return
        raw = clean_text(valuelist[0]).replace(" ", "")
        if not raw:
            return
        if not _DECIMAL.match(raw):
            raise ValueError(self.invalid_message)
        self.data = float(raw.replace(",", "."))

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else f"{self.data:.6f}".rstrip("0").rstrip(".")


# -- contact details ----------------------------------------------------------------------

_PHONE_CHARACTERS = re.compile(r"[0-9+()./\s-]*")
_PHONE_NUMBER = re.compile(r"\+[0-9]{8,15}")
DUTCH_NUMBER_DIGITS = 11  # 31 and nine digits


class PhoneNumber:
    """Accept Dutch (06..., +31...) and international numbers with spaces or dashes."""

    def __init__(self, bad_characters, bad_number):
        self.bad_characters, self.bad_number = bad_characters, bad_number

    def __call__(self, form, field) -> None:
        if not field.data:
            return
        if not _PHONE_CHARACTERS.fullmatch(field.data):
            raise ValidationError(self.bad_characters)
        number = normalise_phone(field.data)
        if not _PHONE_NUMBER.fullmatch(number) or (
                number.startswith("+31") and len(number) - 1 != DUTCH_NUMBER_DIGITS):
            raise ValidationError(self.bad_number)


class OneOfEmailOrPhone:
    """Require the phone number or the e-mail address (put on the phone field)."""

    def __init__(self, message):
        self.message = message

    def __call__(self, form, field) -> None:
        if not field.data and not form.email.data:
            raise ValidationError(self.message)


@dataclass(frozen=True)
class ContactWording:
    """What differs between people typing their own contact details (``own``) and a
    coordinator typing them for someone: the words, the share boxes, one of two required."""

    own: bool
    email_invalid: str
    phone_bad_characters: str
    phone_bad_number: str
    email_description: str | None = None
    phone_description: str | None = None
    one_required: str | None = None  # the message when both are empty; None: both optional
    share_email: str | None = None  # the label of "the buddy may see it"; None: no box
    share_phone: str | None = None


def contact_fields(wording: ContactWording) -> type:
    """Return the one form mixin for an e-mail address and a phone number.

    Both are checked and normalised the same way for everyone (``contact_values``);
    ``wording`` holds what differs between the person and a coordinator typing them.
    """
    fill = {"email": "email", "tel": "tel"} if wording.own else {"email": "off", "tel": "off"}
    phone_checks = [Length(max=30, message=TOO_LONG),
                    PhoneNumber(wording.phone_bad_characters, wording.phone_bad_number)]
    if wording.one_required:
        phone_checks.append(OneOfEmailOrPhone(wording.one_required))

    class ContactFields:
        phone = CleanStringField(
            _l("Phone number"), validators=phone_checks, description=wording.phone_description,
            render_kw={"type": "tel", "inputmode": "tel", "autocomplete": fill["tel"],
                       "dir": "ltr"})
        email = CleanStringField(
            _l("E-mail address"), description=wording.email_description,
            validators=[Optional(), Length(max=254, message=TOO_LONG),
                        Email(wording.email_invalid, check_deliverability=False)],
            render_kw={"type": "email", "inputmode": "email", "autocomplete": fill["email"],
                       "dir": "ltr", "spellcheck": "false", "autocapitalize": "none"})
        if wording.share_phone:
            share_phone = BooleanField(wording.share_phone)
        if wording.share_email:
            share_email = BooleanField(wording.share_email)

        def contact_values(self) -> tuple[str | None, str | None]:
            """Return the e-mail address and phone number as stored (None when empty)."""
            return (normalise_email(self.email.data) if self.email.data else None,
                    normalise_phone(self.phone.data) if self.phone.data else None)

    return ContactFields


class ConfirmForm(FlaskForm):
    """A form with only the CSRF token, for single-button actions."""


REASON_MAX = 300


class RejectForm(FlaskForm):
    """Reject something (a volunteer, a proposed pair) with a short reason.

    ``label`` and ``description`` say what the reason is about on each page.
    """

    reason = CleanTextAreaField(
        _l("Reason"),
        validators=[DataRequired(_l("Please give a reason.")),
                    Length(max=REASON_MAX,
                           message=_l("Please write at most %(max)d characters."))],
        render_kw={"maxlength": REASON_MAX, "rows": 2})

    def __init__(self, *args, label=None, description=None, **kwargs):
        super().__init__(*args, **kwargs)
        if label is not None:
            self.reason.label.text = label
        if description is not None:
            self.reason.description = description


def all_choice(label=None) -> list[tuple[str, str]]:
    """The empty first choice of a filter: everything."""
    return [("", label or _l("All"))]


def vocab_choices(vocab_labels: dict) -> list[tuple[str, str]]:
    """Choices from a table of ``buddy.labels``."""
    return list(vocab_labels.items())


def neighbourhood_choices(neighbourhoods) -> list[tuple[str, str]]:
    """Return select choices for an organisation's neighbourhoods (ids as strings)."""
    return [(str(n.id), n.name) for n in neighbourhoods]


def locale_choices() -> list[tuple[str, str]]:
    """Interface languages, each named in its own script and in the reader's language."""
    choices = []
    for code, native in NATIVE_NAMES.items():
        local = language_name(code)
        choices.append((code, native if local == native else f"{native} ({local})"))
    return choices


class ListFilterForm(FlaskForm):
    """Filters of a coordinator's list (GET, no CSRF): a name, a neighbourhood, a page."""

    class Meta:
        csrf = False

    q = CleanStringField(_l("Name"), validators=[Length(max=100, message=TOO_LONG)])
    neighbourhood = Select(_l("Neighbourhood"), choices=[], default="")
    page = SmallIntegerField(_l("Page"), default=1,
                        validators=[Optional(), NumberRange(min=1, max=100_000)])

    def __init__(self, *args, neighbourhoods=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.neighbourhood.choices = all_choice() + neighbourhood_choices(neighbourhoods)

    def neighbourhood_id(self) -> int | None:
        return int(self.neighbourhood.data) if self.neighbourhood.data else None

    def page_number(self) -> int:
        if self.page.errors or not self.page.data:
            return 1
        return self.page.data

    def valid_fields(self) -> set[str]:
        """Return the names of the fields without errors (invalid filters are left out)."""
        return {name for name, field in self._fields.items() if not field.errors}


def render_form(template: str, form: FlaskForm, **context):
    """Render the page of ``form``: status 422 once it was sent (and so did not pass), else 200."""
    return render_template(template, form=form, **context), 422 if form.is_submitted() else 200


def bind_list_filter(form_class, neighbourhoods) -> tuple:
    """Bind a list page's filter form to the query string; return it and whether it is valid
    (a list with a bad filter still shows, answered with 422)."""
    form = form_class(formdata=request.args, neighbourhoods=neighbourhoods)
    return form, form.validate()


def confirm_and_erase(profile, erase, template: str, done: str, list_endpoint: str):
    """Delete all data of ``profile`` with ``erase(profile, actor)`` once the coordinator ticked
    the confirmation; a refusal (``ActionRefused`` or ``ValueError``) shows next to the form."""
    from flask import flash, redirect, url_for
    from flask_login import current_user

    from .errors import ActionRefused

    form = ConfirmDeleteForm()
    if form.validate_on_submit():
        try:
            erase(profile, current_user)
        except (ActionRefused, ValueError) as error:
            form.form_errors.append(str(error))
        else:
            flash(done, "success")
            return redirect(url_for(list_endpoint))
    return render_template(template, profile=profile,
                           form=form), 422 if form.is_submitted() else 200


class ConfirmDeleteForm(FlaskForm):
    confirm = BooleanField(
        _l("I understand that all data of this person is deleted and cannot be restored"),
        validators=[DataRequired(_l("Please tick the box to confirm."))])
