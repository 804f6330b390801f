"""Inburgergids: pairs volunteer buddies with newcomers doing their civic integration."""

from flask import Flask, g, session
from flask_login import current_user

from .config import load_config
from .extensions import babel, csrf, db, limiter, login_manager, secret_box


def create_app(config: dict | None = None) -> Flask:
    """Create the app: defaults, environment, ``config`` override, extensions, blueprints."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(load_config(app.instance_path, config))
    app.json.ensure_ascii = False
    register_extensions(app)
    register_blueprints(app)
    register_request_hooks(app)
    register_template_helpers(app)
    from .cli import register_cli
    from .security import register_error_handlers

    register_error_handlers(app)
    register_cli(app)
    return app


def register_extensions(app: Flask) -> None:
    """Bind the extensions created in ``extensions.py`` to ``app``."""
    from . import i18n
    from .auth.services import SESSION_KEY, load_session_user

    db.init_app(app)
    secret_box.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale,
                   default_translation_directories=str(app.root_path + "/../translations"))
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = None  # sessions are server-side, see auth.services

    @login_manager.user_loader
    def load_user(_session_id: str):
        return load_session_user(session.get(SESSION_KEY))


def register_blueprints(app: Flask) -> None:
    """Register one blueprint per audience."""
    from .admin.routes import bp as admin_bp
    from .auth.routes import bp as auth_bp
    from .coordinator.routes import bp as coordinator_bp
    from .main.routes import bp as main_bp
    from .matches.routes import bp as matches_bp
    from .participants.routes import bp as participants_bp
    from .people.routes import bp as people_bp
    from .privacy.routes import bp as privacy_bp
    from .toolkit.routes import bp as toolkit_bp
    from .volunteers.routes import bp as volunteers_bp

    for blueprint in (main_bp, auth_bp, volunteers_bp, participants_bp, coordinator_bp,
                      people_bp, matches_bp, toolkit_bp, admin_bp, privacy_bp):
        app.register_blueprint(blueprint)


def register_request_hooks(app: Flask) -> None:
    """Deny by default, own the transaction per request, harden every response."""
    from .access import require_login_by_default
    from .i18n import remember_choice
    from .security import security_headers

    app.before_request(require_login_by_default)

    @app.after_request
    def finish_transaction(response):
        if response.status_code < 400:
            db.session.commit()
        else:
            db.session.rollback()
        return response

    app.after_request(remember_choice)
    app.after_request(security_headers)


def register_template_helpers(app: Flask) -> None:
    """Expose locale, direction and helpers to every template."""
    from . import i18n, labels

    @app.context_processor
    def inject_locale():
        return {
            "lang_tag": i18n.language_tag(),
            "text_dir": i18n.direction(),
            "language_switcher": i18n.switcher_links,
            "native_language_name": i18n.native_language_name,
            "language_name": i18n.language_name,
            "labels": labels,
            "current_user": current_user,
            "g": g,
        }
