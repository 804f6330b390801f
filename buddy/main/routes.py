"""Public pages: home, privacy statement, organisations list, health check."""

from flask import Blueprint, render_template
from sqlalchemy import select, text

from ..extensions import db
from ..models import Organisation

bp = Blueprint("main", __name__, template_folder="templates")


def _organisations() -> list[Organisation]:
    """Return every organisation people can sign up with, by name."""
    return list(db.session.scalars(select(Organisation).order_by(Organisation.name)))


@bp.get("/")
def home():
    """Explain the platform and lead each audience to its start."""
    return render_template("main/home.html", organisations=_organisations())


@bp.get("/privacy")
def privacy():
    """Show the privacy statement in plain language."""
    return render_template("main/privacy.html")


@bp.get("/organisations")
def organisations():
    """List the organisations people can sign up with."""
    return render_template("main/organisations.html", organisations=_organisations())


@bp.get("/healthz")
def healthz():
    """Report whether the app can reach its database (for load balancers)."""
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}
