"""Sign-up drafts: the answers of an unfinished sign-up, kept in the database between steps.

Both wizards (participant and volunteer) keep their answers here. The session cookie holds
only a random key per wizard; no name, contact detail or password hash ever goes into a
cookie. A draft lives ``DRAFT_HOURS`` after its last change (the app's clock), is deleted
when the sign-up finishes or the person starts again, and ``flask purge-expired`` removes
the rest. One address may start at most ``SIGNUP_DRAFTS_PER_HOUR`` drafts an hour, checked
on every step that would start one, so an anonymous client cannot fill the database.
"""

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from flask import current_app, session
from flask_limiter.util import get_remote_address
from sqlalchemy import delete, func, select

from . import clock
from .extensions import db
from .models import SignupDraft

DRAFT_HOURS = 12  # as long as the session cookie that holds the key (SESSION_ABSOLUTE_HOURS)
DEFAULT_DRAFTS_PER_HOUR = 30


class TooManyDrafts(Exception):
    """This client address started too many sign-ups in the last hour."""


def _session_key(kind: str) -> str:
    return f"{kind}_draft"


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def client_tag() -> str:
    """Return a keyed hash of the client address (the address itself is not stored)."""
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, (get_remote_address() or "unknown").encode(), "sha256").hexdigest()


def _current(kind: str, organisation_id: int) -> SignupDraft | None:
    key = session.get(_session_key(kind))
    if not isinstance(key, str) or not 20 <= len(key) <= 64:
        return None
    draft = db.session.scalar(select(SignupDraft).where(SignupDraft.key_hash == _digest(key)))
    if draft is None or draft.kind != kind or draft.expires_at <= clock.now():
        return None
    return draft if draft.organisation_id == organisation_id else None


def load(kind: str, organisation_id: int) -> dict:
    """Return a copy of this browser's draft for ``kind`` and the organisation, or ``{}``."""
    draft = _current(kind, organisation_id)
    return dict(draft.data) if draft is not None else {}


def save(kind: str, organisation_id: int, data: dict) -> None:
    """Store ``data`` as this browser's draft; start a new draft if there is none.

    Raises ``TooManyDrafts`` when the client address already started its hourly quota.
    """
    draft = _current(kind, organisation_id)
    now = clock.now()
    if draft is None:
        draft = _start(kind, organisation_id, now)
    draft.data = dict(data)
    draft.expires_at = now + timedelta(hours=DRAFT_HOURS)
    db.session.flush()


def _start(kind: str, organisation_id: int, now: datetime) -> SignupDraft:
    client = client_tag()
    started = db.session.scalar(select(func.count(SignupDraft.id)).where(
        SignupDraft.client == client, SignupDraft.created_at > now - timedelta(hours=1)))
    if started >= current_app.config.get("SIGNUP_DRAFTS_PER_HOUR", DEFAULT_DRAFTS_PER_HOUR):
        raise TooManyDrafts
    forget(kind)
    key = secrets.token_urlsafe(32)
    draft = SignupDraft(key_hash=_digest(key), kind=kind, organisation_id=organisation_id,
                        client=client, created_at=now, expires_at=now)
    db.session.add(draft)
    session[_session_key(kind)] = key
    return draft


def forget(kind: str) -> None:
    """Delete this browser's draft for ``kind`` (any organisation) and drop its key."""
    key = session.pop(_session_key(kind), None)
    if isinstance(key, str):
        db.session.execute(delete(SignupDraft).where(SignupDraft.key_hash == _digest(key)))


def purge_expired(now: datetime) -> int:
    """Delete drafts past their expiry; return how many."""
    return db.session.execute(delete(SignupDraft).where(SignupDraft.expires_at <= now)).rowcount
