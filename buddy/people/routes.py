"""Coordinator's people pages: screening volunteers, participants and intake (being built)."""

from flask import Blueprint, abort

from ..access import roles_required

bp = Blueprint("people", __name__, template_folder="templates", url_prefix="/coordinator")


@bp.get("/volunteers")
@roles_required("coordinator")
def volunteers():
    """List volunteers."""
    abort(404)
