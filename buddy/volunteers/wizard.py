"""The volunteer sign-up wizard: its steps, and what was typed so far.

What was typed is kept per step as plain form values in a sign-up draft on the server
(``buddy.drafts``; the cookie holds only the draft's random key), so Back and Next never lose
anything and no JavaScript is needed. A step counts as done only when its kept values pass
that step's form validation again, so editing the URL cannot skip a step. The password
itself is never kept: only its argon2 hash, and only in the draft, never in a cookie.
"""

from flask import abort, session
from flask_babel import gettext
from werkzeug.datastructures import MultiDict
from wtforms import SelectMultipleField
from wtforms.validators import Length

from .. import drafts
from ..auth.services import hash_password
from ..forms import clean_text
from ..partners import services as partners
from ..partners.forms import SourceForm
from .forms import AboutForm, AccountForm, AgreementsForm, AvailabilityForm, InterestsForm
from .services import SignupValues

STEPS = ("account", "about", "availability", "source", "interests", "agreements")
LAST_STEP = STEPS[-1]
DRAFT_KIND = "volunteer"
_FORMS = {
    "account": AccountForm, "about": AboutForm, "source": SourceForm,
    "availability": AvailabilityForm,
    "interests": InterestsForm, "agreements": AgreementsForm,
}
_NOT_KEPT = ("CSRFTokenField", "PasswordField")


def step_titles() -> dict[str, str]:
    """Return the short, translated title of every step."""
    return {
        "account": gettext("Account"),
        "about": gettext("About you"),
        "source": gettext("Partner or school"),
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
    """The sign-up in progress for one organisation, kept as a draft in the database."""

    def __init__(self, organisation) -> None:
        self.organisation = organisation
        draft = drafts.load(DRAFT_KIND, organisation.id)
        if not isinstance(draft.get("steps"), dict):
            draft = {"steps": {}}
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
        if step == "source":
            kwargs["partners"] = partners.partners_of(self.organisation.id)
            kwargs["age_band"] = self.draft["steps"].get("about", {}).get("age_band")
            form = SourceForm(formdata=formdata, **kwargs)
            linked = partners.remembered_partner(session, self.organisation.id)
            if formdata is None and linked is not None:
                form.partner.data = str(linked.id)
                form.pupil.data = linked.kind == "school"
            return form
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
                            password_hash=self.password_hash, profile=profile,
                            source=forms["source"].source_values())

    def clear(self) -> None:
        """Delete the draft (the sign-up finished, or the person starts again)."""
        drafts.forget(DRAFT_KIND)
        session.pop(partners.SESSION_KEY, None)

    def _write(self) -> None:
        try:
            drafts.save(DRAFT_KIND, self.organisation.id, self.draft)
        except drafts.TooManyDrafts:
            abort(429)
