"""Hard constraints: which participant-volunteer pairs may be matched at all.

Every pair function takes two `Operand` views (participant side `p`, volunteer side `v`) and
broadcasts: (P, 1) x (1, V) -> (P, V) for dense blocks, (E,) x (E,) -> (E,) for edge lists.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass

import numpy as np

from .features import EARTH_RADIUS_KM, Features, Operand, ParticipantArrays, VolunteerArrays


# (P, V) | (E,) float64, unit-sphere chord squared between the two centroids (monotone in km)
def chord2(p: Operand, v: Operand) -> np.ndarray:
    """Squared chord |u_p - u_v|^2; plain arithmetic, so identical on any array layout."""
    return (p.x - v.x) ** 2 + (p.y - v.y) ** 2 + (p.z - v.z) ** 2


# (P, V) | (E,) float64, km: great-circle (haversine) distance from a squared chord
def distance_km(c2: np.ndarray) -> np.ndarray:
    """Great-circle distance: haversine(d / R) = (chord / 2)^2, so d = 2R asin(chord / 2)."""
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.minimum(np.sqrt(c2) * 0.5, 1.0))


# (P, V) | (E,) bool: both meet in person and the distance is within both travel radii
def in_person_reach(p: Operand, v: Operand, c2: np.ndarray) -> np.ndarray:
    """True where both sides meet in person and d <= both radii (compared as chords)."""
    return p.in_person & v.in_person & (c2 <= p.reach_c2) & (c2 <= v.reach_c2)


# (P, V) | (E,) bool: the pair can meet, in person within reach or online on both sides
def reach_ok(p: Operand, v: Operand, c2: np.ndarray) -> np.ndarray:
    """True where the pair can meet: in person within both radii, or both accept online."""
    return in_person_reach(p, v, c2) | (p.online & v.online)


# (P, V) | (E,) bool: at least one shared weekly slot
def slot_ok(p: Operand, v: Operand) -> np.ndarray:
    """True where the availability bitmasks share a slot."""
    return (p.slots & v.slots) != 0


# (P, V) | (E,) bool: the participant's gender preference is met (unknown gender fails one)
def gender_ok(p: Operand, v: Operand) -> np.ndarray:
    """True where the participant has no preference or the volunteer's gender equals it."""
    return (p.gender_pref < 0) | (p.gender_pref == v.gender)


# (P, V) | (E,) bool: same organisation
def org_ok(p: Operand, v: Operand) -> np.ndarray:
    """True where both belong to the same organisation."""
    return p.org == v.org


# (P, V) | (E,) bool: an employer's guide meets only colleagues, only others, or either
def colleague_ok(p: Operand, v: Operand) -> np.ndarray:
    """True where the volunteer's colleague choice (COLLEAGUE_PREFS index) allows the pair.

    colleagues 0 "either": always; 1 "only": the participant works at the volunteer's
    employer; 2 "outside": the participant does not (a volunteer without employer is 0).
    """
    same = (v.employer >= 0) & (p.employer == v.employer)
    return (v.colleagues == 0) | ((v.colleagues == 1) & same) | ((v.colleagues == 2) & ~same)


# (P, V) | (E,) bool: every pairwise hard constraint except the pair rules
def pair_feasible(p: Operand, v: Operand, c2: np.ndarray) -> np.ndarray:
    """True where org, slot, gender, reach and colleague constraints hold (rules apart)."""
    return (org_ok(p, v) & slot_ok(p, v) & gender_ok(p, v) & reach_ok(p, v, c2)
            & colleague_ok(p, v))


@dataclass(frozen=True, eq=False)
class PairRules:
    """Forbid rules and ended-badly pairs as row indices (arrays of equal length, kind 0/1)."""

    p: np.ndarray  # (R,) int64 participant row
    v: np.ndarray  # (R,) int64 volunteer row
    kind: np.ndarray  # (R,) int8: 0 forbidden, 1 ended badly

    KINDS = ("forbidden", "ended_badly")

    @classmethod
    def empty(cls) -> PairRules:
        """Return rules that exclude nothing."""
        return cls(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int8))

    @classmethod
    def from_ids(
        cls,
        features: Features,
        forbidden: Iterable[tuple[Hashable, Hashable]] = (),
        ended_badly: Iterable[tuple[Hashable, Hashable]] = (),
    ) -> PairRules:
        """Map (participant_id, volunteer_id) rules to rows; ids not in this run are skipped."""
        p_at, v_at = features.participant_index, features.volunteer_index
        rows: list[tuple[int, int, int]] = []
        for kind, pairs in enumerate((forbidden, ended_badly)):
            for pid, vid in pairs:
                if pid in p_at and vid in v_at:
                    rows.append((p_at[pid], v_at[vid], kind))
        if not rows:
            return cls.empty()
        a = np.array(rows, dtype=np.int64)
        return cls(a[:, 0], a[:, 1], a[:, 2].astype(np.int8))

    def keys(self, n_volunteers: int) -> np.ndarray:
        """Return the sorted unique pair keys p * n_volunteers + v (cached per width)."""
        cache = self.__dict__.setdefault("_keys", {})
        if n_volunteers not in cache:
            cache[n_volunteers] = np.unique(self.p * n_volunteers + self.v)
        return cache[n_volunteers]

    def kinds_for(self, p_row: int, v_row: int) -> tuple[str, ...]:
        """Return the rule kinds that exclude one pair."""
        hit = (self.p == p_row) & (self.v == v_row)
        return tuple(sorted({self.KINDS[k] for k in self.kind[hit]}))


# (E,) bool: True where an edge is NOT excluded by a pair rule
def rules_ok_edges(rules: PairRules, p_e: np.ndarray, v_e: np.ndarray, n_v: int) -> np.ndarray:
    """Check edge lists against the rules by sorted-key membership."""
    if len(rules.p) == 0:
        return np.ones(len(p_e), dtype=bool)
    keys = rules.keys(n_v)
    query = p_e.astype(np.int64) * n_v + v_e
    at = np.minimum(np.searchsorted(keys, query), len(keys) - 1)
    return keys[at] != query


# (P, V) matrix, in place: ruled-out cells set to `fill`
def apply_rules(matrix_pv: np.ndarray, rules: PairRules, fill: object) -> None:
    """Set the ruled-out cells of a (P, V) matrix to `fill`, in place."""
    matrix_pv[rules.p, rules.v] = fill


# (P, V) bool: the full feasibility matrix, built in row chunks
def feasible_pv(
    participants: ParticipantArrays,
    volunteers: VolunteerArrays,
    rules: PairRules | None = None,
    chunk_rows: int = 500,
) -> np.ndarray:
    """Return the boolean feasibility matrix of every hard constraint, rules included."""
    n_p, n_v = len(participants), len(volunteers)
    out = np.zeros((n_p, n_v), dtype=bool)
    v = Operand(volunteers, axis=0)
    for start in range(0, n_p, chunk_rows):
        p = Operand(participants, np.arange(start, min(start + chunk_rows, n_p)), axis=1)
        out[start : start + chunk_rows] = pair_feasible(p, v, chord2(p, v))
    if rules is not None:
        apply_rules(out, rules, False)
    return out
