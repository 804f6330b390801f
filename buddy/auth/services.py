"""Accounts: password hashing, server-side sessions, single-use tokens, second factor."""

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app, session, url_for
from sqlalchemy import select, update

from .. import clock
from ..data import DUTCH_PASSWORDS, LEAKED_PASSWORDS
from ..extensions import db
from ..models import LoginThrottle, Token, User, UserSession
from ..notifications import queue_email

# argon2id, t=2, m=19 MiB, p=1: the OWASP/ASVS Appendix C minimum for interactive logins.
HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# A well-formed hash of a random password, so unknown accounts cost the same time.
_DUMMY_HASH = HASHER.hash(secrets.token_urlsafe(16))
PASSWORD_MIN = 12
PASSWORD_MAX = 128
SESSION_KEY = "sid"


def hash_password(password: str) -> str:
    """Return the argon2id hash of ``password``."""
    return HASHER.hash(password)


def verify_password(user: User | None, password: str) -> bool:
    """Check ``password`` against ``user``'s hash in constant-ish time; rehash if outdated."""
    stored = user.password_hash if user is not None and user.password_hash else _DUMMY_HASH
    try:
        HASHER.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    if user is None or not user.password_hash:
        return False
    if HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return True


def _common_passwords() -> frozenset[str]:
    """The 30,000 most common passwords (zxcvbn's list, from leaked password sets) plus our
    own list of Dutch ones, both shipped in ``buddy/data/``, compared case-folded."""
    lines = [line for path in (LEAKED_PASSWORDS, DUTCH_PASSWORDS)
             for line in path.read_text(encoding="utf-8").splitlines()]
    return frozenset(p.strip().casefold() for p in lines if p.strip())


COMMON_PASSWORDS = _common_passwords()


def is_common_password(password: str) -> bool:
    """Return True for a password on the shipped list of common or breached passwords."""
    return password.casefold() in COMMON_PASSWORDS


def normalise_email(email: str) -> str:
    """Return the e-mail address as we store and look it up (trimmed, lower case)."""
    return email.strip().lower()


def normalise_phone(phone: str) -> str:
    """Return a Dutch-style phone number in international form (+31...), digits only."""
    digits = "".join(ch for ch in phone if ch.isdigit() or ch == "+")
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    elif digits.startswith("0"):
        digits = "+31" + digits[1:]
    elif digits and not digits.startswith("+"):
        digits = "+" + digits
    return digits


def find_login(identifier: str) -> User | None:
    """Return the user whose e-mail or phone number is ``identifier``."""
    identifier = identifier.strip()
    if "@" in identifier:
        return db.session.scalar(select(User).where(User.email == normalise_email(identifier)))
    phone = normalise_phone(identifier)
    if len(phone) < 8:
        return None
    return db.session.scalar(select(User).where(User.phone == phone))


def login_key(identifier: str) -> str:
    """Return the normalised form of a typed login (what "one account" means to limits)."""
    identifier = identifier.strip()[:254]
    return normalise_email(identifier) if "@" in identifier else normalise_phone(identifier)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# -- failed attempts per account ----------------------------------------------------------------

def throttle_key(step: str, user: User | None, identifier: str = "") -> str:
    """Return the throttle key of a login ``step`` for the resolved account (or, for an
    unknown account, the normalised identifier, so both behave the same)."""
    who = f"user:{user.id}" if user is not None else f"login:{login_key(identifier)}"
    return _digest(f"{step}|{who}")


def locked_for(key: str) -> timedelta | None:
    """Return how long attempts under ``key`` must still wait, or None if they may go on."""
    row = db.session.get(LoginThrottle, key)
    if row is None or row.locked_until is None:
        return None
    left = row.locked_until - clock.now()
    return left if left > timedelta(0) else None


def record_failure(key: str) -> None:
    """Count a failed attempt; after the free ones, wait 1, 2, 4, ... minutes (capped)."""
    config = current_app.config
    row = db.session.get(LoginThrottle, key, with_for_update=True)
    if row is None:
        row = LoginThrottle(key=key, failures=0)
        db.session.add(row)
    row.failures += 1
    row.last_failure_at = clock.now()
    over = row.failures - config["LOGIN_FAILURES_FREE"]
    if over >= 0:
        minutes = min(2 ** min(over, 16), config["LOGIN_BACKOFF_MAX_MINUTES"])
        row.locked_until = clock.now() + timedelta(minutes=minutes)
    db.session.flush()


def clear_failures(key: str) -> None:
    """Forget the failed attempts under ``key`` (after a success)."""
    row = db.session.get(LoginThrottle, key)
    if row is not None:
        db.session.delete(row)


# -- password passed, waiting for the second factor ---------------------------------------------

def pending_mfa(user: User) -> dict:
    """Return the cookie value that says ``user``'s password passed just now."""
    return {"user": user.id, "at": clock.now().timestamp(), "pw": _password_binding(user)}


def resolve_pending_mfa(value) -> User | None:
    """Return the user waiting for their second factor, if that state is still valid: at most
    ``MFA_PENDING_MINUTES`` old and made with the account's current password."""
    if not isinstance(value, dict):
        return None
    try:
        age = clock.now().timestamp() - float(value["at"])
        user = db.session.get(User, int(value["user"]))
    except (KeyError, TypeError, ValueError):
        return None
    if user is None or not user.active or not (
            0 <= age <= current_app.config["MFA_PENDING_MINUTES"] * 60):
        return None
    if not hmac.compare_digest(str(value.get("pw", "")), _password_binding(user)):
        return None
    return user


def _password_binding(user: User) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, (user.password_hash or "").encode(), hashlib.sha256).hexdigest()[:32]


def start_session(user: User, user_agent: str = "", mfa_passed: bool = False) -> str:
    """Open a new server-side session for ``user`` and put its id in a fresh cookie."""
    token = secrets.token_urlsafe(32)
    db.session.add(UserSession(id=_digest(token), user_id=user.id, mfa_passed=mfa_passed,
                               user_agent=user_agent[:200]))
    session.clear()  # a new session on every login (no fixation)
    session[SESSION_KEY] = token
    session.permanent = True
    user._session_id = token
    user.last_login_at = clock.now()
    return token


def load_session_user(token: str | None) -> User | None:
    """Return the user of a live session token, enforcing idle and absolute timeouts."""
    if not token:
        return None
    record = db.session.get(UserSession, _digest(token))
    if record is None or record.revoked_at is not None:
        return None
    now = clock.now()
    config = current_app.config
    if now - record.created_at > timedelta(hours=config["SESSION_ABSOLUTE_HOURS"]) or (
        now - record.last_seen_at > timedelta(minutes=config["SESSION_IDLE_MINUTES"])
    ):
        record.revoked_at = now
        return None
    user = record.user
    if not user.active:
        return None
    if now - record.last_seen_at > timedelta(minutes=1):
        record.last_seen_at = now
    user._session_id = token
    user._session_record = record
    return user


def current_session_record(user: User) -> UserSession | None:
    """Return the server-side session record of the signed-in ``user``."""
    return getattr(user, "_session_record", None)


def end_session(token: str | None) -> None:
    """Revoke one session (logout)."""
    if token:
        db.session.execute(update(UserSession).where(UserSession.id == _digest(token))
                           .values(revoked_at=clock.now()))
    session.clear()


def revoke_all_sessions(user: User, keep_token: str | None = None) -> int:
    """Revoke every live session of ``user`` except ``keep_token``; return how many."""
    query = update(UserSession).where(UserSession.user_id == user.id,
                                      UserSession.revoked_at.is_(None))
    if keep_token:
        query = query.where(UserSession.id != _digest(keep_token))
    return db.session.execute(query.values(revoked_at=clock.now())).rowcount


def contact_changed(user: User, old_email: str | None) -> None:
    """After a change of e-mail or phone: end the user's other sessions and tell the old
    address (the person may not have made the change)."""
    revoke_all_sessions(user, keep_token=session.get(SESSION_KEY))
    if old_email:
        queue_email(user, "contact_changed", recipient=old_email)


def create_token(user: User, purpose: str, lifetime: timedelta) -> str:
    """Create a single-use token for ``user``; return the secret (only its hash is kept)."""
    secret = secrets.token_urlsafe(32)
    db.session.add(Token(user_id=user.id, purpose=purpose, token_hash=_digest(secret),
                         expires_at=clock.now() + lifetime))
    return secret


def use_token(secret: str, purpose: str, consume: bool = True) -> User | None:
    """Return the user of a valid, unused, unexpired token; mark it used if ``consume``.

    Consuming locks the token's row (``SELECT ... FOR UPDATE``; on SQLite the transaction
    already holds the write lock, see ``extensions``) and re-reads it, so of two requests
    using one token at the same moment exactly one succeeds.
    """
    if not secret or len(secret) > 100:
        return None
    query = select(Token).where(Token.token_hash == _digest(secret), Token.purpose == purpose)
    if consume:
        query = query.with_for_update().execution_options(populate_existing=True)
    token = db.session.scalar(query)
    if token is None or token.used_at is not None or token.expires_at < clock.now():
        return None
    if consume:
        token.used_at = clock.now()
    return db.session.get(User, token.user_id)


def void_tokens(user: User) -> int:
    """Void every outstanding reset and invitation token of ``user``; return how many."""
    return db.session.execute(
        update(Token).where(Token.user_id == user.id, Token.used_at.is_(None))
        .values(used_at=clock.now())).rowcount


def lock_user(user_id: int) -> User | None:
    """Return ``user_id``'s row locked for this transaction and freshly read."""
    return db.session.scalar(select(User).where(User.id == user_id).with_for_update()
                             .execution_options(populate_existing=True))


def new_totp_secret() -> str:
    """Return a fresh base32 TOTP secret (160 bits from the OS CSPRNG)."""
    return pyotp.random_base32(32)


def totp_uri(secret: str, account: str) -> str:
    """Return the otpauth:// URI an authenticator app reads."""
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name="Inburgergids")


def verify_totp(user: User, code: str, at: datetime | None = None,
                secret: str | None = None) -> bool:
    """Check a TOTP code (30 s steps, one step of drift) and refuse a code used before.

    The user's row is locked and re-read first, so one code used twice at the same moment
    is accepted once.
    """
    code = "".join(ch for ch in code if ch.isdigit())
    secret = secret or user.totp_secret
    if not secret or len(code) != 6:
        return False
    user = lock_user(user.id) or user
    totp = pyotp.TOTP(secret)
    now = (at or clock.now()).timestamp()
    for drift in (0, -1, 1):
        counter = int(now // 30) + drift
        if hmac.compare_digest(totp.generate_otp(counter), code):
            if user.totp_last_counter is not None and counter <= user.totp_last_counter:
                return False
            user.totp_last_counter = counter
            return True
    return False


def new_recovery_codes(user: User, count: int = 8) -> list[str]:
    """Give ``user`` fresh single-use recovery codes; return them (only hashes are kept)."""
    codes = [secrets.token_hex(5) for _ in range(count)]
    user.recovery_codes = [_digest(c) for c in codes]
    return codes


def use_recovery_code(user: User, code: str) -> bool:
    """Accept and burn one recovery code (the user's row locked, as for TOTP codes)."""
    user = lock_user(user.id) or user
    digest = _digest(code.strip().lower())
    remaining = list(user.recovery_codes or [])
    if digest not in remaining:
        return False
    remaining.remove(digest)
    user.recovery_codes = remaining
    return True


def home_for(user: User) -> str:
    """Return the landing page of ``user``'s role."""
    return {
        "admin": url_for("admin.index"),
        "coordinator": url_for("dashboard.dashboard"),
        "volunteer": url_for("volunteers.dashboard"),
        "participant": url_for("participants.dashboard"),
        "partner": url_for("partners.own_page"),
    }[user.role]


def new_login(role: str, email: str, organisation_id: int | None, **fields) -> User | None:
    """Create an account for ``email`` (no password unless given: it is invited later);
    return None, creating nothing, if another account already uses the address."""
    if db.session.scalar(select(User.id).where(User.email == email).limit(1)) is not None:
        return None
    user = User(role=role, email=email, organisation_id=organisation_id, **fields)
    db.session.add(user)
    db.session.flush()
    return user
