"""A match seen by its volunteer and participant (being built)."""

from flask import Blueprint, abort

from ..access import roles_required

bp = Blueprint("matches", __name__, template_folder="templates", url_prefix="/match")


@bp.get("/<int:match_id>")
@roles_required("volunteer", "participant")
def detail(match_id: int):
    """Show the match: introduction, contact, next steps."""
    abort(404)
