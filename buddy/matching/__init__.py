"""Matching of waiting participants with volunteer buddies: pure numpy/scipy, no Flask.

Public API (see docs/matching.md):
- `run_matching(participants, volunteers, weights, ...) -> MatchingResult`: the whole run.
- `assign(score, capacity, min_score=0.0) -> list[(participant, volunteer)]`: the solver.
- `rank_candidates(features, weights, rules, participant, min_score)`: one participant's
  feasible volunteers, best first, flagged with `acceptable` (score >= min_score and > 0).
- `ParticipantRow`, `VolunteerRow`: plain input rows; `build_features` -> arrays;
  `feasible_pv`, `score_matrix`: dense (P, V) matrices for previews and checks.
"""

from .candidates import CandidateEdges, Pruning, candidate_edges
from .constraints import PairRules, feasible_pv
from .domain import (
    COMPONENTS,
    DAYS,
    DEFAULT_WEIGHTS,
    GOALS,
    INTERESTS,
    LEVELS,
    PARTS,
    PIN_REJECTIONS,
    UNMATCHED_REASONS,
    goals_mask,
    interests_mask,
    keys_of,
    level_index,
    normalise_weights,
    slot_index,
    slot_name,
    slots_mask,
)
from .explain import ComponentScore, PairExplanation, UnmatchedParticipant
from .features import (
    Features,
    ParticipantArrays,
    ParticipantRow,
    VolunteerArrays,
    VolunteerRow,
    build_features,
)
from .pipeline import (
    MatchingOptions,
    MatchingResult,
    ProposedPair,
    RejectedPin,
    run_matching,
)
from .ranking import RankedCandidates, rank_candidates
from .recruit import RecruitProfile, RecruitSummary
from .scores import WeightTable, edge_scores, score_matrix
from .solver import acceptable, assign, assign_edges

__all__ = [
    "COMPONENTS",
    "DAYS",
    "DEFAULT_WEIGHTS",
    "GOALS",
    "INTERESTS",
    "LEVELS",
    "PARTS",
    "PIN_REJECTIONS",
    "UNMATCHED_REASONS",
    "CandidateEdges",
    "ComponentScore",
    "Features",
    "MatchingOptions",
    "MatchingResult",
    "Pruning",
    "PairExplanation",
    "PairRules",
    "ParticipantArrays",
    "ParticipantRow",
    "ProposedPair",
    "RankedCandidates",
    "RecruitProfile",
    "RecruitSummary",
    "RejectedPin",
    "UnmatchedParticipant",
    "VolunteerArrays",
    "VolunteerRow",
    "WeightTable",
    "acceptable",
    "assign",
    "assign_edges",
    "build_features",
    "candidate_edges",
    "edge_scores",
    "feasible_pv",
    "goals_mask",
    "interests_mask",
    "keys_of",
    "level_index",
    "normalise_weights",
    "rank_candidates",
    "run_matching",
    "score_matrix",
    "slot_index",
    "slot_name",
    "slots_mask",
]
