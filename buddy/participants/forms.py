"""Forms of the participant's sign-up steps (one question per screen) and own details.

Each step form has ``answers()``: the validated answer as the draft stores it (codes,
bitmasks, ids). Labels are the questions, in short, plain sentences.
"""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, RadioField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from ..auth.forms import strong_password
from ..auth.services import PASSWORD_MAX
from ..forms import (
    CleanStringField,
    ContactWording,
    MultiCheckboxField,
    SlotsField,
    contact_fields,
    name_length,
    person_name,
)
from ..vocab import (
    GENDER_PREFS,
    GOALS,
    INTERESTS,
    LEVELS,
    SPOKEN_LANGUAGES,
    mask_from_keys,
)

TOO_LONG = _l("This is too long.")
# Translators: error when a question that takes one answer was sent with several
ONE_ANSWER = _l("Please give one answer.")


def at_least_one(message):
    """Require at least one ticked box."""

    def check(form, field):
        if not field.data:
            raise ValidationError(message)

    return check


# WTForms 3.3 warns (an error in our tests) when choice tuples are given to a field's
# constructor; assigning them right after is supported and keeps the (value, label) pairs
# the templates and ``MultiCheckboxField`` expect.

class ChoiceField(RadioField):
    """One answer from a fixed list; anything else gets one short, translated message."""

    def __init__(self, label=None, validators=None, message=None, choices=(), **kwargs):
        super().__init__(label, validators, choices=[], **kwargs)
        self.choices = list(choices)
        self.message = message or _l("Please choose one answer.")

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None

    def pre_validate(self, form):
        if self.data is None or self.data not in {value for value, _label in self.choices or []}:
            raise ValidationError(self.message)


class StepForm(FlaskForm):
    """A step: refuses a single-answer field sent twice; ``nav`` says which button was used."""

    nav = StringField(validators=[Length(max=10)])

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        for field in self:
            if not isinstance(field, SelectMultipleField) and len(field.raw_data or []) > 1:
                field.errors = [*field.errors, ONE_ANSWER]
                valid = False
        return valid

    def answers(self) -> dict:
        raise NotImplementedError


class NameForm(StepForm):
    first_name = CleanStringField(
        _l("What is your first name?"),
        validators=[DataRequired(_l("Please write your first name.")), name_length(100),
                    person_name],
        description=_l("Only your first name. You may write it in your own alphabet."),
        render_kw={"autocomplete": "given-name", "dir": "auto", "spellcheck": "false"},
    )

    def answers(self) -> dict:
        return {"first_name": self.first_name.data}


ContactFields = contact_fields(ContactWording(
    own=True,
    email_invalid=_l("Please write an e-mail address like name@example.nl."),
    phone_bad_characters=_l("Please write only numbers, like 06 12345678."),
    phone_bad_number=_l("This phone number is too short or too long. Please check it."),
    phone_description=_l("For example 06 12345678."),
    one_required=_l("Please write your phone number or your e-mail address."),
    share_phone=_l("My buddy may see my phone number."),
    share_email=_l("My buddy may see my e-mail address."),
))


class SignupContactFields(ContactFields):
    """Phone, e-mail and whether the buddy may see each; at least one of the two."""

    def contact_answers(self) -> dict:
        email, phone = self.contact_values()
        return {"phone": phone, "email": email,
                "share_phone": bool(phone and self.share_phone.data),
                "share_email": bool(email and self.share_email.data)}


class ContactForm(SignupContactFields, StepForm):
    def answers(self) -> dict:
        return self.contact_answers()


class NeighbourhoodForm(StepForm):
    neighbourhood_id = ChoiceField(
        _l("Where do you live?"), coerce=int, choices=[],
        message=_l("Please choose your neighbourhood."),
        description=_l("Choose your neighbourhood. Not sure? Choose the one closest to you."),
    )

    def __init__(self, *args, neighbourhoods=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.neighbourhood_id.choices = [(n.id, n.name) for n in neighbourhoods]

    def answers(self) -> dict:
        return {"neighbourhood_id": self.neighbourhood_id.data}


class TimesForm(StepForm):
    availability = SlotsField(
        _l("When can you meet?"),
        validators=[at_least_one(_l("Please choose at least one time."))],
        description=_l("Tap every time of the week that is good for you. Choose as many as "
                       "you like."),
    )

    def answers(self) -> dict:
        return {"availability": self.availability.mask}


class InterestsForm(StepForm):
    interests = MultiCheckboxField(
        _l("What do you like to do?"), choices=[(key, key) for key in INTERESTS],
        description=_l("Choose one or more. You can also skip this question."),
    )

    def answers(self) -> dict:
        return {"interests": mask_from_keys(self.interests.data or [], INTERESTS)}


class DutchForm(StepForm):
    dutch_level = ChoiceField(
        _l("How much Dutch do you speak now?"), choices=[(key, key) for key in LEVELS],
        message=_l("Please choose the sentence that fits you best."),
        description=_l("Choose the sentence that fits you best."),
    )

    def answers(self) -> dict:
        return {"dutch_level": self.dutch_level.data}


class GoalsForm(StepForm):
    goals = MultiCheckboxField(
        _l("What do you want to do with your buddy?"), choices=[(key, key) for key in GOALS],
        validators=[at_least_one(_l("Please choose at least one."))],
        description=_l("Choose one or more."),
    )

    def answers(self) -> dict:
        return {"goals": mask_from_keys(self.goals.data, GOALS)}


class MainGoalForm(StepForm):
    primary_goal = ChoiceField(
        _l("What is most important to you?"), choices=[],
        message=_l("Please choose one."), description=_l("Choose one."),
    )

    def __init__(self, *args, goals=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.primary_goal.choices = [(key, key) for key in goals]

    def answers(self) -> dict:
        return {"primary_goal": self.primary_goal.data}


class LanguagesForm(StepForm):
    languages = MultiCheckboxField(
        _l("Which languages do you speak?"), choices=[(c, c) for c in SPOKEN_LANGUAGES],
        validators=[at_least_one(_l("Please choose at least one language."))],
        description=_l("Choose all the languages you speak. Maybe your buddy speaks one too."),
    )

    def answers(self) -> dict:
        return {"languages": [c for c in SPOKEN_LANGUAGES if c in self.languages.data]}


class BuddyForm(StepForm):
    gender_pref = ChoiceField(
        _l("Who would you like as your buddy?"), choices=[(key, key) for key in GENDER_PREFS],
        message=_l("Please choose one."),
    )

    def answers(self) -> dict:
        return {"gender_pref": self.gender_pref.data}


class PasswordForm(StepForm):
    """Optional: a password to log in later. ``nav=skip`` goes on without one."""

    password = PasswordField(
        _l("Choose a password"),
        validators=[Length(max=PASSWORD_MAX, message=TOO_LONG)],
        description=_l("At least 12 characters. A short sentence is fine."),
        render_kw={"autocomplete": "new-password", "dir": "ltr"},
    )
    confirm = PasswordField(
        _l("Write the same password again"),
        validators=[Length(max=PASSWORD_MAX, message=TOO_LONG)],
        render_kw={"autocomplete": "new-password", "dir": "ltr"},
    )

    def __init__(self, *args, has_password=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.has_password = has_password

    @property
    def skipping(self) -> bool:
        return self.nav.data == "skip"

    def keeping(self) -> bool:
        return self.has_password and not self.password.data and not self.confirm.data

    def validate(self, extra_validators=None):
        if not super().validate(extra_validators):
            return False
        if self.skipping or self.keeping():
            return True
        try:
            strong_password(self, self.password)
        except ValidationError as error:
            self.password.errors.append(str(error))
            return False
        if self.confirm.data != self.password.data:
            self.confirm.errors.append(str(_l("The two passwords are not the same.")))
            return False
        return True

    def answers(self) -> dict:
        if self.skipping:
            return {"password_choice": "skipped"}
        if self.keeping():
            return {"password_choice": "keep"}
        return {"password_choice": "set", "password": self.password.data}


class ConsentForm(StepForm):
    agree = BooleanField(
        _l("I agree."),
        validators=[DataRequired(_l("Please tick the box if you agree. Without your "
                                    "permission we cannot look for a buddy for you."))],
    )

    def answers(self) -> dict:
        return {}  # consent is recorded when the sign-up finishes, never kept in the draft


STEP_FORMS = {
    "name": NameForm, "contact": ContactForm, "neighbourhood": NeighbourhoodForm,
    "times": TimesForm, "interests": InterestsForm, "dutch": DutchForm, "goals": GoalsForm,
    "main-goal": MainGoalForm, "languages": LanguagesForm, "buddy": BuddyForm,
    "password": PasswordForm, "consent": ConsentForm,
}


def step_form(step: str, values: dict | None, neighbourhoods=(), goals=(),
              has_password=False) -> StepForm:
    """Build the form of ``step``; ``values`` fill it on GET (None on POST)."""
    extra = {
        "neighbourhood": {"neighbourhoods": neighbourhoods},
        "main-goal": {"goals": goals},
        "password": {"has_password": has_password},
    }.get(step, {})
    return STEP_FORMS[step](data=values, **extra)


class DetailsForm(SignupContactFields, StepForm):
    """Everything the participant can change on one page."""

    first_name = NameForm.first_name
    neighbourhood_id = NeighbourhoodForm.neighbourhood_id
    availability = TimesForm.availability
    interests = InterestsForm.interests
    dutch_level = DutchForm.dutch_level
    goals = GoalsForm.goals
    primary_goal = ChoiceField(_l("What is most important to you?"),
                               choices=[(key, key) for key in GOALS],
                               message=_l("Please choose one."))
    languages = LanguagesForm.languages
    gender_pref = BuddyForm.gender_pref
    current_password = PasswordField(
        _l("Your password"),
        validators=[Length(max=PASSWORD_MAX, message=TOO_LONG)],
        description=_l("Only needed when you change your phone number or e-mail address."),
        render_kw={"autocomplete": "current-password", "dir": "ltr"},
    )

    def __init__(self, *args, neighbourhoods=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.neighbourhood_id.choices = [(n.id, n.name) for n in neighbourhoods]

    def validate_primary_goal(self, field) -> None:
        if self.goals.data and field.data not in self.goals.data:
            raise ValidationError(_l("Please choose one of the things you ticked above."))

    def answers(self) -> dict:
        return {
            **self.contact_answers(),
            "first_name": self.first_name.data,
            "neighbourhood_id": self.neighbourhood_id.data,
            "availability_mask": self.availability.mask,
            "interests": self.interests.data or [],
            "dutch_level": self.dutch_level.data,
            "goals": [g for g in GOALS if g in self.goals.data],
            "primary_goal": self.primary_goal.data,
            "languages": self.languages.data,
            "gender_pref": self.gender_pref.data,
        }


class CodeForm(FlaskForm):
    """The code sent by text message to a new phone number."""

    code = StringField(_l("Code"), validators=[DataRequired(_l("Please type the code."))],
                       render_kw={"inputmode": "numeric", "autocomplete": "one-time-code",
                                  "dir": "ltr"})
