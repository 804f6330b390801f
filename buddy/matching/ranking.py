"""One participant's candidates, ranked: the manual-matching view of the engine.

Scores every volunteer for one participant with the same functions as the matching run,
drops the pairs a hard constraint or a pair rule excludes, ranks the rest by score (ties:
lower volunteer row first) and flags which of them the solver would accept (`acceptable`:
score >= min_score and > 0, the rule written once in solver.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .constraints import PairRules, rules_ok_edges
from .features import Features, Operand
from .scores import WeightTable, pair_scores
from .solver import acceptable


@dataclass(frozen=True, eq=False)
class RankedCandidates:
    """Feasible volunteers of one participant, best first."""

    volunteers: np.ndarray  # (K,) int64 volunteer rows, by descending score
    scores: np.ndarray  # (K,) float64 in [0, 1]
    acceptable: np.ndarray  # (K,) bool: the solver may propose the pair
    ruled_out: int  # volunteers feasible by the hard constraints but excluded by a pair rule

    @property
    def n_acceptable(self) -> int:
        """How many candidates the solver may propose."""
        return int(self.acceptable.sum())


def rank_candidates(
    features: Features,
    weights: WeightTable,
    rules: PairRules | None = None,
    participant: int = 0,
    min_score: float = 0.0,
) -> RankedCandidates:
    """Rank every feasible volunteer for participant row `participant` (see module doc)."""
    n_v = len(features.volunteers)
    rows = np.full(n_v, participant, np.int64)
    score = pair_scores(Operand(features.participants, rows), Operand(features.volunteers), weights)
    feasible = np.isfinite(score)
    ruled = np.zeros(n_v, bool)
    if rules is not None:
        ruled = ~rules_ok_edges(rules, rows, np.arange(n_v), n_v)
    keep = np.flatnonzero(feasible & ~ruled)
    keep = keep[np.argsort(-score[keep], kind="stable")]
    return RankedCandidates(
        volunteers=keep,
        scores=score[keep],
        acceptable=acceptable(score[keep], min_score),
        ruled_out=int(np.sum(feasible & ruled)),
    )
