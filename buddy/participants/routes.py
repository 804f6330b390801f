"""The participant's sign-up in their own language, one question per screen, and own page."""


from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale, gettext
from flask_login import current_user, login_user

from .. import drafts
from ..access import public, roles_required
from ..auth import contacts
from ..auth import services as auth_services
from ..extensions import limiter
from ..i18n import NATIVE_NAMES, direction, shipped_locales
from ..notifications import absolute_url
from ..partners import services as partners
from . import services
from .forms import CodeForm, DetailsForm, step_form

bp = Blueprint("participants", __name__, template_folder="templates")
DRAFT_KIND = "participant"
JOINED_KEY = "joined"
# Finished sign-ups per address and hour: generous, since a class can sign up together.
SIGNUP_LIMIT = "40 per hour"
DETAILS_LIMIT = "30 per hour"
STEP_PICTOS = {
    "name": "person", "contact": "message", "neighbourhood": "map-pin", "times": "calendar",
    "interests": "heart", "dutch": "level", "goals": "check", "main-goal": "check",
    "languages": "language", "buddy": "any", "password": "login", "consent": "book",
}


def _finished_sign_up(response) -> bool:
    return response.status_code == 303 and "/join/done" in (response.location or "")


def _organisation(slug: str):
    organisation = services.find_organisation(slug)
    if organisation is None:
        abort(404)
    return organisation


def _load_draft(organisation) -> dict:
    return drafts.load(DRAFT_KIND, organisation.id) or {"organisation_id": organisation.id}


def _save_draft(draft: dict) -> None:
    try:
        drafts.save(DRAFT_KIND, draft["organisation_id"], draft)
    except drafts.TooManyDrafts:
        abort(429)


def _forget_draft() -> None:
    drafts.forget(DRAFT_KIND)


def _locale() -> str:
    return str(get_locale())


@bp.route("/o/<slug>/join", methods=["GET", "POST"])
@public
def start(slug: str):
    """Let the newcomer choose their language; POST clears an unfinished sign-up."""
    organisation = _organisation(slug)
    if request.method == "POST":
        _forget_draft()
        flash(gettext("What you filled in is deleted. You can start again."), "info")
        return redirect(url_for("participants.start", slug=slug), 303)
    draft = _load_draft(organisation)
    hoods = services.neighbourhoods(organisation)
    languages = [{"code": code, "name": NATIVE_NAMES.get(code, code), "dir": direction(code)}
                 for code in shipped_locales()]
    resume = services.first_unanswered(draft, [h.id for h in hoods]) if len(draft) > 1 else None
    return render_template("participants/start.html", organisation=organisation,
                           languages=languages, open=bool(hoods), resume=resume)


@bp.route("/o/<slug>/join/<step>", methods=["GET", "POST"])
@public
@limiter.limit(SIGNUP_LIMIT, methods=["POST"], deduct_when=_finished_sign_up)
def step(slug: str, step: str):
    """Ask one question per screen; keep the answer on the server until the last step."""
    organisation = _organisation(slug)
    if step not in services.STEPS:
        abort(404)
    hoods = services.neighbourhoods(organisation)
    if current_user.is_authenticated or not hoods:
        return redirect(url_for("participants.start", slug=slug))
    draft = _load_draft(organisation)
    hood_ids = [h.id for h in hoods]
    if not services.may_open(step, draft, hood_ids):
        target = services.first_unanswered(draft, hood_ids)
        return redirect(url_for("participants.step", slug=slug, step=target), 303)
    form = _step_form(step, draft, hoods)
    if request.method == "POST":
        return _answer(organisation, step, draft, form)
    return _render_step(organisation, step, draft, form)


def _step_form(step: str, draft: dict, hoods):
    """Build the step's form: from what was sent (POST) or from the draft (GET)."""
    values = None if request.method == "POST" else services.form_values(draft, step, _locale())
    return step_form(step, values, neighbourhoods=hoods, goals=services.chosen_goals(draft),
                     has_password=bool(draft.get("password_hash")))


def _answer(organisation, step: str, draft: dict, form):
    """Take in a submitted step: go back, on, or finish; show the errors otherwise."""
    going_back = form.nav.data == "back"
    if form.validate_on_submit():
        draft = services.apply_answers(draft, step, form.answers())
        _save_draft(draft)
        if step == services.FINAL_STEP and not going_back:
            return _finish(organisation, draft)
    elif not going_back:
        return _render_step(organisation, step, draft, form), 422
    target = (services.step_before if going_back else services.step_after)(step, draft)
    if target is None:
        return redirect(url_for("participants.start", slug=organisation.slug), 303)
    return redirect(url_for("participants.step", slug=organisation.slug, step=target), 303)


def _render_step(organisation, step: str, draft: dict, form):
    steps = services.steps_for(draft)
    return render_template(
        f"participants/step_{step.replace('-', '_')}.html", organisation=organisation,
        step=step, steps=steps, number=steps.index(step) + 1, form=form,
        picto=STEP_PICTOS[step], has_password=bool(draft.get("password_hash")),
        language_names=services.spoken_language_names(_locale()) if step == "languages" else {},
        draft=draft)


def _finish(organisation, draft: dict):
    """Create the participant, forget the draft, log in if they chose a password."""
    registration = services.sign_up(
        organisation, draft, _locale(), page_url=absolute_url("participants.dashboard"))
    _forget_draft()
    user = registration.user
    partners.attribute_newcomer(user, partners.remembered_partner(session, organisation.id,
                                                                  "employer"))
    session.pop(partners.SESSION_KEY, None)
    if user.password_hash:
        auth_services.start_session(user, request.headers.get("User-Agent", ""))
        login_user(user)
    texts = contacts.texts_are_sent()
    session[JOINED_KEY] = {"slug": organisation.slug,
                           "email": bool(draft.get("email") or (texts and draft.get("phone"))),
                           "phone_by_coordinator": bool(not texts and draft.get("phone")),
                           "login": bool(user.password_hash)}
    return redirect(url_for("participants.done", slug=organisation.slug), 303)


@bp.get("/o/<slug>/join/done")
@public
def done(slug: str):
    """Say that they are on the waiting list and what happens next."""
    organisation = _organisation(slug)
    joined = session.get(JOINED_KEY)
    if not isinstance(joined, dict) or joined.get("slug") != slug:
        return redirect(url_for("participants.start", slug=slug))
    return render_template("participants/done.html", organisation=organisation,
                           email_sent=joined.get("email"), can_log_in=joined.get("login"),
                           phone_by_coordinator=joined.get("phone_by_coordinator"))


@bp.get("/me")
@roles_required("participant")
def dashboard():
    """Show the participant's status, buddy, details and where to get help."""
    summary = services.overview(current_user)
    if summary is None:
        abort(404)
    waiting_phone = None if contacts.texts_are_sent() else contacts.pending_phone(current_user)
    return render_template("participants/dashboard.html", summary=summary,
                           profile=summary.profile, waiting_phone=waiting_phone,
                           language_names=services.spoken_language_names(_locale()))


@bp.route("/me/details", methods=["GET", "POST"])
@roles_required("participant")
@limiter.limit(DETAILS_LIMIT, methods=["POST"])
def details():
    """Let the participant change their own details on one simple page."""
    profile = services.profile_of(current_user)
    if profile is None:
        abort(404)
    hoods = services.neighbourhoods(profile.organisation)
    values = None if request.method == "POST" else services.details_values(current_user, profile)
    form = DetailsForm(data=values, neighbourhoods=hoods)
    if form.validate_on_submit() and _contact_allowed(form):
        answers, claimed = _hold_new_contacts(form.answers(), profile)
        services.update_details(current_user, profile, answers, _locale())
        flash(gettext("Your details are saved."), "success")
        if "phone" in claimed and not contacts.texts_are_sent():
            flash(gettext("Your coordinator will call you to check your new phone number. "
                          "After that you can use it."), "info")
            if "email" in claimed:
                flash(gettext("We sent an e-mail to your new address. Open the link in it "
                              "to confirm the address."), "info")
            return redirect(url_for("participants.dashboard"), 303)
        if claimed:
            flash(gettext("We sent a message to the new e-mail address or phone number. Open "
                          "the link or type the code here to confirm it."), "info")
            return redirect(url_for("participants.confirm_contact"), 303)
        return redirect(url_for("participants.dashboard"), 303)
    status = 422 if request.method == "POST" else 200
    return render_template("participants/details.html", form=form, profile=profile,
                           language_names=services.spoken_language_names(_locale())), status


def _contact_allowed(form: DetailsForm) -> bool:
    """Changing the login (e-mail, phone) needs the password."""
    answers = form.contact_answers()
    changed = services.contact_changes(current_user, answers["email"], answers["phone"])
    if changed and not auth_services.verify_password(current_user,
                                                      form.current_password.data or ""):
        form.current_password.errors.append(gettext(
            "Please write your password to change your phone number or e-mail address."))
        return False
    return True


def _hold_new_contacts(answers: dict, profile) -> tuple[dict, set[str]]:
    """Keep new e-mail addresses and phone numbers out of the account until confirmed: send
    proof to each (the same answer whether or not it is taken); removals apply at once.
    Return the answers to store now and the kinds that wait for proof."""
    changed = services.contact_changes(current_user, answers["email"], answers["phone"])
    claimed = set()
    for kind in changed:
        if answers[kind]:
            contacts.claim_contact(current_user, kind, answers[kind],
                                   profile.organisation.name)
            answers[kind] = getattr(current_user, kind)
            claimed.add(kind)
    return answers, claimed


@bp.route("/me/details/confirm", methods=["GET", "POST"])
@roles_required("participant")
@limiter.limit(DETAILS_LIMIT, methods=["POST"])
def confirm_contact():
    """Type the code sent to a new phone number (e-mail addresses confirm by their link)."""
    form = CodeForm()
    if form.validate_on_submit():
        if contacts.confirm_phone_code(current_user, form.code.data) is not None:
            flash(gettext("Your phone number is confirmed."), "success")
            return redirect(url_for("participants.dashboard"), 303)
        form.code.errors.append(gettext("This code is not correct. Please try again."))
    return render_template("participants/confirm_contact.html", form=form,
                           texts_are_sent=contacts.texts_are_sent()), (
        422 if form.errors else 200)
