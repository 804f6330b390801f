"""Volunteer forms: the five sign-up steps, the own profile, and pausing.

The profile questions live in small field groups (``AboutFields``, ``TimesFields``,
``InterestsFields``, ``MotivationFields``) so the sign-up steps and the profile form ask
exactly the same questions with the same rules. Every rule answers in our own words
(msgids in our catalog), never with a WTForms default message.
"""

import calendar
from datetime import date, timedelta

from flask_babel import gettext, lazy_ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, PasswordField, RadioField, SelectField
from wtforms.validators import (
    DataRequired,
    Email,
    Length,
    NumberRange,
    StopValidation,
    ValidationError,
)

from .. import clock, labels
from ..auth.forms import strong_password
from ..forms import (
    CleanStringField,
    CleanTextAreaField,
    MultiCheckboxField,
    SlotsField,
    SmallIntegerField,
    name_length,
    person_name,
    required_text,
)
from ..i18n import language_name
from ..vocab import (
    AGE_BANDS,
    GENDERS,
    GOALS,
    INTERESTS,
    LANGUAGE_LEVELS,
    SPOKEN_LANGUAGES,
    keys_from_mask,
    mask_from_keys,
    slot_keys,
)

LANGUAGE_ROWS = 4  # other languages a volunteer can add next to Dutch
RADIUS_MIN, RADIUS_MAX = 1, 25
CAPACITIES = (1, 2, 3)
COMMITMENT_MONTHS = (6, 12, 18, 24)
PAUSE_REASONS = ("holiday", "busy", "other")
PAUSE_MAX_MONTHS = 6
MOTIVATION_MAX = 1000
OCCUPATION_MAX = 120
CHOOSE = _l("Please choose from the list.")
TOO_LONG = _l("Please write at most %(max)d characters.")


def at_least_one(message):
    """Validator: a group of checkboxes needs at least one ticked box."""

    def check(form, field) -> None:
        if not field.data:
            raise StopValidation(message)

    return check


def add_months(day: date, months: int) -> date:
    """Return ``day`` moved ``months`` calendar months ahead (clamped to the month's end)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class AboutFields:
    """Step b: who you are, which languages you speak, where and how you meet.

    A form with these fields takes the organisation's ``neighbourhoods`` and checks the
    language rows when it validates.
    """

    language_row_numbers = range(1, LANGUAGE_ROWS + 1)
    first_name = CleanStringField(
        _l("First name"),
        description=_l("Only your first name. Your buddy and the coordinator see it."),
        validators=[DataRequired(_l("Please fill in your first name.")), name_length(100),
                    person_name],
        render_kw={"autocomplete": "given-name", "dir": "auto"},
    )
    age_band = RadioField(
        _l("Age"), choices=lambda: [(key, labels.AGE_BANDS[key]) for key in AGE_BANDS],
        invalid_choice_message=_l("Please choose your age."),
    )
    gender = RadioField(
        _l("Gender (optional)"),
        choices=lambda: [("", _l("I prefer not to say")),
                         *[(k, labels.GENDERS[k]) for k in GENDERS]],
        default="", invalid_choice_message=CHOOSE,
    )
    nl_level = SelectField(
        _l("Dutch"),
        choices=lambda: [("good", labels.LANGUAGE_LEVELS["good"]),
                         ("native", labels.LANGUAGE_LEVELS["native"])],
        default="good", invalid_choice_message=CHOOSE,
    )
    neighbourhood = SelectField(
        _l("Neighbourhood where you live"), choices=[],
        invalid_choice_message=_l("Please choose your neighbourhood."),
    )
    radius_km = SmallIntegerField(
        _l("How far will you travel to meet? (km)"),
        validators=[NumberRange(RADIUS_MIN, RADIUS_MAX,
                                message=_l("Please fill in a number from %(min)s to %(max)s."))],
        default=5,
        invalid_value_message=_l("Please fill in a whole number of kilometres."),
        render_kw={"type": "number", "inputmode": "numeric", "min": RADIUS_MIN,
                   "max": RADIUS_MAX, "dir": "ltr"},
    )
    meeting_modes = MultiCheckboxField(
        _l("How do you want to meet?"),
        choices=lambda: [("in_person", labels.MEETING_MODES["in_person"]),
                         ("online", labels.MEETING_MODES["online"])],
        validators=[at_least_one(_l("Please choose at least one way to meet."))],
        default=["in_person"],
    )

    def __init__(self, *args, neighbourhoods=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.prepare_about(neighbourhoods)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        return self.check_language_rows() and valid

    def prepare_about(self, neighbourhoods) -> None:
        """Fill the choices that depend on the organisation and the reader's language."""
        self.neighbourhood.choices = [("", gettext("Choose your neighbourhood"))] + [
            (str(hood.id), hood.name) for hood in neighbourhoods]
        others = sorted((code for code in SPOKEN_LANGUAGES if code != "nl"), key=language_name)
        empty = "—"  # the empty choice: not a word, so nothing to translate
        language_choices = [("", empty)] + [
            (code, language_name(code)) for code in others]
        level_choices = [("", empty)] + [
            (key, labels.LANGUAGE_LEVELS[key]) for key in LANGUAGE_LEVELS]
        for row in language_rows(self):
            row.language.choices = language_choices
            row.level.choices = level_choices
        self.nl_level.label.text = language_name("nl")

    def check_language_rows(self) -> bool:
        """Each row needs both a language and a level; a language may appear once."""
        seen = {"nl"}
        valid = True
        for row in language_rows(self):
            code, level = row.language.data, row.level.data
            message, field = None, None
            if code and not level:
                message, field = gettext("Please choose how well you speak it."), row.level
            elif level and not code:
                message, field = gettext("Please choose the language."), row.language
            elif code and code in seen:
                message, field = gettext("You chose this language twice."), row.language
            if message and not field.errors:
                field.errors.append(message)
            valid = valid and not row.language.errors and not row.level.errors
            seen.add(code)
        return valid

    def about_values(self) -> dict:
        """Return the profile columns this group fills."""
        levels = {"nl": self.nl_level.data}
        for row in language_rows(self):
            if row.language.data:
                levels[row.language.data] = row.level.data
        modes = set(self.meeting_modes.data or [])
        return {
            "first_name": self.first_name.data,
            "age_band": self.age_band.data,
            "gender": self.gender.data or None,
            "languages": list(levels),
            "language_levels": levels,
            "neighbourhood_id": int(self.neighbourhood.data),
            "radius_km": self.radius_km.data,
            "in_person": "in_person" in modes,
            "online": "online" in modes,
        }


class LanguageRow:
    """One "other language" row of the about step: a language and how well."""

    def __init__(self, form, number: int) -> None:
        self.number = number
        self.language = form[f"lang_{number}"]
        self.level = form[f"level_{number}"]


def language_rows(form) -> list[LanguageRow]:
    """Return the language rows of ``form`` in order."""
    return [LanguageRow(form, n) for n in range(1, LANGUAGE_ROWS + 1)]


for _n in range(1, LANGUAGE_ROWS + 1):
    setattr(AboutFields, f"lang_{_n}", SelectField(
        # Translators: label of the n-th "other language" select on the sign-up form
        _l("Other language %(number)d", number=_n), choices=[], default="",
        invalid_choice_message=CHOOSE))
    setattr(AboutFields, f"level_{_n}", SelectField(
        # Translators: label of the level select next to the n-th other language
        _l("How well do you speak other language %(number)d?", number=_n), choices=[],
        default="", invalid_choice_message=CHOOSE))




class TimesFields:
    """Step c: the weekly availability grid."""

    availability = SlotsField(
        _l("When are you usually free?"),
        description=_l("Tick every part of the week that usually suits you. More is better."),
        validators=[at_least_one(_l("Please tick at least one part of the week."))],
    )

    def times_values(self) -> dict:
        return {"availability": self.availability.mask}


class InterestsFields:
    """Step d: interests, the support offered and the commitment."""

    interests = MultiCheckboxField(
        _l("What do you like to do?"),
        description=_l("Optional. Shared interests help to find a good match."),
        choices=lambda: [(key, labels.INTERESTS[key]) for key in INTERESTS],
    )
    support = MultiCheckboxField(
        _l("What support can you offer?"),
        description=_l("Choose one or more."),
        choices=lambda: [(key, labels.SUPPORT[key]) for key in GOALS],
        validators=[at_least_one(_l("Please choose at least one kind of support."))],
    )
    occupation = CleanStringField(
        _l("Occupation or sector (optional)"),
        description=_l("For example: nurse, IT, retired teacher."),
        validators=[Length(max=OCCUPATION_MAX, message=TOO_LONG)],
        render_kw={"dir": "auto", "autocomplete": "organization-title"},
    )
    entrepreneur = RadioField(
        _l("Have you run your own business?"),
        choices=lambda: [("no", _l("No")), ("yes", _l("Yes"))], default="no",
        invalid_choice_message=CHOOSE,
    )
    capacity = RadioField(
        _l("How many newcomers can you guide at the same time?"),
        choices=lambda: [(str(n), lazy_ngettext("%(num)d newcomer", "%(num)d newcomers", n))
                         for n in CAPACITIES],
        default="1", invalid_choice_message=CHOOSE,
    )
    commitment_months = RadioField(
        _l("For how long can you commit?"),
        choices=lambda: [(str(n), lazy_ngettext("%(num)d month", "%(num)d months", n))
                         for n in COMMITMENT_MONTHS],
        default="12", invalid_choice_message=CHOOSE,
    )

    def interests_values(self) -> dict:
        return {
            "interests": mask_from_keys(self.interests.data or [], INTERESTS),
            "support": mask_from_keys(self.support.data or [], GOALS),
            "occupation": self.occupation.data or "",
            "entrepreneur_experience": self.entrepreneur.data == "yes",
            "capacity": int(self.capacity.data),
            "commitment_months": int(self.commitment_months.data),
        }


class MotivationFields:
    """Why the volunteer wants to be a buddy (sign-up step e and the profile)."""

    motivation = CleanTextAreaField(
        _l("Why do you want to be a buddy?"),
        description=_l("A few sentences are enough. At most 1000 characters."),
        validators=[DataRequired(_l("Please write a few words about why you want to join.")),
                    Length(max=MOTIVATION_MAX, message=TOO_LONG)],
        render_kw={"dir": "auto", "rows": 5},
    )


class AccountForm(FlaskForm):
    """Step a: e-mail address and password."""

    email = CleanStringField(
        _l("E-mail address"),
        validators=[*required_text(_l("Please fill in your e-mail address."), 254),
                    Email(_l("Please fill in a valid e-mail address, like name@example.org."))],
        render_kw={"autocomplete": "email", "dir": "ltr", "type": "email",
                   "inputmode": "email", "spellcheck": "false"},
    )
    password = PasswordField(
        _l("Choose a password"),
        description=_l("At least 12 characters. A sentence is fine."),
        render_kw={"autocomplete": "new-password"},
    )

    def __init__(self, *args, password_kept: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.password_kept = password_kept
        if password_kept:
            self.password.description = gettext(
                "You already chose a password. Leave this empty to keep it.")

    def validate_password(self, field) -> None:
        if not field.data and self.password_kept:
            return
        if not field.data:
            raise ValidationError(gettext("Please choose a password."))
        strong_password(self, field)

    def account_values(self) -> dict:
        return {"email": self.email.data.strip().lower()}


class AboutForm(AboutFields, FlaskForm):
    pass


class AvailabilityForm(TimesFields, FlaskForm):
    pass


class InterestsForm(InterestsFields, FlaskForm):
    pass


class SharingFields:
    """What the volunteer lets their matched participant see; nothing unless chosen."""

    share_email = BooleanField(_l("The participant I am matched with may see my e-mail "
                                  "address"))
    share_phone = BooleanField(_l("The participant I am matched with may see my phone number"))

    def sharing_values(self) -> dict:
        return {"share_email": bool(self.share_email.data),
                "share_phone": bool(self.share_phone.data)}


class AgreementsForm(SharingFields, MotivationFields, FlaskForm):
    """Step e: motivation and the three agreements."""

    privacy = BooleanField(
        _l("I have read the privacy statement. I agree that my details are used to find a "
           "match and to contact me."),
        validators=[DataRequired(_l("Please agree to the privacy statement to sign up."))],
    )
    conduct = BooleanField(
        _l("I agree to the code of conduct for buddies."),
        validators=[DataRequired(_l("Please agree to the code of conduct to sign up."))],
    )
    vog = BooleanField(
        _l("I agree to apply for a certificate of conduct (VOG) when the coordinator asks."),
        validators=[DataRequired(_l("Please agree to the VOG check to sign up."))],
    )

    def motivation_values(self) -> dict:
        return {"motivation": self.motivation.data}


class ProfileForm(AboutFields, TimesFields, InterestsFields, MotivationFields, SharingFields,
                  FlaskForm):
    """The volunteer's own profile: the same questions as sign-up steps b to d, plus why."""

    def profile_values(self) -> dict:
        return {**self.about_values(), **self.times_values(), **self.interests_values(),
                "motivation": self.motivation.data}


class PauseForm(FlaskForm):
    """Pause matching until a date, with a reason code."""

    until = DateField(
        _l("Pause until"),
        description=_l("A date from tomorrow up to six months ahead, like 2026-12-31."),
        invalid_value_message=_l("Please fill in a date like 2026-12-31."),
        render_kw={"type": "date", "dir": "ltr"},
    )
    reason = RadioField(
        _l("Why do you pause?"),
        choices=lambda: [("holiday", _l("Holiday")), ("busy", _l("Busy for a while")),
                         ("other", _l("Another reason"))],
        invalid_choice_message=_l("Please choose a reason."),
    )

    def validate_until(self, field) -> None:
        if field.data is None:
            raise ValidationError(gettext("Please fill in a date like 2026-12-31."))
        first, last = clock.today() + timedelta(days=1), add_months(clock.today(), PAUSE_MAX_MONTHS)
        if not first <= field.data <= last:
            raise ValidationError(gettext("Please choose a date from tomorrow up to six months "
                                          "ahead."))


def profile_form_data(profile) -> dict:
    """Return the ``ProfileForm`` values of a saved ``VolunteerProfile`` (for editing)."""
    levels = profile.language_levels or {}
    others = [code for code in profile.languages if code != "nl"][:LANGUAGE_ROWS]
    data = {
        "first_name": profile.first_name, "age_band": profile.age_band,
        "gender": profile.gender or "",
        "nl_level": "native" if levels.get("nl") == "native" else "good",
        "neighbourhood": str(profile.neighbourhood_id), "radius_km": profile.radius_km,
        "meeting_modes": [m for m, on in (("in_person", profile.in_person),
                                          ("online", profile.online)) if on],
        "availability": [f"{d}-{p}" for d, p in slot_keys(profile.availability)],
        "interests": keys_from_mask(profile.interests, INTERESTS),
        "share_email": profile.share_email, "share_phone": profile.share_phone,
        "support": keys_from_mask(profile.support, GOALS),
        "occupation": profile.occupation, "motivation": profile.motivation,
        "entrepreneur": "yes" if profile.entrepreneur_experience else "no",
        "capacity": str(profile.capacity), "commitment_months": str(profile.commitment_months),
    }
    for number, code in enumerate(others, start=1):
        data[f"lang_{number}"] = code
        data[f"level_{number}"] = levels.get(code, "basic")
    return data
