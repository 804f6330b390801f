"""One matching run: rows in, proposed pairs with explanations and unmatched reasons out.

features -> pins -> candidate edges (exact, or top-K pruned when huge) -> exact solve ->
explanations, unmatched diagnosis, recruit summary. Plain data only; the app stores it.
"""

from __future__ import annotations

import time
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np

from .candidates import CHUNK_EDGES, Pruning, candidate_edges
from .constraints import PairRules, chord2, colleague_ok, gender_ok, org_ok, reach_ok, slot_ok
from .domain import PIN_REJECTIONS
from .explain import (
    PairExplanation,
    UnmatchedParticipant,
    diagnose_unmatched,
    explain_pairs,
    gc_paused,
)
from .features import Features, Operand, ParticipantRow, VolunteerRow, build_features
from .recruit import RecruitSummary, recruit_summary
from .scores import WeightTable, total_score
from .solver import solve_edges

IdPair = tuple[Hashable, Hashable]


@dataclass(frozen=True)
class MatchingOptions:
    """Tuning knobs. Exact unless an organisation generates more than pruning.above pairs."""

    pruning: Pruning | None = field(default_factory=Pruning)  # None = always exact
    chunk_edges: int = CHUNK_EDGES  # generated pairs per candidate chunk (memory bound)
    compiled: bool | None = None  # candidate_edges' choice of loops (None: by size)
    dense_cell_limit: int | None = None  # solver.DENSE_CELL_LIMIT when None


@dataclass(frozen=True, slots=True)
class ProposedPair:
    """A proposed match, by id; `explanation` is None when run with explain=False."""

    participant_id: Hashable
    volunteer_id: Hashable
    score: float  # in [0, 1], the weighted sum of the explanation's components
    pinned: bool  # fixed by a coordinator's pin, not chosen by the optimiser
    explanation: PairExplanation | None

    def as_dict(self) -> dict:
        """Return a JSON-serialisable dict."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class RejectedPin:
    """A pin that was not honoured, with every reason code that applies (PIN_REJECTIONS)."""

    participant_id: Hashable
    volunteer_id: Hashable
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class MatchingResult:
    """Everything one run produced; `as_dict()` gives plain JSON-ready data."""

    pairs: tuple[ProposedPair, ...]  # ordered like the participants passed in
    unmatched: tuple[UnmatchedParticipant, ...]  # ordered like the participants passed in
    rejected_pins: tuple[RejectedPin, ...]
    recruit: RecruitSummary
    objective: float  # total score of all proposed pairs, pins included
    solver_objective: float  # total score of the optimised (non-pinned) pairs
    weights: dict[Hashable, dict[str, float]]  # normalised weights used, per organisation
    stats: dict[str, int | bool] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage and total

    def as_dict(self) -> dict:
        """Return a JSON-serialisable dict (ids are kept as given)."""
        return asdict(self)


class _Clock:
    def __init__(self) -> None:
        self.start = self.last = time.perf_counter()
        self.timings: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = now - self.last
        self.last = now

    def done(self) -> dict[str, float]:
        self.timings["total"] = time.perf_counter() - self.start
        return self.timings


def pin_rejections(features: Features, rules: PairRules, p_row: int, v_row: int) -> list[str]:
    """Hard constraints and pair rules that a (participant, volunteer) pin would break."""
    p = Operand(features.participants, np.array([p_row]))
    v = Operand(features.volunteers, np.array([v_row]))
    checks = {
        "different_organisation": org_ok(p, v),
        "no_shared_slot": slot_ok(p, v),
        "not_in_reach": reach_ok(p, v, chord2(p, v)),
        "gender_preference": gender_ok(p, v),
        "colleague_rule": colleague_ok(p, v),
    }
    failed = {code for code, ok in checks.items() if not ok[0]}
    failed.update(rules.kinds_for(p_row, v_row))
    return [code for code in PIN_REJECTIONS if code in failed]


def _pin_problems(features, rules, capacity, pinned_p, pid, vid) -> list[str]:
    """Every PIN_REJECTIONS code that applies to one pin, in PIN_REJECTIONS order."""
    p_at, v_at = features.participant_index, features.volunteer_index
    unknown = ["unknown_participant"] * (pid not in p_at) + ["unknown_volunteer"] * (
        vid not in v_at
    )
    if unknown:
        return unknown
    if p_at[pid] in pinned_p:
        return ["duplicate_participant"]
    failed = set(pin_rejections(features, rules, p_at[pid], v_at[vid]))
    if capacity[v_at[vid]] <= 0:
        failed.add("volunteer_full")
    return [code for code in PIN_REJECTIONS if code in failed]


def apply_pins(
    features: Features, rules: PairRules, pins: Iterable[IdPair]
) -> tuple[np.ndarray, np.ndarray, list[RejectedPin], np.ndarray]:
    """Honour pins in the given order: each must be hard-feasible and find free capacity.

    Returns (pinned participant rows, volunteer rows, rejected pins, capacity left).
    """
    capacity = features.volunteers.capacity.copy()
    pinned_p: dict[int, int] = {}
    rejected: list[RejectedPin] = []
    for pid, vid in pins:
        problems = _pin_problems(features, rules, capacity, pinned_p, pid, vid)
        if problems:
            rejected.append(RejectedPin(pid, vid, tuple(problems)))
            continue
        p_row, v_row = features.participant_index[pid], features.volunteer_index[vid]
        pinned_p[p_row] = v_row
        capacity[v_row] -= 1
    rows = np.array(list(pinned_p.items()), dtype=np.int64).reshape(-1, 2)
    return rows[:, 0], rows[:, 1], rejected, capacity


def run_matching(
    participants: Sequence[ParticipantRow],
    volunteers: Sequence[VolunteerRow],
    weights: Mapping[str, float] | None = None,
    *,
    org_weights: Mapping[Hashable, Mapping[str, float]] | None = None,
    forbidden: Iterable[IdPair] = (),
    ended_badly: Iterable[IdPair] = (),
    pins: Sequence[IdPair] = (),
    min_score: float = 0.0,
    explain: bool = True,
    recruit_top: int = 10,
    options: MatchingOptions | None = None,
) -> MatchingResult:
    """Propose buddies for waiting participants; see docs/matching.md.

    participants: the waiting participants (no open match); volunteers: approved volunteers
    with their FREE capacity. weights: default component weights (normalised; missing keys
    take DEFAULT_WEIGHTS), org_weights: per-organisation overrides. forbidden / ended_badly:
    (participant_id, volunteer_id) pairs never proposed. pins: (participant_id, volunteer_id)
    fixed first when hard-feasible (min_score does not apply to them). explain=False skips the
    per-pair explanations (unmatched reasons and the recruit summary are always computed).
    """
    options = options or MatchingOptions()
    clock = _Clock()
    features = build_features(participants, volunteers)
    table = WeightTable(features.vocabulary.organisations, weights, org_weights)
    rules = PairRules.from_ids(features, forbidden, ended_badly)
    clock.lap("features")
    pin_p, pin_v, rejected, capacity = apply_pins(features, rules, pins)
    clock.lap("pins")
    edges = _candidates(features, table, rules, capacity, pin_p, min_score, options)
    clock.lap("candidates")
    solve_stats: dict = {}
    chosen = solve_edges(
        edges.p,
        edges.v,
        edges.score,
        capacity,
        len(features.participants),
        min_score=min_score,
        dense_cell_limit=options.dense_cell_limit,
        stats=solve_stats,
        grouped=True,
    )
    clock.lap("solve")
    rows = _pair_rows(features, table, pin_p, pin_v, edges, chosen)
    pairs = _proposed_pairs(features, table, rows, explain)
    clock.lap("explain")
    unmatched_rows = np.setdiff1d(np.arange(len(features.participants)), rows["p"])
    unmatched = diagnose_unmatched(features, unmatched_rows, capacity, rules, edges.n_acceptable)
    clock.lap("diagnose")
    recruit = recruit_summary(features, unmatched_rows, top=recruit_top)
    clock.lap("recruit")
    return MatchingResult(
        pairs=pairs,
        unmatched=tuple(unmatched),
        rejected_pins=tuple(rejected),
        recruit=recruit,
        objective=float(rows["score"].sum()),
        solver_objective=float(edges.score[chosen].sum()),
        weights={
            org: table.for_org(code) for code, org in enumerate(features.vocabulary.organisations)
        },
        stats=_stats(features, edges, pairs, unmatched, len(pin_p), solve_stats),
        timings=clock.done(),
    )


def _candidates(features, table, rules, capacity, pin_p, min_score, options):
    """Candidate edges of the participants that are not pinned."""
    active = np.ones(len(features.participants), bool)
    active[pin_p] = False
    return candidate_edges(
        features.participants,
        features.volunteers,
        table,
        rules,
        capacity=capacity,
        active=active,
        min_score=min_score,
        pruning=options.pruning,
        chunk_edges=options.chunk_edges,
        compiled=options.compiled,
    )


def _pair_rows(features, table, pin_p, pin_v, edges, chosen) -> dict[str, np.ndarray]:
    """Pinned + optimised pairs as row arrays (p, v, score, pinned), sorted by participant."""
    P, V = features.participants, features.volunteers
    pin = (Operand(P, pin_p), Operand(V, pin_v))
    pin_score = total_score(*pin, chord2(*pin), table)
    rows = {
        "p": np.concatenate([pin_p, edges.p[chosen]]),
        "v": np.concatenate([pin_v, edges.v[chosen]]),
        "score": np.concatenate([pin_score, edges.score[chosen]]),
        "pinned": np.arange(len(pin_p) + len(chosen)) < len(pin_p),
    }
    order = np.argsort(rows["p"], kind="stable")
    return {key: value[order] for key, value in rows.items()}


def _proposed_pairs(features, table, rows, explain: bool) -> tuple[ProposedPair, ...]:
    """ProposedPair objects by id, with explanations when asked for."""
    P, V = features.participants, features.volunteers
    explanations = (
        explain_pairs(features, table, rows["p"], rows["v"]) if explain else [None] * len(rows["p"])
    )
    columns = (rows[key].tolist() for key in ("p", "v", "score", "pinned"))
    with gc_paused():
        return tuple(
            ProposedPair(P.ids[p], V.ids[v], score, pinned, why)
            for (p, v, score, pinned), why in zip(
                zip(*columns, strict=True), explanations, strict=True
            )
        )


def _stats(features, edges, pairs, unmatched, n_pinned, solve_stats) -> dict:
    """Counts describing the run (sizes, edges, pruning, components)."""
    return {
        "participants": len(features.participants),
        "volunteers": len(features.volunteers),
        "pinned": n_pinned,
        "edges": len(edges.p),
        "pruned": edges.pruned,
        "compiled": edges.compiled,  # the candidate stage ran the compiled loops
        "matched": len(pairs),
        "unmatched": len(unmatched),
        **solve_stats,
    }
