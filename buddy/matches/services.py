"""A match as its volunteer and participant see it: their own match, the first meeting
and the meeting log. The state machine itself lives in ``buddy.lifecycle.services``.
"""

from datetime import date

from .. import clock
from ..extensions import db
from ..lifecycle import services as lifecycle
from ..lifecycle.services import MatchActionError
from ..models import Match, MeetingLog, ParticipantProfile, User, VolunteerProfile

MEETING_MINUTES = (5, 600)


def ensure_volunteer(match: Match, actor: User) -> VolunteerProfile:
    """Return the match's volunteer profile if ``actor`` is that volunteer."""
    volunteer = db.session.get(VolunteerProfile, match.volunteer_id or 0)
    if volunteer is None or volunteer.user_id != actor.id:
        raise MatchActionError("not_your_match")
    return volunteer


def confirm_first_meeting(match: Match, actor: User, met_on: date) -> None:
    """The match's volunteer confirms the first meeting: the match becomes active."""
    ensure_volunteer(match, actor)
    lifecycle.activate(match, actor, met_on)


def log_meeting(match: Match, actor: User, met_on: date, minutes: int, activity: str
                ) -> MeetingLog:
    """Log a meeting of an active match, by its volunteer."""
    ensure_volunteer(match, actor)
    if match.status != "active":
        raise MatchActionError("illegal_transition")
    if met_on > clock.today():
        raise MatchActionError("date_in_future")
    if match.activated_at and met_on < clock.local_date(match.activated_at):
        raise MatchActionError("date_before_start")
    low, high = MEETING_MINUTES
    log = MeetingLog(match_id=match.id, met_on=met_on, minutes=min(max(minutes, low), high),
                     activity=activity[:1000], created_by_id=actor.id)
    db.session.add(log)
    db.session.flush()
    return log


def match_for_person(match_id: int, user: User) -> Match | None:
    """Return the match if ``user`` is its volunteer or participant and it was approved."""
    match = db.session.get(Match, match_id)
    if match is None or match.status in ("proposed", "rejected"):
        return None
    profile_model = VolunteerProfile if user.role == "volunteer" else ParticipantProfile
    profile_id = match.volunteer_id if user.role == "volunteer" else match.participant_id
    profile = db.session.get(profile_model, profile_id or 0)
    return match if profile is not None and profile.user_id == user.id else None
