"""Data rights: download my data, delete my account, withdraw consent (being built)."""

from flask import Blueprint, abort

from ..access import roles_required

bp = Blueprint("privacy", __name__, template_folder="templates")


@bp.get("/account/data")
@roles_required("volunteer", "participant", "coordinator", "admin")
def my_data():
    """Show my data as a readable page."""
    abort(404)


@bp.get("/account/data.json")
@roles_required("volunteer", "participant", "coordinator", "admin")
def my_data_json():
    """Download my data as JSON."""
    abort(404)


@bp.route("/account/delete", methods=["GET", "POST"])
@roles_required("volunteer", "participant")
def delete_account():
    """Delete my account."""
    abort(404)


@bp.route("/account/consent", methods=["GET", "POST"])
@roles_required("volunteer", "participant")
def consent():
    """See and withdraw consent."""
    abort(404)
