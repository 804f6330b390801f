"""Inburgergids: pairs volunteer buddies with newcomers doing their civic integration."""

from flask import Flask, g, session
from flask_login import current_user

from .config import load_config
from .extensions import babel, csrf, db, limiter, login_manager, secret_box


def create_app(config: dict | None = None, unset_env: str = "development") -> Flask:
    """Create the app: defaults, environment, ``config`` override, extensions, blueprints.

    ``unset_env`` is the environment assumed when ``BUDDY_ENV`` is not set (see ``wsgi.py``).
    """
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(load_config(app.instance_path, config, unset_env=unset_env))
    app.json.ensure_ascii = False
    trust_proxies(app)
    register_extensions(app)
    register_blueprints(app)
    register_request_hooks(app)
    register_template_helpers(app)
    from .cli import register_cli
    from .security import register_error_handlers

    register_error_handlers(app)
    register_cli(app)
    return app


def trust_proxies(app: Flask) -> None:
    """Behind ``TRUSTED_PROXIES`` proxies, take the client address, scheme and host from
    their ``X-Forwarded-For/-Proto/-Host`` headers (Werkzeug's ProxyFix trusts only the last
    that many values, so a client cannot choose its own address). With 0 they are ignored."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    count = int(app.config["TRUSTED_PROXIES"] or 0)
    if count > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)


def register_extensions(app: Flask) -> None:
    """Bind the extensions created in ``extensions.py`` to ``app``."""
    from . import i18n
    from .auth.services import SESSION_KEY, load_session_user
    from .data import TRANSLATIONS

    db.init_app(app)
    secret_box.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale,
                   default_translation_directories=str(TRANSLATIONS))
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = None  # sessions are server-side, see auth.services

    @login_manager.user_loader
    def load_user(_session_id: str):
        return load_session_user(session.get(SESSION_KEY))


def register_blueprints(app: Flask) -> None:
    """Register one blueprint per feature (see docs/architecture.md)."""
    from .admin.routes import bp as admin_bp
    from .auth.routes import bp as auth_bp
    from .dashboard.routes import bp as dashboard_bp
    from .intake.routes import bp as intake_bp
    from .lifecycle.routes import bp as lifecycle_bp
    from .main.routes import bp as main_bp
    from .matches.routes import bp as matches_bp
    from .matchmaking.routes import bp as matchmaking_bp
    from .monitor.routes import bp as monitor_bp
    from .participants.routes import bp as participants_bp
    from .partners.routes import bp as partners_bp
    from .places.routes import bp as places_bp
    from .privacy.routes import bp as privacy_bp
    from .screening.routes import bp as screening_bp
    from .toolkit.routes import bp as toolkit_bp
    from .volunteers.routes import bp as volunteers_bp

    for blueprint in (main_bp, auth_bp, volunteers_bp, participants_bp, matches_bp, toolkit_bp,
                      privacy_bp, dashboard_bp, screening_bp, intake_bp, places_bp,
                      matchmaking_bp, lifecycle_bp, monitor_bp, partners_bp, admin_bp):
        app.register_blueprint(blueprint)


def register_request_hooks(app: Flask) -> None:
    """Deny by default, own the transaction per request, harden every response."""
    from .access import require_login_by_default
    from .i18n import keep_explicit_choice, remember_choice
    from .security import reject_untrusted_host, security_headers

    # Flask raises an untrusted Host only when dispatching, after the before_request hooks:
    # refuse it first, so no hook and no view ever runs for another host.
    app.before_request_funcs.setdefault(None, []).insert(0, reject_untrusted_host)
    app.before_request(require_login_by_default)

    @app.after_request
    def finish_transaction(response):
        if response.status_code < 400:
            db.session.commit()
        else:
            db.session.rollback()
        return response

    app.after_request(remember_choice)
    app.after_request(keep_explicit_choice)
    app.after_request(security_headers)


def register_template_helpers(app: Flask) -> None:
    """Expose locale, direction and helpers to every template."""
    from . import i18n, labels, vocab

    @app.context_processor
    def inject_locale():
        return {
            "lang_tag": i18n.language_tag(),
            "text_dir": i18n.direction(),
            "language_switcher": i18n.switcher_links,
            "native_language_name": i18n.native_language_name,
            "language_name": i18n.language_name,
            "labels": labels,
            "vocab": vocab,
            "current_user": current_user,
            "g": g,
        }
