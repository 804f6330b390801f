"""Toolkit pages (being built)."""

from flask import Blueprint, render_template

bp = Blueprint("toolkit", __name__, template_folder="templates", url_prefix="/toolkit")


@bp.get("/")
def index():
    """Overview."""
    return render_template("errors/error.html", code=404, title="", text=""), 404


@bp.get("/search")
def search():
    """Search."""
    return render_template("errors/error.html", code=404, title="", text=""), 404


@bp.get("/<slug>")
def page(slug: str):
    """One page."""
    return render_template("errors/error.html", code=404, title="", text=""), 404


@bp.get("/<slug>/print")
def printable(slug: str):
    """Printable."""
    return render_template("errors/error.html", code=404, title="", text=""), 404
