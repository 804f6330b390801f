"""Who may see what: role checks for views and organisation scoping for queries.

Deny by default: every endpoint outside ``PUBLIC_ENDPOINTS`` needs a signed-in user, and
views name the roles they allow with ``@roles_required``. Objects of another organisation
are reported as missing (404), never as forbidden, so their existence does not leak.
"""

import logging
from functools import wraps

from flask import abort, current_app, redirect, request, url_for
from flask_login import current_user

from .extensions import db
from .models import Organisation

log = logging.getLogger("buddy.access")

PUBLIC_ENDPOINTS = frozenset({
    "static", "main.home", "main.privacy", "main.healthz", "main.language", "main.organisations",
    "auth.login", "auth.reset_request", "auth.reset", "auth.invite", "auth.mfa",
    "auth.verify_email",
    "volunteers.signup", "volunteers.signup_done", "participants.start", "participants.step",
    "participants.done", "toolkit.index", "toolkit.page", "toolkit.search", "toolkit.printable",
})


def require_login_by_default():
    """Send anonymous users to the login page for every non-public endpoint."""
    endpoint = request.endpoint
    if endpoint is None or endpoint in PUBLIC_ENDPOINTS:
        return None
    if endpoint in current_app.view_functions and getattr(
        current_app.view_functions[endpoint], "is_public", False
    ):
        return None
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    return None


def public(view):
    """Mark a view as reachable without login."""
    view.is_public = True
    return view


def roles_required(*roles: str):
    """Allow the view only to signed-in users with one of ``roles`` (else 403)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            if current_user.role not in roles:
                log.warning("access denied user=%s role=%s endpoint=%s", current_user.id,
                            current_user.role, request.endpoint)
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = roles
        return wrapped

    return decorator


def own_org_or_404(obj):
    """Return ``obj`` if it belongs to the current coordinator's organisation, else 404."""
    if obj is None:
        abort(404)
    if getattr(obj, "organisation_id", None) != current_user.organisation_id:
        log.warning("cross-organisation access user=%s target=%s:%s", current_user.id,
                    type(obj).__name__, getattr(obj, "id", None))
        abort(404)
    return obj


def own_or_404(model, object_id: int):
    """Return row ``object_id`` of ``model`` in the coordinator's organisation, else 404."""
    return own_org_or_404(db.session.get(model, object_id))


def current_organisation():
    """Return the signed-in coordinator's organisation, else 404."""
    organisation = db.session.get(Organisation, current_user.organisation_id or 0)
    if organisation is None:
        abort(404)
    return organisation


def in_organisation(model, object_id: int, organisation_id: int):
    """Return the row of ``model`` with ``object_id`` if it belongs to the organisation."""
    obj = db.session.get(model, object_id)
    if obj is None or getattr(obj, "organisation_id", None) != organisation_id:
        return None
    return obj
