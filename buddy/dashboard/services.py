"""The coordinator's dashboard: each queue that needs attention, counted, with the oldest
few first; and the e-mail outbox. Every function takes the organisation explicitly.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from .. import audit, clock
from ..extensions import db
from ..lifecycle.services import due_checkins_query, past_end_query
from ..matchmaking.services import proposals_query, waiting_query
from ..models import (
    CheckIn,
    Match,
    Organisation,
    OutboxMessage,
    ParticipantProfile,
    VolunteerProfile,
)
from ..screening.services import subtract_years

QUEUE_PREVIEW = 5
SCREENING_QUEUE = ("registered", "intake_done", "vog_received")


@dataclass
class Queue:
    """One queue on the dashboard: how many, and the oldest few."""

    count: int
    oldest: list


def _queue(query, order_by, options=(), limit: int = QUEUE_PREVIEW) -> Queue:
    count = db.session.scalar(select(func.count()).select_from(query.subquery()))
    items = db.session.scalars(query.options(*options).order_by(*order_by).limit(limit))
    return Queue(count, list(items))


def screening_queue(organisation_id: int) -> Queue:
    """Volunteers waiting for intake, VOG or approval, oldest sign-up first."""
    query = select(VolunteerProfile).where(VolunteerProfile.organisation_id == organisation_id,
                                           VolunteerProfile.screening.in_(SCREENING_QUEUE))
    return _queue(query, (VolunteerProfile.created_at, VolunteerProfile.id))


def waiting_queue(organisation_id: int) -> Queue:
    """Waiting participants, rematches first, then longest waiting."""
    return _queue(waiting_query(organisation_id),
                  (ParticipantProfile.rematch_priority.desc(), ParticipantProfile.waiting_since,
                   ParticipantProfile.id))


def proposals_queue(organisation_id: int) -> Queue:
    return _queue(proposals_query(organisation_id), (Match.proposed_at, Match.id),
                  (selectinload(Match.participant), selectinload(Match.volunteer)))


def checkin_queue(organisation_id: int, on: date) -> Queue:
    return _queue(due_checkins_query(organisation_id, on), (CheckIn.due_on, CheckIn.id),
                  (selectinload(CheckIn.match).selectinload(Match.participant),
                   selectinload(CheckIn.match).selectinload(Match.volunteer)))


def vog_renewal_query(organisation: Organisation, on: date):
    """Approved or screening volunteers whose VOG is older than the organisation allows."""
    limit = subtract_years(on, organisation.vog_valid_years)
    return select(VolunteerProfile).where(
        VolunteerProfile.organisation_id == organisation.id,
        VolunteerProfile.screening != "rejected",
        VolunteerProfile.vog_issued_on.is_not(None), VolunteerProfile.vog_issued_on < limit)


def vog_queue(organisation: Organisation, on: date) -> Queue:
    return _queue(vog_renewal_query(organisation, on),
                  (VolunteerProfile.vog_issued_on, VolunteerProfile.id))


def past_end_queue(organisation_id: int, on: date) -> Queue:
    return _queue(past_end_query(organisation_id, on), (Match.planned_end_on, Match.id),
                  (selectinload(Match.participant), selectinload(Match.volunteer)))


def outbox_counts(organisation_id: int) -> dict[str, int]:
    """Outbox messages of the organisation per state."""
    rows = db.session.execute(
        select(OutboxMessage.state, func.count(OutboxMessage.id))
        .where(OutboxMessage.organisation_id == organisation_id)
        .group_by(OutboxMessage.state)).all()
    return {"pending": 0, "sent": 0, "failed": 0} | {state: n for state, n in rows}


def dashboard(organisation: Organisation, on: date | None = None) -> dict:
    """Every queue of the dashboard, with counts and the oldest items first."""
    on = on or clock.today()
    return {
        "screening": screening_queue(organisation.id),
        "waiting": waiting_queue(organisation.id),
        "proposals": proposals_queue(organisation.id),
        "checkins": checkin_queue(organisation.id, on),
        "past_end": past_end_queue(organisation.id, on),
        "vog": vog_queue(organisation, on),
        "outbox": outbox_counts(organisation.id),
        "today": on,
    }


def list_outbox(organisation_id: int, limit: int = 200) -> list[OutboxMessage]:
    """The organisation's latest outbox messages (the view shows no bodies)."""
    return list(db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.organisation_id == organisation_id)
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc()).limit(limit)))


def retry_outbox(message: OutboxMessage) -> None:
    """Give a failed message a fresh set of attempts."""
    if message.state != "failed":
        return
    message.state, message.attempts, message.next_attempt_at = "pending", 0, clock.now()
    audit.record("outbox.retry", message)
