"""Contact details count only once proven: a code (phone) or a link (e-mail) goes to the new
address, and only a confirmed claim reaches the account.

Every answer is the same whether or not the address already belongs to someone: a taken
address gets no working code, and its owner gets a notice that someone tried to use it.

Without a text-message gateway (``SMS_BACKEND=off``) no code is sent: the phone claim waits
(``COORDINATOR_DAYS``) for the coordinator, who calls the number and confirms it with the
person (``confirm_phone_by_coordinator``); a number that belongs to another account never
reaches this one, and the coordinator sees the same answer either way.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from .. import clock
from ..extensions import db
from ..models import ContactClaim, User
from ..notifications import absolute_url, queue_email, queue_sms
from .services import contact_changed

CODE_MINUTES = 10  # ASVS 6.5.5: out-of-band codes at most 10 minutes
LINK_HOURS = 48
MAX_ATTEMPTS = 5
COORDINATOR_DAYS = 14  # without a gateway: time for the coordinator to call the number


def texts_are_sent() -> bool:
    """Whether text messages go out (a gateway, or the console in development)."""
    return current_app.config["SMS_BACKEND"] != "off"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def owner_of(kind: str, value: str) -> User | None:
    """Return the account that already has ``value`` as its ``kind`` (email/phone)."""
    column = User.email if kind == "email" else User.phone
    return db.session.scalar(select(User).where(column == value))


def claim_contact(user: User, kind: str, value: str, organisation_name: str = "") -> None:
    """Send proof of ``value`` to ``value`` itself: a link for an e-mail address, a code for a
    phone number. A taken address gets a notice instead; the caller answers the same."""
    db.session.execute(update(ContactClaim).where(  # one open claim per kind
        ContactClaim.user_id == user.id, ContactClaim.kind == kind,
        ContactClaim.confirmed_at.is_(None)).values(expires_at=clock.now()))
    owner = owner_of(kind, value)
    if kind == "email":
        secret, lifetime = secrets.token_urlsafe(32), timedelta(hours=LINK_HOURS)
    elif texts_are_sent():
        secret, lifetime = f"{secrets.randbelow(10 ** 6):06d}", timedelta(minutes=CODE_MINUTES)
    else:  # no code exists: the coordinator confirms by calling the number
        secret, lifetime = secrets.token_urlsafe(32), timedelta(days=COORDINATOR_DAYS)
    if owner is not None and owner.id != user.id:
        _tell_owner(owner, kind, value, organisation_name)
        secret = secrets.token_urlsafe(32)  # stored, but sent to nobody: never confirms
    elif owner is not None:
        return  # already theirs
    else:
        _send_proof(user, kind, value, secret)
    db.session.add(ContactClaim(user_id=user.id, kind=kind, value=value,
                                secret_hash=_digest(f"{user.id}:{secret}" if kind == "phone"
                                                    else secret),
                                expires_at=clock.now() + lifetime))
    db.session.flush()


def _send_proof(user: User, kind: str, value: str, secret: str) -> None:
    if kind == "email":
        queue_email(user, "verify_email", recipient=value,
                    link=absolute_url("auth.verify_email", token=secret))
    elif texts_are_sent():
        queue_sms(user, "verify_phone", value, code=secret)


def _tell_owner(owner: User, kind: str, value: str, organisation_name: str) -> None:
    if kind == "email":
        queue_email(owner, "contact_attempt", recipient=value, organisation=organisation_name)
    else:
        queue_sms(owner, "contact_attempt", value, organisation=organisation_name)


def confirm_phone_code(user: User, code: str) -> ContactClaim | None:
    """Confirm ``user``'s pending phone number with ``code``; count a wrong code."""
    code = "".join(ch for ch in code if ch.isdigit())
    claims = db.session.scalars(select(ContactClaim).where(
        ContactClaim.user_id == user.id, ContactClaim.kind == "phone",
        ContactClaim.confirmed_at.is_(None), ContactClaim.expires_at > clock.now(),
        ContactClaim.attempts < MAX_ATTEMPTS).with_for_update()
        .execution_options(populate_existing=True)).all()
    for claim in claims:
        if len(code) == 6 and hmac.compare_digest(claim.secret_hash,
                                                  _digest(f"{user.id}:{code}")):
            return claim if _apply(claim) else None
        claim.attempts += 1
    return None


def pending_phone(user: User) -> ContactClaim | None:
    """Return ``user``'s open phone claim (the newest), whether or not the number is taken."""
    return db.session.scalars(select(ContactClaim).where(
        ContactClaim.user_id == user.id, ContactClaim.kind == "phone",
        ContactClaim.confirmed_at.is_(None), ContactClaim.expires_at > clock.now())
        .order_by(ContactClaim.id.desc()).limit(1)).first()


def confirm_phone_by_coordinator(user: User, claim_id: int) -> bool:
    """The coordinator called the number of ``user``'s open phone claim and checked it with
    the person: confirm it, unless the number belongs to another account (then the claim just
    closes). Return whether the number reached the account; callers answer the same."""
    claim = db.session.scalar(select(ContactClaim).where(
        ContactClaim.id == claim_id, ContactClaim.user_id == user.id,
        ContactClaim.kind == "phone", ContactClaim.confirmed_at.is_(None),
        ContactClaim.expires_at > clock.now()).with_for_update()
        .execution_options(populate_existing=True))
    if claim is None:
        return False
    owner = owner_of("phone", claim.value)
    if (owner is None or owner.id == user.id) and _apply(claim):
        return True
    claim.expires_at = clock.now()  # a taken number never becomes confirmable
    db.session.flush()
    return False


def confirm_email_link(token: str) -> ContactClaim | None:
    """Confirm the e-mail address behind a link (no login needed; the link is the proof)."""
    if not token or len(token) > 100:
        return None
    claim = db.session.scalar(select(ContactClaim).where(
        ContactClaim.secret_hash == _digest(token), ContactClaim.kind == "email")
        .with_for_update().execution_options(populate_existing=True))
    if claim is None or claim.confirmed_at is not None or claim.expires_at <= clock.now():
        return None
    return claim if _apply(claim) else None


def _apply(claim: ContactClaim) -> bool:
    """Put the confirmed value on the account (if nobody took it meanwhile)."""
    user = db.session.get(User, claim.user_id)
    old_email, previous = user.email, getattr(user, claim.kind)
    try:
        with db.session.begin_nested():
            setattr(user, claim.kind, claim.value)
            claim.confirmed_at = clock.now()
            db.session.flush()
    except IntegrityError:
        return False
    if previous:  # a change, not a first address: end other sessions, tell the old address
        contact_changed(user, old_email)
    claim.first_address = not previous
    return True
