"""Administration: organisations, coordinators, accounts and the audit trail (admins only)."""

from functools import partial

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from ..access import roles_required
from ..errors import ActionRefused
from ..extensions import db
from ..models import Organisation, User
from ..notifications import absolute_url
from . import services
from .forms import AccountLookupForm, AuditFilterForm, CoordinatorForm, OrganisationForm

bp = Blueprint("admin", __name__, template_folder="templates", url_prefix="/admin")


def _must(obj):
    """Return ``obj``, or answer 404 when it does not exist."""
    if obj is None:
        abort(404)
    return obj


def _invite_link(token: str) -> str:
    return absolute_url("auth.invite", token=token)


def _back_to(user: User):
    """Return a redirect to the page an account action came from."""
    if user.role == "coordinator" and user.organisation_id:
        return redirect(url_for("admin.organisation", organisation_id=user.organisation_id))
    return redirect(url_for("admin.user", user_id=user.id))


@bp.get("/")
@roles_required("admin")
def index():
    """List the organisations with their counts."""
    return render_template("admin/index.html", summaries=services.organisation_summaries(),
                           lookup_form=AccountLookupForm(formdata=None))


@bp.route("/organisations/new", methods=["GET", "POST"])
@roles_required("admin")
def organisation_new():
    """Create an organisation."""
    form = OrganisationForm()
    if form.validate_on_submit():
        try:
            organisation = services.create_organisation(form.slug.data, form.settings())
        except ActionRefused as error:
            form.slug.errors.append(str(error))
        else:
            flash(gettext("The organisation is created. Now add a coordinator."), "success")
            return redirect(url_for("admin.organisation", organisation_id=organisation.id))
    return render_template("admin/organisation_form.html", form=form,
                           organisation=None), 422 if form.is_submitted() else 200


def _render_organisation(organisation: Organisation, form: CoordinatorForm, status: int = 200):
    return render_template(
        "admin/organisation.html", organisation=organisation, form=form,
        summary=services.organisation_summary(organisation),
        coordinators=services.coordinators_of(organisation.id)), status


@bp.get("/organisations/<int:organisation_id>")
@roles_required("admin")
def organisation(organisation_id: int):
    """Show an organisation's settings, counts and coordinators."""
    organisation = _must(db.session.get(Organisation, organisation_id))
    return _render_organisation(organisation, CoordinatorForm(formdata=None))


@bp.route("/organisations/<int:organisation_id>/edit", methods=["GET", "POST"])
@roles_required("admin")
def organisation_edit(organisation_id: int):
    """Change an organisation's settings."""
    organisation = _must(db.session.get(Organisation, organisation_id))
    form = OrganisationForm()
    del form.slug
    if form.validate_on_submit():
        services.update_organisation(organisation, form.settings())
        flash(gettext("The settings are saved."), "success")
        return redirect(url_for("admin.organisation", organisation_id=organisation.id))
    if not form.is_submitted():
        form.fill_from(organisation)
    return render_template("admin/organisation_form.html", form=form,
                           organisation=organisation), 422 if form.is_submitted() else 200


@bp.post("/organisations/<int:organisation_id>/coordinators")
@roles_required("admin")
def coordinator_new(organisation_id: int):
    """Create a coordinator and e-mail them an invitation link, or show it once."""
    organisation = _must(db.session.get(Organisation, organisation_id))
    form = CoordinatorForm()
    if not form.validate_on_submit():
        return _render_organisation(organisation, form, 422)
    user = services.create_coordinator(organisation, form.email.data, None, form.locale.data)
    invitation = services.invite_coordinator(user, current_app.config["INVITE_DAYS"],
                                             _invite_link, form.delivery.data == "email")
    if invitation.emailed:
        flash(gettext("The coordinator is created and the invitation is sent by e-mail."),
              "success")
        return redirect(url_for("admin.organisation", organisation_id=organisation.id))
    return render_template("admin/invite_link.html", user=user, link=invitation.link,
                           days=current_app.config["INVITE_DAYS"])


@bp.post("/users/<int:user_id>/invite")
@roles_required("admin")
def user_invite(user_id: int):
    """Send a coordinator a new invitation link (the old one stops working)."""
    user = _must(db.session.get(User, user_id))
    send = request.form.get("delivery", "email") == "email"
    try:
        invitation = services.invite_coordinator(user, current_app.config["INVITE_DAYS"],
                                                 _invite_link, send)
    except ActionRefused as error:
        flash(str(error), "error")
        return _back_to(user)
    if invitation.emailed:
        flash(gettext("A new invitation is sent by e-mail."), "success")
        return _back_to(user)
    return render_template("admin/invite_link.html", user=user, link=invitation.link,
                           days=current_app.config["INVITE_DAYS"])


def _account_action(user_id: int, action, done_message: str):
    """Run an action on an account; report a refusal, or confirm."""
    user = _must(db.session.get(User, user_id))
    try:
        count = action(user)
    except ActionRefused as error:
        flash(str(error), "error")
        return _back_to(user)
    flash(done_message % {"count": count}, "success")
    return _back_to(user)


@bp.post("/users/<int:user_id>/disable")
@roles_required("admin")
def user_disable(user_id: int):
    """Disable an account and end all its sessions."""
    return _account_action(user_id, partial(_set_active, active=False),
                           gettext("The account is disabled. Sessions ended: %(count)d."))


@bp.post("/users/<int:user_id>/enable")
@roles_required("admin")
def user_enable(user_id: int):
    """Enable a disabled account."""
    return _account_action(user_id, partial(_set_active, active=True),
                           gettext("The account is enabled."))


def _set_active(user: User, active: bool) -> int:
    return services.set_account_active(user, active, current_user)


@bp.post("/users/<int:user_id>/logout")
@roles_required("admin")
def user_logout(user_id: int):
    """Log the user out of all their sessions."""
    return _account_action(user_id, services.end_all_sessions,
                           gettext("All sessions of this account are ended: %(count)d."))


@bp.post("/users/find")
@roles_required("admin")
def user_find():
    """Find an account by its e-mail address or phone number."""
    form = AccountLookupForm()
    if form.validate_on_submit():
        user = services.find_account(form.identifier.data)
        if user is not None:
            return redirect(url_for("admin.user", user_id=user.id))
        form.identifier.errors.append(gettext("No account logs in with this."))
    return render_template("admin/index.html", summaries=services.organisation_summaries(),
                           lookup_form=form), 422


@bp.get("/users/<int:user_id>")
@roles_required("admin")
def user(user_id: int):
    """Show an account's role, state and sessions (no profile data)."""
    user = _must(db.session.get(User, user_id))
    return render_template("admin/user.html", account=user,
                           sessions=services.live_session_count(user))


@bp.get("/audit")
@roles_required("admin")
def audit_trail():
    """Browse the audit trail with filters, newest first."""
    form = AuditFilterForm(formdata=request.args, actions=services.audit_actions(),
                           organisations=services.organisations())
    valid = form.validate()
    page = services.audit_page(form.filters(), form.page_number())
    return render_template("admin/audit.html", form=form, page=page), 200 if valid else 422
