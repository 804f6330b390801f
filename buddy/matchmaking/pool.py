"""Matching for one organisation: load the pool from the database, run the engine, save.

``load_pool`` reads everything a run needs with one query per table (participants with
their neighbourhood, volunteers with their neighbourhood and open-match count, pair rules,
and the pairs that may never be proposed again). ``preview`` runs the engine without
saving; ``create_run`` runs it again on fresh data and saves a ``MatchingRun`` with its
proposed matches in the request's single transaction. ``candidates_for`` ranks the
volunteers for one participant with the engine's own scoring.
"""

import time
from dataclasses import dataclass, field
from datetime import date
from statistics import fmean

import numpy as np
from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import joinedload

from .. import audit, clock
from ..extensions import db
from ..lifecycle import services as lifecycle
from ..matching import (
    COMPONENTS,
    PairRules,
    ParticipantRow,
    VolunteerRow,
    WeightTable,
    build_features,
    normalise_weights,
    rank_candidates,
    run_matching,
)
from ..matching.domain import WAITING_DAYS_FOR_FULL_SCORE
from ..matching.explain import diagnose_unmatched, explain_pairs
from ..models import (
    ConsentRecord,
    Match,
    MatchingRun,
    Neighbourhood,
    Organisation,
    PairRule,
    ParticipantProfile,
    User,
    VolunteerProfile,
)
from ..screening.services import subtract_years
from ..vocab import BAD_END_REASONS, DEFAULT_WEIGHTS, OPEN_MATCH_STATES

IdPair = tuple[int, int]


@dataclass(frozen=True)
class MatchingParams:
    """What the coordinator chose: weights, minimum score, neighbourhoods (empty = all)."""

    weights: dict[str, float]
    min_score: float
    neighbourhood_ids: tuple[int, ...] = ()

    def as_dict(self) -> dict:
        return {"weights": dict(self.weights), "min_score": self.min_score,
                "neighbourhood_ids": list(self.neighbourhood_ids)}

    @classmethod
    def defaults(cls, organisation: Organisation) -> "MatchingParams":
        """Return the organisation's own weights and minimum score, whole organisation."""
        weights = {k: float((organisation.weights or {}).get(k, DEFAULT_WEIGHTS[k]))
                   for k in COMPONENTS}
        return cls(weights=weights, min_score=float(organisation.min_score))


@dataclass
class Pool:
    """One organisation's matching input, as loaded from the database."""

    organisation: Organisation
    today: date
    participants: list[ParticipantProfile]
    volunteers: list[VolunteerProfile]
    free_capacity: dict[int, int]
    forbidden: set[IdPair] = field(default_factory=set)  # forbid rules and rejected pairs
    ended_badly: set[IdPair] = field(default_factory=set)
    pins: list[IdPair] = field(default_factory=list)

    def participant(self, participant_id: int) -> ParticipantProfile:
        return self._participants_by_id[participant_id]

    def volunteer(self, volunteer_id: int) -> VolunteerProfile:
        return self._volunteers_by_id[volunteer_id]

    def __post_init__(self) -> None:
        self._participants_by_id = {p.id: p for p in self.participants}
        self._volunteers_by_id = {v.id: v for v in self.volunteers}


# --- loading -----------------------------------------------------------------------------

def open_match_exists(column):
    return exists().where(Match.participant_id == column, Match.status.in_(OPEN_MATCH_STATES))


def _live_privacy_consent(user_id_column):
    return exists().where(ConsentRecord.user_id == user_id_column,
                          ConsentRecord.purpose == "privacy",
                          ConsentRecord.withdrawn_at.is_(None))


def waiting_participants(organisation_id: int, neighbourhood_ids=()) -> list[ParticipantProfile]:
    """Waiting participants without an open match and with live privacy consent (1 query)."""
    query = (
        select(ParticipantProfile)
        .join(User, User.id == ParticipantProfile.user_id)
        .options(joinedload(ParticipantProfile.neighbourhood))
        .where(ParticipantProfile.organisation_id == organisation_id,
               ParticipantProfile.status == "waiting", User.active.is_(True),
               ~open_match_exists(ParticipantProfile.id),
               _live_privacy_consent(ParticipantProfile.user_id))
        .order_by(ParticipantProfile.rematch_priority.desc(), ParticipantProfile.waiting_since,
                  ParticipantProfile.id)
    )
    if neighbourhood_ids:
        query = query.where(ParticipantProfile.neighbourhood_id.in_(neighbourhood_ids))
    return list(db.session.scalars(query).unique())


def open_match_count():
    """Correlated subquery: the open matches of the volunteer in the outer query."""
    return (select(func.count(Match.id))
            .where(Match.volunteer_id == VolunteerProfile.id,
                   Match.status.in_(OPEN_MATCH_STATES))
            .correlate(VolunteerProfile).scalar_subquery())


def volunteer_is_available(organisation: Organisation, on: date):
    """SQL condition: approved, not paused, VOG valid when required."""
    conditions = [VolunteerProfile.screening == "approved",
                  or_(VolunteerProfile.paused_until.is_(None),
                      VolunteerProfile.paused_until < on),
                  # a pupil's placement end is the end of their availability
                  or_(VolunteerProfile.placement_end_on.is_(None),
                      VolunteerProfile.placement_end_on >= on)]
    if organisation.vog_required:
        conditions += [VolunteerProfile.vog_status == "received",
                       VolunteerProfile.vog_issued_on.is_not(None),
                       VolunteerProfile.vog_issued_on
                       >= subtract_years(on, organisation.vog_valid_years)]
    return and_(*conditions)


def available_volunteers(organisation: Organisation, on: date
                         ) -> list[tuple[VolunteerProfile, int]]:
    """Available volunteers with free capacity, and that free capacity (1 query)."""
    open_count = open_match_count()
    rows = db.session.execute(
        select(VolunteerProfile, VolunteerProfile.capacity - open_count)
        .join(User, User.id == VolunteerProfile.user_id)
        .options(joinedload(VolunteerProfile.neighbourhood))
        .where(VolunteerProfile.organisation_id == organisation.id, User.active.is_(True),
               volunteer_is_available(organisation, on), open_count < VolunteerProfile.capacity)
        .order_by(VolunteerProfile.id)
    ).unique().all()
    return [(volunteer, int(free)) for volunteer, free in rows]


def pair_history(organisation_id: int) -> tuple[set[IdPair], set[IdPair]]:
    """Return (rejected pairs, pairs that ended badly) of the organisation (1 query)."""
    rows = db.session.execute(
        select(Match.participant_id, Match.volunteer_id, Match.status)
        .where(Match.organisation_id == organisation_id,
               Match.participant_id.is_not(None), Match.volunteer_id.is_not(None),
               or_(Match.status == "rejected",
                   and_(Match.status == "ended", Match.end_reason.in_(BAD_END_REASONS))))
    ).all()
    rejected = {(p, v) for p, v, status in rows if status == "rejected"}
    ended = {(p, v) for p, v, status in rows if status == "ended"}
    return rejected, ended


def pair_rules(organisation_id: int) -> tuple[set[IdPair], list[IdPair]]:
    """Return (forbidden pairs, pinned pairs oldest first) of the organisation (1 query)."""
    rules = db.session.scalars(
        select(PairRule).where(PairRule.organisation_id == organisation_id)
        .order_by(PairRule.created_at, PairRule.id)).all()
    forbidden = {(r.participant_id, r.volunteer_id) for r in rules if r.kind == "forbid"}
    pins = [(r.participant_id, r.volunteer_id) for r in rules if r.kind == "pin"]
    return forbidden, pins


def load_pool(organisation: Organisation, neighbourhood_ids=(), on: date | None = None) -> Pool:
    """Load one organisation's matching input: one query per table, no N+1."""
    on = on or clock.today()
    volunteers = available_volunteers(organisation, on)
    rejected, ended_badly = pair_history(organisation.id)
    forbidden, pins = pair_rules(organisation.id)
    return Pool(
        organisation=organisation, today=on,
        participants=waiting_participants(organisation.id, tuple(neighbourhood_ids)),
        volunteers=[v for v, _free in volunteers],
        free_capacity={v.id: free for v, free in volunteers},
        forbidden=forbidden | rejected, ended_badly=ended_badly, pins=pins,
    )


# --- engine input ------------------------------------------------------------------------

def engine_waiting_days(participant: ParticipantProfile, on: date) -> int:
    """Waiting days as the engine sees them: a rematch counts as waiting the longest."""
    days = lifecycle.waiting_days(participant, on)
    return max(days, int(WAITING_DAYS_FOR_FULL_SCORE)) if participant.rematch_priority else days


def _shared_row_fields(profile: ParticipantProfile | VolunteerProfile) -> dict:
    """The engine fields both sides have, from the profile columns they share."""
    hood = profile.neighbourhood
    return dict(
        id=profile.id, organisation_id=profile.organisation_id, slots=profile.availability,
        lat=hood.lat, lon=hood.lon, neighbourhood_id=hood.id, interests=profile.interests,
        languages=frozenset(profile.languages or ()), gender=profile.gender,
        radius_km=profile.radius_km, in_person=profile.in_person, online=profile.online,
    )


def participant_row(participant: ParticipantProfile, on: date) -> ParticipantRow:
    """Return the engine row of a participant (neighbourhood loaded)."""
    return ParticipantRow(
        **_shared_row_fields(participant),
        priority_area=participant.neighbourhood.priority_area, goals=participant.goals,
        primary_goal=participant.primary_goal, level=participant.dutch_level,
        waiting_days=engine_waiting_days(participant, on), gender_pref=participant.gender_pref,
        employer=participant.employer_partner_id,
    )


def volunteer_row(volunteer: VolunteerProfile, free: int) -> VolunteerRow:
    """Return the engine row of a volunteer with their free capacity (neighbourhood loaded)."""
    return VolunteerRow(**_shared_row_fields(volunteer), support=volunteer.support,
                        capacity=free, employer=volunteer.partner_id,
                        colleagues=volunteer.colleague_pref)


def run_engine(pool: Pool, params: MatchingParams):
    """Run the engine on ``pool``; return its ``MatchingResult``."""
    return run_matching(
        [participant_row(p, pool.today) for p in pool.participants],
        [volunteer_row(v, pool.free_capacity[v.id]) for v in pool.volunteers],
        params.weights, forbidden=pool.forbidden, ended_badly=pool.ended_badly,
        pins=[pin for pin in pool.pins if pin not in pool.forbidden],
        min_score=params.min_score,
    )


def stored_explanation(pair_explanation, participant: ParticipantProfile, on: date) -> dict:
    """Return the explanation as stored on a match (real waiting days, rematch flag)."""
    data = pair_explanation.as_dict()
    data["waiting_days"] = lifecycle.waiting_days(participant, on)
    data["rematch_priority"] = bool(participant.rematch_priority)
    if data.get("colleague_at") is not None and participant.employer_partner is not None:
        data["colleague_partner"] = participant.employer_partner.name
    return data


# --- preview -----------------------------------------------------------------------------

@dataclass
class PreviewPair:
    participant: ParticipantProfile
    volunteer: VolunteerProfile
    score: float
    pinned: bool
    explanation: dict


@dataclass
class Preview:
    """A run that was not saved: pairs, the unmatched with reasons, who to recruit."""

    params: MatchingParams
    pairs: list[PreviewPair]
    unmatched: list[tuple[ParticipantProfile, str, dict]]
    rejected_pins: list[tuple[ParticipantProfile | None, VolunteerProfile | None, tuple]]
    recruit: dict
    summary: dict
    participants_count: int
    volunteer_places: int


def summarise(pairs: list[PreviewPair], participants_count: int) -> dict:
    """The numbers a coordinator compares between previews."""
    scores = [p.score for p in pairs]
    waits = [p.explanation.get("waiting_days", 0) for p in pairs]
    return {
        "participants": participants_count,
        "matched": len(pairs),
        "mean_score": round(fmean(scores), 4) if scores else 0.0,
        "mean_waiting_days": round(fmean(waits), 1) if waits else 0.0,
        "priority_area": sum(1 for p in pairs if p.explanation.get("priority_area")),
    }


def _recruit_view(recruit, hoods: dict[int, Neighbourhood]) -> dict:
    """Resolve neighbourhood ids of the engine's recruit summary to names."""
    def hood_name(hood_id):
        hood = hoods.get(hood_id)
        return hood.name if hood else None

    return {
        "considered": recruit.considered,
        "profiles": [{"neighbourhood": hood_name(p.neighbourhood_id), "slot": p.slot_name,
                      "language": p.language, "participants": p.participants,
                      "need_language": p.need_language} for p in recruit.profiles],
        "by_neighbourhood": [(hood_name(nbh), count)
                             for _org, nbh, count in recruit.by_neighbourhood],
        "by_slot": [(name, count) for _slot, name, count in recruit.by_slot[:6]],
        "by_language": list(recruit.by_language[:6]),
    }


def preview(organisation: Organisation, params: MatchingParams, on: date | None = None
            ) -> Preview:
    """Run the engine on the organisation's current data without saving anything."""
    pool = load_pool(organisation, params.neighbourhood_ids, on)
    result = run_engine(pool, params)
    pairs = [PreviewPair(pool.participant(p.participant_id), pool.volunteer(p.volunteer_id),
                         p.score, p.pinned,
                         stored_explanation(p.explanation, pool.participant(p.participant_id),
                                            pool.today))
             for p in result.pairs]
    hoods = {h.id: h for h in organisation.neighbourhoods}
    return Preview(
        params=params, pairs=sorted(pairs, key=lambda p: -p.score),
        unmatched=[(pool.participant(u.participant_id), u.reason, u.counts)
                   for u in result.unmatched],
        rejected_pins=[(pool._participants_by_id.get(r.participant_id),
                        pool._volunteers_by_id.get(r.volunteer_id), r.reasons)
                       for r in result.rejected_pins],
        recruit=_recruit_view(result.recruit, hoods),
        summary=summarise(pairs, len(pool.participants)),
        participants_count=len(pool.participants),
        volunteer_places=sum(pool.free_capacity.values()),
    )


# --- saving a run --------------------------------------------------------------------------

class NothingToPropose(Exception):
    """The engine found no pair to propose; no run was saved."""


def propose_pair(run: MatchingRun, pool: Pool, pair, actor: User) -> Match:
    """Save one proposed pair of a run as a proposed match (slot chosen under a row lock)."""
    participant = pool.participant(pair.participant_id)
    return lifecycle.propose(
        participant, pool.volunteer(pair.volunteer_id), actor, pair.score,
        stored_explanation(pair.explanation, participant, pool.today) | {"pinned": pair.pinned},
        run=run)


def create_run(organisation: Organisation, params: MatchingParams, actor: User,
               on: date | None = None) -> MatchingRun:
    """Re-run the engine on fresh data and save the run with its proposals (all or nothing).

    Raises ``NothingToPropose`` when there is no pair, and ``MatchActionError`` when a
    concurrent change (a volunteer became full, a participant got a match) gets in the way.
    """
    started = time.perf_counter()
    pool = load_pool(organisation, params.neighbourhood_ids, on)
    result = run_engine(pool, params)
    if not result.pairs:
        raise NothingToPropose
    run = MatchingRun(
        organisation_id=organisation.id, created_by_id=actor.id, parameters=params.as_dict(),
        participants_count=len(pool.participants), volunteers_count=len(pool.volunteers),
        proposed_count=len(result.pairs), objective=float(result.objective),
    )
    db.session.add(run)
    db.session.flush()
    for pair in result.pairs:
        propose_pair(run, pool, pair, actor)
    run.duration_ms = int((time.perf_counter() - started) * 1000)
    db.session.flush()
    audit.record("matching.run_created", run, participants=run.participants_count,
                 volunteers=run.volunteers_count, proposed=run.proposed_count,
                 pinned=sum(1 for p in result.pairs if p.pinned))
    return run


# --- one participant -------------------------------------------------------------------------

@dataclass
class Candidate:
    volunteer: VolunteerProfile
    score: float
    explanation: dict
    below_min_score: bool


@dataclass
class CandidateList:
    """The ranked feasible volunteers for one participant, and why others are missing."""

    candidates: list[Candidate]
    reason: str | None  # the engine's reason when there is no acceptable candidate
    counts: dict
    volunteers_considered: int
    ruled_out: int  # volunteers excluded by a forbid rule, a rejection or a bad ending


def candidates_for(participant: ParticipantProfile, params: MatchingParams,
                   on: date | None = None) -> CandidateList:
    """Rank the available volunteers for one participant with the engine's scoring."""
    on = on or clock.today()
    organisation = db.session.get(Organisation, participant.organisation_id)
    volunteers = available_volunteers(organisation, on)
    rejected, ended_badly = pair_history(organisation.id)
    forbidden, _pins = pair_rules(organisation.id)
    features = build_features([participant_row(participant, on)],
                              [volunteer_row(v, free) for v, free in volunteers])
    rules = PairRules.from_ids(features, forbidden | rejected, ended_badly)
    table = WeightTable(features.vocabulary.organisations, params.weights)
    ranked = rank_candidates(features, table, rules, 0, params.min_score)
    feasible = ranked.volunteers
    explanations = explain_pairs(features, table, np.zeros(len(feasible), np.int64), feasible)
    candidates = [
        Candidate(volunteers[v][0], score, stored_explanation(explanation, participant, on),
                  not ok)
        for v, score, ok, explanation in zip(feasible.tolist(), ranked.scores.tolist(),
                                             ranked.acceptable.tolist(), explanations, strict=True)
    ]
    acceptable = np.array([ranked.n_acceptable])
    capacity = np.array([free for _v, free in volunteers], dtype=np.int64)
    diagnosis = diagnose_unmatched(features, np.array([0]), capacity, rules, acceptable)[0]
    return CandidateList(
        candidates=candidates,
        reason=None if acceptable[0] else diagnosis.reason,
        counts=diagnosis.counts, volunteers_considered=len(volunteers),
        ruled_out=ranked.ruled_out,
    )


def params_from_weights(weights: dict, min_score: float, neighbourhood_ids=()) -> MatchingParams:
    """Build parameters from form values; raises ValueError if the weights are unusable."""
    normalise_weights(weights)  # validates: finite, >= 0, not all zero
    return MatchingParams(weights={k: float(weights[k]) for k in COMPONENTS},
                          min_score=float(min_score),
                          neighbourhood_ids=tuple(sorted(int(i) for i in neighbourhood_ids)))
