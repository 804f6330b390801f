"""Places: the organisation's neighbourhoods and its list of local referrals."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from ..access import own_org_or_404, roles_required
from ..errors import ActionRefused
from ..extensions import db
from ..forms import render_form
from ..models import LocalReferral, Neighbourhood
from . import services
from .forms import NeighbourhoodForm, ReferralForm

bp = Blueprint("places", __name__, template_folder="templates", url_prefix="/coordinator")


def _get_own(model, object_id: int):
    """Return the object of the coordinator's organisation, else 404."""
    return own_org_or_404(db.session.get(model, object_id))

# -- neighbourhoods ---------------------------------------------------------------------

@bp.get("/neighbourhoods")
@roles_required("coordinator")
def neighbourhoods():
    """List the organisation's neighbourhoods and how many people live in each."""
    rows = services.neighbourhood_rows(current_user.organisation_id)
    return render_template("places/neighbourhoods.html", rows=rows)


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
            return redirect(url_for("places.neighbourhoods"))
    return render_form("places/neighbourhood_form.html", form, hood=hood)


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
        return render_template("places/neighbourhoods.html", rows=services.neighbourhood_rows(
            current_user.organisation_id)), 409
    flash(gettext("The neighbourhood is deleted."), "success")
    return redirect(url_for("places.neighbourhoods"))


# -- local referrals --------------------------------------------------------------------

@bp.get("/referrals")
@roles_required("coordinator")
def referrals():
    """List the local referrals volunteers see in the toolkit, in their order."""
    return render_template("places/referrals.html",
                           referrals=services.referrals_of(current_user.organisation_id))


def _referral_form_page(referral: LocalReferral | None):
    """Show and save the referral form (new when ``referral`` is None)."""
    form = ReferralForm(obj=referral)
    if form.validate_on_submit():
        services.save_referral(current_user.organisation_id, form.name.data, form.purpose.data,
                               form.contact.data, referral)
        flash(gettext("The referral is saved."), "success")
        return redirect(url_for("places.referrals"))
    return render_form("places/referral_form.html", form, referral=referral)


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
    return redirect(url_for("places.referrals"))


@bp.post("/referrals/<int:referral_id>/move")
@roles_required("coordinator")
def referral_move(referral_id: int):
    """Move a local referral one place up or down."""
    referral = _get_own(LocalReferral, referral_id)
    try:
        services.move_referral(referral, request.form.get("direction", "")[:10])
    except ActionRefused as error:
        flash(str(error), "error")
    return redirect(url_for("places.referrals") + f"#referral-{referral.id}")
