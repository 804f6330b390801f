"""The coordinator's people work: screening volunteers, participants, intake, places.

Services take explicit inputs, return values and only flush; the request boundary commits.
An action the rules do not allow now raises ``ActionRefused`` with a message for the
coordinator. Every change is written to the audit trail (ids and codes only).
"""

from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from math import ceil

from flask import current_app, has_request_context, url_for
from flask_babel import gettext, ngettext
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload

from .. import audit
from ..extensions import db
from ..models import (
    AuditEvent,
    ConsentRecord,
    LevelAssessment,
    LocalReferral,
    Match,
    Neighbourhood,
    Organisation,
    OutboxMessage,
    ParticipantProfile,
    User,
    VolunteerProfile,
    utcnow,
)
from ..notifications import queue_email
from ..vocab import INTERESTS, OPEN_MATCH_STATES, keys_from_mask

PER_PAGE = 50
VOG_WARNING_DAYS = 30
REMINDER_QUIET_DAYS = 7
SCREENING_ACTIONS = (
    "volunteer.intake_recorded", "volunteer.vog_recorded", "volunteer.training_recorded",
    "volunteer.approved", "volunteer.rejected", "volunteer.vog_expired",
)


class ActionRefused(Exception):
    """The rules do not allow this action now; ``str(error)`` tells the coordinator why."""


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


# -- pages of a list --------------------------------------------------------------------

@dataclass(frozen=True)
class Page:
    """One page of a list: its items, the total count and where we are."""

    items: list
    total: int
    number: int
    per_page: int = PER_PAGE

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def first_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.total else 0

    @property
    def last_index(self) -> int:
        return min(self.total, self.number * self.per_page)


def paginate(query: Select, number: int, *options, per_page: int = PER_PAGE,
             rows: bool = False) -> Page:
    """Count ``query`` and return page ``number`` of it (clamped to the pages there are).

    Items are the first entity of each row, or whole rows with ``rows=True``.
    """
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    pages = max(1, ceil(total / per_page))
    number = min(max(1, number), pages)
    limited = query.options(*options).limit(per_page).offset((number - 1) * per_page)
    result = db.session.execute(limited).all() if rows else db.session.scalars(limited).all()
    return Page(items=list(result), total=total, number=number, per_page=per_page)


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
        volunteer.vog_checked_at = utcnow()
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
    return blockers


def approve_volunteer(volunteer: VolunteerProfile, actor: User, today: date) -> None:
    """Approve the volunteer for matching, if intake and (when required) VOG are done."""
    blockers = approval_blockers(volunteer, today)
    if blockers:
        raise ActionRefused(" ".join(blockers))
    volunteer.screening = "approved"
    volunteer.rejection_reason = ""
    volunteer.screened_by_id = actor.id
    volunteer.screened_at = utcnow()
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
    volunteer.screened_at = utcnow()
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


def external_url(endpoint: str, **values) -> str:
    """Return an absolute URL, also outside a request (then based on ``BASE_URL``)."""
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    adapter = current_app.url_map.bind("localhost")
    return current_app.config["BASE_URL"].rstrip("/") + adapter.build(endpoint, values)


def queue_vog_renewal_reminders(org_id: int, today: date) -> int:
    """Mark run-out VOGs expired and e-mail the organisation's coordinators; return the count.

    A coordinator who got this reminder in the last 7 days is skipped, so the function can
    run daily. The e-mail holds counts and a link only, no names.
    """
    renewals = vog_renewals_due(org_id, today)
    if not renewals:
        return 0
    for renewal in renewals:
        volunteer = renewal.volunteer
        if renewal.expired and volunteer.vog_status == "received":
            volunteer.vog_status = "expired"
            audit.record("volunteer.vog_expired", volunteer, organisation_id=org_id)
    expired = sum(1 for r in renewals if r.expired)
    link = external_url("people.volunteers", vog="renewal")
    quiet_since = datetime.combine(today - timedelta(days=REMINDER_QUIET_DAYS - 1),
                                   datetime.min.time(), tzinfo=UTC)
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


# -- participants: list and detail ------------------------------------------------------

@dataclass(frozen=True)
class ParticipantFilters:
    q: str = ""
    status: str = ""
    neighbourhood_id: int | None = None
    level: str = ""
    priority: str = ""  # "yes", "no" or "" (all)
    min_days: int | None = None


def participant_page(organisation: Organisation, filters: ParticipantFilters, number: int,
                     now: datetime) -> Page:
    """Return one page of the organisation's participants, longest waiting first."""
    query = select(ParticipantProfile).where(
        ParticipantProfile.organisation_id == organisation.id)
    if filters.q:
        query = query.where(ParticipantProfile.first_name.icontains(filters.q, autoescape=True))
    if filters.status:
        query = query.where(ParticipantProfile.status == filters.status)
    if filters.neighbourhood_id:
        query = query.where(ParticipantProfile.neighbourhood_id == filters.neighbourhood_id)
    if filters.level:
        query = query.where(ParticipantProfile.dutch_level == filters.level)
    if filters.priority:
        query = query.join(Neighbourhood, Neighbourhood.id == ParticipantProfile.neighbourhood_id
                           ).where(Neighbourhood.priority_area.is_(filters.priority == "yes"))
    if filters.min_days is not None:
        query = query.where(ParticipantProfile.waiting_since
                            <= now - timedelta(days=filters.min_days))
    query = query.order_by(ParticipantProfile.waiting_since, ParticipantProfile.id)
    return paginate(query, number, selectinload(ParticipantProfile.neighbourhood))


def waiting_days(profile: ParticipantProfile, now: datetime) -> int:
    """Return the whole days ``profile`` has been on the waiting list."""
    return max(0, (now - profile.waiting_since).days)


def level_assessments(profile: ParticipantProfile) -> list[LevelAssessment]:
    """Return the participant's level assessments, newest first."""
    return list(db.session.scalars(
        select(LevelAssessment).where(LevelAssessment.participant_id == profile.id)
        .order_by(LevelAssessment.assessed_on.desc(), LevelAssessment.id.desc())))


def participant_matches(profile: ParticipantProfile) -> list[Match]:
    """Return the participant's matches with their volunteers, newest first."""
    return list(db.session.scalars(
        select(Match).where(Match.participant_id == profile.id)
        .options(selectinload(Match.volunteer))
        .order_by(Match.proposed_at.desc(), Match.id.desc())))


def participant_overview(profile: ParticipantProfile, now: datetime) -> dict:
    """Return what the coordinator's page of one participant shows (barriers included)."""
    return {
        "profile": profile, "user": profile.user, "waiting_days": waiting_days(profile, now),
        "registered_by": staff_email(profile.registered_by_id),
        "interest_keys": keys_from_mask(profile.interests, INTERESTS),
        "consents": consent_records(profile.user_id),
        "assessments": level_assessments(profile), "matches": participant_matches(profile),
    }


def record_participant_viewed(profile: ParticipantProfile) -> None:
    """Write the audit event for a coordinator opening a participant's page."""
    audit.record("participant.viewed", profile)


# -- participants: intake and edit ------------------------------------------------------

@dataclass(frozen=True)
class ParticipantFacts:
    """What a participant profile holds, as validated by a form (no status, no org)."""

    first_name: str
    gender: str | None
    neighbourhood_id: int
    radius_km: int
    in_person: bool
    online: bool
    availability: int
    interests: int
    languages: list
    dutch_level: str
    target_level: str | None
    route: str
    goals: int
    primary_goal: str
    gender_pref: str
    share_email: bool
    share_phone: bool
    barriers: list
    barrier_note: str


@dataclass(frozen=True)
class Contact:
    email: str | None
    phone: str | None
    locale: str


def login_taken(email: str | None, phone: str | None, exclude_user_id: int | None = None) -> bool:
    """Return True if another account already uses this e-mail address or phone number."""
    conditions = []
    if email:
        conditions.append(User.email == email)
    if phone:
        conditions.append(User.phone == phone)
    if not conditions:
        return False
    query = select(User.id).where(or_(*conditions))
    if exclude_user_id is not None:
        query = query.where(User.id != exclude_user_id)
    return db.session.scalar(query.limit(1)) is not None


def _check_neighbourhood(organisation_id: int, neighbourhood_id: int) -> None:
    hood = db.session.get(Neighbourhood, neighbourhood_id)
    if hood is None or hood.organisation_id != organisation_id:
        raise ActionRefused(gettext("Please choose a neighbourhood."))


def _privacy():
    from ..privacy import services as privacy

    return privacy


def register_participant(organisation: Organisation, facts: ParticipantFacts, contact: Contact,
                         actor: User, today: date) -> ParticipantProfile:
    """Register a participant at an intake talk, with their verbal consent.

    Creates the account (no password: they may be invited later), the profile, a first
    level assessment and the consent records (method "verbal", the coordinator as actor).
    """
    _check_neighbourhood(organisation.id, facts.neighbourhood_id)
    if login_taken(contact.email, contact.phone):
        raise ActionRefused(gettext("This e-mail address or phone number is already in use."))
    user = User(role="participant", organisation_id=organisation.id, email=contact.email,
                phone=contact.phone, locale=contact.locale, password_hash=None)
    db.session.add(user)
    db.session.flush()
    profile = ParticipantProfile(user_id=user.id, organisation_id=organisation.id,
                                 registered_by_id=actor.id, **asdict(facts))
    db.session.add(profile)
    db.session.flush()
    db.session.add(LevelAssessment(participant_id=profile.id, assessed_on=today,
                                   level=facts.dutch_level, assessed_by_id=actor.id))
    purposes = ["privacy"] + (["share_contact"] if facts.share_email or facts.share_phone else [])
    for purpose in purposes:
        _privacy().record_consent(user, purpose, contact.locale, actor=actor, method="verbal")
    _keep_sharing_choice(profile, facts)
    audit.record("participant.registered", profile, consents=len(purposes))
    return profile


def update_participant(profile: ParticipantProfile, facts: ParticipantFacts, actor: User,
                       today: date, contact: Contact | None = None) -> list[str]:
    """Change a participant's facts (and contact, while they have no login); return what changed.

    A new Dutch level is also kept as a level assessment. Turning on sharing of contact
    details records the participant's verbal consent for it.
    """
    _check_neighbourhood(profile.organisation_id, facts.neighbourhood_id)
    changed = [name for name, value in asdict(facts).items() if getattr(profile, name) != value]
    sharing_before = profile.share_email or profile.share_phone
    for name in changed:
        setattr(profile, name, getattr(facts, name))
    if "dutch_level" in changed:
        db.session.add(LevelAssessment(participant_id=profile.id, assessed_on=today,
                                       level=facts.dutch_level, assessed_by_id=actor.id))
    user = profile.user
    if (facts.share_email or facts.share_phone) and not sharing_before and (
        "share_contact" not in active_consent_purposes(user.id)
    ):
        _privacy().record_consent(user, "share_contact", user.locale, actor=actor, method="verbal")
        _keep_sharing_choice(profile, facts)
    if contact is not None:
        changed += _update_contact(user, contact)
    db.session.flush()
    audit.record("participant.updated", profile, fields=len(changed),
                 barriers="barriers" in changed or "barrier_note" in changed)
    return changed


def _keep_sharing_choice(profile: ParticipantProfile, facts: ParticipantFacts) -> None:
    """Set exactly the sharing flags that were chosen (recording consent may change them)."""
    profile.share_email, profile.share_phone = facts.share_email, facts.share_phone
    db.session.flush()


def _update_contact(user: User, contact: Contact) -> list[str]:
    if user.password_hash:
        raise ActionRefused(gettext(
            "This participant has their own login and changes their contact details themselves."))
    if login_taken(contact.email, contact.phone, exclude_user_id=user.id):
        raise ActionRefused(gettext("This e-mail address or phone number is already in use."))
    changed = []
    for name in ("email", "phone", "locale"):
        if getattr(user, name) != getattr(contact, name):
            setattr(user, name, getattr(contact, name))
            changed.append(name)
    return changed


def invite_participant(profile: ParticipantProfile, days: int, link_for):
    """Create an invitation link for the participant and e-mail it if they have an address."""
    from .invitations import invite_user

    invitation = invite_user(profile.user, profile.first_name, days, link_for)
    audit.record("participant.invited", profile, emailed=invitation.emailed)
    return invitation


# -- participants: data rights by the coordinator ---------------------------------------

def export_participant(profile: ParticipantProfile) -> dict:
    """Return all data of the participant (for a download) and audit it."""
    data = _privacy().export_person(profile.user)
    audit.record("participant.exported", profile)
    return data


def erase_participant(profile: ParticipantProfile, actor: User) -> dict:
    """Delete all personal data of the participant; matches stay as anonymous facts."""
    audit.record("participant.erased", profile)
    db.session.flush()
    return _privacy().erase_person(profile.user, actor)


def erase_volunteer(profile: VolunteerProfile, actor: User) -> dict:
    """Delete all personal data of the volunteer (who may no longer be able to log in to do
    it); matches stay as anonymous facts and waiting participants are freed."""
    audit.record("volunteer.erased", profile)
    db.session.flush()
    return _privacy().erase_person(profile.user, actor)


def withdraw_participant_consent(profile: ParticipantProfile, purpose: str, actor: User) -> None:
    """Withdraw one consent of the participant on their behalf."""
    if purpose not in active_consent_purposes(profile.user_id):
        raise ActionRefused(gettext("There is no consent for this to withdraw."))
    _privacy().withdraw_consent(profile.user, purpose, actor)  # audited there
    db.session.flush()


# -- neighbourhoods ---------------------------------------------------------------------

@dataclass(frozen=True)
class NeighbourhoodRow:
    neighbourhood: Neighbourhood
    volunteers: int
    participants: int

    @property
    def in_use(self) -> bool:
        return bool(self.volunteers or self.participants)


def neighbourhoods_of(organisation_id: int) -> list[Neighbourhood]:
    """Return the organisation's neighbourhoods by name."""
    return list(db.session.scalars(select(Neighbourhood).where(
        Neighbourhood.organisation_id == organisation_id).order_by(Neighbourhood.name)))


def _profile_counts(model, organisation_id: int) -> dict[int, int]:
    return dict(db.session.execute(
        select(model.neighbourhood_id, func.count(model.id))
        .where(model.organisation_id == organisation_id)
        .group_by(model.neighbourhood_id)).all())


def neighbourhood_rows(organisation_id: int) -> list[NeighbourhoodRow]:
    """Return the neighbourhoods with how many volunteers and participants live there."""
    volunteers = _profile_counts(VolunteerProfile, organisation_id)
    participants = _profile_counts(ParticipantProfile, organisation_id)
    return [NeighbourhoodRow(h, volunteers.get(h.id, 0), participants.get(h.id, 0))
            for h in neighbourhoods_of(organisation_id)]


def neighbourhood_name_taken(organisation_id: int, name: str, exclude_id: int | None) -> bool:
    """Return True if the organisation has another neighbourhood with this name.

    Compared case-folded in Python: SQL ``lower()`` on SQLite folds only ASCII letters, so
    "Û" and "û" would slip through there and hit the unique constraint instead.
    """
    wanted = (name or "").casefold()
    rows = db.session.execute(select(Neighbourhood.id, Neighbourhood.name).where(
        Neighbourhood.organisation_id == organisation_id)).all()
    return any(row.name.casefold() == wanted and row.id != exclude_id for row in rows)


def save_neighbourhood(organisation_id: int, name: str, lat: float, lon: float,
                       priority_area: bool, hood: Neighbourhood | None = None) -> Neighbourhood:
    """Add a neighbourhood, or change ``hood``."""
    if neighbourhood_name_taken(organisation_id, name, hood.id if hood else None):
        raise ActionRefused(gettext("There is already a neighbourhood with this name."))
    created = hood is None
    if created:
        hood = Neighbourhood(organisation_id=organisation_id)
        db.session.add(hood)
    hood.name, hood.lat, hood.lon, hood.priority_area = name, lat, lon, priority_area
    db.session.flush()
    audit.record("neighbourhood.created" if created else "neighbourhood.updated", hood,
                 priority_area=priority_area)
    return hood


def delete_neighbourhood(hood: Neighbourhood) -> None:
    """Delete a neighbourhood that nobody lives in (by their profile)."""
    used = sum(_profile_counts(model, hood.organisation_id).get(hood.id, 0)
               for model in (VolunteerProfile, ParticipantProfile))
    if used:
        raise ActionRefused(ngettext(
            "%(num)d person lives in this neighbourhood. Move them to another one first.",
            "%(num)d people live in this neighbourhood. Move them to another one first.",
            used))
    audit.record("neighbourhood.deleted", hood)
    db.session.delete(hood)
    db.session.flush()


# -- local referrals --------------------------------------------------------------------

def referrals_of(organisation_id: int) -> list[LocalReferral]:
    """Return the organisation's referrals in the order volunteers see them."""
    return list(db.session.scalars(select(LocalReferral).where(
        LocalReferral.organisation_id == organisation_id)
        .order_by(LocalReferral.position, LocalReferral.id)))


def save_referral(organisation_id: int, name: str, purpose: str, contact: str,
                  referral: LocalReferral | None = None) -> LocalReferral:
    """Add a referral at the end of the list, or change ``referral``."""
    created = referral is None
    if created:
        last = db.session.scalar(select(func.max(LocalReferral.position)).where(
            LocalReferral.organisation_id == organisation_id))
        referral = LocalReferral(organisation_id=organisation_id,
                                 position=0 if last is None else last + 1)
        db.session.add(referral)
    referral.name, referral.purpose, referral.contact = name, purpose, contact
    db.session.flush()
    audit.record("referral.created" if created else "referral.updated", referral)
    return referral


def _renumber(referrals: list[LocalReferral]) -> None:
    for position, referral in enumerate(referrals):
        referral.position = position


def delete_referral(referral: LocalReferral) -> None:
    """Delete a referral and close the gap in the order."""
    audit.record("referral.deleted", referral)
    organisation_id = referral.organisation_id
    db.session.delete(referral)
    db.session.flush()
    _renumber(referrals_of(organisation_id))
    db.session.flush()


def move_referral(referral: LocalReferral, direction: str) -> None:
    """Move a referral one place up or down in the list."""
    referrals = referrals_of(referral.organisation_id)
    index = referrals.index(referral)
    other = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= other < len(referrals):
        raise ActionRefused(gettext("This referral cannot move further."))
    referrals[index], referrals[other] = referrals[other], referrals[index]
    _renumber(referrals)
    db.session.flush()
    audit.record("referral.moved", referral, direction=direction)
