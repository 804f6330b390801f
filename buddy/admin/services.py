"""Administration: organisations, their coordinators, accounts and the audit trail.

Administrators see figures and the audit trail, never the personal data of volunteers or
participants. Every change is audited.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import gettext
from sqlalchemy import func, select

from .. import audit
from ..auth.invitations import Invitation, invite_user
from ..auth.services import (
    find_login,
    hash_password,
    is_common_password,
    new_login,
    normalise_email,
    revoke_all_sessions,
)
from ..errors import ActionRefused
from ..extensions import db
from ..i18n import DEFAULT_LOCALE
from ..models import (
    AuditEvent,
    Match,
    Organisation,
    ParticipantProfile,
    User,
    UserSession,
    VolunteerProfile,
)
from ..pagination import Page, paginate
from ..vocab import OPEN_MATCH_STATES


def create_admin_user(email: str, password: str | None = None) -> User:
    """Create an administrator; refuse a weak password or a taken address.

    Without a password the account can only be activated through a one-time invitation
    link (``flask create-admin`` does that), so no bootstrap secret becomes a password.
    """
    email = normalise_email(email)
    if "@" not in email:
        raise ValueError("Please give a valid e-mail address.")
    if password is not None and (len(password) < 12 or is_common_password(password)):
        raise ValueError("Use a password of at least 12 characters that is not a common one.")
    if db.session.scalar(select(User).where(User.email == email)):
        raise ValueError("This e-mail address is already in use.")
    user = User(role="admin", email=email,
                password_hash=hash_password(password) if password else None)
    db.session.add(user)
    db.session.flush()
    return user


def email_taken(email: str) -> bool:
    """Return True if an account already uses ``email``."""
    return db.session.scalar(select(User.id).where(User.email == email).limit(1)) is not None


def create_coordinator(organisation: Organisation, email: str, password: str | None,
                       locale: str = DEFAULT_LOCALE) -> User:
    """Create a coordinator of ``organisation`` (without a password: invite them)."""
    user = new_login("coordinator", normalise_email(email), organisation.id, locale=locale,
                     password_hash=hash_password(password) if password else None)
    if user is None:
        raise ValueError("This e-mail address is already in use.")
    audit.record("coordinator.created", user, organisation_id=organisation.id)
    return user


# -- organisations ----------------------------------------------------------------------

@dataclass(frozen=True)
class OrganisationSummary:
    """An organisation with counts only (no personal data)."""

    organisation: Organisation
    coordinators: int = 0
    volunteers: int = 0
    approved_volunteers: int = 0
    participants: int = 0
    waiting: int = 0
    open_matches: int = 0


def _counts_by_org(column, *conditions) -> dict[int, int]:
    model = column.class_
    return dict(db.session.execute(
        select(column, func.count(model.id)).where(*conditions).group_by(column)).all())


def organisations() -> list[Organisation]:
    """Return every organisation, by name."""
    return list(db.session.scalars(select(Organisation).order_by(Organisation.name)))


def organisation_summaries() -> list[OrganisationSummary]:
    """Return every organisation with its counts, by name (one query per table)."""
    rows = organisations()
    coordinators = _counts_by_org(User.organisation_id, User.role == "coordinator")
    volunteers = _counts_by_org(VolunteerProfile.organisation_id)
    approved = _counts_by_org(VolunteerProfile.organisation_id,
                              VolunteerProfile.screening == "approved")
    participants = _counts_by_org(ParticipantProfile.organisation_id)
    waiting = _counts_by_org(ParticipantProfile.organisation_id,
                             ParticipantProfile.status == "waiting")
    matches = _counts_by_org(Match.organisation_id, Match.status.in_(OPEN_MATCH_STATES))
    return [OrganisationSummary(
        o, coordinators.get(o.id, 0), volunteers.get(o.id, 0), approved.get(o.id, 0),
        participants.get(o.id, 0), waiting.get(o.id, 0), matches.get(o.id, 0))
        for o in rows]


def organisation_summary(organisation: Organisation) -> OrganisationSummary:
    """Return the counts of one organisation."""
    for summary in organisation_summaries():
        if summary.organisation.id == organisation.id:
            return summary
    return OrganisationSummary(organisation)


@dataclass(frozen=True)
class OrganisationSettings:
    name: str
    city: str
    vog_required: bool
    vog_valid_years: int
    match_months: int
    checkin_days: list
    meeting_reminder_days: int


def slug_taken(slug: str) -> bool:
    """Return True if an organisation already uses ``slug``."""
    return db.session.scalar(
        select(Organisation.id).where(Organisation.slug == slug).limit(1)) is not None


def create_organisation(slug: str, settings: OrganisationSettings) -> Organisation:
    """Create an organisation with its settings."""
    if slug_taken(slug):
        raise ActionRefused(gettext("This short name is already used."))
    organisation = Organisation(slug=slug)
    _apply_settings(organisation, settings)
    db.session.add(organisation)
    db.session.flush()
    audit.record("organisation.created", organisation, organisation_id=organisation.id)
    return organisation


def update_organisation(organisation: Organisation, settings: OrganisationSettings) -> None:
    """Change an organisation's settings (the slug stays)."""
    _apply_settings(organisation, settings)
    db.session.flush()
    audit.record("organisation.updated", organisation, organisation_id=organisation.id)


def _apply_settings(organisation: Organisation, settings: OrganisationSettings) -> None:
    for name, value in vars(settings).items():
        setattr(organisation, name, list(value) if isinstance(value, list) else value)


def coordinators_of(organisation_id: int) -> list[User]:
    """Return the organisation's coordinators, by e-mail address."""
    return list(db.session.scalars(select(User).where(
        User.organisation_id == organisation_id, User.role == "coordinator").order_by(User.email)))


# -- accounts ---------------------------------------------------------------------------

def invite_coordinator(user: User, days: int, link_for: Callable[[str], str],
                       send_email: bool) -> Invitation:
    """Create an invitation link for a coordinator; e-mail it, or return it to show once."""
    if user.role != "coordinator":
        raise ActionRefused(gettext("Only coordinators are invited here."))
    invitation = invite_user(user, user.email or "", days, link_for, send_email=send_email)
    audit.record("coordinator.invited", user, emailed=invitation.emailed)
    return invitation


def set_account_active(user: User, active: bool, actor: User) -> int:
    """Enable or disable an account; disabling ends all its sessions. Return sessions ended."""
    if user.id == actor.id:
        raise ActionRefused(gettext("You cannot disable your own account."))
    user.active = active
    ended = 0 if active else revoke_all_sessions(user)
    db.session.flush()
    audit.record("user.enabled" if active else "user.disabled", user,
                 organisation_id=user.organisation_id, sessions_ended=ended)
    return ended


def end_all_sessions(user: User) -> int:
    """Log the user out everywhere; return how many sessions were ended."""
    ended = revoke_all_sessions(user)
    db.session.flush()
    audit.record("user.sessions_revoked", user, organisation_id=user.organisation_id,
                 sessions_ended=ended)
    return ended


def find_account(identifier: str) -> User | None:
    """Return the account that logs in with this e-mail address or phone number."""
    user = find_login(identifier)
    if user is not None:
        audit.record("user.looked_up", user, organisation_id=user.organisation_id)
    return user


def live_session_count(user: User) -> int:
    """Return how many sessions of ``user`` are not revoked."""
    return db.session.scalar(select(func.count()).select_from(UserSession).where(
        UserSession.user_id == user.id, UserSession.revoked_at.is_(None)))


# -- audit trail ------------------------------------------------------------------------

@dataclass(frozen=True)
class AuditFilters:
    organisation: str = ""  # an organisation id, "none" (platform events) or "" (all)
    action: str = ""
    date_from: date | None = None
    date_to: date | None = None


@dataclass(frozen=True)
class AuditRow:
    event: AuditEvent
    actor_role: str | None
    organisation_slug: str | None


def audit_actions() -> list[str]:
    """Return the distinct actions in the audit trail, sorted."""
    return list(db.session.scalars(select(AuditEvent.action).distinct().order_by(
        AuditEvent.action)))


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def audit_page(filters: AuditFilters, number: int) -> Page:
    """Return one page of the audit trail, newest first, with actor roles."""
    query = (select(AuditEvent, User.role, Organisation.slug)
             .outerjoin(User, User.id == AuditEvent.actor_id)
             .outerjoin(Organisation, Organisation.id == AuditEvent.organisation_id))
    if filters.organisation == "none":
        query = query.where(AuditEvent.organisation_id.is_(None))
    elif filters.organisation.isdigit():
        query = query.where(AuditEvent.organisation_id == int(filters.organisation))
    if filters.action:
        query = query.where(AuditEvent.action == filters.action)
    if filters.date_from:
        query = query.where(AuditEvent.at >= _day_start(filters.date_from))
    if filters.date_to:
        query = query.where(AuditEvent.at < _day_start(filters.date_to + timedelta(days=1)))
    query = query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    page = paginate(query, number, rows=True)
    return Page(items=[AuditRow(*row) for row in page.items], total=page.total,
                number=page.number, per_page=page.per_page)
