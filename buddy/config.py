"""Settings: defaults, then the environment, then an explicit override (tests).

In production (``BUDDY_ENV=production``) insecure settings stop the start-up with a clear
message; in development a secret key is generated once and kept in the instance folder.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from werkzeug.sansio.utils import host_is_trusted

from .data import TOOLKIT_CONTENT
from .i18n import DEFAULT_LOCALE


class ConfigError(RuntimeError):
    """A setting is missing or unsafe; the message says which and what to do."""


DEFAULTS = {
    "BUDDY_ENV": "development",
    "DEBUG": False,
    "TESTING": False,
    "DATABASE_URL": None,  # None -> SQLite in the instance folder
    "SECRET_KEY": None,
    "BABEL_DEFAULT_LOCALE": DEFAULT_LOCALE,  # Flask-Babel reads it; the value is i18n's
    "BABEL_DEFAULT_TIMEZONE": "Europe/Amsterdam",
    "MAX_CONTENT_LENGTH": 256 * 1024,
    "MAX_FORM_MEMORY_SIZE": 256 * 1024,
    "MAX_FORM_PARTS": 400,
    "SESSION_COOKIE_NAME": "buddy_session",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,
    "SESSION_IDLE_MINUTES": 30,
    "SESSION_ABSOLUTE_HOURS": 12,
    "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
    # Timeouts are enforced on the server (user_sessions); no need to re-send the cookie.
    "SESSION_REFRESH_EACH_REQUEST": False,
    "WTF_CSRF_TIME_LIMIT": None,  # tied to the session instead; no time pressure on forms
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_KEY_PREFIX": "",
    "LOGIN_LIMIT": "10 per 15 minutes",
    "LOGIN_ACCOUNT_LIMIT": "20 per hour",
    "RESET_LIMIT": "5 per hour",
    "EXPORT_LIMIT": "20 per hour",
    "SIGNUP_LIMIT": "20 per hour",
    "SIGNUP_DRAFTS_PER_HOUR": 30,  # sign-ups one client address may start per hour
    "TOOLKIT_SEARCH_LIMIT": "120 per minute",
    "MAIL_BACKEND": "console",  # console (development) or smtp
    "MAIL_SERVER": "127.0.0.1",
    "MAIL_PORT": 25,
    "MAIL_USE_TLS": False,  # STARTTLS (port 587)
    "MAIL_USE_SSL": False,  # implicit TLS (port 465)
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_FROM": "Inburgergids <noreply@inburgergids.local>",
    "MAIL_MAX_ATTEMPTS": 6,
    "BASE_URL": "http://127.0.0.1:5000",  # the public root: every link in e-mails starts here
    "TRUSTED_HOSTS": None,  # list of host names; any other Host header gets 400 (Flask >= 3.1)
    "TRUSTED_PROXIES": 0,  # proxies in front that set X-Forwarded-For/-Proto/-Host (ProxyFix)
    "LANG_COOKIE_NAME": "lang",
    "SMS_BACKEND": "console",  # console (development), http (a gateway) or off (coordinator)
    "SMS_GATEWAY_URL": None,
    "SMS_GATEWAY_TOKEN": None,
    "TOKEN_HOURS": 2,
    "INVITE_DAYS": 14,
    "PRIVACY_VERSION": "2026-11",
    "CODE_OF_CONDUCT_VERSION": "2026-11",
    "REQUIRE_MFA": True,
    # Fernet key(s), comma-separated, first one encrypts: TOTP secrets at rest. Required in
    # production; development and tests derive one from SECRET_KEY.
    "TOTP_ENCRYPTION_KEY": None,
    "LOGIN_FAILURES_FREE": 5,  # failed attempts per account and step before back-off starts
    "LOGIN_BACKOFF_MAX_MINUTES": 60,
    "MFA_PENDING_MINUTES": 5,  # password passed, waiting for the code
    "TOOLKIT_DIR": None,  # None -> the toolkit_content/ shipped in the package (buddy/data)
    "RETENTION_DAYS": {  # each category, its period and its test: docs/privacy.md
        "withdrawn_participant": 365,
        "rejected_volunteer": 365,
        "paused_volunteer": 365,  # paused without end (consent withdrawn)
        "inactive_volunteer": 730,  # no login, no change and no open match
        "ended_match_personal": 730,
        "audit_details": 365,
        "audit_event": 1825,
        "outbox_body": 30,
        "outbox_sent": 90,
        "session": 30,
        "token": 30,
        "login_throttle": 1,
    },
}

_ENV_TYPES = {
    "DEBUG": "bool",
    "SESSION_COOKIE_SECURE": "bool",
    "MAIL_USE_TLS": "bool",
    "MAIL_USE_SSL": "bool",
    "REQUIRE_MFA": "bool",
    "RATELIMIT_ENABLED": "bool",
    "MAIL_PORT": "int",
    "SESSION_IDLE_MINUTES": "int",
    "SESSION_ABSOLUTE_HOURS": "int",
    "TRUSTED_PROXIES": "int",
    "TRUSTED_HOSTS": "list",
}
_ENV_KEYS = [
    "BUDDY_ENV", "DATABASE_URL", "SECRET_KEY", "RATELIMIT_STORAGE_URI", "MAIL_BACKEND",
    "MAIL_SERVER", "MAIL_USERNAME", "MAIL_PASSWORD", "MAIL_FROM", "BASE_URL", "TOOLKIT_DIR",
    "RATELIMIT_KEY_PREFIX", "TOTP_ENCRYPTION_KEY", "SMS_BACKEND", "SMS_GATEWAY_URL",
    "SMS_GATEWAY_TOKEN", *_ENV_TYPES,
]


def _parse(key: str, raw: str):
    kind = _ENV_TYPES.get(key)
    if kind == "bool":
        return raw.strip().lower() in ("1", "true", "yes", "on")
    if kind == "int":
        return int(raw)
    if kind == "list":
        return [part.strip().lower() for part in raw.split(",") if part.strip()] or None
    return raw


def load_config(instance_path: str, override: dict | None = None,
                unset_env: str = "development") -> dict:
    """Return the settings: defaults, environment (``BUDDY_*`` or plain names), override.

    ``unset_env`` is the environment assumed when ``BUDDY_ENV`` is set nowhere: ``wsgi.py``
    passes ``production`` unless the app runs under the ``flask`` command (see
    :func:`environment_when_unset`), so a WSGI server started without ``BUDDY_ENV`` gets the
    production checks instead of silently running a development configuration.
    """
    config = dict(DEFAULTS)
    for key in _ENV_KEYS:
        for name in (f"BUDDY_{key}", key):
            if name in os.environ and not (name == key == "BUDDY_ENV"):
                config[key] = _parse(key, os.environ[name])
                break
    explicit = "BUDDY_ENV" in os.environ or "BUDDY_BUDDY_ENV" in os.environ
    if "BUDDY_ENV" in os.environ:
        config["BUDDY_ENV"] = os.environ["BUDDY_ENV"]
    if not explicit:
        config["BUDDY_ENV"] = unset_env
    explicit = explicit or "BUDDY_ENV" in (override or {})
    config.update(override or {})
    if config["BUDDY_ENV"] not in ("development", "production"):
        raise ConfigError(f"BUDDY_ENV={config['BUDDY_ENV']!r} is unknown: "
                          "set BUDDY_ENV=production or BUDDY_ENV=development.")
    if config["DATABASE_URL"] is None:
        config["DATABASE_URL"] = f"sqlite:///{Path(instance_path) / 'buddy.sqlite3'}"
    config["DATABASE_URL"] = normalise_database_url(config["DATABASE_URL"])
    if config["TOOLKIT_DIR"] is None:
        config["TOOLKIT_DIR"] = str(TOOLKIT_CONTENT)
    if isinstance(config["TRUSTED_HOSTS"], str):
        config["TRUSTED_HOSTS"] = _parse("TRUSTED_HOSTS", config["TRUSTED_HOSTS"])
    if config["BUDDY_ENV"] == "production":
        try:
            _check_production(config)
        except ConfigError as error:
            if explicit:
                raise
            raise ConfigError(
                f"{error}\n(BUDDY_ENV is not set. Outside the flask command the app assumes "
                "production; for a local try set BUDDY_ENV=development.)") from None
    elif not config["SECRET_KEY"]:
        config["SECRET_KEY"] = _development_key(instance_path)
    return config


def environment_when_unset() -> str:
    """Return the environment to assume when ``BUDDY_ENV`` is not set.

    ``development`` under the ``flask`` command (``flask run``, ``make demo``, the everyday
    commands), ``production`` everywhere else: gunicorn, uwsgi or any WSGI server importing
    ``wsgi:app``. The ``flask`` command marks itself with ``FLASK_RUN_FROM_CLI``.
    """
    return "development" if os.environ.get("FLASK_RUN_FROM_CLI") == "true" else "production"


def normalise_database_url(url: str) -> str:
    """Make ``postgres://`` and ``postgresql://`` URLs use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _check_production(config: dict) -> None:
    key = config.get("SECRET_KEY") or ""
    if len(key) < 32 or len(set(key)) < 10:
        raise ConfigError(
            "SECRET_KEY is missing or weak. In production set SECRET_KEY to at least 32 random "
            "characters, e.g. the output of: "
            "python -c 'import secrets; print(secrets.token_hex(32))'"
        )
    if config.get("DEBUG"):
        raise ConfigError("DEBUG is on. Never run production with DEBUG=1.")
    if config["DATABASE_URL"].startswith("sqlite"):
        raise ConfigError(
            "DATABASE_URL points to SQLite. In production use PostgreSQL, "
            "e.g. DATABASE_URL=postgresql://user@host/buddy"
        )
    if config["RATELIMIT_STORAGE_URI"].startswith("memory"):
        raise ConfigError(
            "RATELIMIT_STORAGE_URI is in-memory. With several gunicorn workers, limits must be "
            "shared: set RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379/0"
        )
    _check_public_address(config)
    _check_mail(config)
    if not config.get("REQUIRE_MFA"):
        raise ConfigError(
            "REQUIRE_MFA is off. Coordinators and administrators see personal data: production "
            "requires a second factor. Remove REQUIRE_MFA=0.")
    if int(config.get("TRUSTED_PROXIES") or 0) < 0:
        raise ConfigError("TRUSTED_PROXIES must be 0 or more (the number of proxies in front).")
    _check_totp_key(config.get("TOTP_ENCRYPTION_KEY"))
    if config["SMS_BACKEND"] == "console" or (
            config["SMS_BACKEND"] == "http" and not config.get("SMS_GATEWAY_URL")):
        raise ConfigError("SMS_BACKEND is console (it prints codes) or http without "
                          "SMS_GATEWAY_URL. In production set SMS_BACKEND=http with "
                          "SMS_GATEWAY_URL and SMS_GATEWAY_TOKEN, or SMS_BACKEND=off to let "
                          "coordinators confirm phone numbers.")
    config["SESSION_COOKIE_SECURE"] = True
    # __Host-: the browser only accepts it over HTTPS, for this exact host, for path /.
    config["SESSION_COOKIE_NAME"] = "__Host-buddy_session"
    config["LANG_COOKIE_NAME"] = "__Host-lang"
    config["PREFERRED_URL_SCHEME"] = "https"


def _check_public_address(config: dict) -> None:
    base = urlsplit(config.get("BASE_URL") or "")
    if base.scheme != "https" or not base.hostname:
        raise ConfigError(
            "BASE_URL must be the public https:// address of the site, e.g. "
            "BASE_URL=https://inburgergids.example.org. Every link in e-mails starts with it.")
    hosts = config.get("TRUSTED_HOSTS")
    if not hosts:
        raise ConfigError(
            "TRUSTED_HOSTS is not set. List the host names the site answers to, separated by "
            "commas, e.g. TRUSTED_HOSTS=inburgergids.example.org; any other Host gets 400.")
    if not host_is_trusted(base.hostname, hosts):
        raise ConfigError(
            f"The host of BASE_URL ({base.hostname}) is not in TRUSTED_HOSTS ({', '.join(hosts)})."
            " Add it to TRUSTED_HOSTS.")


def _check_mail(config: dict) -> None:
    if config.get("MAIL_BACKEND") != "smtp":
        raise ConfigError(
            f"MAIL_BACKEND={config.get('MAIL_BACKEND')!r} does not send e-mail. In production "
            "set MAIL_BACKEND=smtp with MAIL_SERVER, MAIL_PORT and MAIL_USE_TLS=1.")
    if not (config.get("MAIL_USE_TLS") or config.get("MAIL_USE_SSL")):
        raise ConfigError(
            "SMTP without TLS would send reset links in clear text. Set MAIL_USE_TLS=1 "
            "(STARTTLS, usually port 587) or MAIL_USE_SSL=1 (port 465).")
def _check_totp_key(keys: str | None) -> None:
    from cryptography.fernet import Fernet

    try:
        if not keys or not [Fernet(k.strip()) for k in keys.split(",") if k.strip()]:
            raise ValueError("missing")
    except ValueError as error:
        raise ConfigError(
            "TOTP_ENCRYPTION_KEY is missing or not a Fernet key. In production set it to the "
            "output of: python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())' (several keys, comma-separated, rotate).",
        ) from error


def _development_key(instance_path: str) -> str:
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
        print(f" * Development: generated a secret key in {path}")
    return path.read_text().strip()
