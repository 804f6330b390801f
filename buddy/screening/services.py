"""Screening volunteers: intake talk, certificate of conduct (VOG), training, approval.

Services take explicit inputs, return values and only flush; the request boundary commits.
An action the rules do not allow now raises ``ActionRefused`` with a message for the
coordinator. Every change is written to the audit trail (ids and codes only).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import gettext
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from .. import audit, clock
from ..errors import ActionRefused
from ..extensions import db
from ..models import (
    AuditEvent,
    ConsentRecord,
    Match,
    Organisation,
    OutboxMessage,
    User,
    VolunteerProfile,
)
from ..notifications import absolute_url, queue_email
from ..pagination import Page, paginate
from ..partners import services as partners
from ..vocab import INTERESTS, OPEN_MATCH_STATES, keys_from_mask

VOG_WARNING_DAYS = 30
REMINDER_QUIET_DAYS = 7
SCREENING_ACTIONS = (
    "volunteer.intake_recorded", "volunteer.vog_recorded", "volunteer.training_recorded",
    "volunteer.approved", "volunteer.rejected", "volunteer.vog_expired",
)


# -- dates ------------------------------------------------------------------------------

def add_years(day: date, years: int) -> date:
    """Return ``day`` plus ``years``; 29 February becomes 1 March in other years."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def subtract_years(day: date, years: int) -> date:
    """Return ``day`` minus ``years``; 29 February becomes 28 February in other years."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return date(day.year - years, 2, 28)


def vog_expires_on(issued_on: date, valid_years: int) -> date:
    """Return the first day on which a VOG issued on ``issued_on`` is no longer valid."""
    return add_years(issued_on, valid_years)


def vog_is_valid(issued_on: date | None, valid_years: int, today: date) -> bool:
    """Return True if a VOG issued on ``issued_on`` is still valid ``today``."""
    return issued_on is not None and issued_on <= today < vog_expires_on(issued_on, valid_years)


# -- volunteers: list and detail --------------------------------------------------------

@dataclass(frozen=True)
class VolunteerFilters:
    q: str = ""
    screening: str = ""
    vog: str = ""  # a VOG status, or "renewal" for approved volunteers whose VOG runs out
    neighbourhood_id: int | None = None
    paused: str = ""  # "yes", "no" or "" (all)


def renewal_threshold(organisation: Organisation, today: date) -> date:
    """Return the latest issue date of a VOG that is due for renewal ``today``."""
    return subtract_years(today + timedelta(days=VOG_WARNING_DAYS), organisation.vog_valid_years)


def volunteer_page(organisation: Organisation, filters: VolunteerFilters, number: int,
                   today: date) -> Page:
    """Return one page of the organisation's volunteers, oldest sign-up first."""
    query = select(VolunteerProfile).where(VolunteerProfile.organisation_id == organisation.id)
    if filters.q:
        query = query.where(VolunteerProfile.first_name.icontains(filters.q, autoescape=True))
    if filters.screening:
        query = query.where(VolunteerProfile.screening == filters.screening)
    if filters.vog == "renewal":
        query = query.where(
            VolunteerProfile.screening == "approved",
            or_(VolunteerProfile.vog_issued_on.is_(None),
                VolunteerProfile.vog_issued_on <= renewal_threshold(organisation, today)))
    elif filters.vog:
        query = query.where(VolunteerProfile.vog_status == filters.vog)
    if filters.neighbourhood_id:
        query = query.where(VolunteerProfile.neighbourhood_id == filters.neighbourhood_id)
    if filters.paused == "yes":
        query = query.where(VolunteerProfile.paused_until >= today)
    elif filters.paused == "no":
        query = query.where(or_(VolunteerProfile.paused_until.is_(None),
                                VolunteerProfile.paused_until < today))
    query = query.order_by(VolunteerProfile.created_at, VolunteerProfile.id)
    return paginate(query, number, selectinload(VolunteerProfile.neighbourhood))


def consent_records(user_id: int) -> list[ConsentRecord]:
    """Return a person's consent records, newest first."""
    return list(db.session.scalars(
        select(ConsentRecord).where(ConsentRecord.user_id == user_id)
        .order_by(ConsentRecord.given_at.desc(), ConsentRecord.id.desc())))


def active_consent_purposes(user_id: int) -> list[str]:
    """Return the purposes a person has consent for now (not withdrawn)."""
    return sorted(set(db.session.scalars(
        select(ConsentRecord.purpose).where(ConsentRecord.user_id == user_id,
                                            ConsentRecord.withdrawn_at.is_(None)))))


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    action: str
    details: dict
    actor_email: str | None


def screening_history(volunteer: VolunteerProfile) -> list[HistoryEntry]:
    """Return the screening steps of ``volunteer`` from the audit trail, oldest first."""
    rows = db.session.execute(
        select(AuditEvent, User.email).outerjoin(User, User.id == AuditEvent.actor_id)
        .where(AuditEvent.target_type == "VolunteerProfile",
               AuditEvent.target_id == volunteer.id,
               AuditEvent.organisation_id == volunteer.organisation_id,
               AuditEvent.action.in_(SCREENING_ACTIONS))
        .order_by(AuditEvent.at, AuditEvent.id)).all()
    return [HistoryEntry(event.at, event.action, event.details or {}, email)
            for event, email in rows]


def volunteer_matches(volunteer: VolunteerProfile) -> list[Match]:
    """Return the volunteer's matches with their participants, newest first."""
    return list(db.session.scalars(
        select(Match).where(Match.volunteer_id == volunteer.id)
        .options(selectinload(Match.participant))
        .order_by(Match.proposed_at.desc(), Match.id.desc())))


def staff_email(user_id: int | None) -> str | None:
    """Return the e-mail address of a staff member (who checked, who registered)."""
    if user_id is None:
        return None
    return db.session.scalar(select(User.email).where(User.id == user_id))


def volunteer_overview(volunteer: VolunteerProfile, today: date) -> dict:
    """Return what the coordinator's page of one volunteer shows."""
    organisation = volunteer.organisation
    valid_until = (vog_expires_on(volunteer.vog_issued_on, organisation.vog_valid_years)
                   if volunteer.vog_issued_on else None)
    return {
        "volunteer": volunteer, "organisation": organisation,
        "blockers": approval_blockers(volunteer, today), "vog_valid_until": valid_until,
        "vog_checked_by": staff_email(volunteer.vog_checked_by_id),
        "interest_keys": keys_from_mask(volunteer.interests, INTERESTS),
        "consents": consent_records(volunteer.user_id),
        "history": screening_history(volunteer), "matches": volunteer_matches(volunteer),
    }


# -- volunteers: screening --------------------------------------------------------------

def _refuse_if_rejected(volunteer: VolunteerProfile) -> None:
    if volunteer.screening == "rejected":
        raise ActionRefused(gettext("This volunteer was rejected. Screening steps are closed."))


def _advance_screening(volunteer: VolunteerProfile) -> None:
    """Set the screening state that the recorded steps reach (approval is separate)."""
    if volunteer.screening in ("approved", "rejected"):
        return
    if volunteer.intake_on and volunteer.vog_status == "received":
        volunteer.screening = "vog_received"
    elif volunteer.intake_on:
        volunteer.screening = "intake_done"
    else:
        volunteer.screening = "registered"


def record_intake(volunteer: VolunteerProfile, held_on: date, note: str) -> None:
    """Record the intake talk: its date and a short factual note."""
    _refuse_if_rejected(volunteer)
    volunteer.intake_on = held_on
    volunteer.screening_note = note
    _advance_screening(volunteer)
    db.session.flush()
    audit.record("volunteer.intake_recorded", volunteer, screening=volunteer.screening)


def record_vog(volunteer: VolunteerProfile, status: str, issued_on: date | None,
               actor: User, today: date) -> None:
    """Record the certificate of conduct: requested, or received with its issue date.

    Only the date is kept, with who checked it and when; never a scan or a copy.
    """
    _refuse_if_rejected(volunteer)
    if status not in ("requested", "received"):
        raise ActionRefused(gettext("Please choose a status."))
    if status == "received":
        years = volunteer.organisation.vog_valid_years
        if not vog_is_valid(issued_on, years, today):
            raise ActionRefused(gettext(
                "This VOG is older than %(years)d years. Please ask for a new one.", years=years))
        volunteer.vog_issued_on = issued_on
        volunteer.vog_checked_by_id = actor.id
        volunteer.vog_checked_at = clock.now()
    volunteer.vog_status = status
    _advance_screening(volunteer)
    db.session.flush()
    audit.record("volunteer.vog_recorded", volunteer, vog_status=status)


def record_training(volunteer: VolunteerProfile, done_on: date) -> None:
    """Record the date the volunteer finished the training."""
    _refuse_if_rejected(volunteer)
    volunteer.training_done_on = done_on
    db.session.flush()
    audit.record("volunteer.training_recorded", volunteer)


def approval_blockers(volunteer: VolunteerProfile, today: date) -> list[str]:
    """Return what still stands in the way of approving ``volunteer`` (empty: may approve)."""
    if volunteer.screening == "approved":
        return [gettext("This volunteer is already approved.")]
    if volunteer.screening == "rejected":
        return [gettext("This volunteer was rejected. Screening steps are closed.")]
    blockers = []
    if volunteer.intake_on is None:
        blockers.append(gettext("Record the intake talk first."))
    organisation = volunteer.organisation
    if organisation.vog_required and not (
        volunteer.vog_status == "received"
        and vog_is_valid(volunteer.vog_issued_on, organisation.vog_valid_years, today)
    ):
        blockers.append(gettext(
            "Record a VOG that was received and issued less than %(years)d years ago.",
            years=organisation.vog_valid_years))
    if partners.needs_school_confirmation(volunteer):
        blockers.append(gettext("A pupil under 18 needs the school's confirmation first."))
    return blockers


def approve_volunteer(volunteer: VolunteerProfile, actor: User, today: date) -> None:
    """Approve the volunteer for matching, if intake and (when required) VOG are done."""
    blockers = approval_blockers(volunteer, today)
    if blockers:
        raise ActionRefused(" ".join(blockers))
    volunteer.screening = "approved"
    volunteer.rejection_reason = ""
    volunteer.screened_by_id = actor.id
    volunteer.screened_at = clock.now()
    db.session.flush()
    audit.record("volunteer.approved", volunteer)


def open_match_count(volunteer: VolunteerProfile) -> int:
    """Return how many proposed, approved or active matches the volunteer has."""
    return db.session.scalar(select(func.count(Match.id)).where(
        Match.volunteer_id == volunteer.id, Match.status.in_(OPEN_MATCH_STATES)))


def reject_volunteer(volunteer: VolunteerProfile, reason: str, actor: User) -> None:
    """Reject the volunteer with a reason (kept for coordinators only)."""
    reason = (reason or "").strip()
    if not reason:
        raise ActionRefused(gettext("Please give a reason."))
    if len(reason) > 300:
        raise ActionRefused(gettext("Please write at most %(max)d characters.", max=300))
    _refuse_if_rejected(volunteer)
    if open_match_count(volunteer):
        raise ActionRefused(gettext(
            "This volunteer has open matches. End or reject those matches first."))
    volunteer.screening = "rejected"
    volunteer.rejection_reason = reason
    volunteer.screened_by_id = actor.id
    volunteer.screened_at = clock.now()
    db.session.flush()
    audit.record("volunteer.rejected", volunteer)


# -- volunteers: VOG renewal ------------------------------------------------------------

@dataclass(frozen=True)
class VogRenewal:
    """An approved volunteer whose VOG runs out within 30 days, or already did."""

    volunteer: VolunteerProfile
    expires_on: date | None  # None: approved without a VOG date on file
    expired: bool


def vog_renewals_due(org_id: int, today: date) -> list[VogRenewal]:
    """Return approved volunteers whose VOG is older than ``vog_valid_years`` minus 30 days.

    Oldest VOG first. Empty when the organisation does not require a VOG. Approved
    volunteers without an issue date on file are included (``expires_on`` is None).
    """
    organisation = db.session.get(Organisation, org_id)
    if organisation is None or not organisation.vog_required:
        return []
    volunteers = db.session.scalars(
        select(VolunteerProfile).where(
            VolunteerProfile.organisation_id == org_id,
            VolunteerProfile.screening == "approved",
            or_(VolunteerProfile.vog_issued_on.is_(None),
                VolunteerProfile.vog_issued_on <= renewal_threshold(organisation, today)))
        .order_by(VolunteerProfile.vog_issued_on.is_not(None), VolunteerProfile.vog_issued_on,
                  VolunteerProfile.id)).all()
    renewals = []
    for volunteer in volunteers:
        expires = (vog_expires_on(volunteer.vog_issued_on, organisation.vog_valid_years)
                   if volunteer.vog_issued_on else None)
        renewals.append(VogRenewal(volunteer, expires, expires is None or expires <= today))
    return renewals


def queue_vog_renewal_reminders(org_id: int) -> int:
    """Mark run-out VOGs expired and e-mail the organisation's coordinators; return the count.

    Today comes from the app's clock, like the time stamps it compares with. A coordinator who
    got this reminder in the last 7 days is skipped, so the function can run daily. The e-mail
    holds counts and a link only, no names.
    """
    today = clock.today()
    renewals = vog_renewals_due(org_id, today)
    if not renewals:
        return 0
    for renewal in renewals:
        volunteer = renewal.volunteer
        if renewal.expired and volunteer.vog_status == "received":
            volunteer.vog_status = "expired"
            audit.record("volunteer.vog_expired", volunteer, organisation_id=org_id)
    expired = sum(1 for r in renewals if r.expired)
    link = absolute_url("screening.volunteers", vog="renewal")
    quiet_since = clock.start_of(today - timedelta(days=REMINDER_QUIET_DAYS - 1))
    reminded = set(db.session.scalars(select(OutboxMessage.user_id).where(
        OutboxMessage.organisation_id == org_id, OutboxMessage.kind == "vog_renewal",
        OutboxMessage.created_at >= quiet_since)))
    coordinators = db.session.scalars(select(User).where(
        User.organisation_id == org_id, User.role == "coordinator", User.active.is_(True),
        User.email.is_not(None)).order_by(User.id)).all()
    queued = 0
    for coordinator in coordinators:
        if coordinator.id in reminded:
            continue
        queue_email(coordinator, "vog_renewal", due=len(renewals), expired=expired, link=link,
                    warning_days=VOG_WARNING_DAYS)
        queued += 1
    db.session.flush()
    return queued



def erase_volunteer(profile: VolunteerProfile, actor: User) -> dict:
    """Delete all personal data of the volunteer (who may no longer be able to log in to do
    it); matches stay as anonymous facts and waiting participants are freed."""
    from ..privacy import services as privacy  # privacy's erasure imports the match life

    audit.record("volunteer.erased", profile)
    db.session.flush()
    return privacy.erase_person(profile.user, actor)
