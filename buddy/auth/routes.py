"""Log in (with a second factor for staff), log out, reset, invitations, own account."""

import logging
from datetime import timedelta
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext, ngettext
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from .. import clock
from ..access import roles_required
from ..extensions import db, limiter, secret_box
from ..i18n import NATIVE_NAMES
from ..models import User, UserSession
from ..notifications import absolute_url, queue_email
from . import contacts, services
from .forms import (
    ChangePasswordForm,
    ConfirmForm,
    LanguageForm,
    LoginForm,
    NewPasswordForm,
    ResetRequestForm,
    TotpForm,
)

bp = Blueprint("auth", __name__, template_folder="templates")
log = logging.getLogger("buddy.auth")
MFA_PENDING = "mfa_pending_user"


def _limit(name: str):
    return lambda: current_app.config[name]


def _account_key() -> str:
    return "login-account:" + (services.login_key(request.form.get("identifier", "")) or "-")


def _wait_message(left: timedelta) -> str:
    minutes = max(1, -(-int(left.total_seconds()) // 60))
    return ngettext("Too many wrong attempts. Please wait %(num)d minute and try again.",
                    "Too many wrong attempts. Please wait %(num)d minutes and try again.",
                    minutes)


def safe_next(target: str | None) -> str | None:
    """Return ``target`` only if it is a local path on this site (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def finish_login(user: User, mfa_passed: bool = False):
    """Open the session and send the user on."""
    target = safe_next(session.get("next_after_login"))
    services.start_session(user, request.headers.get("User-Agent", ""), mfa_passed)
    login_user(user)
    return redirect(target or services.home_for(user))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_limit("LOGIN_LIMIT"), methods=["POST"])
@limiter.limit(_limit("LOGIN_ACCOUNT_LIMIT"), methods=["POST"], key_func=_account_key)
def login():
    """Log in with e-mail (or phone) and password."""
    if current_user.is_authenticated:
        return redirect(services.home_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.find_login(form.identifier.data)
        key = services.throttle_key("password", user, form.identifier.data)
        left = services.locked_for(key)
        if left is not None:
            form.password.errors.append(_wait_message(left))
            return render_template("auth/login.html", form=form)
        if services.verify_password(user, form.password.data) and user.active:
            log.info("login password ok user=%s ip=%s", user.id, request.remote_addr)
            services.clear_failures(key)
            session["next_after_login"] = safe_next(request.args.get("next"))
            if user.needs_second_factor and current_app.config["REQUIRE_MFA"]:
                session[MFA_PENDING] = services.pending_mfa(user)
                return redirect(url_for("auth.mfa"))
            return finish_login(user)
        log.warning("login failed user=%s ip=%s", user.id if user else "unknown",
                    request.remote_addr)
        services.record_failure(key)
        form.password.errors.append(
            gettext("The e-mail address, phone number or password is not correct."))
    return render_template("auth/login.html", form=form)


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(_limit("LOGIN_LIMIT"), methods=["POST"])
def mfa():
    """Ask staff for their second factor; set it up on first use."""
    user = services.resolve_pending_mfa(session.get(MFA_PENDING))
    if user is None:
        if session.pop(MFA_PENDING, None) is not None:
            flash(gettext("Please log in again: the code must follow the password within "
                          "5 minutes."), "info")
        return redirect(url_for("auth.login"))
    enrolling = not user.totp_secret
    secret = user.totp_secret or _enrolment_secret()
    form = TotpForm()
    if form.validate_on_submit():
        key = services.throttle_key("code", user)
        left = services.locked_for(key)
        if left is not None:
            form.code.errors.append(_wait_message(left))
        elif _second_factor_ok(user, form.code.data.strip(), secret, enrolling):
            log.info("login second factor ok user=%s ip=%s", user.id, request.remote_addr)
            services.clear_failures(key)
            session.pop(MFA_PENDING, None)
            session.pop("mfa_new_secret", None)
            if enrolling:
                user.totp_secret = secret  # saved only once a code proved it works
                codes = services.new_recovery_codes(user)
                finish_login(user, mfa_passed=True)
                # shown in this response only: never kept in the (signed, readable) cookie
                return render_template("auth/recovery_codes.html", codes=codes)
            return finish_login(user, mfa_passed=True)
        else:
            log.warning("login second factor failed user=%s ip=%s", user.id,
                        request.remote_addr)
            services.record_failure(key)
            form.code.errors.append(
                gettext("This code is not correct. Please try the newest code."))
    uri = services.totp_uri(secret, user.email or str(user.id)) if enrolling else None
    return render_template("auth/mfa.html", form=form, secret=secret if enrolling else None,
                           uri=uri)


def _second_factor_ok(user: User, code: str, secret: str, enrolling: bool) -> bool:
    return services.verify_totp(user, code, secret=secret) or (
        not enrolling and services.use_recovery_code(user, code))


def _enrolment_secret() -> str:
    """Return the TOTP secret being set up; the cookie holds it only encrypted."""
    stored = session.get("mfa_new_secret")
    if stored:
        try:
            return secret_box.decrypt(stored)
        except ValueError:
            pass
    secret = services.new_totp_secret()
    session["mfa_new_secret"] = secret_box.encrypt(secret)
    return secret


@bp.post("/logout")
def logout():
    """End this session on the server and in the browser."""
    log.info("logout user=%s", getattr(current_user, "id", None))
    services.end_session(session.get(services.SESSION_KEY))
    logout_user()
    session.clear()
    flash(gettext("You are logged out."), "success")
    response = redirect(url_for("main.home"))
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@bp.route("/account", methods=["GET", "POST"])
@roles_required("admin", "coordinator", "volunteer", "participant", "partner")
def account():
    """Change password and language, see and end sessions."""
    password_form = ChangePasswordForm(prefix="pw")
    language_form = LanguageForm(prefix="lang", locale=current_user.locale)
    language_form.locale.choices = list(NATIVE_NAMES.items())
    if request.method == "POST" and "pw-password" in request.form:
        if password_form.validate_on_submit():
            if services.verify_password(current_user, password_form.current.data):
                current_user.password_hash = services.hash_password(password_form.password.data)
                keep = session.get(services.SESSION_KEY)
                count = services.revoke_all_sessions(current_user, keep)
                services.void_tokens(current_user)
                queue_email(current_user, "password_changed")
                flash(gettext("Your password is changed. Other sessions logged out: %(count)d.",
                              count=count), "success")
                return redirect(url_for("auth.account"))
            password_form.current.errors.append(gettext("Your current password is not correct."))
    elif request.method == "POST" and "lang-locale" in request.form:
        if language_form.validate_on_submit():
            current_user.locale = language_form.locale.data
            flash(gettext("Your language is saved."), "success")
            return redirect(url_for("auth.account", lang=current_user.locale))
    sessions = db.session.scalars(
        select(UserSession).where(UserSession.user_id == current_user.id,
                                  UserSession.revoked_at.is_(None))
        .order_by(UserSession.last_seen_at.desc())).all()
    return render_template("auth/account.html", password_form=password_form,
                           language_form=language_form, sessions=sessions,
                           this_session=services.current_session_record(current_user))


@bp.post("/account/sessions/<string:session_id>/end")
@roles_required("admin", "coordinator", "volunteer", "participant", "partner")
def end_other_session(session_id: str):
    """End one of the user's own sessions."""
    record = db.session.get(UserSession, session_id[:64])
    if record is None or record.user_id != current_user.id:
        abort(404)
    record.revoked_at = clock.now()
    flash(gettext("The session is ended."), "success")
    return redirect(url_for("auth.account"))


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(_limit("RESET_LIMIT"), methods=["POST"])
def reset_request():
    """Send a reset link; say the same whether or not the address is known."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        user = services.find_login(form.email.data) if "@" in form.email.data else None
        if user is not None and user.active and user.email:
            lifetime = timedelta(hours=current_app.config["TOKEN_HOURS"])
            token = services.create_token(user, "reset", lifetime)
            queue_email(user, "password_reset",
                        link=absolute_url("auth.reset", token=token))
        flash(gettext("If this address is known to us, we have sent an e-mail with a link. "
                      "The link works for 2 hours."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_request.html", form=form)


@bp.route("/reset/<string:token>", methods=["GET", "POST"])
@limiter.limit(_limit("RESET_LIMIT"), methods=["POST"])
def reset(token: str):
    """Set a new password with a single-use reset link."""
    return _set_password_with_token(token, "reset")


@bp.route("/invite/<string:token>", methods=["GET", "POST"])
@limiter.limit(_limit("RESET_LIMIT"), methods=["POST"])
def invite(token: str):
    """Accept an invitation: choose a password for an account a coordinator created."""
    return _set_password_with_token(token, "invite")


def _set_password_with_token(token: str, purpose: str):
    user = services.use_token(token, purpose, consume=False)
    if user is None or not user.active:
        return render_template("auth/token_invalid.html"), 404
    form = NewPasswordForm()
    if form.validate_on_submit():
        new_hash = services.hash_password(form.password.data)
        if services.use_token(token, purpose) is None:  # used at the same moment elsewhere
            return render_template("auth/token_invalid.html"), 404
        user.password_hash = new_hash
        services.revoke_all_sessions(user)
        services.void_tokens(user)
        if purpose == "reset":
            queue_email(user, "password_changed")
        flash(gettext("Your password is set. You can log in now."), "success")
        return redirect(url_for("auth.login"))  # staff still give their second factor there
    return render_template("auth/set_password.html", form=form, purpose=purpose)


@bp.route("/verify/<string:token>", methods=["GET", "POST"])
@limiter.limit(_limit("RESET_LIMIT"), methods=["POST"])
def verify_email(token: str):
    """Confirm an e-mail address with the link sent to it (a button, so that mail scanners
    opening the link confirm nothing)."""
    form = ConfirmForm()
    if form.validate_on_submit():
        claim = contacts.confirm_email_link(token)
        if claim is None:
            return render_template("auth/token_invalid.html"), 404
        if claim.first_address:
            _welcome(db.session.get(User, claim.user_id))
        flash(gettext("Your e-mail address is confirmed. You can log in with it now."),
              "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/verify_email.html", form=form)


def _welcome(user: User) -> None:
    """Send the welcome that waited for the first confirmed e-mail address."""
    from ..participants import services as participants
    from ..volunteers import services as volunteers

    if user.role == "volunteer":
        volunteers.queue_welcome(user)
    elif user.role == "participant":
        participants.queue_welcome(user, absolute_url("participants.dashboard"))
