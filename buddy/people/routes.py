"""Coordinator's people pages: screening volunteers, participants and intake, places."""

import json

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user

from ..access import own_org_or_404, roles_required
from ..extensions import db, limiter
from ..models import (
    LocalReferral,
    Neighbourhood,
    Organisation,
    ParticipantProfile,
    VolunteerProfile,
    utcnow,
)
from . import services, wording
from .forms import (
    ConfirmDeleteForm,
    IntakeForm,
    IntakeTalkForm,
    NeighbourhoodForm,
    ParticipantEditForm,
    ParticipantFilterForm,
    ReferralForm,
    RejectForm,
    TrainingForm,
    VogForm,
    VolunteerFilterForm,
    WithdrawConsentForm,
    local_today,
)
from .services import ActionRefused

bp = Blueprint("people", __name__, template_folder="templates", url_prefix="/coordinator")
# Translated names for codes, for the detail pages.
TEXTS = {"consent_labels": wording.CONSENT_PURPOSES, "action_labels": wording.ACTIONS,
         "spoken_name": wording.spoken_language_name}


def _organisation() -> Organisation:
    return db.session.get(Organisation, current_user.organisation_id)


def _get_own(model, object_id: int):
    """Return the object of the coordinator's organisation, else 404."""
    return own_org_or_404(db.session.get(model, object_id))


def _export_limit() -> str:
    return current_app.config["EXPORT_LIMIT"]


def _export_key() -> str:
    return f"people-export:{getattr(current_user, 'id', None) or request.remote_addr}"


# -- volunteers -------------------------------------------------------------------------

@bp.get("/volunteers")
@roles_required("coordinator")
def volunteers():
    """List the organisation's volunteers with filters, oldest sign-up first."""
    organisation = _organisation()
    form = VolunteerFilterForm(formdata=request.args,
                               neighbourhoods=services.neighbourhoods_of(organisation.id))
    valid = form.validate()
    page = services.volunteer_page(organisation, form.filters(), form.page_number(),
                                   local_today())
    return render_template("people/volunteers.html", form=form, page=page,
                           today=local_today()), 200 if valid else 422


def _screening_forms(volunteer: VolunteerProfile, today, forms: dict) -> dict:
    """Return the four screening forms, filled from ``volunteer`` unless given in ``forms``."""
    blank = {"formdata": None}
    forms.setdefault("intake_form", IntakeTalkForm(
        prefix="intake", held_on=volunteer.intake_on or today, note=volunteer.screening_note,
        **blank))
    forms.setdefault("vog_form", VogForm(
        prefix="vog", valid_years=volunteer.organisation.vog_valid_years,
        status="received" if volunteer.vog_status in ("requested", "received") else "requested",
        issued_on=volunteer.vog_issued_on, **blank))
    forms.setdefault("training_form", TrainingForm(
        prefix="training", done_on=volunteer.training_done_on or today, **blank))
    forms.setdefault("reject_form", RejectForm(prefix="reject", **blank))
    return forms


def _render_volunteer(volunteer: VolunteerProfile, status: int = 200, refused: str = "",
                      **forms):
    """Render the volunteer's page; forms passed in ``forms`` keep what was typed."""
    today = local_today()
    return render_template(
        "people/volunteer.html", refused=refused, today=today,
        **services.volunteer_overview(volunteer, today), **TEXTS,
        **_screening_forms(volunteer, today, forms)), status


def _screening_step(volunteer: VolunteerProfile, step, done_message: str):
    """Run a screening ``step``; show the refusal on the page, or confirm and go back."""
    try:
        step()
    except ActionRefused as error:
        return _render_volunteer(volunteer, 409, refused=str(error))
    flash(done_message, "success")
    return redirect(url_for("people.volunteer", volunteer_id=volunteer.id))


@bp.get("/volunteers/<int:volunteer_id>")
@roles_required("coordinator")
def volunteer(volunteer_id: int):
    """Show a volunteer's profile, screening steps, consent, history and matches."""
    return _render_volunteer(_get_own(VolunteerProfile, volunteer_id))


@bp.post("/volunteers/<int:volunteer_id>/intake")
@roles_required("coordinator")
def volunteer_intake(volunteer_id: int):
    """Record the intake talk."""
    volunteer = _get_own(VolunteerProfile, volunteer_id)
    form = IntakeTalkForm(prefix="intake")
    if not form.validate_on_submit():
        return _render_volunteer(volunteer, 422, intake_form=form)
    return _screening_step(
        volunteer, lambda: services.record_intake(volunteer, form.held_on.data, form.note.data),
        gettext("The intake talk is saved."))


@bp.post("/volunteers/<int:volunteer_id>/vog")
@roles_required("coordinator")
def volunteer_vog(volunteer_id: int):
    """Record the certificate of conduct (VOG): requested, or received with its date."""
    volunteer = _get_own(VolunteerProfile, volunteer_id)
    form = VogForm(prefix="vog", valid_years=volunteer.organisation.vog_valid_years)
    if not form.validate_on_submit():
        return _render_volunteer(volunteer, 422, vog_form=form)
    return _screening_step(
        volunteer, lambda: services.record_vog(volunteer, form.status.data, form.issued_on.data,
                                               current_user, local_today()),
        gettext("The VOG is saved."))


@bp.post("/volunteers/<int:volunteer_id>/training")
@roles_required("coordinator")
def volunteer_training(volunteer_id: int):
    """Record that the volunteer finished the training."""
    volunteer = _get_own(VolunteerProfile, volunteer_id)
    form = TrainingForm(prefix="training")
    if not form.validate_on_submit():
        return _render_volunteer(volunteer, 422, training_form=form)
    return _screening_step(
        volunteer, lambda: services.record_training(volunteer, form.done_on.data),
        gettext("The training is saved."))


@bp.post("/volunteers/<int:volunteer_id>/approve")
@roles_required("coordinator")
def volunteer_approve(volunteer_id: int):
    """Approve the volunteer for matching, if the screening steps are done."""
    volunteer = _get_own(VolunteerProfile, volunteer_id)
    return _screening_step(
        volunteer, lambda: services.approve_volunteer(volunteer, current_user, local_today()),
        gettext("The volunteer is approved and can be matched now."))


@bp.post("/volunteers/<int:volunteer_id>/reject")
@roles_required("coordinator")
def volunteer_reject(volunteer_id: int):
    """Reject the volunteer, with a reason."""
    volunteer = _get_own(VolunteerProfile, volunteer_id)
    form = RejectForm(prefix="reject")
    if not form.validate_on_submit():
        return _render_volunteer(volunteer, 422, reject_form=form)
    return _screening_step(
        volunteer, lambda: services.reject_volunteer(volunteer, form.reason.data, current_user),
        gettext("The volunteer is rejected."))


# -- participants -----------------------------------------------------------------------

@bp.get("/participants")
@roles_required("coordinator")
def participants():
    """List the organisation's participants with filters, longest waiting first."""
    organisation = _organisation()
    form = ParticipantFilterForm(formdata=request.args,
                                 neighbourhoods=services.neighbourhoods_of(organisation.id))
    valid = form.validate()
    now = utcnow()
    page = services.participant_page(organisation, form.filters(), form.page_number(), now)
    waiting = {p.id: services.waiting_days(p, now) for p in page.items}
    return render_template("people/participants.html", form=form, page=page,
                           waiting=waiting), 200 if valid else 422


@bp.route("/participants/new", methods=["GET", "POST"])
@roles_required("coordinator")
def participant_new():
    """Register a participant during an intake talk, with their verbal consent."""
    organisation = _organisation()
    form = IntakeForm(neighbourhoods=services.neighbourhoods_of(organisation.id))
    if form.validate_on_submit():
        try:
            profile = services.register_participant(organisation, form.facts(), form.contact(),
                                                    current_user, local_today())
        except ActionRefused as error:
            form.form_errors.append(str(error))
        else:
            flash(gettext("The participant is registered and on the waiting list."), "success")
            return redirect(url_for("people.participant", participant_id=profile.id))
    return render_template("people/intake.html", form=form), 422 if form.is_submitted() else 200


@bp.get("/participants/<int:participant_id>")
@roles_required("coordinator")
def participant(participant_id: int):
    """Show a participant, with barriers, consent, level assessments and matches (audited)."""
    profile = _get_own(ParticipantProfile, participant_id)
    services.record_participant_viewed(profile)
    form = WithdrawConsentForm(purposes=services.active_consent_purposes(profile.user_id),
                               formdata=None)
    return render_template("people/participant.html", withdraw_form=form, **TEXTS,
                           **services.participant_overview(profile, utcnow()))


@bp.route("/participants/<int:participant_id>/edit", methods=["GET", "POST"])
@roles_required("coordinator")
def participant_edit(participant_id: int):
    """Edit a participant's facts, barriers and (while they have no login) contact details."""
    profile = _get_own(ParticipantProfile, participant_id)
    user = profile.user
    form = ParticipantEditForm(neighbourhoods=services.neighbourhoods_of(profile.organisation_id),
                               exclude_user_id=user.id)
    own_login = bool(user.password_hash)
    if own_login:
        del form.email, form.phone, form.locale
    if form.validate_on_submit():
        try:
            services.update_participant(profile, form.facts(), current_user, local_today(),
                                        contact=None if own_login else form.contact())
        except ActionRefused as error:
            form.form_errors.append(str(error))
        else:
            flash(gettext("The changes are saved."), "success")
            return redirect(url_for("people.participant", participant_id=profile.id))
    elif not form.is_submitted():
        form.fill_from(profile)
        if not own_login:
            form.fill_contact(user)
    return render_template("people/participant_edit.html", form=form, profile=profile,
                           own_login=own_login), 422 if form.is_submitted() else 200


@bp.post("/participants/<int:participant_id>/invite")
@roles_required("coordinator")
def participant_invite(participant_id: int):
    """Send the participant a link to choose a password, or show it once to pass on."""
    profile = _get_own(ParticipantProfile, participant_id)
    try:
        invitation = services.invite_participant(
            profile, current_app.config["INVITE_DAYS"],
            lambda token: url_for("auth.invite", token=token, _external=True))
    except ActionRefused as error:
        flash(str(error), "error")
        return redirect(url_for("people.participant", participant_id=profile.id))
    if invitation.emailed:
        flash(gettext("The invitation is sent by e-mail."), "success")
        return redirect(url_for("people.participant", participant_id=profile.id))
    return render_template("people/invite_link.html", profile=profile, link=invitation.link,
                           days=current_app.config["INVITE_DAYS"])


@bp.post("/participants/<int:participant_id>/export")
@limiter.limit(_export_limit, key_func=_export_key)
@roles_required("coordinator")
def participant_export(participant_id: int):
    """Download all data of a participant as a JSON file (audited, rate limited)."""
    profile = _get_own(ParticipantProfile, participant_id)
    data = services.export_participant(profile)
    response = current_app.response_class(
        json.dumps(data, ensure_ascii=False, indent=2, default=str),
        mimetype="application/json")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="participant-{profile.id}.json"')
    return response


@bp.route("/participants/<int:participant_id>/delete", methods=["GET", "POST"])
@roles_required("coordinator")
def participant_delete(participant_id: int):
    """Delete all data of a participant, after a confirmation."""
    profile = _get_own(ParticipantProfile, participant_id)
    form = ConfirmDeleteForm()
    if form.validate_on_submit():
        try:
            services.erase_participant(profile, current_user)
        except (ActionRefused, ValueError) as error:
            form.form_errors.append(str(error))
        else:
            flash(gettext("All data of this participant is deleted."), "success")
            return redirect(url_for("people.participants"))
    return render_template("people/participant_delete.html", profile=profile,
                           form=form), 422 if form.is_submitted() else 200


@bp.route("/volunteers/<int:volunteer_id>/delete", methods=["GET", "POST"])
@roles_required("coordinator")
def volunteer_delete(volunteer_id: int):
    """Delete all data of a volunteer, after a confirmation."""
    profile = _get_own(VolunteerProfile, volunteer_id)
    form = ConfirmDeleteForm()
    if form.validate_on_submit():
        services.erase_volunteer(profile, current_user)
        flash(gettext("All data of this volunteer is deleted."), "success")
        return redirect(url_for("people.volunteers"))
    return render_template("people/volunteer_delete.html", profile=profile,
                           form=form), 422 if form.is_submitted() else 200


@bp.post("/participants/<int:participant_id>/consent/withdraw")
@roles_required("coordinator")
def participant_withdraw_consent(participant_id: int):
    """Withdraw one consent of the participant on their behalf."""
    profile = _get_own(ParticipantProfile, participant_id)
    form = WithdrawConsentForm(purposes=services.active_consent_purposes(profile.user_id))
    if not form.validate_on_submit():
        flash(gettext("Please choose a consent to withdraw."), "error")
        return redirect(url_for("people.participant", participant_id=profile.id))
    try:
        services.withdraw_participant_consent(profile, form.purpose.data, current_user)
    except (ActionRefused, ValueError) as error:
        flash(str(error), "error")
    else:
        flash(gettext("The consent is withdrawn."), "success")
    return redirect(url_for("people.participant", participant_id=profile.id))


# -- neighbourhoods ---------------------------------------------------------------------

@bp.get("/neighbourhoods")
@roles_required("coordinator")
def neighbourhoods():
    """List the organisation's neighbourhoods and how many people live in each."""
    rows = services.neighbourhood_rows(current_user.organisation_id)
    return render_template("people/neighbourhoods.html", rows=rows)


def _neighbourhood_form_page(hood: Neighbourhood | None):
    """Show and save the neighbourhood form (new when ``hood`` is None)."""
    form = NeighbourhoodForm(obj=hood, organisation_id=current_user.organisation_id,
                             exclude_id=hood.id if hood else None)
    if form.validate_on_submit():
        try:
            services.save_neighbourhood(current_user.organisation_id, form.name.data,
                                        form.lat.data, form.lon.data,
                                        bool(form.priority_area.data), hood)
        except ActionRefused as error:
            form.name.errors.append(str(error))
        else:
            flash(gettext("The neighbourhood is saved."), "success")
            return redirect(url_for("people.neighbourhoods"))
    return render_template("people/neighbourhood_form.html", form=form,
                           hood=hood), 422 if form.is_submitted() else 200


@bp.route("/neighbourhoods/new", methods=["GET", "POST"])
@roles_required("coordinator")
def neighbourhood_new():
    """Add a neighbourhood."""
    return _neighbourhood_form_page(None)


@bp.route("/neighbourhoods/<int:hood_id>/edit", methods=["GET", "POST"])
@roles_required("coordinator")
def neighbourhood_edit(hood_id: int):
    """Change a neighbourhood's name, centre or priority."""
    return _neighbourhood_form_page(_get_own(Neighbourhood, hood_id))


@bp.post("/neighbourhoods/<int:hood_id>/delete")
@roles_required("coordinator")
def neighbourhood_delete(hood_id: int):
    """Delete a neighbourhood nobody lives in."""
    hood = _get_own(Neighbourhood, hood_id)
    try:
        services.delete_neighbourhood(hood)
    except ActionRefused as error:
        flash(str(error), "error")
        return render_template("people/neighbourhoods.html", rows=services.neighbourhood_rows(
            current_user.organisation_id)), 409
    flash(gettext("The neighbourhood is deleted."), "success")
    return redirect(url_for("people.neighbourhoods"))


# -- local referrals --------------------------------------------------------------------

@bp.get("/referrals")
@roles_required("coordinator")
def referrals():
    """List the local referrals volunteers see in the toolkit, in their order."""
    return render_template("people/referrals.html",
                           referrals=services.referrals_of(current_user.organisation_id))


def _referral_form_page(referral: LocalReferral | None):
    """Show and save the referral form (new when ``referral`` is None)."""
    form = ReferralForm(obj=referral)
    if form.validate_on_submit():
        services.save_referral(current_user.organisation_id, form.name.data, form.purpose.data,
                               form.contact.data, referral)
        flash(gettext("The referral is saved."), "success")
        return redirect(url_for("people.referrals"))
    return render_template("people/referral_form.html", form=form,
                           referral=referral), 422 if form.is_submitted() else 200


@bp.route("/referrals/new", methods=["GET", "POST"])
@roles_required("coordinator")
def referral_new():
    """Add a local referral at the end of the list."""
    return _referral_form_page(None)


@bp.route("/referrals/<int:referral_id>/edit", methods=["GET", "POST"])
@roles_required("coordinator")
def referral_edit(referral_id: int):
    """Change a local referral."""
    return _referral_form_page(_get_own(LocalReferral, referral_id))


@bp.post("/referrals/<int:referral_id>/delete")
@roles_required("coordinator")
def referral_delete(referral_id: int):
    """Delete a local referral."""
    services.delete_referral(_get_own(LocalReferral, referral_id))
    flash(gettext("The referral is deleted."), "success")
    return redirect(url_for("people.referrals"))


@bp.post("/referrals/<int:referral_id>/move")
@roles_required("coordinator")
def referral_move(referral_id: int):
    """Move a local referral one place up or down."""
    referral = _get_own(LocalReferral, referral_id)
    try:
        services.move_referral(referral, request.form.get("direction", "")[:10])
    except ActionRefused as error:
        flash(str(error), "error")
    return redirect(url_for("people.referrals") + f"#referral-{referral.id}")
