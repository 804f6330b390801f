"""Partner pages: the coordinator's list of partners, one partner with its link, poster,
pledges and contact login; the public landing page of a partner link; the partner's own
page of aggregate figures."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, session, url_for
from flask_babel import gettext
from flask_login import current_user

from .. import clock
from ..access import current_organisation, own_org_or_404, public, roles_required
from ..auth.invitations import invite_user
from ..errors import ActionRefused
from ..extensions import db
from ..forms import ConfirmForm
from ..models import Partner, VolunteerProfile
from ..monitor.exports import to_csv
from ..notifications import absolute_url
from ..volunteers.services import organisation_by_slug
from . import services
from .forms import LinkForm, PartnerForm, PledgeForm
from .pdf import certificate_pdf as certificate_pdf_bytes

bp = Blueprint("partners", __name__, template_folder="templates")

INVITE_DAYS = 7


def _own_partner(partner_id: int) -> Partner:
    return own_org_or_404(db.session.get(Partner, partner_id))


# --- coordinator: the list and one partner -------------------------------------------------

@bp.get("/coordinator/partners")
@roles_required("coordinator")
def partners():
    """List the organisation's partners and this year's pledges."""
    year = clock.today().year
    return render_template(
        "partners/partners.html", partners=services.partners_of(current_user.organisation_id),
        progress=services.pledge_progress(current_user.organisation_id, year), year=year,
        years=services.pledge_years(current_user.organisation_id))


def _partner_form_page(partner: Partner | None):
    form = PartnerForm(obj=partner)
    if form.validate_on_submit():
        saved = services.save_partner(current_user.organisation_id, form.partner_values(),
                                      partner)
        flash(gettext("The partner is saved."), "success")
        return redirect(url_for("partners.partner", partner_id=saved.id))
    return render_template("partners/partner_form.html", form=form, partner=partner
                           ), 422 if form.is_submitted() else 200


@bp.route("/coordinator/partners/new", methods=["GET", "POST"])
@roles_required("coordinator")
def partner_new():
    """Add a partner."""
    return _partner_form_page(None)


@bp.route("/coordinator/partners/<int:partner_id>/edit", methods=["GET", "POST"])
@roles_required("coordinator")
def partner_edit(partner_id: int):
    """Change a partner's details."""
    return _partner_form_page(_own_partner(partner_id))


def _render_partner(partner: Partner, status: int = 200, pledge_form=None, link_form=None):
    return render_template(
        "partners/partner.html", partner=partner,
        figures=services.partner_figures(partner).shown(),
        link=services.signup_url(partner), newcomer_link=services.newcomer_url(partner),
        link_open=partner.link_open(clock.today()), contact=services.contact_user(partner),
        pledge_form=pledge_form or PledgeForm(formdata=None, data={
            "year": clock.today().year + 1}),
        link_form=link_form or LinkForm(formdata=None), confirm=ConfirmForm()), status


@bp.get("/coordinator/partners/<int:partner_id>")
@roles_required("coordinator")
def partner(partner_id: int):
    """Show one partner: link, poster, figures, pledges and the contact's login."""
    return _render_partner(_own_partner(partner_id))


@bp.post("/coordinator/partners/<int:partner_id>/delete")
@roles_required("coordinator")
def partner_delete(partner_id: int):
    """Delete a partner (its guides stay, as individuals)."""
    partner = _confirmed_partner(partner_id)
    services.delete_partner(partner)
    flash(gettext("The partner is deleted."), "success")
    return redirect(url_for("partners.partners"))


@bp.post("/coordinator/partners/<int:partner_id>/link")
@roles_required("coordinator")
def partner_link(partner_id: int):
    """Make a new sign-up link; the old link and posters stop working."""
    return _partner_form_post(
        partner_id, LinkForm, "link_form",
        lambda partner, form: services.renew_link(partner, form.expires_on.data),
        gettext("The partner has a new link. Print a new poster."))


@bp.post("/coordinator/partners/<int:partner_id>/pledges")
@roles_required("coordinator")
def partner_pledge(partner_id: int):
    """Record the partner's pledge for a year."""
    return _partner_form_post(
        partner_id, PledgeForm, "pledge_form",
        lambda partner, form: services.save_pledge(partner, form.year.data, form.guides.data),
        gettext("The pledge is saved."))


def _confirmed_partner(partner_id: int):
    """The organisation's partner, for a button that only needs its CSRF-checked confirm."""
    partner = _own_partner(partner_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return partner


def _partner_form_post(partner_id: int, form_class, form_name: str, action, done: str):
    """Validate a form on the partner's page, run ``action``; on bad input show the page."""
    partner = _own_partner(partner_id)
    form = form_class()
    if not form.validate_on_submit():
        return _render_partner(partner, 422, **{form_name: form})
    action(partner, form)
    flash(done, "success")
    return redirect(url_for("partners.partner", partner_id=partner.id))


@bp.post("/coordinator/partners/<int:partner_id>/contact")
@roles_required("coordinator")
def partner_contact(partner_id: int):
    """Give the contact person a login to the partner page (an invitation by e-mail)."""
    partner = _confirmed_partner(partner_id)
    try:
        user = services.create_contact_user(partner)
        invite_user(user, partner.contact_name, INVITE_DAYS,
                    lambda token: absolute_url("auth.invite", token=token))
    except ActionRefused as error:
        flash(str(error), "error")
        return _render_partner(partner, 409)
    flash(gettext("The contact person gets an e-mail to choose a password."), "success")
    return redirect(url_for("partners.partner", partner_id=partner.id))


@bp.get("/coordinator/partners/<int:partner_id>/poster")
@roles_required("coordinator")
def partner_poster(partner_id: int):
    """Show the printable poster with the sign-up link as a QR code."""
    partner = _own_partner(partner_id)
    link = services.signup_url(partner)
    return render_template("partners/poster.html", partner=partner, link=link,
                           organisation=partner.organisation, qr=services.qr_code(link))


@bp.get("/coordinator/partners/<int:partner_id>/qr.svg")
@roles_required("coordinator")
def partner_qr(partner_id: int):
    """Download the QR code of the sign-up link as an SVG file."""
    partner = _own_partner(partner_id)
    svg = services.qr_svg_file(services.signup_url(partner))
    return Response(svg, mimetype="image/svg+xml", headers={
        "Content-Disposition": f'attachment; filename="partner-{partner.id}-qr.svg"'})


@bp.get("/coordinator/partners/pledges/<int:year>.csv")
@roles_required("coordinator")
def pledges_csv(year: int):
    """Download the year's pledges and the progress on each as CSV."""
    if not 2000 <= year <= 2100:
        abort(404)
    organisation = current_organisation()
    header, rows = services.pledges_csv_rows(organisation.id, year)
    return Response(to_csv(header, rows).encode("utf-8"), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="pledges-{organisation.slug}-{year}.csv"'})


# --- public: a partner's link ----------------------------------------------------------------

def _organisation_or_404(slug: str):
    organisation = organisation_by_slug(slug)
    if organisation is None:
        abort(404)
    return organisation


def _follow_link(slug: str, token: str):
    """Return (organisation, partner or None, refusal message or None)."""
    organisation = _organisation_or_404(slug)
    session.pop(services.SESSION_KEY, None)
    try:
        partner = services.partner_by_link(organisation.id, token, clock.today())
    except services.LinkRefused as refused:
        return organisation, None, str(refused)
    services.remember_link(session, partner)
    return organisation, partner, None


@bp.get("/o/<slug>/partner/<token>")
@public
def landing(slug: str, token: str):
    """Welcome someone who came through a partner's link; the sign-up remembers the partner."""
    organisation, partner, refused = _follow_link(slug, token)
    return render_template("partners/landing.html", organisation=organisation,
                           partner=partner, refused=refused), 404 if refused else 200


@bp.get("/o/<slug>/partner/<token>/newcomer")
@public
def newcomer(slug: str, token: str):
    """An employer's link for newcomers among its staff: sign up as a participant."""
    organisation, partner, refused = _follow_link(slug, token)
    if partner is not None and partner.kind == "employer":
        return redirect(url_for("participants.start", slug=organisation.slug))
    session.pop(services.SESSION_KEY, None)
    refused = refused or gettext("This link is not for newcomers.")
    return render_template("partners/landing.html", organisation=organisation,
                           partner=None, refused=refused), 404


# --- the partner contact's own page ----------------------------------------------------------

@bp.get("/partner")
@roles_required("partner")
def own_page():
    """Show the partner's figures: aggregates only, groups smaller than five hidden."""
    partner = db.session.get(Partner, current_user.partner_id or 0)
    if partner is None or partner.organisation_id != current_user.organisation_id:
        abort(404)
    year = clock.today().year
    progress = [p for p in services.pledge_progress(partner.organisation_id, year)
                if p.partner.id == partner.id]
    return render_template("partners/own_page.html", partner=partner,
                           figures=services.partner_figures(partner).hidden(),
                           progress=progress, year=year)


# --- public: a school confirms a pupil's placement ------------------------------------------

@bp.route("/school/confirm/<token>", methods=["GET", "POST"])
@public
def school_confirm(token: str):
    """Let the school confirm an under-18 pupil's placement (single-use, expiring link)."""
    confirmation = services.school_confirmation(token)
    if confirmation is None:
        return render_template("partners/school_confirm.html", profile=None), 404
    profile = db.session.get(VolunteerProfile, confirmation.volunteer_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        services.confirm_placement(confirmation)
        return render_template("partners/school_confirm.html", profile=profile, done=True)
    return render_template("partners/school_confirm.html", profile=profile, done=False,
                           partner=db.session.get(Partner, confirmation.partner_id))


# --- coordinator: a pupil's certificate of hours -------------------------------------------

def _own_pupil(volunteer_id: int) -> VolunteerProfile:
    profile = own_org_or_404(db.session.get(VolunteerProfile, volunteer_id))
    if not profile.is_pupil:
        abort(404)
    return profile


@bp.route("/coordinator/volunteers/<int:volunteer_id>/certificate", methods=["GET", "POST"])
@roles_required("coordinator")
def certificate(volunteer_id: int):
    """Show a pupil's certificate of hours; sign it off (hours from the meeting logs)."""
    profile = _own_pupil(volunteer_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        services.sign_certificate(profile, current_user)
        flash(gettext("The certificate is signed off."), "success")
        return redirect(url_for("partners.certificate", volunteer_id=profile.id))
    return render_template("partners/certificate.html", profile=profile,
                           cert=services.certificate(profile),
                           hours_now=services.pupil_hours(profile), form=form)


@bp.get("/coordinator/volunteers/<int:volunteer_id>/certificate.pdf")
@roles_required("coordinator")
def certificate_pdf(volunteer_id: int):
    """Download the signed certificate of hours as a PDF for the school."""
    profile = _own_pupil(volunteer_id)
    cert = services.certificate(profile)
    if cert is None:
        flash(gettext("Sign off the certificate first."), "warning")
        return redirect(url_for("partners.certificate", volunteer_id=profile.id))
    return Response(certificate_pdf_bytes(cert), mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="certificate-{profile.id}.pdf"'})
