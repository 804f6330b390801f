"""The life of a match: propose, approve or reject, activate, end; check-ins, meetings, levels.

Every transition goes through ``move`` (one table of legal transitions, a ``MatchEvent`` and
an audit event) and is flushed at once, so the optimistic lock (``Match.version``, the
mapper's ``version_id_col``) or the database's unique indexes refuse a decision somebody
else made a moment earlier. Services never commit and never roll back: they raise
``MatchActionError`` with a code; the view rolls back and shows ``action_message(code)``.
"""

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask import url_for
from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from .. import audit
from ..extensions import db
from ..models import (
    CheckIn,
    LevelAssessment,
    Match,
    MatchEvent,
    MatchingRun,
    MeetingLog,
    Neighbourhood,
    Organisation,
    ParticipantProfile,
    User,
    VolunteerProfile,
    utcnow,
)
from ..models.base import today
from ..notifications import queue_email
from ..privacy.services import MATCHING_CONSENTS, has_live_consent
from ..vocab import DEFAULT_CHECKIN_DAYS, END_REASONS, LEVELS, OPEN_MATCH_STATES

# (from, to) pairs a match may take; anything else is refused server-side.
TRANSITIONS = frozenset({
    ("proposed", "approved"), ("proposed", "rejected"),
    ("approved", "active"), ("approved", "ended"), ("active", "ended"),
})
MEETING_MINUTES = (5, 600)
FIRST_MEETING_CHECKLIST = "first-meeting-checklist"


class MatchActionError(Exception):
    """An action on a match that cannot happen now; ``code`` names why."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def action_message(code: str) -> str:
    """Return the translated message for a ``MatchActionError`` code."""
    messages = {
        "conflict": gettext("Someone else changed this match at the same moment. "
                            "Nothing was saved; please look at it again."),
        "illegal_transition": gettext("This is not possible in the current state of the match."),
        "participant_busy": gettext("This participant already has a proposed or running match."),
        "participant_not_waiting": gettext("This participant is not on the waiting list."),
        "volunteer_full": gettext("This volunteer has no free place for another participant."),
        "volunteer_unavailable": gettext("This volunteer is no longer approved to be a buddy."),
        "volunteer_paused": gettext("This volunteer has paused matching. The proposal cannot "
                                    "be approved now."),
        "volunteer_vog_invalid": gettext("The certificate of conduct (VOG) of this volunteer "
                                         "is missing or has expired since the proposal. The "
                                         "proposal cannot be approved."),
        "volunteer_no_consent": gettext("This volunteer has withdrawn a consent that matching "
                                        "needs. The proposal cannot be approved."),
        "person_gone": gettext("The participant or volunteer of this match no longer exists."),
        "not_your_match": gettext("Only the volunteer of this match can do this."),
        "date_in_future": gettext("The date cannot be in the future."),
        "date_before_start": gettext("The date cannot be before the match started."),
        "already_done": gettext("This check-in has already been recorded."),
        "not_a_candidate": gettext("This volunteer is not a possible buddy for this "
                                   "participant right now."),
    }
    return messages.get(code, messages["illegal_transition"])


def ensure_transition(match: Match, to_status: str) -> None:
    """Refuse a transition that is not in ``TRANSITIONS``."""
    if (match.status, to_status) not in TRANSITIONS:
        raise MatchActionError("illegal_transition")


def flush_or_conflict() -> None:
    """Flush; a concurrent change (version or unique index) becomes a ``conflict``."""
    try:
        db.session.flush()
    except (StaleDataError, IntegrityError) as error:
        raise MatchActionError("conflict") from error


def move(match: Match, to_status: str, actor: User | None, reason: str = "") -> MatchEvent:
    """Move ``match`` to ``to_status``, record a ``MatchEvent`` and flush (optimistic lock)."""
    ensure_transition(match, to_status)
    event = MatchEvent(match_id=match.id, from_status=match.status, to_status=to_status,
                       actor_id=actor.id if actor else None, reason=reason[:300])
    match.status = to_status
    db.session.add(event)
    flush_or_conflict()
    return event


# --- proposing ---------------------------------------------------------------------------

def lock_free_slot(volunteer_id: int) -> int:
    """Return the lowest free capacity slot of a volunteer, holding their row lock.

    PostgreSQL: ``SELECT ... FOR UPDATE`` on the volunteer row serialises concurrent
    proposals for one volunteer. SQLite: writers are serialised by ``BEGIN IMMEDIATE``.
    The partial unique index on (volunteer, slot) is the last line of defence.
    """
    capacity = db.session.scalar(
        select(VolunteerProfile.capacity).where(VolunteerProfile.id == volunteer_id)
        .with_for_update())
    if capacity is None:
        raise MatchActionError("person_gone")
    taken = set(db.session.scalars(
        select(Match.volunteer_slot).where(Match.volunteer_id == volunteer_id,
                                           Match.status.in_(OPEN_MATCH_STATES))))
    free = [slot for slot in range(1, capacity + 1) if slot not in taken]
    if not free:
        raise MatchActionError("volunteer_full")
    return free[0]


def waiting_days(participant: ParticipantProfile, on: date | None = None) -> int:
    """Return how many whole days ``participant`` has been on the waiting list."""
    return max(0, ((on or today()) - participant.waiting_since.date()).days)


def propose(participant: ParticipantProfile, volunteer: VolunteerProfile, actor: User | None,
            score: float, explanation: dict, run: MatchingRun | None = None) -> Match:
    """Create a proposed match for a waiting participant in a free slot of ``volunteer``."""
    if participant.organisation_id != volunteer.organisation_id:
        raise MatchActionError("illegal_transition")
    if participant.status != "waiting":
        raise MatchActionError("participant_not_waiting")
    if has_open_match(participant.id):
        raise MatchActionError("participant_busy")
    slot = lock_free_slot(volunteer.id)
    neighbourhood = db.session.get(Neighbourhood, participant.neighbourhood_id)
    match = Match(
        organisation_id=participant.organisation_id, participant_id=participant.id,
        volunteer_id=volunteer.id, volunteer_slot=slot, run_id=run.id if run else None,
        status="proposed", score=min(max(float(score), 0.0), 1.0), explanation=explanation,
        goal=participant.primary_goal, level_at_start=participant.dutch_level,
        waiting_days=waiting_days(participant),
        priority_area=bool(neighbourhood and neighbourhood.priority_area),
    )
    db.session.add(match)
    flush_or_conflict()
    db.session.add(MatchEvent(match_id=match.id, from_status=None, to_status="proposed",
                              actor_id=actor.id if actor else None))
    return match


def has_open_match(participant_id: int) -> bool:
    """Return True if the participant has a proposed, approved or active match."""
    return db.session.scalar(
        select(func.count(Match.id)).where(Match.participant_id == participant_id,
                                           Match.status.in_(OPEN_MATCH_STATES))) > 0


# --- deciding ----------------------------------------------------------------------------

def _people(match: Match) -> tuple[ParticipantProfile, VolunteerProfile]:
    participant = db.session.get(ParticipantProfile, match.participant_id or 0)
    volunteer = db.session.get(VolunteerProfile, match.volunteer_id or 0)
    if participant is None or volunteer is None:
        raise MatchActionError("person_gone")
    return participant, volunteer


def approve(match: Match, actor: User) -> Match:
    """Approve a proposal: the participant leaves the waiting list; both get introduced."""
    ensure_transition(match, "approved")
    participant, volunteer = _people(match)
    if participant.status != "waiting":
        raise MatchActionError("participant_not_waiting")
    refusal = volunteer_ineligibility(volunteer, match_organisation(match), today())
    if refusal is not None:
        raise MatchActionError(refusal)
    match.approved_at = utcnow()
    move(match, "approved", actor)
    participant.status = "matched"
    participant.rematch_priority = False
    introduce(match, participant, volunteer)
    audit.record("match.approved", match, participant_id=participant.id,
                 volunteer_id=volunteer.id)
    return match


def volunteer_ineligibility(volunteer: VolunteerProfile, organisation: Organisation,
                            on: date) -> str | None:
    """Return why ``volunteer`` cannot be a buddy on ``on`` (an error key), or None: an
    approved screening, no pause, a valid VOG where required and the consents in place."""
    from ..coordinator.matching_service import years_before  # imports this module

    user = db.session.get(User, volunteer.user_id)
    if user is None or not user.active or volunteer.screening != "approved":
        return "volunteer_unavailable"
    if volunteer.paused_until is not None and volunteer.paused_until >= on:
        return "volunteer_paused"
    if organisation.vog_required and not (
            volunteer.vog_status == "received" and volunteer.vog_issued_on is not None
            and volunteer.vog_issued_on >= years_before(on, organisation.vog_valid_years)):
        return "volunteer_vog_invalid"
    if not all(has_live_consent(user, p) for p in MATCHING_CONSENTS["volunteer"]):
        return "volunteer_no_consent"
    return None


def reject(match: Match, actor: User, reason: str) -> Match:
    """Reject a proposal with a reason; this pair is never proposed again."""
    ensure_transition(match, "rejected")
    match.reject_reason = reason[:300]
    move(match, "rejected", actor, reason)
    audit.record("match.rejected", match, participant_id=match.participant_id,
                 volunteer_id=match.volunteer_id)
    return match


def activate(match: Match, actor: User, first_meeting_on: date | None = None) -> Match:
    """Start the match at its first meeting: plan check-ins and the planned end."""
    ensure_transition(match, "active")
    on = first_meeting_on or today()
    if on > today():
        raise MatchActionError("date_in_future")
    if match.approved_at and on < match.approved_at.date():
        raise MatchActionError("date_before_start")
    organisation = match_organisation(match)
    match.activated_at = utcnow() if on == today() else datetime.combine(on, time(12), UTC)
    match.planned_end_on = add_months(on, organisation.match_months)
    move(match, "active", actor)
    for days in sorted(set(organisation.checkin_days or DEFAULT_CHECKIN_DAYS)):
        db.session.add(CheckIn(match_id=match.id, due_on=on + timedelta(days=int(days))))
    audit.record("match.activated", match, by_role=actor.role)
    return match


def end(match: Match, actor: User, reason: str, note: str, back_to_waiting: bool) -> Match:
    """End a match early or at its planned end; maybe put the participant back in line."""
    ensure_transition(match, "ended")
    if reason not in END_REASONS:
        raise MatchActionError("illegal_transition")
    match.ended_at = utcnow()
    match.end_reason = reason
    match.end_note = note[:1000]
    move(match, "ended", actor, reason)
    participant = db.session.get(ParticipantProfile, match.participant_id or 0)
    if participant is not None:
        participant.status = "waiting" if back_to_waiting else "withdrawn"
        participant.rematch_priority = back_to_waiting  # waiting_since is kept
    audit.record("match.ended", match, reason=reason, back_to_waiting=back_to_waiting)
    return match


def match_organisation(match: Match) -> Organisation:
    """Return the organisation of ``match``."""
    return db.session.get(Organisation, match.organisation_id)


def add_months(start: date, months: int) -> date:
    """Return ``start`` plus ``months`` calendar months (the day clamped to the month's end)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


# --- introductions -------------------------------------------------------------------------

@dataclass(frozen=True)
class Contact:
    """How to reach someone: only what they agreed to share."""

    email: str | None
    phone: str | None

    @property
    def empty(self) -> bool:
        return not self.email and not self.phone


def shared_contact(profile) -> Contact:
    """Return the contact details ``profile`` consented to share with their match."""
    user = db.session.get(User, profile.user_id)
    if user is None or not has_live_consent(user, "share_contact"):
        return Contact(None, None)
    return Contact(user.email if profile.share_email else None,
                   user.phone if profile.share_phone else None)


def introduce(match: Match, participant: ParticipantProfile,
              volunteer: VolunteerProfile) -> None:
    """Queue an introduction to both, each in their own language, with consented contact."""
    participant_user = db.session.get(User, participant.user_id)
    volunteer_user = db.session.get(User, volunteer.user_id)
    context = {"match_url": url_for("matches.detail", match_id=match.id, _external=True)}
    if volunteer_user is not None:
        queue_email(volunteer_user, "introduction_volunteer", other=participant,
                    contact=shared_contact(participant), name=volunteer.first_name,
                    checklist_url=checklist_url(volunteer_user.locale), **context)
    if participant_user is not None:
        queue_email(participant_user, "introduction", other=volunteer,
                    contact=shared_contact(volunteer), name=participant.first_name,
                    checklist_url=checklist_url(participant_user.locale), **context)


def checklist_url(locale: str | None) -> str:
    """Return the absolute link to the first-meeting checklist in ``locale``."""
    return url_for("toolkit.page", slug=FIRST_MEETING_CHECKLIST, lang=locale or "nl",
                   _external=True)


def ensure_volunteer(match: Match, actor: User) -> VolunteerProfile:
    """Return the match's volunteer profile if ``actor`` is that volunteer."""
    volunteer = db.session.get(VolunteerProfile, match.volunteer_id or 0)
    if volunteer is None or volunteer.user_id != actor.id:
        raise MatchActionError("not_your_match")
    return volunteer


# --- during the match --------------------------------------------------------------------

def log_meeting(match: Match, actor: User, met_on: date, minutes: int, activity: str
                ) -> MeetingLog:
    """Log a meeting of an active match, by its volunteer."""
    ensure_volunteer(match, actor)
    if match.status != "active":
        raise MatchActionError("illegal_transition")
    if met_on > today():
        raise MatchActionError("date_in_future")
    if match.activated_at and met_on < match.activated_at.date():
        raise MatchActionError("date_before_start")
    low, high = MEETING_MINUTES
    log = MeetingLog(match_id=match.id, met_on=met_on, minutes=min(max(minutes, low), high),
                     activity=activity[:1000], created_by_id=actor.id)
    db.session.add(log)
    db.session.flush()
    return log


def record_checkin(checkin: CheckIn, actor: User, outcome: str, note: str) -> CheckIn:
    """Record the outcome of a due check-in of an active match."""
    match = db.session.get(Match, checkin.match_id)
    if match is None or match.status != "active":
        raise MatchActionError("illegal_transition")
    if checkin.done_at is not None:
        raise MatchActionError("already_done")
    checkin.done_at, checkin.done_by_id = utcnow(), actor.id
    checkin.outcome, checkin.note = outcome, note[:2000]
    db.session.flush()
    audit.record("checkin.recorded", checkin, organisation_id=match.organisation_id,
                 match_id=match.id, outcome=outcome)
    return checkin


def add_assessment(participant: ParticipantProfile, actor: User, on: date, level: str
                   ) -> LevelAssessment:
    """Record a Dutch level assessment of ``participant``."""
    if level not in LEVELS:
        raise MatchActionError("illegal_transition")
    if on > today():
        raise MatchActionError("date_in_future")
    assessment = LevelAssessment(participant_id=participant.id, assessed_on=on, level=level,
                                 assessed_by_id=actor.id)
    db.session.add(assessment)
    db.session.flush()
    audit.record("level.assessed", assessment, organisation_id=participant.organisation_id,
                 participant_id=participant.id, level=level)
    return assessment


# --- reading -----------------------------------------------------------------------------

def match_for_person(match_id: int, user: User) -> Match | None:
    """Return the match if ``user`` is its volunteer or participant and it was approved."""
    match = db.session.get(Match, match_id)
    if match is None or match.status in ("proposed", "rejected"):
        return None
    profile_model = VolunteerProfile if user.role == "volunteer" else ParticipantProfile
    profile_id = match.volunteer_id if user.role == "volunteer" else match.participant_id
    profile = db.session.get(profile_model, profile_id or 0)
    return match if profile is not None and profile.user_id == user.id else None


def meetings_of(match_id: int) -> list[MeetingLog]:
    """Return the meeting logs of a match, newest first."""
    return list(db.session.scalars(
        select(MeetingLog).where(MeetingLog.match_id == match_id)
        .order_by(MeetingLog.met_on.desc(), MeetingLog.id.desc())))


def checkins_of(match_id: int) -> list[CheckIn]:
    """Return the check-ins of a match by due date."""
    return list(db.session.scalars(
        select(CheckIn).where(CheckIn.match_id == match_id).order_by(CheckIn.due_on)))


def assessments_of(participant_id: int | None) -> list[LevelAssessment]:
    """Return a participant's level assessments, oldest first."""
    if participant_id is None:
        return []
    return list(db.session.scalars(
        select(LevelAssessment).where(LevelAssessment.participant_id == participant_id)
        .order_by(LevelAssessment.assessed_on, LevelAssessment.id)))
