"""Matchmaking work around the engine: proposals and the decisions on them, manual
proposals, pair rules, the waiting list and saved runs. ``pool.py`` feeds the engine.

Every function takes the organisation explicitly and only reads or changes its rows.
"""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import audit, clock
from ..extensions import db
from ..lifecycle import services as lifecycle
from ..models import (
    Match,
    MatchingRun,
    Organisation,
    PairRule,
    ParticipantProfile,
    User,
    VolunteerProfile,
)
from ..pagination import Page, paginate
from . import pool


def waiting_query(organisation_id: int):
    """Participants on the waiting list without an open match."""
    return select(ParticipantProfile).where(
        ParticipantProfile.organisation_id == organisation_id,
        ParticipantProfile.status == "waiting",
        ~pool.open_match_exists(ParticipantProfile.id))


def proposals_query(organisation_id: int):
    """Proposed matches of the organisation."""
    return select(Match).where(Match.organisation_id == organisation_id,
                               Match.status == "proposed")

def _proposals_ordered(organisation_id: int):
    """Proposed matches, oldest first, with both people and their neighbourhoods loaded."""
    return (proposals_query(organisation_id)
            .options(selectinload(Match.participant)
                     .selectinload(ParticipantProfile.neighbourhood),
                     selectinload(Match.volunteer).selectinload(VolunteerProfile.neighbourhood))
            .order_by(Match.proposed_at, Match.id))


def list_proposals(organisation_id: int) -> list[Match]:
    """All proposed matches, oldest first, with both people loaded (3 queries)."""
    return list(db.session.scalars(_proposals_ordered(organisation_id)))


def proposals_page(organisation_id: int, number: int) -> Page:
    """One page of the proposed matches, oldest first."""
    return paginate(_proposals_ordered(organisation_id), number)


def _waiting_ordered(organisation_id: int):
    return (waiting_query(organisation_id)
            .options(selectinload(ParticipantProfile.neighbourhood))
            .order_by(ParticipantProfile.rematch_priority.desc(),
                      ParticipantProfile.waiting_since, ParticipantProfile.id))


def list_waiting(organisation_id: int) -> list[tuple[ParticipantProfile, int]]:
    """Waiting participants with their days waiting, rematches first (the export)."""
    on = clock.today()
    return [(p, lifecycle.waiting_days(p, on))
            for p in db.session.scalars(_waiting_ordered(organisation_id))]


def waiting_page(organisation_id: int, number: int) -> Page:
    """One page of the waiting list: (participant, days waiting), rematches first."""
    on = clock.today()
    page = paginate(_waiting_ordered(organisation_id), number)
    return Page(items=[(p, lifecycle.waiting_days(p, on)) for p in page.items],
                total=page.total, number=page.number, per_page=page.per_page)


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


def approve_many(matches: list[Match], actor: User) -> tuple[int, int]:
    """Approve several proposals, each in its own savepoint; return (approved, skipped)."""
    approved = skipped = 0
    for match in matches:
        savepoint = db.session.begin_nested()
        try:
            lifecycle.approve(match, actor, bulk=True)
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


def propose_manually(participant: ParticipantProfile, volunteer_id: int, actor: User) -> Match:
    """Propose one feasible candidate for a participant, scored by the engine."""
    organisation = db.session.get(Organisation, participant.organisation_id)
    eligible = {p.id for p in pool.waiting_participants(organisation.id)}
    if participant.id not in eligible:
        raise lifecycle.MatchActionError(
            "participant_busy" if lifecycle.has_open_match(participant.id)
            else "participant_not_waiting")
    params = pool.MatchingParams.defaults(organisation)
    found = pool.candidates_for(participant, params)
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
