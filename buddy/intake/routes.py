"""The coordinator's participant pages: list, intake registration, page, edit, data rights."""

import json

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from .. import clock
from ..access import own_org_or_404, roles_required
from ..errors import ActionRefused
from ..extensions import db, limiter
from ..forms import bind_list_filter, confirm_and_erase
from ..models import Organisation, ParticipantProfile
from ..notifications import absolute_url
from ..partners import services as partners
from ..places.services import neighbourhoods_of
from . import services
from .forms import (
    IntakeForm,
    ParticipantEditForm,
    ParticipantFilterForm,
    PhoneCheckForm,
    WithdrawConsentForm,
)

bp = Blueprint("intake", __name__, template_folder="templates", url_prefix="/coordinator")


def _organisation() -> Organisation:
    return db.session.get(Organisation, current_user.organisation_id)


def _get_own(model, object_id: int):
    """Return the object of the coordinator's organisation, else 404."""
    return own_org_or_404(db.session.get(model, object_id))


def _export_limit() -> str:
    return current_app.config["EXPORT_LIMIT"]


def _export_key() -> str:
    return f"people-export:{getattr(current_user, 'id', None) or request.remote_addr}"

# -- participants -----------------------------------------------------------------------

@bp.get("/participants")
@roles_required("coordinator")
def participants():
    """List the organisation's participants with filters, longest waiting first."""
    organisation = _organisation()
    form, valid = bind_list_filter(ParticipantFilterForm, neighbourhoods_of(organisation.id))
    now = clock.now()
    page = services.participant_page(organisation, form.filters(), form.page_number(), now)
    waiting = {p.id: services.waiting_days(p, now) for p in page.items}
    return render_template("intake/participants.html", form=form, page=page,
                           waiting=waiting), 200 if valid else 422


@bp.route("/participants/new", methods=["GET", "POST"])
@roles_required("coordinator")
def participant_new():
    """Register a participant during an intake talk, with their verbal consent."""
    organisation = _organisation()
    form = IntakeForm(neighbourhoods=neighbourhoods_of(organisation.id),
                      employers=partners.partners_of(organisation.id, "employer"))
    if form.validate_on_submit():
        try:
            profile = services.register_at_intake(organisation, form.facts(), form.contact(),
                                                    current_user, clock.today())
        except ActionRefused as error:
            form.form_errors.append(str(error))
        else:
            flash(gettext("The participant is registered and on the waiting list."), "success")
            return redirect(url_for("intake.participant", participant_id=profile.id))
    return render_template("intake/intake.html", form=form), 422 if form.is_submitted() else 200


@bp.get("/participants/<int:participant_id>")
@roles_required("coordinator")
def participant(participant_id: int):
    """Show a participant, with barriers, consent, level assessments and matches (audited)."""
    profile = _get_own(ParticipantProfile, participant_id)
    services.record_participant_viewed(profile)
    form = WithdrawConsentForm(purposes=services.active_consent_purposes(profile.user_id),
                               formdata=None)
    overview = services.participant_overview(profile, clock.now())
    pending = overview["pending_phone"]
    phone_form = PhoneCheckForm(formdata=None, claim=pending.id if pending else None)
    return render_template("intake/participant.html", withdraw_form=form,
                           phone_form=phone_form, **overview)


@bp.post("/participants/<int:participant_id>/phone-check")
@roles_required("coordinator")
def participant_phone_check(participant_id: int):
    """Confirm the participant's new phone number after calling it (same answer whether or
    not the number could be added: another account may have it)."""
    profile = _get_own(ParticipantProfile, participant_id)
    form = PhoneCheckForm()
    if not form.validate_on_submit():
        flash(gettext("Please tick the box to confirm."), "error")
    else:
        services.check_phone(profile, form.claim_id())
        flash(gettext("Thank you. The check of the phone number is saved."), "success")
    return redirect(url_for("intake.participant", participant_id=profile.id))


@bp.route("/participants/<int:participant_id>/edit", methods=["GET", "POST"])
@roles_required("coordinator")
def participant_edit(participant_id: int):
    """Edit a participant's facts, barriers and (while they have no login) contact details."""
    profile = _get_own(ParticipantProfile, participant_id)
    user = profile.user
    form = ParticipantEditForm(neighbourhoods=neighbourhoods_of(profile.organisation_id),
                               employers=partners.partners_of(profile.organisation_id,
                                                              "employer"),
                               exclude_user_id=user.id)
    own_login = bool(user.password_hash)
    if own_login:
        del form.email, form.phone, form.locale
    if form.validate_on_submit():
        try:
            services.update_participant(profile, form.facts(), current_user, clock.today(),
                                        contact=None if own_login else form.contact())
        except ActionRefused as error:
            form.form_errors.append(str(error))
        else:
            flash(gettext("The changes are saved."), "success")
            return redirect(url_for("intake.participant", participant_id=profile.id))
    elif not form.is_submitted():
        form.fill_from(profile)
        if not own_login:
            form.fill_contact(user)
    return render_template("intake/participant_edit.html", form=form, profile=profile,
                           own_login=own_login), 422 if form.is_submitted() else 200


@bp.post("/participants/<int:participant_id>/invite")
@roles_required("coordinator")
def participant_invite(participant_id: int):
    """Send the participant a link to choose a password, or show it once to pass on."""
    profile = _get_own(ParticipantProfile, participant_id)
    try:
        invitation = services.invite_participant(
            profile, current_app.config["INVITE_DAYS"],
            lambda token: absolute_url("auth.invite", token=token))
    except ActionRefused as error:
        flash(str(error), "error")
        return redirect(url_for("intake.participant", participant_id=profile.id))
    if invitation.emailed:
        flash(gettext("The invitation is sent by e-mail."), "success")
        return redirect(url_for("intake.participant", participant_id=profile.id))
    return render_template("intake/invite_link.html", profile=profile, link=invitation.link,
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
    return confirm_and_erase(profile, services.erase_participant, "intake/participant_delete.html",
                             gettext("All data of this participant is deleted."),
                             "intake.participants")


@bp.post("/participants/<int:participant_id>/consent/withdraw")
@roles_required("coordinator")
def participant_withdraw_consent(participant_id: int):
    """Withdraw one consent of the participant on their behalf."""
    profile = _get_own(ParticipantProfile, participant_id)
    form = WithdrawConsentForm(purposes=services.active_consent_purposes(profile.user_id))
    if not form.validate_on_submit():
        flash(gettext("Please choose a consent to withdraw."), "error")
        return redirect(url_for("intake.participant", participant_id=profile.id))
    try:
        services.withdraw_participant_consent(profile, form.purpose.data, current_user)
    except (ActionRefused, ValueError) as error:
        flash(str(error), "error")
    else:
        flash(gettext("The consent is withdrawn."), "success")
    return redirect(url_for("intake.participant", participant_id=profile.id))

