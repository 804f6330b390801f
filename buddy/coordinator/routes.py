"""Coordinator workspace (being built)."""

from flask import Blueprint, render_template

from ..access import roles_required

bp = Blueprint("coordinator", __name__, template_folder="templates", url_prefix="/coordinator")


@bp.get("/")
@roles_required("coordinator")
def dashboard():
    """Queues."""
    return render_template("errors/error.html", code=404, title="", text=""), 404
