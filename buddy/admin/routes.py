"""Administration (being built)."""

from flask import Blueprint, render_template

from ..access import roles_required

bp = Blueprint("admin", __name__, template_folder="templates", url_prefix="/admin")


@bp.get("/")
@roles_required("admin")
def index():
    """Organisations."""
    return render_template("errors/error.html", code=404, title="", text=""), 404
