"""Forms of the coordinator's participant pages: list filter, facts, contact, intake."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from .. import labels
from ..forms import (
    TOO_LONG,
    CleanStringField,
    CleanTextAreaField,
    ContactWording,
    ListFilterForm,
    MultiCheckboxField,
    Radio,
    Select,
    SlotsField,
    SmallIntegerField,
    all_choice,
    contact_fields,
    locale_choices,
    name_length,
    neighbourhood_choices,
    person_name,
    vocab_choices,
)
from ..i18n import DEFAULT_LOCALE
from ..labels import CONSENT_PURPOSES, spoken_language_name
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


def spoken_language_choices() -> list[tuple[str, str]]:
    """Spoken languages named in the reader's language, sorted by that name."""
    return sorted(((code, spoken_language_name(code)) for code in SPOKEN_LANGUAGES),
                  key=lambda item: item[1].casefold())


class ParticipantFilterForm(ListFilterForm):
    status = Select(_l("Status"), default="",
                         choices=all_choice() + vocab_choices(labels.PARTICIPANT_STATES))
    level = Select(_l("Dutch level"), default="",
                        choices=all_choice() + vocab_choices(labels.LEVELS))
    priority = Select(_l("Priority area"), default="", choices=all_choice() + [
        ("yes", _l("Only priority areas")), ("no", _l("Other areas"))])
    min_days = SmallIntegerField(_l("Waiting at least (days)"),
                            validators=[Optional(), NumberRange(min=0, max=3650)])

    def filters(self) -> "services.ParticipantFilters":
        """Return the valid filters (invalid ones are left out)."""
        ok = self.valid_fields()
        return services.ParticipantFilters(
            q=self.q.data if "q" in ok else "",
            status=self.status.data if "status" in ok else "",
            neighbourhood_id=self.neighbourhood_id() if "neighbourhood" in ok else None,
            level=self.level.data if "level" in ok else "",
            priority=self.priority.data if "priority" in ok else "",
            min_days=self.min_days.data if "min_days" in ok else None,
        )


# -- participants ------------------------------------------------------------------------

def _level_choices() -> list[tuple[str, str]]:
    return [(key, f"{key}: {labels.LEVEL_STATEMENTS[key]}") for key in LEVELS]


class ParticipantFactsForm(FlaskForm):
    """The facts a participant gives about themselves, plus the coordinator-only fields."""

    first_name = CleanStringField(
        _l("First name"), validators=[DataRequired(_l("Please fill in the first name.")),
                                      name_length(100), person_name])
    gender = Select(_l("Gender"), default="",
                         choices=[("", _l("Not given"))] + vocab_choices(labels.GENDERS))
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
    interests = MultiCheckboxField(_l("Interests"), choices=vocab_choices(labels.INTERESTS))
    languages = MultiCheckboxField(_l("Languages they speak"), choices=[])
    dutch_level = Radio(_l("Dutch level now"), choices=_level_choices(), default="A0",
                             invalid_choice_message=_l("Please choose a level."),
                             validators=[InputRequired(_l("Please choose a level."))])
    target_level = Select(_l("Target level"), default="",
                               choices=[("", _l("Not set"))] + [(k, k) for k in TARGET_LEVELS])
    route = Select(_l("Integration route"), choices=vocab_choices(labels.ROUTES),
                        default="unknown",
                        invalid_choice_message=_l("Please choose from the list."))
    goals = MultiCheckboxField(_l("Goals"), choices=vocab_choices(labels.GOALS))
    primary_goal = Radio(_l("Main goal"), choices=vocab_choices(labels.GOALS),
                              invalid_choice_message=_l("Please choose the main goal."),
                              validators=[InputRequired(_l("Please choose the main goal."))])
    gender_pref = Radio(_l("Buddy preference"), choices=vocab_choices(labels.GENDER_PREFS),
                             default="any", invalid_choice_message=_l("Please choose one."))
    share_email = BooleanField(_l("The buddy may see the e-mail address"))
    share_phone = BooleanField(_l("The buddy may see the phone number"))
    barriers = MultiCheckboxField(
        _l("Barriers (coordinators only)"), choices=vocab_choices(labels.BARRIERS),
        description=_l("Only coordinators see this. Never shown to the buddy or participant."))
    barrier_note = CleanTextAreaField(
        _l("Note about barriers (coordinators only)"),
        validators=[Length(max=1000, message=TOO_LONG)],
        description=_l("Only what helps to support this person. No diagnoses."))

    employer_partner = Select(
        _l("Works at an employer partner"), validators=[Optional()],
        description=_l("Then a colleague guide from this employer can be matched."))

    def __init__(self, *args, neighbourhoods=(), employers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.neighbourhood.choices = [("", _l("Choose…"))] + neighbourhood_choices(neighbourhoods)
        self.languages.choices = spoken_language_choices()
        self.employer_partner.choices = [("", _l("No"))] + [(str(p.id), p.name)
                                                            for p in employers]

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
            employer_partner_id=int(self.employer_partner.data)
            if self.employer_partner.data else None,
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
        self.employer_partner.data = str(profile.employer_partner_id or "")
        self.availability.set_mask(profile.availability)
        self.interests.data = [k for i, k in enumerate(INTERESTS) if profile.interests >> i & 1]
        self.goals.data = profile.goal_keys


CoordinatorContactFields = contact_fields(ContactWording(
    own=False,
    email_invalid=_l("This is not a valid e-mail address."),
    phone_bad_characters=_l("Please write a phone number, like 06 12345678."),
    phone_bad_number=_l("Please write a phone number, like 06 12345678."),
    email_description=_l("Not required."),
    phone_description=_l("Not required. A mobile number helps to send the login link by SMS."),
))


class IntakeContactFields(CoordinatorContactFields, FlaskForm):
    """E-mail, phone (neither required) and language of a person a coordinator registers."""

    locale = Select(_l("Language for their pages and e-mails"), choices=[], default=DEFAULT_LOCALE,
                    invalid_choice_message=_l("Please choose a language."))

    exclude_user_id: int | None = None

    def __init__(self, *args, exclude_user_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.exclude_user_id = exclude_user_id
        self.locale.choices = locale_choices()

    def validate_email(self, field) -> None:
        email, _phone = self.contact_values()
        if email and not field.errors and services.login_taken(email, None, self.exclude_user_id):
            raise ValidationError(_l("This e-mail address is already used by another account."))

    def validate_phone(self, field) -> None:
        _email, phone = self.contact_values()
        if phone and not field.errors and services.login_taken(None, phone, self.exclude_user_id):
            raise ValidationError(_l("This phone number is already used by another account."))

    def contact(self) -> Contact:
        """Return the validated contact details, normalised."""
        email, phone = self.contact_values()
        return Contact(email=email, phone=phone, locale=self.locale.data)

    def fill_contact(self, user) -> None:
        self.email.data = user.email or ""
        self.phone.data = user.phone or ""
        self.locale.data = user.locale


class ParticipantEditForm(ParticipantFactsForm, IntakeContactFields):
    """Edit a participant; the contact fields are removed when they have their own login."""


class IntakeForm(ParticipantFactsForm, IntakeContactFields):
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



class PhoneCheckForm(FlaskForm):
    """The coordinator called the participant's new phone number and checked it with them."""

    claim = HiddenField()
    checked = BooleanField(
        _l("I called this number and spoke with the participant: it is their number"),
        validators=[DataRequired(_l("Please tick the box to confirm."))])

    def claim_id(self) -> int | None:
        return int(self.claim.data) if (self.claim.data or "").isdigit() else None
