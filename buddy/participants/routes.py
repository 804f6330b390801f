"""Participant pages (being built)."""

from flask import Blueprint, render_template

from ..access import roles_required

bp = Blueprint("participants", __name__, template_folder="templates")


@bp.get("/o/<slug>/join")
def start(slug: str):
    """Choose a language."""
    return render_template("errors/error.html", code=404, title="", text=""), 404


@bp.route("/o/<slug>/join/<step>", methods=["GET", "POST"])
def step(slug: str, step: str):
    """One question per screen."""
    return render_template("errors/error.html", code=404, title="", text=""), 404


@bp.get("/o/<slug>/join/done")
def done(slug: str):
    """Waiting list."""
    return render_template("errors/error.html", code=404, title="", text=""), 404


@bp.get("/me")
@roles_required("participant")
def dashboard():
    """Own page."""
    return render_template("errors/error.html", code=404, title="", text=""), 404
