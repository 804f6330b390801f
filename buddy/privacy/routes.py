"""Data rights: see and download my data, delete my account, give or withdraw consent."""

import json

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale, gettext
from flask_limiter.util import get_remote_address
from flask_login import current_user, logout_user

from .. import clock
from ..access import public, roles_required
from ..auth import services as auth_services
from ..extensions import limiter
from ..i18n import DEFAULT_LOCALE
from . import services
from .forms import ConsentActionForm, delete_form_for

bp = Blueprint("privacy", __name__, template_folder="templates")


def _export_limit() -> str:
    return current_app.config["EXPORT_LIMIT"]


def _export_key() -> str:
    user_id = getattr(current_user, "id", None)
    return f"export:{user_id}" if user_id else f"export-ip:{get_remote_address()}"


export_limit = limiter.shared_limit(_export_limit, scope="my-data", key_func=_export_key)


@bp.get("/account/data")
@export_limit
@roles_required("volunteer", "participant", "coordinator", "admin")
def my_data():
    """Show everything we hold about me as a readable page."""
    data = services.person_data(current_user)
    return render_template("privacy/my_data.html", data=data)


@bp.get("/account/data.json")
@export_limit
@roles_required("volunteer", "participant", "coordinator", "admin")
def my_data_json():
    """Download everything we hold about me as a JSON file."""
    body = json.dumps(services.export_person(current_user), ensure_ascii=False, indent=2)
    response = current_app.response_class(body, mimetype="application/json")
    filename = f"inburgergids-my-data-{clock.today().isoformat()}.json"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.route("/account/delete", methods=["GET", "POST"])
@roles_required("volunteer", "participant")
def delete_account():
    """Delete my account and my data after a clear confirmation."""
    form = delete_form_for(current_user)
    if form.validate_on_submit():
        if "password" in form and not auth_services.verify_password(
                current_user, form.password.data):
            form.password.errors.append(gettext("This password is not correct."))
        else:
            user = current_user._get_current_object()
            locale = user.locale or DEFAULT_LOCALE
            services.erase_person(user, actor=user)
            logout_user()
            session.clear()
            return redirect(url_for("privacy.goodbye", lang=locale))
    status = 422 if request.method == "POST" else 200
    return render_template("privacy/delete.html", form=form), status


@bp.get("/account/deleted")
@public
def goodbye():
    """Say goodbye after the account was deleted."""
    return render_template("privacy/goodbye.html")


@bp.route("/account/consent", methods=["GET", "POST"])
@roles_required("volunteer", "participant")
def consent():
    """Show my consents; give or withdraw each one with a single button."""
    user = current_user._get_current_object()
    form = ConsentActionForm(purposes=services.consent_purposes(user))
    if form.validate_on_submit():
        purpose = form.purpose.data
        if form.action.data == "withdraw":
            services.withdraw_consent(user, purpose, actor=user)
            flash(gettext("Your consent is withdrawn."), "success")
        else:
            services.record_consent(user, purpose, str(get_locale()), actor=user)
            flash(gettext("Thank you. Your consent is saved."), "success")
        return redirect(url_for("privacy.consent"))
    if request.method == "POST":
        flash(gettext("Please choose from the list."), "error")
    status = 422 if request.method == "POST" else 200
    return render_template(
        "privacy/consent.html", overview=services.consent_overview(user),
        matching_purposes=services.MATCHING_CONSENTS.get(user.role, ())), status
