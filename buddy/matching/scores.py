"""Soft score of feasible pairs: seven components in [0, 1], weighted per organisation.

Each component is its own function of two broadcasting `Operand` views (see constraints.py):
(P, 1) x (1, V) -> (P, V) for dense blocks, or (E,) x (E,) -> (E,) for edge lists.
The weighted sum with normalised weights is in [0, 1]; infeasible pairs are NaN.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping

import numpy as np

from .constraints import (
    PairRules,
    apply_rules,
    chord2,
    distance_km,
    in_person_reach,
    pair_feasible,
    rules_ok_edges,
)
from .domain import COMPONENTS, GOALS, INTERESTS, N_SLOTS, normalise_weights
from .features import Operand, ParticipantArrays, VolunteerArrays, popcount, unique_rows


# (P, V) | (E,) float64 in [0, 1]: shared slots / min(3, participant's slots)
def availability_score(p: Operand, v: Operand) -> np.ndarray:
    """Shared weekly slots over min(3, the participant's slot count), capped at 1."""
    return np.minimum(popcount(p.slots & v.slots) * p.slots_inv, 1.0)


# (P, V) | (E,) float64 in [0, 1]: 1 - d / min(radii) when meeting in person, else 0
def proximity_score(p: Operand, v: Operand, c2: np.ndarray) -> np.ndarray:
    """Unused share of the tighter travel radius; 0 for pairs that can only meet online."""
    return proximity_at(p, v, distance_km(c2), in_person_reach(p, v, c2))


# (P, V) | (E,) float64 in [0, 1]: proximity from a known distance and in-person reach
def proximity_at(p: Operand, v: Operand, km: np.ndarray, in_reach) -> np.ndarray:
    """1 - km / min(radii), clipped to [0, 1], where in_reach (bool array or scalar), else 0."""
    reach_km = np.minimum(p.radius_km, v.radius_km)
    with np.errstate(divide="ignore", invalid="ignore"):
        left = np.asarray(np.divide(km, reach_km), dtype=np.float64)
    np.subtract(1.0, left, out=left)
    zero = reach_km <= 0
    if zero.any():
        left[zero] = 1.0
    np.clip(left, 0.0, 1.0, out=left)
    if in_reach is True:
        return left
    return left * in_reach


# (P, V) | (E,) float64 in [0, 1]: shared interests / min(3, shorter interest list)
def interests_score(p: Operand, v: Operand) -> np.ndarray:
    """Shared interests over min(3, the shorter list's length), capped at 1."""
    shared = popcount(p.interests & v.interests)
    return np.minimum(shared * np.maximum(p.interests_inv, v.interests_inv), 1.0)


# (P, V) | (E,) float64 in [0, 1]: 0.6 primary goal covered + 0.4 share of other goals
def goals_score(p: Operand, v: Operand) -> np.ndarray:
    """Support offered vs the participant's goals, the primary goal counting most.

    With a primary goal and other goals: 0.6 * [primary covered] + 0.4 * covered share of
    the others; with only a primary goal: [primary covered]; with no primary goal: the
    covered share of all goals; with no goals at all: 0 (see features.goal_coefficients).
    """
    hit = (p.primary_mask & v.support) != 0
    return p.goal_hit_coef * hit + p.goal_share_coef * popcount(p.goal_counted & v.support)


# (P, V) | (E,) bool: the pair shares a language other than Dutch
def shares_language(p: Operand, v: Operand) -> np.ndarray:
    """True where the language bitmasks (Dutch excluded) intersect."""
    return np.any((p.lang & v.lang) != 0, axis=-1)


# (P, V) | (E,) float64 in {0, 1}: shared bridge language, only for Dutch below A2
def language_score(p: Operand, v: Operand) -> np.ndarray:
    """1 where the participant's Dutch is below A2 and they share a non-Dutch language."""
    return (p.below_a2 & shares_language(p, v)).astype(np.float64)


# (P, 1) | (E,) float64 in [0, 1]: min(waiting days / 180, 1), participant-only
def waiting_score(p: Operand) -> np.ndarray:
    """Grows linearly with waiting days and saturates at half a year."""
    return p.waiting


# (P, 1) | (E,) float64 in {0, 1}: participant lives in a priority area
def priority_score(p: Operand) -> np.ndarray:
    """1 where the participant's neighbourhood is a priority area."""
    return p.priority.astype(np.float64)


def component_scores(p: Operand, v: Operand, c2: np.ndarray) -> dict[str, np.ndarray]:
    """Return every component (unweighted, in [0, 1]) keyed as in COMPONENTS."""
    return component_scores_at(p, v, distance_km(c2), in_person_reach(p, v, c2))


def component_scores_at(p: Operand, v: Operand, km, in_reach) -> dict[str, np.ndarray]:
    """Every component, the distance (km) and in-person reach already known (a table)."""
    return {
        "availability": availability_score(p, v),
        "proximity": proximity_at(p, v, km, in_reach),
        "interests": interests_score(p, v),
        "goals": goals_score(p, v),
        "language": language_score(p, v),
        "waiting": waiting_score(p),
        "priority": priority_score(p),
    }


class WeightTable:
    """Normalised weights per organisation code: an (O, 7) table in COMPONENTS order.

    `uniform` holds the weights as plain floats when every organisation uses the same ones,
    which spares one gather per component and pair.
    """

    def __init__(
        self,
        organisations: tuple[Hashable, ...],
        default: Mapping[str, float] | None = None,
        per_org: Mapping[Hashable, Mapping[str, float]] | None = None,
    ):
        base = normalise_weights(default)
        per_org = per_org or {}
        rows = [normalise_weights({**base, **per_org.get(org, {})}) for org in organisations]
        self.default = base
        self.table = np.array(  # (O, 7) float64, rows sum to 1
            [[r[k] for k in COMPONENTS] for r in rows] or np.zeros((0, len(COMPONENTS)))
        ).reshape(-1, len(COMPONENTS))
        first = self.table[0] if len(self.table) else np.array([base[k] for k in COMPONENTS])
        same = bool(np.all(self.table == first))
        self.uniform = first.tolist() if same else None
        self.columns = np.ascontiguousarray(self.table.T)  # (7, O)

    def for_org(self, code: int) -> dict[str, float]:
        """Return the weights of one organisation code as a dict."""
        return dict(zip(COMPONENTS, self.table[code].tolist(), strict=True))


# (P, V) | (E,) float64 in [0, 1]: weighted sum of the components with the org's weights
def weighted_score(p: Operand, components: Mapping[str, np.ndarray], weights: WeightTable):
    """Sum weight(org, k) * component_k over COMPONENTS."""
    total = 0.0
    for k, name in enumerate(COMPONENTS):
        w = weights.uniform[k] if weights.uniform else weights.columns[k][p.org]
        total = total + w * components[name]
    return total


# (P, V) | (E,) float64 in [0, 1]: the score, feasible or not, from a known squared chord
def total_score(p: Operand, v: Operand, c2: np.ndarray, weights: WeightTable) -> np.ndarray:
    """Weighted sum of all components of the pairs (no feasibility check)."""
    return weighted_score(p, component_scores(p, v, c2), weights)


# (E,) float64 in [0, 1]: the score from a known distance (km) and in-person reach
def total_score_at(p: Operand, v: Operand, km, in_reach, weights: WeightTable) -> np.ndarray:
    """Weighted sum of all components; distances from the neighbourhood table."""
    return weighted_score(p, component_scores_at(p, v, km, in_reach), weights)


# (P, V) | (E,) float64 in [0, 1], NaN where a pairwise constraint fails
def pair_scores(p: Operand, v: Operand, weights: WeightTable) -> np.ndarray:
    """Score feasible pairs; NaN elsewhere (pair rules are applied by the caller)."""
    c2 = chord2(p, v)
    return np.where(pair_feasible(p, v, c2), total_score(p, v, c2, weights), np.nan)


# (P, V) float64 in [0, 1], NaN = infeasible: the dense score matrix, in row chunks
def score_matrix(
    participants: ParticipantArrays,
    volunteers: VolunteerArrays,
    weights: WeightTable,
    rules: PairRules | None = None,
    chunk_rows: int = 500,
) -> np.ndarray:
    """Return the (P, V) score matrix of all pairs; memory is one chunk of temporaries."""
    n_p, n_v = len(participants), len(volunteers)
    out = np.empty((n_p, n_v), dtype=np.float64)
    v = Operand(volunteers, axis=0)
    for start in range(0, n_p, chunk_rows):
        p = Operand(participants, np.arange(start, min(start + chunk_rows, n_p)), axis=1)
        out[start : start + chunk_rows] = pair_scores(p, v, weights)
    if rules is not None:
        apply_rules(out, rules, np.nan)
    return out


# (E,) float64 in [0, 1], NaN = infeasible: scores of an edge list (p_e[i], v_e[i])
def edge_scores(
    participants: ParticipantArrays,
    volunteers: VolunteerArrays,
    p_e: np.ndarray,
    v_e: np.ndarray,
    weights: WeightTable,
    rules: PairRules | None = None,
) -> np.ndarray:
    """Score the given pairs with the same functions as the dense matrix."""
    score = pair_scores(Operand(participants, p_e), Operand(volunteers, v_e), weights)
    if rules is not None:
        score[~rules_ok_edges(rules, p_e, v_e, len(volunteers))] = np.nan
    return score


class PackedScorer:
    """Edge scores from one AND of packed bitmask words and three small tables.

    Availability, interests and goals depend on a pair only through popcounts of bitmask
    intersections and a few per-side classes (min(3, slots), min(3, interests), the goal
    coefficients), so their weighted values are tabulated once with the very formulas of
    `availability_score`, `interests_score` and `goals_score`. The word also carries the
    languages (participants below A2 only) when at most 16 are in use, so the language score
    is one more mask test; otherwise `language_score` computes it. Proximity uses
    `proximity_at`; waiting and priority are summed per participant. Equal to
    `total_score_at` up to float summation order (~1e-16). Only for weights that are the same
    for every organisation (`WeightTable.uniform`), see `PackedScorer.usable`.

    Word layout (int64): slots | interests | counted goals / support | primary goal /
    support | languages.
    """

    _S, _I, _G = N_SLOTS, len(INTERESTS), len(GOALS)
    _MASK_S = MASK_SLOTS = (1 << _S) - 1  # the low bits: slots
    _MASK_I = ((1 << _I) - 1) << _S
    _MASK_G = ((1 << _G) - 1) << (_S + _I)
    _MASK_P = ((1 << _G) - 1) << (_S + _I + _G)
    _L = _S + _I + 2 * _G  # first language bit
    _MASK_L = ((1 << 63) - 1) & ~((1 << _L) - 1)

    @classmethod
    def usable(cls, weights: WeightTable) -> bool:
        """True when the weights are uniform and the packed word fits 63 bits."""
        return weights.uniform is not None and cls._L <= 63

    def __init__(self, P: ParticipantArrays, V: VolunteerArrays, weights: WeightTable):
        w = dict(zip(COMPONENTS, weights.uniform, strict=True))
        self.w = w
        s, i, g = self._S, self._I, self._G
        n_lang = P.lang.shape[1] * 64 if P.lang.shape[1] > 1 else _bits_used(P.lang, V.lang)
        self.lang_packed = n_lang <= 63 - self._L
        self.p_word = (
            P.slots.astype(np.int64)
            | (P.interests.astype(np.int64) << s)
            | (P.goal_counted.astype(np.int64) << (s + i))
            | (P.primary_mask.astype(np.int64) << (s + i + g))
        )
        if self.lang_packed:  # only a participant below A2 scores a shared language
            lang = np.where(P.below_a2, P.lang[:, 0], 0) if P.lang.shape[1] else 0
            self.p_word |= np.asarray(lang).astype(np.int64) << self._L
        self.a_base = (_capped_class(P.n_slots) << 5).astype(np.int16)
        self.i_class = _capped_class(P.n_interests)
        coef = np.column_stack([P.goal_hit_coef, P.goal_share_coef]).reshape(-1, 2)
        classes, g_class = unique_rows(coef)
        self.g_base = (g_class.reshape(-1) << 6).astype(np.int16)
        self.base = w["waiting"] * P.waiting + w["priority"] * P.priority  # participant-only
        k = np.arange(32)
        self.tab_a = np.concatenate(
            [w["availability"] * np.minimum(k * (1.0 / max(c, 1)), 1.0) for c in range(4)]
        )
        self.tab_i = np.concatenate(
            [w["interests"] * np.minimum(k * (1.0 / max(c, 1)), 1.0) for c in range(4)]
        )
        self.tab_g = np.concatenate(
            [w["goals"] * (hc * h + sc * k) for hc, sc in classes.tolist() for h in (0, 1)]
            or [np.zeros(0)]
        )

    def volunteer_columns(self, V: VolunteerArrays) -> dict[str, np.ndarray]:
        """(V,) packed word and interests class of each volunteer."""
        s, i, g = self._S, self._I, self._G
        support = V.support.astype(np.int64)
        word = V.slots.astype(np.int64) | (V.interests.astype(np.int64) << s)
        word |= (support << (s + i)) | (support << (s + i + g))
        if self.lang_packed and V.lang.shape[1]:
            word |= V.lang[:, 0].astype(np.int64) << self._L
        return {"word": word, "i_class": _capped_class(V.n_interests)}

    def score(self, rows, counts, p: Operand, v: Operand, km, in_reach, x=None) -> np.ndarray:
        """(E,) scores; p repeats rows by counts, v has the volunteer_columns.

        x: the (E,) AND of the packed words when the caller has it already.
        """
        if x is None:
            x = np.repeat(self.p_word[rows], counts) & v.word
        at = np.repeat(self.a_base[rows], counts) + popcount(x & self._MASK_S)
        total = self.tab_a[at]
        total += self.w["proximity"] * proximity_at(p, v, km, in_reach)
        i_class = np.minimum(np.repeat(self.i_class[rows], counts), v.i_class)
        total += self.tab_i[(i_class << 5) + popcount(x & self._MASK_I)]
        hit = popcount(x & self._MASK_P) << 5  # the primary goal is one bit: 0 or 32
        total += self.tab_g[np.repeat(self.g_base[rows], counts) + hit + popcount(x & self._MASK_G)]
        if self.lang_packed:
            total += self.w["language"] * ((x & self._MASK_L) != 0)
        else:
            total += self.w["language"] * language_score(p, v)
        total += np.repeat(self.base[rows], counts)
        return total


# number of language bits in use on either side (one uint64 word each)
def _bits_used(*words: np.ndarray) -> int:
    top = max((int(w.max()) for w in words if w.size), default=0)
    return top.bit_length()


# (n,) int16: min(3, count), at least 1 (the class behind the 1 / min(3, count) factors)
def _capped_class(count: np.ndarray) -> np.ndarray:
    return np.maximum(np.minimum(count, 3), 1).astype(np.int16)
