"""Reminders queued by ``flask send-reminders``: volunteers who logged no meeting for a while,
and coordinators with check-ins due. Safe to run as often as you like: a volunteer gets at
most one meeting reminder per ``meeting_reminder_days`` and a coordinator at most one
check-in reminder per day, judged by what is already in the outbox.
"""

from collections import defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from .. import clock
from ..extensions import db
from ..models import (
    CheckIn,
    Match,
    MeetingLog,
    Organisation,
    OutboxMessage,
    ParticipantProfile,
    User,
    VolunteerProfile,
)
from ..notifications import absolute_url, queue_email

OVERDUE_DAYS = 7


def already_queued(user_id: int, kind: str, since: datetime) -> bool:
    """Return True if a ``kind`` message for the user was queued at or after ``since``."""
    return db.session.scalar(select(func.count(OutboxMessage.id)).where(
        OutboxMessage.user_id == user_id, OutboxMessage.kind == kind,
        OutboxMessage.created_at >= since)) > 0


def quiet_matches(on: date) -> list[tuple[Match, int, int]]:
    """Active matches with no meeting logged for the organisation's reminder days.

    Returns (match, days since the last meeting or the start, reminder days) in one query.
    """
    last_met = (select(func.max(MeetingLog.met_on)).where(MeetingLog.match_id == Match.id)
                .correlate(Match).scalar_subquery())
    rows = db.session.execute(
        select(Match, last_met, Organisation.meeting_reminder_days)
        .join(Organisation, Organisation.id == Match.organisation_id)
        .where(Match.status == "active", Match.volunteer_id.is_not(None))).all()
    quiet = []
    for match, last, reminder_days in rows:
        since = last or (clock.local_date(match.activated_at) if match.activated_at else on)
        days = (on - since).days
        if days >= reminder_days:
            quiet.append((match, days, reminder_days))
    return quiet


def queue_meeting_reminders(on: date) -> int:
    """Queue one ``meeting_reminder`` per volunteer with quiet matches; return how many."""
    by_volunteer: dict[int, list[tuple[Match, int, int]]] = defaultdict(list)
    for match, days, reminder_days in quiet_matches(on):
        by_volunteer[match.volunteer_id].append((match, days, reminder_days))
    if not by_volunteer:
        return 0
    volunteers = {v.id: v for v in db.session.scalars(
        select(VolunteerProfile).where(VolunteerProfile.id.in_(by_volunteer)))}
    participant_ids = {m.participant_id for items in by_volunteer.values() for m, _d, _r in items}
    participants = {p.id: p for p in db.session.scalars(
        select(ParticipantProfile).where(ParticipantProfile.id.in_(participant_ids)))}
    users = {u.id: u for u in db.session.scalars(
        select(User).where(User.id.in_([v.user_id for v in volunteers.values()])))}
    queued = 0
    for volunteer_id, items in by_volunteer.items():
        volunteer = volunteers[volunteer_id]
        user = users.get(volunteer.user_id)
        window = min(reminder_days for _m, _d, reminder_days in items)
        if user is None or not user.active or already_queued(
                user.id, "meeting_reminder", clock.start_of(on - timedelta(days=window - 1))):
            continue
        matches = [{"first_name": participants[m.participant_id].first_name
                    if m.participant_id in participants else "", "days": days,
                    "url": absolute_url("matches.detail", match_id=m.id)}
                   for m, days, _r in items]
        if queue_email(user, "meeting_reminder", name=volunteer.first_name, matches=matches):
            queued += 1
    return queued


def due_checkins_per_organisation(on: date) -> dict[int, tuple[int, int]]:
    """(due, of which overdue more than a week) per organisation, for active matches."""
    rows = db.session.execute(
        select(Match.organisation_id, CheckIn.due_on)
        .join(Match, Match.id == CheckIn.match_id)
        .where(Match.status == "active", CheckIn.done_at.is_(None), CheckIn.due_on <= on)).all()
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for organisation_id, due_on in rows:
        counts[organisation_id][0] += 1
        counts[organisation_id][1] += (on - due_on).days > OVERDUE_DAYS
    return {org: (due, overdue) for org, (due, overdue) in counts.items()}


def queue_checkin_reminders(on: date) -> int:
    """Queue one ``checkin_due`` per coordinator of an organisation with due check-ins."""
    due = due_checkins_per_organisation(on)
    if not due:
        return 0
    coordinators = db.session.scalars(select(User).where(
        User.role == "coordinator", User.active.is_(True), User.organisation_id.in_(due)))
    queued = 0
    for user in coordinators:
        if already_queued(user.id, "checkin_due", clock.start_of(on)):
            continue
        count, overdue = due[user.organisation_id]
        if queue_email(user, "checkin_due", count=count, overdue=overdue,
                       dashboard_url=absolute_url("dashboard.dashboard")):
            queued += 1
    return queued


def queue_reminders() -> dict[str, int]:
    """Queue both kinds of reminder for today (the app's clock); return how many of each."""
    on = clock.today()
    return {"meeting_reminder": queue_meeting_reminders(on),
            "checkin_due": queue_checkin_reminders(on)}
