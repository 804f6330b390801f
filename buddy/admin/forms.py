"""Administration forms: organisations, coordinators, account look-up, audit filters."""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from ..auth.services import normalise_email
from ..forms import CleanStringField, Radio, Select, SmallIntegerField, locale_choices
from ..i18n import DEFAULT_LOCALE
from . import services

TOO_LONG = _l("This is too long.")
SLUG_PATTERN = r"^[a-z0-9-]{2,60}$"
MAX_CHECKINS = 8
MAX_CHECKIN_DAY = 730


def _years(low: int, high: int):
    return NumberRange(min=low, max=high,
                       message=_l("Please give a number from %(min)s to %(max)s."))


def parse_checkin_days(text: str) -> list[int]:
    """Return the check-in days in ``text`` ("14, 91, 182"), sorted; ValueError if invalid."""
    parts = [p for p in re.split(r"[\s,;]+", text or "") if p]
    if not parts or len(parts) > MAX_CHECKINS or not all(
        p.isdigit() and len(p) <= 4 for p in parts
    ):
        raise ValueError
    days = sorted({int(p) for p in parts})
    if len(days) != len(parts) or not all(1 <= d <= MAX_CHECKIN_DAY for d in days):
        raise ValueError
    return days


class OrganisationForm(FlaskForm):
    slug = CleanStringField(
        # Translators: the "slug" of an organisation, used in links like /o/utrecht/join
        _l("Short name for web addresses"),
        validators=[DataRequired(_l("Please fill in the short name.")),
                    Regexp(SLUG_PATTERN, message=_l(
                        "Use 2 to 60 lower-case letters a-z, digits and hyphens."))],
        render_kw={"dir": "ltr", "autocomplete": "off"},
        description=_l("Used in the sign-up links, like /o/short-name/join. It cannot be "
                       "changed later, because printed links and QR codes use it."))
    name = CleanStringField(_l("Name"), validators=[
        DataRequired(_l("Please fill in the name.")), Length(max=200, message=TOO_LONG)])
    city = CleanStringField(_l("City"), validators=[
        DataRequired(_l("Please fill in the city.")), Length(max=100, message=TOO_LONG)])
    vog_required = BooleanField(_l("Volunteers need a certificate of conduct (VOG)"),
                                default=True)
    vog_valid_years = SmallIntegerField(
        _l("A VOG is valid for (years)"), default=3,
        validators=[InputRequired(_l("Please fill in a number.")), _years(1, 10)])
    match_months = SmallIntegerField(
        _l("A match lasts (months)"), default=12,
        validators=[InputRequired(_l("Please fill in a number.")), _years(1, 36)])
    checkin_days = CleanStringField(
        _l("Check-ins after (days)"), default="14, 91, 182",
        validators=[DataRequired(_l("Please fill in at least one day.")),
                    Length(max=60, message=TOO_LONG)],
        render_kw={"dir": "ltr", "inputmode": "numeric"},
        description=_l("Days after the start of a match, separated by commas. "
                       "For example: 14, 91, 182."))
    meeting_reminder_days = SmallIntegerField(
        _l("Remind volunteers after days without a logged meeting"), default=21,
        validators=[InputRequired(_l("Please fill in a number.")), _years(3, 120)])

    def validate_slug(self, field) -> None:
        if services.slug_taken(field.data):
            raise ValidationError(_l("This short name is already used."))

    def validate_checkin_days(self, field) -> None:
        try:
            parse_checkin_days(field.data)
        except ValueError:
            raise ValidationError(_l(
                "Please give up to %(count)d different whole numbers from 1 to %(max)d, "
                "separated by commas.", count=MAX_CHECKINS, max=MAX_CHECKIN_DAY)) from None

    def settings(self) -> "services.OrganisationSettings":
        """Return the validated settings."""
        return services.OrganisationSettings(
            name=self.name.data, city=self.city.data, vog_required=bool(self.vog_required.data),
            vog_valid_years=self.vog_valid_years.data, match_months=self.match_months.data,
            checkin_days=parse_checkin_days(self.checkin_days.data),
            meeting_reminder_days=self.meeting_reminder_days.data)

    def fill_from(self, organisation) -> None:
        for name in ("name", "city", "vog_required", "vog_valid_years", "match_months",
                     "meeting_reminder_days"):
            getattr(self, name).data = getattr(organisation, name)
        self.checkin_days.data = ", ".join(str(d) for d in organisation.checkin_days)


class CoordinatorForm(FlaskForm):
    email = CleanStringField(
        _l("E-mail address"),
        validators=[DataRequired(_l("Please fill in the e-mail address.")),
                    Length(max=254, message=TOO_LONG),
                    Email(message=_l("This is not a valid e-mail address."))],
        render_kw={"dir": "ltr", "type": "email", "autocomplete": "off"})
    locale = Select(_l("Language for their pages and e-mails"), choices=[], default=DEFAULT_LOCALE,
                         invalid_choice_message=_l("Please choose a language."))
    delivery = Radio(
        _l("Invitation link"), default="email",
        choices=[("email", _l("E-mail the link to them")),
                 ("show", _l("Show me the link once, I pass it on myself"))],
        invalid_choice_message=_l("Please choose one."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.locale.choices = locale_choices()

    def validate_email(self, field) -> None:
        if services.email_taken(normalise_email(field.data)):
            raise ValidationError(_l("This e-mail address is already used by another account."))


class AccountLookupForm(FlaskForm):
    identifier = CleanStringField(
        _l("E-mail address or phone number"),
        validators=[DataRequired(_l("Please fill in an e-mail address or phone number.")),
                    Length(max=254, message=TOO_LONG)],
        render_kw={"dir": "ltr", "autocomplete": "off"})


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    organisation = Select(_l("Organisation"), choices=[], default="")
    action = Select(_l("Action"), choices=[], default="")
    date_from = DateField(_l("From (UTC)"), validators=[Optional()])
    date_to = DateField(_l("To (UTC)"), validators=[Optional()])
    page = SmallIntegerField(_l("Page"), default=1,
                        validators=[Optional(), NumberRange(min=1, max=100_000)])

    def __init__(self, *args, organisations=(), actions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation.choices = [("", _l("All")), ("none", _l("None (platform)"))] + [
            (str(o.id), o.name) for o in organisations]
        self.action.choices = [("", _l("All"))] + [(a, a) for a in actions]

    def validate_date_to(self, field) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("This date is before the first date."))

    def filters(self) -> "services.AuditFilters":
        """Return the valid filters (invalid ones are left out)."""
        ok = {name for name, field in self._fields.items() if not field.errors}
        organisation = self.organisation.data if "organisation" in ok else ""
        return services.AuditFilters(
            organisation=organisation or "",
            action=self.action.data if "action" in ok else "",
            date_from=self.date_from.data if "date_from" in ok else None,
            date_to=self.date_to.data if "date_to" in ok else None,
        )

    def page_number(self) -> int:
        if self.page.errors or not self.page.data:
            return 1
        return self.page.data
