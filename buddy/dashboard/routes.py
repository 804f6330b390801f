"""The coordinator's home: the queues that need attention, and the e-mail outbox."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext

from ..access import current_organisation, own_or_404, roles_required
from ..forms import ConfirmForm
from ..models import OutboxMessage
from . import services

bp = Blueprint("dashboard", __name__, template_folder="templates", url_prefix="/coordinator")

# --- dashboard and outbox -------------------------------------------------------------------

@bp.get("/")
@roles_required("coordinator")
def dashboard():
    """Show the queues: to screen, waiting, proposals, check-ins, VOG renewals, outbox."""
    organisation = current_organisation()
    return render_template("dashboard/dashboard.html", organisation=organisation,
                           queues=services.dashboard(organisation))


@bp.get("/outbox")
@roles_required("coordinator")
def outbox():
    """List the organisation's e-mails and their delivery state (no contents)."""
    organisation = current_organisation()
    return render_template("dashboard/outbox.html", messages=services.list_outbox(
        organisation.id), counts=services.outbox_counts(organisation.id), form=ConfirmForm())


@bp.post("/outbox/<int:message_id>/retry")
@roles_required("coordinator")
def retry_message(message_id: int):
    """Give a failed e-mail new delivery attempts."""
    message = own_or_404(OutboxMessage, message_id)
    if ConfirmForm().validate_on_submit():
        services.retry_outbox(message)
        flash(gettext("The e-mail will be sent again."), "success")
    return redirect(url_for("dashboard.outbox"))

