"""Response hardening (security headers) and error pages that never show a traceback."""

import re

from flask import Flask, current_app, render_template, request
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, SecurityError

from .extensions import db

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
ERROR_CODES = (400, 401, 403, 404, 405, 413, 429, 500)


def reject_untrusted_host():
    """Answer 400 to a request whose Host is not in ``TRUSTED_HOSTS`` (first before_request).

    Flask records the untrusted host as the routing error; answer it in plain text here, as
    the error page would build its links from that very host."""
    if isinstance(request.routing_exception, SecurityError):
        current_app.logger.warning("Request for an untrusted host refused")
        return current_app.response_class(
            "Bad Request: unknown host\n", status=400, mimetype="text/plain")
    return None


def security_headers(response):
    """Add the security headers to every response, errors included (after_request)."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    headers["Referrer-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Cross-Origin-Resource-Policy"] = "same-origin"
    if current_app.config["BUDDY_ENV"] == "production":
        headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
    if not request.path.startswith("/static/"):
        headers.setdefault("Cache-Control", "no-store")
    return response


def _error_messages() -> dict[int, tuple[str, str]]:
    return {
        400: (gettext("Something in your request was wrong"),
              gettext("Please go back, check what you filled in and try again.")),
        401: (gettext("Please log in"), gettext("You need to log in to see this page.")),
        403: (gettext("No access"), gettext("You do not have access to this page.")),
        404: (gettext("Page not found"),
              gettext("This page does not exist, or you do not have access to it.")),
        405: (gettext("Not allowed"), gettext("This page cannot be used in this way.")),
        413: (gettext("Too much data"),
              gettext("What you sent is too large. Please send less text.")),
        429: (gettext("Too many attempts"),
              gettext("Please wait a few minutes and try again.")),
        500: (gettext("Something went wrong on our side"),
              gettext("Nothing you did caused this. Please try again in a moment.")),
    }


def render_error(code: int, detail: str | None = None):
    """Render the error page for ``code`` in the site layout."""
    title, text = _error_messages().get(code, _error_messages()[500])
    return render_template("errors/error.html", code=code, title=title,
                           text=detail or text), code


SECRET_VIEW_ARGS = ("token",)


def logged_path() -> str:
    """Return the request path for logs, with secrets in it (reset and invitation tokens)
    replaced by ``***``."""
    path = request.path
    for name in SECRET_VIEW_ARGS:
        value = (request.view_args or {}).get(name)
        if isinstance(value, str) and value:
            path = path.replace(value, "***")
    return mask_tokens(path)


_TOKEN_IN_PATH = re.compile(r"(/(?:reset|invite|verify)/)[^/?#\s]+")


def mask_tokens(text: str) -> str:
    """Replace the token in any reset, invitation or verification link in ``text``."""
    return _TOKEN_IN_PATH.sub(r"\1***", text)


def register_error_handlers(app: Flask) -> None:
    """Render every HTTP error and every unexpected exception in the layout."""

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        db.session.rollback()
        app.logger.warning("CSRF check failed on %s %s: %s", request.method, logged_path(),
                           error.description)
        return render_error(400, gettext(
            "Your form expired or was sent twice. Please go back, reload the page and try again."))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        db.session.rollback()
        code = error.code if error.code in ERROR_CODES else 500
        if error.code and error.code < 400:
            return error
        response, status = render_error(code)
        return response, error.code or status

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        if isinstance(error, HTTPException):
            return http_error(error)
        db.session.rollback()
        app.logger.exception("Unhandled error on %s %s", request.method, logged_path())
        return render_error(500)

    app.register_error_handler(InternalServerError, lambda e: render_error(500))
