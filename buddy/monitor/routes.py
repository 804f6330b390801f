"""Monitoring: the organisation's figures, the cross-organisation comparison (admins) and
the CSV exports. Views are thin.
"""

from flask import Blueprint, Response, current_app, render_template
from flask_login import current_user

from .. import clock
from ..access import roles_required
from ..extensions import limiter
from ..partners import services as partners
from . import exports, services
from .forms import ExportForm

bp = Blueprint("monitor", __name__, template_folder="templates", url_prefix="/coordinator")

# --- monitor, figures, exports ----------------------------------------------------------------

@bp.get("/monitor")
@roles_required("coordinator")
def monitor_page():
    """Show the organisation's figures as charts with data tables."""
    figures = services.organisation_figures(current_user.organisation_id, clock.today())
    year = clock.today().year
    return render_template("monitor/monitor.html", figures=figures,
                           charts=services.charts(figures),
                           sources=partners.source_figures(current_user.organisation_id),
                           pledges=partners.pledge_progress(current_user.organisation_id, year),
                           year=year)


@bp.get("/figures/all")
@roles_required("admin")
def all_figures():
    """Compare organisations side by side: aggregates only, small groups hidden."""
    return render_template("monitor/figures_all.html",
                           rows=services.all_organisations(clock.today()),
                           min_group=services.MIN_GROUP)


def _export_limit() -> str:
    return current_app.config["EXPORT_LIMIT"]


def _export_key() -> str:
    return f"export:{getattr(current_user, 'id', None)}"


@bp.get("/exports")
@roles_required("coordinator")
def exports_page():
    """Offer the CSV exports."""
    return render_template("monitor/exports.html", form=ExportForm(formdata=None))


@bp.post("/exports")
@roles_required("coordinator")
@limiter.limit(_export_limit, key_func=_export_key)
def export():
    """Download matches or the waiting list as CSV (pseudonymised unless asked otherwise)."""
    form = ExportForm()
    if not form.validate_on_submit():
        return render_template("monitor/exports.html", form=form), 422
    filename, text = exports.export(form.kind.data, current_user.organisation_id,
                                    form.include_names.data)
    return Response(text.encode("utf-8"), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{filename}"'})

