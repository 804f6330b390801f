"""Screening volunteers: the list, one volunteer's page and the screening steps."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import clock
from ..access import own_org_or_404, roles_required
from ..errors import ActionRefused
from ..extensions import db
from ..forms import RejectForm, bind_list_filter, confirm_and_erase
from ..models import Organisation, VolunteerProfile
from ..places.services import neighbourhoods_of
from . import services
from .forms import IntakeTalkForm, TrainingForm, VogForm, VolunteerFilterForm

bp = Blueprint("screening", __name__, template_folder="templates", url_prefix="/coordinator")


def _organisation() -> Organisation:
    return db.session.get(Organisation, current_user.organisation_id)


def _get_own(model, object_id: int):
    """Return the object of the coordinator's organisation, else 404."""
    return own_org_or_404(db.session.get(model, object_id))


def reject_form(**kwargs) -> RejectForm:
    """Return the form to reject a volunteer."""
    return RejectForm(prefix="reject", **kwargs,
                      description=_l("The volunteer does not see this. Keep it factual."))

# -- volunteers -------------------------------------------------------------------------

@bp.get("/volunteers")
@roles_required("coordinator")
def volunteers():
    """List the organisation's volunteers with filters, oldest sign-up first."""
    organisation = _organisation()
    form, valid = bind_list_filter(VolunteerFilterForm, neighbourhoods_of(organisation.id))
    page = services.volunteer_page(organisation, form.filters(), form.page_number(),
                                   clock.today())
    return render_template("screening/volunteers.html", form=form, page=page,
                           today=clock.today()), 200 if valid else 422


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
    forms.setdefault("reject_form", reject_form(**blank))
    return forms


def _render_volunteer(volunteer: VolunteerProfile, status: int = 200, refused: str = "",
                      **forms):
    """Render the volunteer's page; forms passed in ``forms`` keep what was typed."""
    today = clock.today()
    return render_template(
        "screening/volunteer.html", refused=refused, today=today,
        **services.volunteer_overview(volunteer, today),
        **_screening_forms(volunteer, today, forms)), status


def _screening_step(volunteer: VolunteerProfile, step, done_message: str):
    """Run a screening ``step``; show the refusal on the page, or confirm and go back."""
    try:
        step()
    except ActionRefused as error:
        return _render_volunteer(volunteer, 409, refused=str(error))
    flash(done_message, "success")
    return redirect(url_for("screening.volunteer", volunteer_id=volunteer.id))


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
                                               current_user, clock.today()),
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
        volunteer, lambda: services.approve_volunteer(volunteer, current_user, clock.today()),
        gettext("The volunteer is approved and can be matched now."))


@bp.post("/volunteers/<int:volunteer_id>/reject")
@roles_required("coordinator")
def volunteer_reject(volunteer_id: int):
    """Reject the volunteer, with a reason."""
    volunteer = _get_own(VolunteerProfile, volunteer_id)
    form = reject_form()
    if not form.validate_on_submit():
        return _render_volunteer(volunteer, 422, reject_form=form)
    return _screening_step(
        volunteer, lambda: services.reject_volunteer(volunteer, form.reason.data, current_user),
        gettext("The volunteer is rejected."))



@bp.route("/volunteers/<int:volunteer_id>/delete", methods=["GET", "POST"])
@roles_required("coordinator")
def volunteer_delete(volunteer_id: int):
    """Delete all data of a volunteer, after a confirmation."""
    profile = _get_own(VolunteerProfile, volunteer_id)
    return confirm_and_erase(profile, services.erase_volunteer, "screening/volunteer_delete.html",
                             gettext("All data of this volunteer is deleted."),
                             "screening.volunteers")
