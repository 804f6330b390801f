"""The coordinator's workspace: queues, lists, decisions on proposals, pair rules, outbox.

Every function takes the organisation explicitly and only ever reads or changes rows of
that organisation; lookups by id return None for another organisation's rows, so the view
answers 404.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from .. import audit, clock
from ..extensions import db
from ..matches import services as lifecycle
from ..models import (
    CheckIn,
    Match,
    MatchingRun,
    Organisation,
    OutboxMessage,
    PairRule,
    ParticipantProfile,
    User,
    VolunteerProfile,
)
from ..vocab import OPEN_MATCH_STATES
from . import matching_service

QUEUE_PREVIEW = 5
SCREENING_QUEUE = ("registered", "intake_done", "vog_received")


# --- lookups scoped to one organisation ------------------------------------------------------

def get_scoped(model, object_id: int, organisation_id: int):
    """Return the row of ``model`` with ``object_id`` if it belongs to the organisation."""
    obj = db.session.get(model, object_id)
    if obj is None or getattr(obj, "organisation_id", None) != organisation_id:
        return None
    return obj


def get_checkin(checkin_id: int, organisation_id: int) -> CheckIn | None:
    """Return a check-in of one of the organisation's matches."""
    checkin = db.session.get(CheckIn, checkin_id)
    if checkin is None:
        return None
    match = db.session.get(Match, checkin.match_id)
    return checkin if match is not None and match.organisation_id == organisation_id else None


# --- dashboard -------------------------------------------------------------------------------

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


def waiting_query(organisation_id: int):
    """Participants on the waiting list without an open match."""
    return select(ParticipantProfile).where(
        ParticipantProfile.organisation_id == organisation_id,
        ParticipantProfile.status == "waiting",
        ~matching_service._open_match_exists(ParticipantProfile.id))


def waiting_queue(organisation_id: int) -> Queue:
    """Waiting participants, rematches first, then longest waiting."""
    return _queue(waiting_query(organisation_id),
                  (ParticipantProfile.rematch_priority.desc(), ParticipantProfile.waiting_since,
                   ParticipantProfile.id))


def proposals_query(organisation_id: int):
    """Proposed matches of the organisation."""
    return select(Match).where(Match.organisation_id == organisation_id,
                               Match.status == "proposed")


def proposals_queue(organisation_id: int) -> Queue:
    return _queue(proposals_query(organisation_id), (Match.proposed_at, Match.id),
                  (selectinload(Match.participant), selectinload(Match.volunteer)))


def due_checkins_query(organisation_id: int, on: date):
    """Open check-ins due on or before ``on`` of active matches."""
    return (select(CheckIn).join(Match, Match.id == CheckIn.match_id)
            .where(Match.organisation_id == organisation_id, Match.status == "active",
                   CheckIn.due_on <= on, CheckIn.done_at.is_(None)))


def checkin_queue(organisation_id: int, on: date) -> Queue:
    return _queue(due_checkins_query(organisation_id, on), (CheckIn.due_on, CheckIn.id),
                  (selectinload(CheckIn.match).selectinload(Match.participant),
                   selectinload(CheckIn.match).selectinload(Match.volunteer)))


def vog_renewal_query(organisation: Organisation, on: date):
    """Approved or screening volunteers whose VOG is older than the organisation allows."""
    limit = matching_service.years_before(on, organisation.vog_valid_years)
    return select(VolunteerProfile).where(
        VolunteerProfile.organisation_id == organisation.id,
        VolunteerProfile.screening != "rejected",
        VolunteerProfile.vog_issued_on.is_not(None), VolunteerProfile.vog_issued_on < limit)


def vog_queue(organisation: Organisation, on: date) -> Queue:
    return _queue(vog_renewal_query(organisation, on),
                  (VolunteerProfile.vog_issued_on, VolunteerProfile.id))


def past_end_query(organisation_id: int, on: date):
    """Active matches past their planned end."""
    return select(Match).where(Match.organisation_id == organisation_id,
                               Match.status == "active", Match.planned_end_on < on)


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


# --- lists ------------------------------------------------------------------------------------

PAGE_SIZE = 50
MATCH_FILTERS = ("open", "proposed", "approved", "active", "ended", "rejected", "checkins",
                 "past_end")


def list_matches(organisation_id: int, which: str, page: int = 1,
                 on: date | None = None) -> tuple[list[Match], int]:
    """Return one page of the organisation's matches for a filter, and the total count."""
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
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.scalars(
        query.options(selectinload(Match.participant), selectinload(Match.volunteer))
        .order_by(Match.id.desc()).offset((max(page, 1) - 1) * PAGE_SIZE).limit(PAGE_SIZE))
    return list(rows), total


def list_proposals(organisation_id: int, page: int | None = None) -> list[Match]:
    """Proposed matches, oldest first, with both people loaded (3 queries); one page of
    ``PAGE_SIZE`` when ``page`` is given, else all of them."""
    query = (proposals_query(organisation_id)
             .options(selectinload(Match.participant)
                      .selectinload(ParticipantProfile.neighbourhood),
                      selectinload(Match.volunteer).selectinload(VolunteerProfile.neighbourhood))
             .order_by(Match.proposed_at, Match.id))
    if page is not None:
        query = query.offset((max(page, 1) - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    return list(db.session.scalars(query))


def count_query(query) -> int:
    """Return how many rows ``query`` gives."""
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))


def list_waiting(organisation_id: int,
                 page: int | None = None) -> list[tuple[ParticipantProfile, int]]:
    """Waiting participants with their days waiting, rematches first; one page of
    ``PAGE_SIZE`` when ``page`` is given, else all of them (the export)."""
    on = clock.today()
    query = (waiting_query(organisation_id)
             .options(selectinload(ParticipantProfile.neighbourhood))
             .order_by(ParticipantProfile.rematch_priority.desc(),
                       ParticipantProfile.waiting_since, ParticipantProfile.id))
    if page is not None:
        query = query.offset((max(page, 1) - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    rows = db.session.scalars(query)
    return [(p, lifecycle.waiting_days(p, on)) for p in rows]


def list_runs(organisation_id: int, limit: int = 10) -> list[MatchingRun]:
    """The organisation's latest saved matching runs."""
    return list(db.session.scalars(
        select(MatchingRun).where(MatchingRun.organisation_id == organisation_id)
        .order_by(MatchingRun.created_at.desc(), MatchingRun.id.desc()).limit(limit)))


def run_matches(run: MatchingRun) -> list[Match]:
    """The matches a run proposed, with both people loaded."""
    return list(db.session.scalars(
        select(Match).where(Match.run_id == run.id)
        .options(selectinload(Match.participant), selectinload(Match.volunteer))
        .order_by(Match.score.desc(), Match.id)))


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


# --- decisions on proposals -------------------------------------------------------------------

def approve_many(matches: list[Match], actor: User) -> tuple[int, int]:
    """Approve several proposals, each in its own savepoint; return (approved, skipped)."""
    approved = skipped = 0
    for match in matches:
        savepoint = db.session.begin_nested()
        try:
            lifecycle.approve(match, actor)
        except lifecycle.MatchActionError:
            savepoint.rollback()
            skipped += 1
        else:
            savepoint.commit()
            approved += 1
    return approved, skipped


def own_match_ids(organisation_id: int, raw_ids: list[str]) -> list[int]:
    """Return those of the submitted ids that are matches of the organisation."""
    ids = {int(value) for value in raw_ids if value.isdigit() and len(value) < 12}
    if not ids:
        return []
    return list(db.session.scalars(select(Match.id).where(
        Match.organisation_id == organisation_id, Match.id.in_(ids))))


def proposals_by_ids(organisation_id: int, ids) -> list[Match]:
    """Return the organisation's proposals among ``ids`` (others are ignored)."""
    if not ids:
        return []
    return list(db.session.scalars(
        proposals_query(organisation_id).where(Match.id.in_(list(ids))).order_by(Match.id)))


# --- manual proposals and pair rules ----------------------------------------------------------

def propose_manually(participant: ParticipantProfile, volunteer_id: int, actor: User) -> Match:
    """Propose one feasible candidate for a participant, scored by the engine."""
    organisation = db.session.get(Organisation, participant.organisation_id)
    eligible = {p.id for p in matching_service.waiting_participants(organisation.id)}
    if participant.id not in eligible:
        raise lifecycle.MatchActionError(
            "participant_busy" if lifecycle.has_open_match(participant.id)
            else "participant_not_waiting")
    params = matching_service.MatchingParams.defaults(organisation)
    found = matching_service.candidates_for(participant, params)
    candidate = next((c for c in found.candidates if c.volunteer.id == volunteer_id), None)
    if candidate is None:
        raise lifecycle.MatchActionError("not_a_candidate")
    match = lifecycle.propose(participant, candidate.volunteer, actor, candidate.score,
                              candidate.explanation | {"manual": True})
    audit.record("match.proposed", match, participant_id=participant.id,
                 volunteer_id=volunteer_id, manual=True)
    return match


def add_pair_rule(participant: ParticipantProfile, volunteer: VolunteerProfile, kind: str,
                  actor: User) -> PairRule | None:
    """Pin or forbid a pair for the next runs; the opposite rule of the pair is removed.

    Returns None when the same rule exists already.
    """
    rules = db.session.scalars(select(PairRule).where(
        PairRule.participant_id == participant.id, PairRule.volunteer_id == volunteer.id)).all()
    if any(rule.kind == kind for rule in rules):
        return None
    for rule in rules:
        db.session.delete(rule)
    if kind == "pin":  # a participant has at most one pin: the newest wins
        for old in db.session.scalars(select(PairRule).where(
                PairRule.participant_id == participant.id, PairRule.kind == "pin")):
            db.session.delete(old)
    rule = PairRule(organisation_id=participant.organisation_id, participant_id=participant.id,
                    volunteer_id=volunteer.id, kind=kind, created_by_id=actor.id)
    db.session.add(rule)
    db.session.flush()
    audit.record(f"pair_rule.{kind}", rule, participant_id=participant.id,
                 volunteer_id=volunteer.id)
    return rule


def remove_pair_rule(rule: PairRule) -> None:
    """Remove a pin or forbid rule."""
    audit.record("pair_rule.removed", rule, kind=rule.kind, participant_id=rule.participant_id,
                 volunteer_id=rule.volunteer_id)
    db.session.delete(rule)
    db.session.flush()


def list_rules(organisation_id: int, participant_id: int | None = None) -> list[PairRule]:
    """The organisation's pair rules (of one participant if given), with names loaded."""
    query = select(PairRule).where(PairRule.organisation_id == organisation_id)
    if participant_id is not None:
        query = query.where(PairRule.participant_id == participant_id)
    rules = list(db.session.scalars(query.order_by(PairRule.created_at.desc(), PairRule.id)))
    _load_people({r.participant_id for r in rules}, {r.volunteer_id for r in rules})
    return rules


def _load_people(participant_ids, volunteer_ids) -> None:
    """Load the given profiles into the session in two queries (no N+1 in templates)."""
    if participant_ids:
        db.session.scalars(select(ParticipantProfile)
                           .where(ParticipantProfile.id.in_(participant_ids))).all()
    if volunteer_ids:
        db.session.scalars(select(VolunteerProfile)
                           .where(VolunteerProfile.id.in_(volunteer_ids))).all()


def people_of_rules(rules: list[PairRule]) -> dict:
    """Map ids to the (already loaded) profiles of the rules."""
    return {
        "participants": {r.participant_id: db.session.get(ParticipantProfile, r.participant_id)
                         for r in rules},
        "volunteers": {r.volunteer_id: db.session.get(VolunteerProfile, r.volunteer_id)
                       for r in rules},
    }


# --- one match --------------------------------------------------------------------------------

def match_page(match: Match) -> dict:
    """Everything the coordinator's match page shows."""
    participant = db.session.get(ParticipantProfile, match.participant_id or 0)
    volunteer = db.session.get(VolunteerProfile, match.volunteer_id or 0)
    return {
        "participant": participant,
        "volunteer": volunteer,
        "events": match.events,
        "checkins": lifecycle.checkins_of(match.id),
        "meetings": lifecycle.meetings_of(match.id),
        "assessments": lifecycle.assessments_of(match.participant_id),
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
