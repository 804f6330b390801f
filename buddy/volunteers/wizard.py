"""The volunteer sign-up wizard: its steps, and what was typed so far.

What was typed is kept per step in the Flask session (a signed cookie) as plain form values,
so Back and Next never lose anything and no JavaScript is needed. A step counts as done
only when its kept values pass that step's form validation again, so editing the URL
cannot skip a step. The password itself is never kept: only its argon2 hash.
"""

from flask import current_app
from flask_babel import gettext
from werkzeug.datastructures import MultiDict
from wtforms import SelectMultipleField
from wtforms.validators import Length

from ..auth.services import hash_password
from ..forms import clean_text
from .forms import AboutForm, AccountForm, AgreementsForm, AvailabilityForm, InterestsForm
from .services import SignupValues

STEPS = ("account", "about", "availability", "interests", "agreements")
LAST_STEP = STEPS[-1]
SESSION_KEY = "volunteer_signup"
COOKIE_BUDGET = 3800  # bytes; browsers drop cookies above about 4 KB
_FORMS = {
    "account": AccountForm, "about": AboutForm, "availability": AvailabilityForm,
    "interests": InterestsForm, "agreements": AgreementsForm,
}
_NOT_KEPT = ("CSRFTokenField", "PasswordField")


def step_titles() -> dict[str, str]:
    """Return the short, translated title of every step."""
    return {
        "account": gettext("Account"),
        "about": gettext("About you"),
        "availability": gettext("When you are free"),
        "interests": gettext("What you offer"),
        "agreements": gettext("Motivation and agreements"),
    }


def previous_step(step: str) -> str:
    return STEPS[max(STEPS.index(step) - 1, 0)]


def next_step(step: str) -> str:
    return STEPS[min(STEPS.index(step) + 1, len(STEPS) - 1)]


def kept_values(form) -> dict:
    """Return what was typed in ``form`` as small, cleaned plain values (no password)."""
    values: dict = {}
    for field in form:
        if field.type in _NOT_KEPT:
            continue
        if isinstance(field, SelectMultipleField):
            limit = len(field.choices or ()) or 30
            values[field.name] = [clean_text(str(v))[:40] for v in (field.data or [])][:limit]
        elif field.raw_data:
            values[field.name] = clean_text(str(field.raw_data[0]))[:_max_length(field)]
    return values


def _max_length(field) -> int:
    for validator in field.validators:
        if isinstance(validator, Length) and validator.max and validator.max > 0:
            return validator.max
    return 60


def _formdata(values: dict) -> MultiDict:
    pairs = []
    for name, value in values.items():
        for item in value if isinstance(value, list) else [value]:
            pairs.append((name, item))
    return MultiDict(pairs)


class SignupDraft:
    """The sign-up in progress for one organisation, kept in ``store`` (the Flask session)."""

    def __init__(self, store, organisation) -> None:
        self.store = store
        self.organisation = organisation
        draft = store.get(SESSION_KEY)
        if not isinstance(draft, dict) or draft.get("org") != organisation.id:
            draft = {"org": organisation.id, "steps": {}}
        self.draft = draft

    @property
    def password_hash(self) -> str | None:
        return self.draft.get("password_hash")

    def form(self, step: str, formdata=None):
        """Return the step's form: bound to ``formdata``, else to what was kept, else empty."""
        if formdata is None and step in self.draft["steps"]:
            formdata = _formdata(self.draft["steps"][step])
        return self._make(step, formdata, csrf=True)

    def _make(self, step: str, formdata, csrf: bool):
        kwargs: dict = {"meta": {} if csrf else {"csrf": False}}
        if step == "account":
            kwargs["password_kept"] = bool(self.password_hash)
        if step == "about":
            kwargs["neighbourhoods"] = self.organisation.neighbourhoods
        return _FORMS[step](formdata=formdata, **kwargs)

    def _kept_form(self, step: str):
        return self._make(step, _formdata(self.draft["steps"].get(step, {})), csrf=False)

    def is_done(self, step: str) -> bool:
        """Return True if the values kept for ``step`` pass its validation."""
        return step in self.draft["steps"] and self._kept_form(step).validate()

    def first_open_step(self) -> str | None:
        return next((step for step in STEPS if not self.is_done(step)), None)

    def reachable(self, step: str) -> bool:
        """Return True if every step before ``step`` is done."""
        return all(self.is_done(earlier) for earlier in STEPS[:STEPS.index(step)])

    def keep(self, step: str, form) -> None:
        """Keep what was typed on ``step`` without judging it (the Back button)."""
        self.draft["steps"][step] = kept_values(form)
        self._write()

    def save(self, step: str, form) -> None:
        """Keep a validated step; a newly chosen password is kept only as its hash."""
        if step == "account" and form.password.data:
            self.draft["password_hash"] = hash_password(form.password.data)
        self.keep(step, form)

    def signup_values(self, final_form) -> SignupValues:
        """Return everything the sign-up collected (the earlier steps must be done)."""
        forms = {step: self._kept_form(step) for step in STEPS[:-1]}
        for form in forms.values():
            form.validate()
        profile = {**forms["about"].about_values(), **forms["availability"].times_values(),
                   **forms["interests"].interests_values(), **final_form.motivation_values()}
        return SignupValues(email=forms["account"].account_values()["email"],
                            password_hash=self.password_hash, profile=profile)

    def clear(self) -> None:
        self.store.pop(SESSION_KEY, None)

    def _write(self) -> None:
        self.store[SESSION_KEY] = self.draft
        while _cookie_size(self.store) > COOKIE_BUDGET and self._shorten_longest_text():
            self.store[SESSION_KEY] = self.draft

    def _shorten_longest_text(self) -> bool:
        """Halve the longest kept text so the cookie fits; False if nothing is left to cut."""
        texts = [(len(value.encode()), step, name)
                 for step, values in self.draft["steps"].items()
                 for name, value in values.items() if isinstance(value, str)]
        if not texts:
            return False
        size, step, name = max(texts)
        if size < 2:
            return False
        value = self.draft["steps"][step][name]
        self.draft["steps"][step][name] = value[: len(value) // 2]
        return True


def _cookie_size(store) -> int:
    serializer = current_app.session_interface.get_signing_serializer(current_app)
    return len(serializer.dumps(dict(store)))
