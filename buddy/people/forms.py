"""Coordinator forms: list filters, screening steps, participant facts and intake, places."""

import re
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, RadioField, SelectField, StringField
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)

from .. import clock, labels
from ..auth.services import normalise_email, normalise_phone
from ..forms import (
    CleanStringField,
    CleanTextAreaField,
    MultiCheckboxField,
    SlotsField,
    SmallIntegerField,
    clean_text,
    name_length,
    person_name,
)
from ..i18n import DEFAULT_LOCALE, NATIVE_NAMES, language_name
from ..vocab import (
    BARRIERS,
    GOALS,
    INTERESTS,
    LEVELS,
    SPOKEN_LANGUAGES,
    TARGET_LEVELS,
    mask_from_keys,
)
from . import services
from .services import Contact, ParticipantFacts
from .wording import CONSENT_PURPOSES, spoken_language_name

TOO_LONG = _l("This is too long.")
EARLIEST_DATE = date(2000, 1, 1)


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
    """A date that already happened (today is fine)."""
    if field.data and field.data > clock.today():
        raise ValidationError(_l("This date is in the future."))
    if field.data and field.data < EARLIEST_DATE:
        raise ValidationError(_l("This date is too long ago."))


def _all_choice(label=None) -> list[tuple[str, str]]:
    return [("", label or _l("All"))]


def _choices(vocab_labels: dict) -> list[tuple[str, str]]:
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


def spoken_language_choices() -> list[tuple[str, str]]:
    """Spoken languages named in the reader's language, sorted by that name."""
    return sorted(((code, spoken_language_name(code)) for code in SPOKEN_LANGUAGES),
                  key=lambda item: item[1].casefold())


# -- list filters (GET, no CSRF) -----------------------------------------------------------

class _FilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = CleanStringField(_l("Name"), validators=[Length(max=100, message=TOO_LONG)])
    neighbourhood = Select(_l("Neighbourhood"), choices=[], default="")
    page = SmallIntegerField(_l("Page"), default=1,
                        validators=[Optional(), NumberRange(min=1, max=100_000)])

    def __init__(self, *args, neighbourhoods=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.neighbourhood.choices = _all_choice() + neighbourhood_choices(neighbourhoods)

    def neighbourhood_id(self) -> int | None:
        return int(self.neighbourhood.data) if self.neighbourhood.data else None

    def page_number(self) -> int:
        if self.page.errors or not self.page.data:
            return 1
        return self.page.data


class VolunteerFilterForm(_FilterForm):
    screening = Select(_l("Screening"), default="",
                            choices=_all_choice() + _choices(labels.SCREENING))
    vog = Select(
        # Translators: VOG is the Dutch certificate of conduct (Verklaring Omtrent het Gedrag)
        _l("VOG"), default="",
        # Translators: filter option: approved volunteers whose VOG runs out within 30 days
        choices=_all_choice() + _choices(labels.VOG) + [("renewal", _l("Renewal due"))])
    paused = Select(_l("Paused"), default="", choices=_all_choice() + [
        ("yes", _l("Paused now")), ("no", _l("Not paused"))])

    def filters(self) -> "services.VolunteerFilters":
        """Return the valid filters (invalid ones are left out)."""
        ok = {name for name, field in self._fields.items() if not field.errors}
        return services.VolunteerFilters(
            q=self.q.data if "q" in ok else "",
            screening=self.screening.data if "screening" in ok else "",
            vog=self.vog.data if "vog" in ok else "",
            neighbourhood_id=self.neighbourhood_id() if "neighbourhood" in ok else None,
            paused=self.paused.data if "paused" in ok else "",
        )


class ParticipantFilterForm(_FilterForm):
    status = Select(_l("Status"), default="",
                         choices=_all_choice() + _choices(labels.PARTICIPANT_STATES))
    level = Select(_l("Dutch level"), default="",
                        choices=_all_choice() + _choices(labels.LEVELS))
    priority = Select(_l("Priority area"), default="", choices=_all_choice() + [
        ("yes", _l("Only priority areas")), ("no", _l("Other areas"))])
    min_days = SmallIntegerField(_l("Waiting at least (days)"),
                            validators=[Optional(), NumberRange(min=0, max=3650)])

    def filters(self) -> "services.ParticipantFilters":
        """Return the valid filters (invalid ones are left out)."""
        ok = {name for name, field in self._fields.items() if not field.errors}
        return services.ParticipantFilters(
            q=self.q.data if "q" in ok else "",
            status=self.status.data if "status" in ok else "",
            neighbourhood_id=self.neighbourhood_id() if "neighbourhood" in ok else None,
            level=self.level.data if "level" in ok else "",
            priority=self.priority.data if "priority" in ok else "",
            min_days=self.min_days.data if "min_days" in ok else None,
        )


# -- volunteer screening -----------------------------------------------------------------

class IntakeTalkForm(FlaskForm):
    held_on = DateField(_l("Date of the intake talk"),
                        validators=[InputRequired(_l("Please fill in the date.")), not_in_future])
    note = CleanTextAreaField(
        _l("Short note"), validators=[Length(max=2000, message=TOO_LONG)],
        description=_l("Facts that matter for matching. No medical or other sensitive details."))


def _date_needed_when_received(form, field) -> None:
    if form.status.data == "received" and not (field.raw_data and field.raw_data[0].strip()):
        raise StopValidation(_l("Please fill in the issue date of the VOG."))


class VogForm(FlaskForm):
    status = Radio(_l("VOG status"), choices=[
        ("requested", labels.VOG["requested"]), ("received", labels.VOG["received"])],
        invalid_choice_message=_l("Please choose a status."),
        validators=[InputRequired(_l("Please choose a status."))])
    issued_on = DateField(_l("Issue date on the VOG"),
                          validators=[_date_needed_when_received, Optional(), not_in_future],
                          description=_l("Only the date. Never keep a scan or copy."))

    def __init__(self, *args, valid_years: int = 3, **kwargs):
        super().__init__(*args, **kwargs)
        self.valid_years = valid_years

    def validate_issued_on(self, field) -> None:
        today = clock.today()
        if self.status.data == "received" and not services.vog_is_valid(
            field.data, self.valid_years, today
        ):
            raise ValidationError(_l(
                "This VOG is older than %(years)d years. Please ask for a new one.",
                years=self.valid_years))


class TrainingForm(FlaskForm):
    done_on = DateField(_l("Date the training was done"),
                        validators=[InputRequired(_l("Please fill in the date.")), not_in_future])


class RejectForm(FlaskForm):
    reason = CleanTextAreaField(
        _l("Reason"),
        validators=[DataRequired(_l("Please give a reason.")),
                    Length(max=300, message=_l("Please write at most %(max)d characters."))],
        description=_l("The volunteer does not see this. Keep it factual."))


# -- participants ------------------------------------------------------------------------

def _level_choices() -> list[tuple[str, str]]:
    return [(key, f"{key}: {labels.LEVEL_STATEMENTS[key]}") for key in LEVELS]


class ParticipantFactsForm(FlaskForm):
    """The facts a participant gives about themselves, plus the coordinator-only fields."""

    first_name = CleanStringField(
        _l("First name"), validators=[DataRequired(_l("Please fill in the first name.")),
                                      name_length(100), person_name])
    gender = Select(_l("Gender"), default="",
                         choices=[("", _l("Not given"))] + _choices(labels.GENDERS))
    neighbourhood = Select(_l("Neighbourhood"), choices=[], default="",
                                invalid_choice_message=_l("Please choose a neighbourhood."),
                                validators=[DataRequired(_l("Please choose a neighbourhood."))])
    radius_km = SmallIntegerField(
        _l("How far can they travel? (km)"), default=5,
        validators=[InputRequired(_l("Please fill in a distance.")),
                    NumberRange(min=0, max=100, message=_l("Please give 0 to 100 km."))])
    in_person = BooleanField(_l("Meet in person"), default=True)
    online = BooleanField(_l("Meet online"))
    availability = SlotsField(_l("When can they meet?"))
    interests = MultiCheckboxField(_l("Interests"), choices=_choices(labels.INTERESTS))
    languages = MultiCheckboxField(_l("Languages they speak"), choices=[])
    dutch_level = Radio(_l("Dutch level now"), choices=_level_choices(), default="A0",
                             invalid_choice_message=_l("Please choose a level."),
                             validators=[InputRequired(_l("Please choose a level."))])
    target_level = Select(_l("Target level"), default="",
                               choices=[("", _l("Not set"))] + [(k, k) for k in TARGET_LEVELS])
    route = Select(_l("Integration route"), choices=_choices(labels.ROUTES),
                        default="unknown",
                        invalid_choice_message=_l("Please choose from the list."))
    goals = MultiCheckboxField(_l("Goals"), choices=_choices(labels.GOALS))
    primary_goal = Radio(_l("Main goal"), choices=_choices(labels.GOALS),
                              invalid_choice_message=_l("Please choose the main goal."),
                              validators=[InputRequired(_l("Please choose the main goal."))])
    gender_pref = Radio(_l("Buddy preference"), choices=_choices(labels.GENDER_PREFS),
                             default="any", invalid_choice_message=_l("Please choose one."))
    share_email = BooleanField(_l("The buddy may see the e-mail address"))
    share_phone = BooleanField(_l("The buddy may see the phone number"))
    barriers = MultiCheckboxField(
        _l("Barriers (coordinators only)"), choices=_choices(labels.BARRIERS),
        description=_l("Only coordinators see this. Never shown to the buddy or participant."))
    barrier_note = CleanTextAreaField(
        _l("Note about barriers (coordinators only)"),
        validators=[Length(max=1000, message=TOO_LONG)],
        description=_l("Only what helps to support this person. No diagnoses."))

    def __init__(self, *args, neighbourhoods=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.neighbourhood.choices = [("", _l("Choose…"))] + neighbourhood_choices(neighbourhoods)
        self.languages.choices = spoken_language_choices()

    def validate_neighbourhood(self, field) -> None:
        if field.data not in {value for value, _label in self.neighbourhood.choices if value}:
            raise ValidationError(_l("Please choose a neighbourhood."))

    def validate_online(self, field) -> None:
        if not (self.in_person.data or field.data):
            raise ValidationError(_l("Choose in person, online, or both."))

    def validate_availability(self, field) -> None:
        if not field.mask:
            raise ValidationError(_l("Please choose at least one moment."))

    def validate_languages(self, field) -> None:
        if not field.data:
            raise ValidationError(_l("Please choose at least one language."))

    def validate_target_level(self, field) -> None:
        if field.data in TARGET_LEVELS and self.dutch_level.data in LEVELS and (
            LEVELS.index(field.data) < LEVELS.index(self.dutch_level.data)
        ):
            raise ValidationError(_l("The target level cannot be below the level now."))

    def facts(self) -> ParticipantFacts:
        """Return the validated facts for the services."""
        goals = set(self.goals.data or []) | {self.primary_goal.data}
        return ParticipantFacts(
            first_name=self.first_name.data,
            gender=self.gender.data or None,
            neighbourhood_id=int(self.neighbourhood.data),
            radius_km=self.radius_km.data,
            in_person=bool(self.in_person.data),
            online=bool(self.online.data),
            availability=self.availability.mask,
            interests=mask_from_keys(self.interests.data or [], INTERESTS),
            languages=[c for c in SPOKEN_LANGUAGES if c in (self.languages.data or [])],
            dutch_level=self.dutch_level.data,
            target_level=self.target_level.data or None,
            route=self.route.data,
            goals=mask_from_keys(goals, GOALS),
            primary_goal=self.primary_goal.data,
            gender_pref=self.gender_pref.data,
            share_email=bool(self.share_email.data),
            share_phone=bool(self.share_phone.data),
            barriers=[b for b in BARRIERS if b in (self.barriers.data or [])],
            barrier_note=self.barrier_note.data or "",
        )

    def fill_from(self, profile) -> None:
        """Fill the fields from ``profile`` (for a GET of the edit page)."""
        for name in ("first_name", "radius_km", "in_person", "online", "dutch_level", "route",
                     "primary_goal", "gender_pref", "share_email", "share_phone",
                     "barriers", "barrier_note", "languages"):
            getattr(self, name).data = getattr(profile, name)
        self.gender.data = profile.gender or ""
        self.target_level.data = profile.target_level or ""
        self.neighbourhood.data = str(profile.neighbourhood_id)
        self.availability.set_mask(profile.availability)
        self.interests.data = [k for i, k in enumerate(INTERESTS) if profile.interests >> i & 1]
        self.goals.data = profile.goal_keys


_PHONE = re.compile(r"^\+\d{8,15}$")


class ContactFields(FlaskForm):
    """E-mail, phone and language of a person registered by a coordinator."""

    email = CleanStringField(
        _l("E-mail address"),
        validators=[Optional(), Length(max=254, message=TOO_LONG),
                    Email(message=_l("This is not a valid e-mail address."))],
        render_kw={"dir": "ltr", "type": "email", "autocomplete": "off"},
        description=_l("Not required."))
    phone = CleanStringField(
        _l("Phone number"), validators=[Length(max=30, message=TOO_LONG)],
        render_kw={"dir": "ltr", "type": "tel", "inputmode": "tel", "autocomplete": "off"},
        description=_l("Not required. A mobile number helps to send the login link by SMS."))
    locale = Select(_l("Language for their pages and e-mails"), choices=[], default=DEFAULT_LOCALE,
                         invalid_choice_message=_l("Please choose a language."))

    exclude_user_id: int | None = None

    def __init__(self, *args, exclude_user_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.exclude_user_id = exclude_user_id
        self.locale.choices = locale_choices()

    def validate_email(self, field) -> None:
        if field.data and services.login_taken(normalise_email(field.data), None,
                                               self.exclude_user_id):
            raise ValidationError(_l("This e-mail address is already used by another account."))

    def validate_phone(self, field) -> None:
        if not field.data:
            return
        phone = normalise_phone(field.data)
        if not _PHONE.match(phone):
            raise ValidationError(_l("Please write a phone number, like 06 12345678."))
        if services.login_taken(None, phone, self.exclude_user_id):
            raise ValidationError(_l("This phone number is already used by another account."))

    def contact(self) -> Contact:
        """Return the validated contact details, normalised."""
        return Contact(
            email=normalise_email(self.email.data) if self.email.data else None,
            phone=normalise_phone(self.phone.data) if self.phone.data else None,
            locale=self.locale.data,
        )

    def fill_contact(self, user) -> None:
        self.email.data = user.email or ""
        self.phone.data = user.phone or ""
        self.locale.data = user.locale


class ParticipantEditForm(ParticipantFactsForm, ContactFields):
    """Edit a participant; the contact fields are removed when they have their own login."""


class IntakeForm(ParticipantFactsForm, ContactFields):
    consent_verbal = BooleanField(
        # Translators: the coordinator confirms this at an intake talk, for the participant
        _l("The participant gave consent verbally after I explained it in a language they "
           "understand"),
        validators=[DataRequired(_l("Without consent we cannot register this person."))])


class WithdrawConsentForm(FlaskForm):
    purpose = Select(_l("Consent to withdraw"), choices=[],
                          invalid_choice_message=_l("Please choose a consent."))

    def __init__(self, *args, purposes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.purpose.choices = [(p, CONSENT_PURPOSES.get(p, p)) for p in purposes]


class ConfirmDeleteForm(FlaskForm):
    confirm = BooleanField(
        _l("I understand that all data of this person is deleted and cannot be restored"),
        validators=[DataRequired(_l("Please tick the box to confirm."))])


# -- neighbourhoods and referrals ---------------------------------------------------------

_DECIMAL = re.compile(r"^[+-]?\d{1,3}(?:[.,]\d{1,12})?$")


class DecimalCommaField(StringField):
    """A decimal number typed with a comma or a dot (52,0907 or 52.0907)."""

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist:
            return
        raw = clean_text(valuelist[0]).replace(" ", "")
        if not raw:
            return
        if not _DECIMAL.match(raw):
            raise ValueError(_l("Please write a number, like 52,0907 or 52.0907."))
        self.data = float(raw.replace(",", "."))

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else f"{self.data:.6f}".rstrip("0").rstrip(".")


def coordinate(low: float, high: float):
    """Validate a required number between ``low`` and ``high``."""

    def check(form, field) -> None:
        if field.data is None:
            if not field.process_errors:
                raise ValidationError(_l("Please fill in a number."))
            return
        if not low <= field.data <= high:
            raise ValidationError(_l("Please give a number from %(low)d to %(high)d.",
                                     low=low, high=high))

    return check


class NeighbourhoodForm(FlaskForm):
    name = CleanStringField(_l("Name"), validators=[
        DataRequired(_l("Please fill in the name.")), Length(max=120, message=TOO_LONG)])
    lat = DecimalCommaField(_l("Latitude of the centre"), validators=[coordinate(-90, 90)],
                            render_kw={"dir": "ltr", "inputmode": "decimal"},
                            description=_l("For example 52,0907 (Utrecht)."))
    lon = DecimalCommaField(_l("Longitude of the centre"), validators=[coordinate(-180, 180)],
                            render_kw={"dir": "ltr", "inputmode": "decimal"},
                            description=_l("For example 5,1214 (Utrecht)."))
    priority_area = BooleanField(_l("Priority area"),
                                 description=_l("Matching gives people here a little priority."))

    def __init__(self, *args, organisation_id: int, exclude_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation_id = organisation_id
        self.exclude_id = exclude_id

    def validate_name(self, field) -> None:
        if services.neighbourhood_name_taken(self.organisation_id, field.data, self.exclude_id):
            raise ValidationError(_l("There is already a neighbourhood with this name."))


class ReferralForm(FlaskForm):
    name = CleanStringField(_l("Name"), validators=[
        DataRequired(_l("Please fill in the name.")), Length(max=200, message=TOO_LONG)])
    purpose = CleanTextAreaField(
        _l("What for"), validators=[DataRequired(_l("Please say what people can go there for.")),
                                    Length(max=1000, message=TOO_LONG)])
    contact = CleanStringField(
        _l("How to reach them"),
        validators=[DataRequired(_l("Please say how to reach them.")),
                    Length(max=300, message=TOO_LONG)],
        description=_l("Address, phone number, website or opening hours."))

