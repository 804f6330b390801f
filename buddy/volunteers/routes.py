"""Volunteer pages: sign up in five steps, the code of conduct, the own page, the profile,
pausing and resuming."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date, get_locale, gettext
from flask_login import current_user

from ..access import public, roles_required
from ..auth import services as auth_services
from ..extensions import limiter
from . import services, wizard
from .forms import PauseForm, ProfileForm, profile_form_data

bp = Blueprint("volunteers", __name__, template_folder="templates")


def _signup_limit() -> str:
    return current_app.config.get("SIGNUP_LIMIT", "20 per hour")


def _not_finishing() -> bool:
    return (request.view_args or {}).get("step") != wizard.LAST_STEP or "back" in request.form


def _organisation_or_404(slug: str):
    organisation = services.organisation_by_slug(slug)
    if organisation is None:
        abort(404)
    return organisation


@bp.route("/o/<slug>/volunteer/signup", methods=["GET", "POST"], defaults={"step": None})
@bp.route("/o/<slug>/volunteer/signup/<step>", methods=["GET", "POST"])
@limiter.limit(_signup_limit, methods=["POST"], exempt_when=_not_finishing,
               deduct_when=lambda response: response.status_code == 302)
@public
def signup(slug: str, step: str | None):
    """Sign up as a volunteer, one step per page; Back keeps what was typed."""
    organisation = _organisation_or_404(slug)
    if current_user.is_authenticated:
        return redirect(auth_services.home_for(current_user))
    if step is not None and step not in wizard.STEPS:
        abort(404)
    draft = wizard.SignupDraft(organisation)
    if step is None or not draft.reachable(step):
        target = draft.first_open_step() or wizard.LAST_STEP
        return redirect(url_for("volunteers.signup", slug=slug, step=target))
    if request.method == "POST":
        return _submit_step(organisation, draft, step)
    return _render_step(organisation, step, draft.form(step))


@bp.post("/o/<slug>/volunteer/signup/restart")
@public
def restart_signup(slug: str):
    """Delete what was typed so far (for example on a shared device) and start again."""
    organisation = _organisation_or_404(slug)
    wizard.SignupDraft(organisation).clear()
    flash(gettext("What you filled in is deleted. You can start again."), "info")
    return redirect(url_for("volunteers.signup", slug=slug), 303)


def _submit_step(organisation, draft: wizard.SignupDraft, step: str):
    form = draft.form(step, request.form)
    if "back" in request.form:
        draft.keep(step, form)
        return redirect(url_for("volunteers.signup", slug=organisation.slug,
                                step=wizard.previous_step(step)))
    if not form.validate():
        return _render_step(organisation, step, form, status=422)
    draft.save(step, form)
    if step != wizard.LAST_STEP:
        return redirect(url_for("volunteers.signup", slug=organisation.slug,
                                step=wizard.next_step(step)))
    return _finish_signup(organisation, draft, form)


def _finish_signup(organisation, draft: wizard.SignupDraft, final_form):
    values = draft.signup_values(final_form)
    services.register_volunteer(organisation, values, str(get_locale()),
                                sharing=final_form.sharing_values())
    draft.clear()  # nobody is logged in: the same answer for a new and a known address
    return redirect(url_for("volunteers.signup_done", slug=organisation.slug))


def _render_step(organisation, step: str, form, status: int = 200):
    return render_template(
        "volunteers/signup.html", organisation=organisation, form=form, step=step,
        steps=wizard.STEPS, titles=wizard.step_titles(),
        number=wizard.STEPS.index(step) + 1), status


@bp.get("/o/<slug>/volunteer/welcome")
@public
def signup_done(slug: str):
    """Say what happens next after signing up."""
    organisation = _organisation_or_404(slug)
    return render_template("volunteers/signup_done.html", organisation=organisation)


@bp.get("/o/<slug>/volunteer/code-of-conduct")
@public
def code_of_conduct(slug: str):
    """Show the code of conduct volunteers agree to."""
    organisation = _organisation_or_404(slug)
    return render_template("volunteers/code_of_conduct.html", organisation=organisation)


def _own_profile():
    profile = services.volunteer_profile(current_user)
    if profile is None:
        abort(404)
    return profile


@bp.get("/volunteer")
@roles_required("volunteer")
def dashboard():
    """Show the volunteer's own page: screening, pause, matches and links."""
    profile = services.volunteer_profile(current_user)
    matches = services.volunteer_matches(profile) if profile else []
    state = services.pause_state(profile) if profile else "active"
    return render_template("volunteers/dashboard.html", profile=profile, matches=matches,
                           pause_state=state)


@bp.route("/volunteer/profile", methods=["GET", "POST"])
@roles_required("volunteer")
def edit_profile():
    """Change the own profile: about you, languages, availability, offer, motivation."""
    profile = _own_profile()
    hoods = profile.organisation.neighbourhoods
    if request.method == "POST":
        form = ProfileForm(neighbourhoods=hoods)
        if form.validate():
            services.update_profile(profile, form.profile_values(), form.sharing_values(),
                                    str(get_locale()))
            flash(gettext("Your profile is saved."), "success")
            return redirect(url_for("volunteers.dashboard"))
        return render_template("volunteers/profile.html", form=form), 422
    form = ProfileForm(formdata=None, data=profile_form_data(profile), neighbourhoods=hoods)
    return render_template("volunteers/profile.html", form=form)


@bp.route("/volunteer/pause", methods=["GET", "POST"])
@roles_required("volunteer")
def pause():
    """Pause matching until a date, with a reason."""
    profile = _own_profile()
    form = PauseForm()
    if form.validate_on_submit():
        services.pause(profile, form.until.data, form.reason.data)
        flash(gettext("You are paused until %(date)s. We will not propose a match until then.",
                      date=_long_date(form.until.data)), "success")
        return redirect(url_for("volunteers.dashboard"))
    status = 422 if request.method == "POST" else 200
    return render_template("volunteers/pause.html", form=form, profile=profile,
                           pause_state=services.pause_state(profile)), status


@bp.post("/volunteer/resume")
@roles_required("volunteer")
def resume():
    """End the pause now."""
    profile = _own_profile()
    if services.resume(profile):
        flash(gettext("Welcome back. You can be matched again."), "success")
    else:
        flash(gettext("Matching stays stopped until you give your consent again."), "warning")
    return redirect(url_for("volunteers.dashboard"))


def _long_date(day) -> str:
    return format_date(day, "long")
