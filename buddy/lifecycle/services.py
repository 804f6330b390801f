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

from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from .. import audit, clock
from ..extensions import db
from ..i18n import DEFAULT_LOCALE
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
)
from ..notifications import absolute_url, queue_email
from ..pagination import Page, paginate
from ..partners import services as partners
from ..privacy.services import MATCHING_CONSENTS, has_live_consent
from ..screening.services import vog_is_valid
from ..vocab import DEFAULT_CHECKIN_DAYS, END_REASONS, LEVELS, OPEN_MATCH_STATES

# (from, to) pairs a match may take; anything else is refused server-side.
TRANSITIONS = frozenset({
    ("proposed", "approved"), ("proposed", "rejected"),
    ("approved", "active"), ("approved", "ended"), ("active", "ended"),
})
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
        "pupil_needs_own_approval": gettext(
            "This volunteer is a pupil under 18: approve this proposal on its own, after "
            "checking it."),
        "school_not_confirmed": gettext(
            "The school has not confirmed this pupil's placement yet."),
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
    return max(0, ((on or clock.today()) - clock.local_date(participant.waiting_since)).days)


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


def approve(match: Match, actor: User, bulk: bool = False) -> Match:
    """Approve a proposal: the participant leaves the waiting list; both get introduced.

    A pupil under 18 is matched only by an approval of this one proposal (``bulk`` False),
    and only once the school has confirmed the placement.
    """
    ensure_transition(match, "approved")
    participant, volunteer = _people(match)
    if participant.status != "waiting":
        raise MatchActionError("participant_not_waiting")
    refusal = volunteer_ineligibility(volunteer, match_organisation(match), clock.today())
    if refusal is not None:
        raise MatchActionError(refusal)
    if partners.is_minor(volunteer):
        if bulk:
            raise MatchActionError("pupil_needs_own_approval")
        if volunteer.school_confirmed_at is None:
            raise MatchActionError("school_not_confirmed")
    match.approved_at = clock.now()
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
    user = db.session.get(User, volunteer.user_id)
    if user is None or not user.active or volunteer.screening != "approved":
        return "volunteer_unavailable"
    if volunteer.paused_until is not None and volunteer.paused_until >= on:
        return "volunteer_paused"
    if organisation.vog_required and not (
            volunteer.vog_status == "received"
            and vog_is_valid(volunteer.vog_issued_on, organisation.vog_valid_years, on)):
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
    on = first_meeting_on or clock.today()
    if on > clock.today():
        raise MatchActionError("date_in_future")
    if match.approved_at and on < clock.local_date(match.approved_at):
        raise MatchActionError("date_before_start")
    organisation = match_organisation(match)
    match.activated_at = clock.now() if on == clock.today() else datetime.combine(on, time(12), UTC)
    match.planned_end_on = add_months(on, organisation.match_months)
    checkin_days = organisation.checkin_days or DEFAULT_CHECKIN_DAYS
    volunteer = db.session.get(VolunteerProfile, match.volunteer_id or 0)
    if volunteer is not None and volunteer.placement_end_on is not None:
        # a pupil's match lasts as long as the placement; check-ins follow its length
        match.planned_end_on = max(on, min(match.planned_end_on, volunteer.placement_end_on))
        checkin_days = partners.placement_checkin_days(on, match.planned_end_on)
    move(match, "active", actor)
    for days in sorted(set(checkin_days)):
        db.session.add(CheckIn(match_id=match.id, due_on=on + timedelta(days=int(days))))
    audit.record("match.activated", match, by_role=actor.role)
    return match


def end(match: Match, actor: User, reason: str, note: str, back_to_waiting: bool) -> Match:
    """End a match early or at its planned end; maybe put the participant back in line."""
    ensure_transition(match, "ended")
    if reason not in END_REASONS:
        raise MatchActionError("illegal_transition")
    match.ended_at = clock.now()
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
    context = {"match_url": absolute_url("matches.detail", match_id=match.id)}
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
    return absolute_url("toolkit.page", slug=FIRST_MEETING_CHECKLIST, lang=locale or DEFAULT_LOCALE)



# --- during the match --------------------------------------------------------------------


def record_checkin(checkin: CheckIn, actor: User, outcome: str, note: str) -> CheckIn:
    """Record the outcome of a due check-in of an active match."""
    match = db.session.get(Match, checkin.match_id)
    if match is None or match.status != "active":
        raise MatchActionError("illegal_transition")
    if checkin.done_at is not None:
        raise MatchActionError("already_done")
    checkin.done_at, checkin.done_by_id = clock.now(), actor.id
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
    if on > clock.today():
        raise MatchActionError("date_in_future")
    assessment = LevelAssessment(participant_id=participant.id, assessed_on=on, level=level,
                                 assessed_by_id=actor.id)
    db.session.add(assessment)
    db.session.flush()
    audit.record("level.assessed", assessment, organisation_id=participant.organisation_id,
                 participant_id=participant.id, level=level)
    return assessment


# --- reading -----------------------------------------------------------------------------


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


# -- the coordinator's views of matches ---------------------------------------------------

MATCH_FILTERS = ("open", "proposed", "approved", "active", "ended", "rejected", "checkins",
                 "past_end")


def get_checkin(checkin_id: int, organisation_id: int) -> CheckIn | None:
    """Return a check-in of one of the organisation's matches."""
    checkin = db.session.get(CheckIn, checkin_id)
    if checkin is None:
        return None
    match = db.session.get(Match, checkin.match_id)
    return checkin if match is not None and match.organisation_id == organisation_id else None


def due_checkins_query(organisation_id: int, on: date):
    """Open check-ins due on or before ``on`` of active matches."""
    return (select(CheckIn).join(Match, Match.id == CheckIn.match_id)
            .where(Match.organisation_id == organisation_id, Match.status == "active",
                   CheckIn.due_on <= on, CheckIn.done_at.is_(None)))


def past_end_query(organisation_id: int, on: date):
    """Active matches past their planned end."""
    return select(Match).where(Match.organisation_id == organisation_id,
                               Match.status == "active", Match.planned_end_on < on)


def matches_page(organisation_id: int, which: str, number: int = 1,
                 on: date | None = None) -> Page:
    """Return one page of the organisation's matches for a filter, newest first."""
    on = on or clock.today()
    query = select(Match).where(Match.organisation_id == organisation_id)
    if which == "open":
        query = query.where(Match.status.in_(("approved", "active")))
    elif which == "checkins":
        due = due_checkins_query(organisation_id, on).with_only_columns(CheckIn.match_id)
        query = query.where(Match.id.in_(due))
    elif which == "past_end":
        query = past_end_query(organisation_id, on)
    elif which in MATCH_FILTERS:
        query = query.where(Match.status == which)
    return paginate(query.order_by(Match.id.desc()), number, selectinload(Match.participant),
                    selectinload(Match.volunteer))


def match_page(match: Match) -> dict:
    """Everything the coordinator's match page shows."""
    participant = db.session.get(ParticipantProfile, match.participant_id or 0)
    volunteer = db.session.get(VolunteerProfile, match.volunteer_id or 0)
    return {
        "participant": participant,
        "volunteer": volunteer,
        "events": match.events,
        "checkins": checkins_of(match.id),
        "meetings": meetings_of(match.id),
        "assessments": assessments_of(match.participant_id),
        "actors": _actors({e.actor_id for e in match.events}),
        "open_matches_of_volunteer": _open_count(match.volunteer_id),
    }


def _actors(user_ids) -> dict[int, User]:
    ids = [i for i in user_ids if i]
    if not ids:
        return {}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


def _open_count(volunteer_id: int | None) -> int:
    if volunteer_id is None:
        return 0
    return db.session.scalar(select(func.count(Match.id)).where(
        Match.volunteer_id == volunteer_id, Match.status.in_(OPEN_MATCH_STATES)))


def participant_matches(participant_id: int) -> list[Match]:
    """All matches of a participant, newest first."""
    return list(db.session.scalars(
        select(Match).where(Match.participant_id == participant_id)
        .options(selectinload(Match.volunteer)).order_by(Match.id.desc())))


def days_overdue(checkin: CheckIn, on: date | None = None) -> int:
    """Return how many days a check-in is overdue (0 when due today or later)."""
    return max(0, ((on or clock.today()) - checkin.due_on).days)

