"""Participants as the coordinator keeps them: the list, one participant's page, the
registration at an intake talk, changes, invitations and data rights on their behalf.

Services take explicit inputs, return values and only flush; the request boundary commits.
"""

from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import audit
from ..auth import contacts
from ..auth.invitations import invite_user
from ..errors import ActionRefused
from ..extensions import db
from ..models import (
    LevelAssessment,
    Match,
    Neighbourhood,
    Organisation,
    ParticipantProfile,
    User,
)
from ..pagination import Page, paginate
from ..participants.services import (
    REFUSE,
    NewAccount,
    contact_in_use,
    register_participant,
)
from ..privacy import services as privacy
from ..screening.services import active_consent_purposes, consent_records, staff_email
from ..vocab import INTERESTS, keys_from_mask

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
        "pending_phone": contacts.pending_phone(profile.user),
        "texts_are_sent": contacts.texts_are_sent(),
    }


def record_participant_viewed(profile: ParticipantProfile) -> None:
    """Write the audit event for a coordinator opening a participant's page."""
    audit.record("participant.viewed", profile)


def check_phone(profile: ParticipantProfile, claim_id: int | None) -> None:
    """The coordinator called the participant's new phone number and checked it with them:
    the number reaches the account unless another account has it (the claim then closes).
    The coordinator is told the same either way; the audit trail keeps ids only."""
    if claim_id is None:
        return
    contacts.confirm_phone_by_coordinator(profile.user, claim_id)
    audit.record("participant.phone_checked", profile, claim_id=claim_id)


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
    employer_partner_id: int | None = None  # works at this employer partner


@dataclass(frozen=True)
class Contact:
    email: str | None
    phone: str | None
    locale: str


def login_taken(email: str | None, phone: str | None, exclude_user_id: int | None = None) -> bool:
    """Return True if another account already uses this e-mail address or phone number."""
    return bool(contact_in_use(email, phone, except_user_id=exclude_user_id))


def _check_neighbourhood(organisation_id: int, neighbourhood_id: int) -> None:
    hood = db.session.get(Neighbourhood, neighbourhood_id)
    if hood is None or hood.organisation_id != organisation_id:
        raise ActionRefused(gettext("Please choose a neighbourhood."))


def register_at_intake(organisation: Organisation, facts: ParticipantFacts, contact: Contact,
                         actor: User, today: date) -> ParticipantProfile:
    """Register a participant at an intake talk, with their verbal consent.

    Creates the account (no password: they may be invited later), the profile, a first
    level assessment and the consent records (method "verbal", the coordinator as actor).
    """
    _check_neighbourhood(organisation.id, facts.neighbourhood_id)
    profile = register_participant(
        organisation, NewAccount(email=contact.email, phone=contact.phone, locale=contact.locale),
        asdict(facts), method="verbal", if_contact_in_use=REFUSE, actor=actor).profile
    db.session.add(LevelAssessment(participant_id=profile.id, assessed_on=today,
                                   level=facts.dutch_level, assessed_by_id=actor.id))
    audit.record("participant.registered", profile,
                 consents=2 if profile.share_email or profile.share_phone else 1)
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
        privacy.record_consent(user, "share_contact", user.locale, actor=actor, method="verbal")
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
    invitation = invite_user(profile.user, profile.first_name, days, link_for)
    audit.record("participant.invited", profile, emailed=invitation.emailed)
    return invitation


# -- participants: data rights by the coordinator ---------------------------------------

def export_participant(profile: ParticipantProfile) -> dict:
    """Return all data of the participant (for a download) and audit it."""
    data = privacy.export_person(profile.user)
    audit.record("participant.exported", profile)
    return data


def erase_participant(profile: ParticipantProfile, actor: User) -> dict:
    """Delete all personal data of the participant; matches stay as anonymous facts."""
    audit.record("participant.erased", profile)
    db.session.flush()
    return privacy.erase_person(profile.user, actor)


def withdraw_participant_consent(profile: ParticipantProfile, purpose: str, actor: User) -> None:
    """Withdraw one consent of the participant on their behalf."""
    if purpose not in active_consent_purposes(profile.user_id):
        raise ActionRefused(gettext("There is no consent for this to withdraw."))
    privacy.withdraw_consent(profile.user, purpose, actor)  # audited there
    db.session.flush()

