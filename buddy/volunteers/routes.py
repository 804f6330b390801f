"""Volunteer pages (being built: sign-up, own page)."""

from flask import Blueprint, render_template

from ..access import roles_required

bp = Blueprint("volunteers", __name__, template_folder="templates")


@bp.route("/o/<slug>/volunteer/signup", methods=["GET", "POST"])
def signup(slug: str):
    """Sign up as a volunteer."""
    return render_template("errors/error.html", code=404, title="", text=""), 404


@bp.get("/o/<slug>/volunteer/welcome")
def signup_done(slug: str):
    """Say what happens next."""
    return render_template("errors/error.html", code=404, title="", text=""), 404


@bp.get("/volunteer")
@roles_required("volunteer")
def dashboard():
    """Show the volunteer's own page."""
    return render_template("errors/error.html", code=404, title="", text=""), 404
