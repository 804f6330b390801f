"""Feasible edges without the (P, V) matrix, optionally pruned for very large organisations.

In person: people are bucketed by location (organisation + exact centroid). A KD-tree over
the volunteers' locations (unit vectors, chord metric) finds location pairs within the largest
radius; each participant expands to the volunteers of the locations within their own radius.
Online: online participants x online volunteers of the same organisation, minus the pairs
already reachable in person. Every generated pair is then checked with the same constraint
functions as the dense matrix, so without pruning the edge set is exactly the feasible set.
Work is done in participant chunks of about `CHUNK_EDGES` generated pairs, so memory stays
bounded however large the instance is.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np
from scipy.spatial import cKDTree

from .constraints import (
    PairRules,
    chord2,
    colleague_ok,
    in_person_reach,
    rules_ok_edges,
)
from .features import Operand, ParticipantArrays, VolunteerArrays
from .scores import WeightTable, total_score
from .solver import acceptable, ragged_arange

CHUNK_EDGES = 1 << 18  # generated (not yet filtered) pairs per chunk


@dataclass(frozen=True, eq=False)
class CandidateEdges:
    """Scored feasible pairs (participants ascending by chunk), and per-participant counts."""

    p: np.ndarray  # (E,) int64 participant row
    v: np.ndarray  # (E,) int64 volunteer row
    score: np.ndarray  # (E,) float64 in [0, 1]
    c2: np.ndarray  # (E,) float64 squared chord (distance) of the pair
    n_feasible: np.ndarray  # (P,) int64 feasible volunteers with free capacity
    n_acceptable: np.ndarray  # (P,) int64 of those, scoring >= min_score and > 0
    pruned: bool  # True when pruning dropped acceptable edges


@dataclass(frozen=True, eq=False)
class _Groups:
    """Rows grouped by a key: members[start[k] : start[k] + count[k]] have key k."""

    members: np.ndarray
    start: np.ndarray
    count: np.ndarray

    @classmethod
    def of(cls, rows: np.ndarray, keys: np.ndarray, n_keys: int) -> _Groups:
        order = np.argsort(keys, kind="stable")
        count = np.bincount(keys, minlength=n_keys).astype(np.int64)
        return cls(rows[order], np.cumsum(count) - count, count)

    def expand(self, key: np.ndarray, n: np.ndarray | None = None) -> np.ndarray:
        """Members of each key in turn (the first n[i] of key[i] when n is given)."""
        n = self.count[key] if n is None else n
        return self.members[np.repeat(self.start[key], n) + ragged_arange(n)]


@dataclass(frozen=True, eq=False)
class _Combos:
    """(participant, volunteer location) combinations within the participant's radius."""

    p: np.ndarray  # (C,) participant row, ascending
    loc: np.ndarray  # (C,) volunteer location
    n: np.ndarray  # (C,) volunteers at that location
    c2: np.ndarray  # (C,) squared chord between the two locations (= every pair's)


# (n,) int64 location id per row, and the (L,) location table (org, x, y, z)
def _locations(arrays, rows: np.ndarray) -> tuple[np.ndarray, SimpleNamespace]:
    """Location id per row (unique org + unit vector) and the location table."""
    keys = np.column_stack([arrays.org[rows], arrays.x[rows], arrays.y[rows], arrays.z[rows]])
    table, inverse = np.unique(keys, axis=0, return_inverse=True)
    return inverse.reshape(-1), SimpleNamespace(
        org=table[:, 0], x=table[:, 1], y=table[:, 2], z=table[:, 3]
    )


# (C,) combos of a participant row with a volunteer location within its radius
def _in_person_combos(P, V, p_rows, v_rows) -> tuple[_Combos, _Groups]:
    """Combos of in-person participants with volunteer locations within their radius."""
    if len(p_rows) == 0 or len(v_rows) == 0:
        none = np.zeros(0, np.int64)
        return _Combos(none, none, none, np.zeros(0)), _Groups(none, none, none)
    p_loc, p_tab = _locations(P, p_rows)
    v_loc, v_tab = _locations(V, v_rows)
    by_loc = _Groups.of(v_rows, v_loc, len(v_tab.x))
    max_chord = np.sqrt(min(P.reach_c2[p_rows].max(), V.reach_c2[v_rows].max()))
    pts = (np.column_stack([t.x, t.y, t.z]) for t in (p_tab, v_tab))
    found = cKDTree(next(pts)).sparse_distance_matrix(
        cKDTree(next(pts)), max_chord * (1 + 1e-9) + 1e-15, output_type="ndarray"
    )
    i, j = found["i"], found["j"]
    same = p_tab.org[i] == v_tab.org[j]
    order = np.lexsort((j[same], i[same]))
    i, j = i[same][order], j[same][order]
    pair_c2 = chord2(
        SimpleNamespace(x=p_tab.x[i], y=p_tab.y[i], z=p_tab.z[i]),
        SimpleNamespace(x=v_tab.x[j], y=v_tab.y[j], z=v_tab.z[j]),
    )
    pairs = _Groups.of(np.arange(len(i)), i, len(p_tab.x))
    combo_pair = pairs.expand(p_loc)
    combo_p = np.repeat(p_rows, pairs.count[p_loc])
    near = pair_c2[combo_pair] <= P.reach_c2[combo_p]
    loc = j[combo_pair[near]]
    return _Combos(combo_p[near], loc, by_loc.count[loc], pair_c2[combo_pair[near]]), by_loc


# (lo, hi) participant row ranges of about `budget` generated pairs
def _chunks(n_per_row: np.ndarray, budget: int):
    """Yield (lo, hi) row ranges with about `budget` generated pairs each (>= 1 row)."""
    cum = np.cumsum(n_per_row)
    lo = 0
    while lo < len(n_per_row):
        base = cum[lo - 1] if lo else 0
        hi = max(int(np.searchsorted(cum, base + budget, side="right")), lo + 1)
        yield lo, hi
        lo = hi


# (R,) rows and (R,) int64 counts of a non-decreasing (E,) row array
def runs_of(p_sorted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(rows, counts) of a non-decreasing row array: p_sorted == repeat(rows, counts)."""
    starts = np.flatnonzero(np.r_[True, p_sorted[1:] != p_sorted[:-1]]) if len(p_sorted) else []
    return p_sorted[starts], np.diff(np.r_[starts, len(p_sorted)]).astype(np.int64)


class _Generator:
    """Generates the candidate pairs of a chunk of participants and checks them.

    Pairs come out as runs grouped by participant, so participant-side values are repeated
    per participant instead of gathered per pair; checks that concern few participants (a
    gender preference, a pair rule) only look at those participants' pairs.
    """

    def __init__(self, P, V, rules, capacity, active):
        self.P, self.V, self.rules = P, V, rules
        p_ok = active & (P.n_slots > 0)
        v_ok = (capacity > 0) & (V.n_slots > 0)
        p_rows = np.flatnonzero(p_ok & P.in_person)
        v_rows = np.flatnonzero(v_ok & V.in_person)
        self.combos, self.by_loc = _in_person_combos(P, V, p_rows, v_rows)
        v_online = np.flatnonzero(v_ok & V.online)
        n_org = int(max(P.org.max(initial=-1), V.org.max(initial=-1))) + 1
        self.online = _Groups.of(v_online, V.org[v_online], n_org)
        self.p_online = np.flatnonzero(p_ok & P.online)
        self.has_rule = np.zeros(len(P), bool)
        self.has_rule[rules.p] = True

    def pairs_per_participant(self) -> np.ndarray:
        """(P,) number of pairs generated (before checks) per participant."""
        n = np.bincount(self.combos.p, weights=self.combos.n, minlength=len(self.P))
        n[self.p_online] += self.online.count[self.P.org[self.p_online]]
        return n

    def chunk(self, lo: int, hi: int) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Feasible (p, v, c2) runs of participants lo..hi-1, each sorted by participant."""
        a, b = np.searchsorted(self.combos.p, [lo, hi])
        rows, n = self.combos.p[a:b], self.combos.n[a:b]
        v_e = self.by_loc.expand(self.combos.loc[a:b])
        c2 = np.repeat(self.combos.c2[a:b], n)
        keep = self._slot_gender_rules(rows, n, v_e)
        keep &= c2 <= self.V.reach_c2[v_e]  # the participant's radius was checked per combo
        in_person = (np.repeat(rows, n)[keep], v_e[keep], c2[keep])
        rows = self.p_online[(self.p_online >= lo) & (self.p_online < hi)]
        n = self.online.count[self.P.org[rows]]
        v_e = self.online.expand(self.P.org[rows])
        keep = self._slot_gender_rules(rows, n, v_e)
        return [in_person, self._beyond_reach(np.repeat(rows, n)[keep], v_e[keep])]

    def _slot_gender_rules(self, rows, n, v_e) -> np.ndarray:
        """(E,) bool: shared slot, gender, no pair rule, colleague choice; p = repeat(rows, n)."""
        keep = (np.repeat(self.P.slots[rows], n) & self.V.slots[v_e]) != 0
        pref = np.repeat(self.P.gender_pref[rows], n)
        at = np.flatnonzero(keep & (pref >= 0))
        keep[at] = self.V.gender[v_e[at]] == pref[at]
        at = np.flatnonzero(keep & np.repeat(self.has_rule[rows], n))
        keep[at] = rules_ok_edges(self.rules, np.repeat(rows, n)[at], v_e[at], len(self.V))
        at = np.flatnonzero(keep & (self.V.colleagues[v_e] != 0))
        keep[at] = colleague_ok(Operand(self.P, np.repeat(rows, n)[at]), Operand(self.V, v_e[at]))
        return keep

    def _beyond_reach(self, p_e, v_e):
        """Online pairs minus those within in-person reach (already generated in person)."""
        rows, counts = runs_of(p_e)
        p, v = Operand(self.P, rows, repeat=counts), Operand(self.V, v_e)
        c2 = chord2(p, v)
        keep = ~in_person_reach(p, v, c2)
        return p_e[keep], v_e[keep], c2[keep]


# (K,) int64 ascending positions into the (E,) edges
def _top_k(p_e: np.ndarray, score: np.ndarray, k: int) -> np.ndarray:
    """Positions (ascending) of each participant's k best edges (scores in [0, 1]).

    One int64 value sort instead of an argsort: the key packs (participant, 1 - score
    quantised to the bits left, position), so ranking ties finer than that resolution go
    to the earlier edge. The scores themselves are not changed.
    """
    if len(p_e) == 0:
        return np.zeros(0, np.int64)
    p_local = p_e - p_e.min()
    bits_i = int(len(p_e) - 1).bit_length()
    bits_p = int(p_local.max()).bit_length()
    bits_q = 63 - bits_i - bits_p
    if bits_q < 16:  # absurdly large chunk: fall back to an exact argsort
        order = np.lexsort((-score, p_e))
    else:
        q = np.rint((1.0 - np.clip(score, 0.0, 1.0)) * ((1 << bits_q) - 1)).astype(np.int64)
        key = (p_local << (bits_q + bits_i)) | (q << bits_i) | np.arange(len(p_e))
        order = np.sort(key) & ((1 << bits_i) - 1)
    p_sorted = p_e[order]
    starts = np.flatnonzero(np.r_[True, p_sorted[1:] != p_sorted[:-1]])
    rank = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    return np.sort(order[rank < k])


@dataclass(frozen=True)
class Pruning:
    """How to thin out the candidates of very large organisations (see docs/matching.md).

    Organisations generating more than `above` pairs keep, per participant, the `pool` best
    pairs by score; `rounds` of a simultaneous auction on that pool price each volunteer by
    how contested it is; each participant then keeps its `top_k` best by score - price.
    """

    top_k: int = 30
    pool: int = 100
    rounds: int = 8
    above: int = 8_000_000


def candidate_edges(
    participants: ParticipantArrays,
    volunteers: VolunteerArrays,
    weights: WeightTable,
    rules: PairRules | None = None,
    *,
    capacity: np.ndarray | None = None,
    active: np.ndarray | None = None,
    min_score: float = 0.0,
    pruning: Pruning | None = None,
    chunk_edges: int = CHUNK_EDGES,
) -> CandidateEdges:
    """Return the acceptable feasible edges (score >= min_score and > 0), scored.

    capacity: (V,) free capacity (default volunteers.capacity; 0 = never a candidate);
    active: (P,) bool participants to consider (default all); pruning: None = every
    acceptable edge (exact), else `Pruning` applies to organisations above its threshold
    (the count of generated pairs, known before any pair is checked).
    """
    P, V = participants, volunteers
    capacity = V.capacity if capacity is None else np.asarray(capacity)
    active = np.ones(len(P), bool) if active is None else np.asarray(active, bool)
    gen = _Generator(P, V, rules or PairRules.empty(), capacity, active)
    n_feasible = np.zeros(len(P), np.int64)
    n_acceptable = np.zeros(len(P), np.int64)
    generated = gen.pairs_per_participant()
    pruned_p = _pruned_participants(P.org, generated, pruning)
    parts = []
    for lo, hi in _chunks(generated, chunk_edges):
        runs = gen.chunk(lo, hi)
        p_e, v_e, c2 = (np.concatenate(parts) for parts in zip(*runs, strict=True))
        score = np.concatenate([_run_scores(P, V, *run, weights) for run in runs])
        n_feasible += np.bincount(p_e, minlength=len(P))
        ok = acceptable(score, min_score)
        p_e, v_e, c2, score = p_e[ok], v_e[ok], c2[ok], score[ok]
        n_acceptable += np.bincount(p_e, minlength=len(P))
        if pruning is not None and pruned_p[lo:hi].any():
            keep = _keep_unpruned_and_pool(p_e, score, pruned_p, pruning.pool)
            p_e, v_e, c2, score = p_e[keep], v_e[keep], c2[keep], score[keep]
        parts.append((p_e, v_e, score, c2))
    if not parts:
        parts = [(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), np.zeros(0))]
    p_e, v_e, score, c2 = (np.concatenate(col) for col in zip(*parts, strict=True))
    if pruned_p.any():
        keep = _price_adjusted_top(p_e, v_e, score, capacity, pruned_p, pruning)
        p_e, v_e, c2, score = p_e[keep], v_e[keep], c2[keep], score[keep]
    pruned = bool(np.any(n_acceptable[pruned_p] > np.bincount(p_e, minlength=len(P))[pruned_p]))
    return CandidateEdges(p_e, v_e, score, c2, n_feasible, n_acceptable, pruned)


# (E,) float64 in [0, 1]: scores of a run of pairs grouped by participant
def _run_scores(P, V, p_e, v_e, c2, weights) -> np.ndarray:
    rows, counts = runs_of(p_e)
    return total_score(Operand(P, rows, repeat=counts), Operand(V, v_e), c2, weights)


# (P,) bool: participants of organisations whose generated pairs exceed the threshold
def _pruned_participants(org_p: np.ndarray, generated: np.ndarray, pruning) -> np.ndarray:
    if pruning is None or len(org_p) == 0:
        return np.zeros(len(org_p), bool)
    per_org = np.bincount(org_p, weights=generated)
    return per_org[org_p] > pruning.above


# (K,) int64 ascending positions into the (E,) edges
def _keep_unpruned_and_pool(p_e, score, pruned_p, k) -> np.ndarray:
    """Positions (ascending) of all edges of unpruned participants + the pool of the others."""
    mine = pruned_p[p_e]
    pool = np.flatnonzero(mine)[_top_pool(p_e[mine], score[mine], k)]
    return np.sort(np.concatenate([np.flatnonzero(~mine), pool]))


# (K,) int64 ascending positions into the (E,) edges
def _top_pool(p_e: np.ndarray, score: np.ndarray, k: int, bins: int = 64) -> np.ndarray:
    """Positions of each participant's k best edges and their ties within a 1/64 score bin.

    A superset of the k best found with counting instead of sorting: per participant, a
    histogram of scores (in [0, 1]) gives the lowest bin still needed to reach k edges.
    """
    if len(p_e) == 0:
        return np.zeros(0, np.int64)
    p_local = p_e - p_e.min()
    is_heavy = np.bincount(p_local) > k  # participants with more than k edges need a cut
    heavy = is_heavy[p_local]
    rows = (np.cumsum(is_heavy) - 1)[p_local[heavy]]
    level = (bins - 1) - np.minimum((score[heavy] * bins).astype(np.int64), bins - 1)
    counts = np.bincount(rows * bins + level, minlength=(rows.max(initial=-1) + 1) * bins)
    last_needed = (np.cumsum(counts.reshape(-1, bins), axis=1) < k).sum(axis=1)
    keep = np.ones(len(p_e), bool)
    keep[heavy] = level <= last_needed[rows]
    return np.flatnonzero(keep)


# (K,) int64 ascending positions into the (E,) edges
def _price_adjusted_top(p_e, v_e, score, capacity, pruned_p, pruning) -> np.ndarray:
    """Positions (ascending) of the edges kept after pricing the pruned participants' pool."""
    mine = np.flatnonzero(pruned_p[p_e])
    order = mine[np.argsort(p_e[mine], kind="stable")]  # pool grouped by participant
    prices = auction_prices(p_e[order], v_e[order], score[order], capacity, pruning.rounds)
    reduced = (score[order] - prices[v_e[order]] + 1.0) * 0.5  # into [0, 1] for _top_k
    top = order[_top_k(p_e[order], reduced, pruning.top_k)]
    return np.sort(np.concatenate([np.flatnonzero(~pruned_p[p_e]), top]))


# (R,) first best edge position, (R,) best and (R,) second-best values per participant
def _best_two(p_sorted: np.ndarray, value: np.ndarray):
    """Per participant (edges grouped by participant): first best edge, best, second best.

    The second best is at least 0, the value of staying unmatched.
    """
    starts = np.flatnonzero(np.r_[True, p_sorted[1:] != p_sorted[:-1]])
    segment = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(p_sorted)]))
    best = np.maximum.reduceat(value, starts)
    at_best = np.flatnonzero(value == best[segment])
    first = at_best[np.r_[True, segment[at_best][1:] != segment[at_best][:-1]]]
    rest = value.copy()
    rest[first] = -np.inf
    second = np.maximum(np.maximum.reduceat(rest, starts), 0.0)
    return first, best, second


# (V,) float64 >= 0: how contested each volunteer is, in score units
def auction_prices(p_e, v_e, score, capacity, rounds: int) -> np.ndarray:
    """Estimate volunteer prices with `rounds` of a simultaneous (Jacobi) auction.

    Edges grouped by participant. Each round every participant bids on its best volunteer
    by score - price, offering up to its score minus its second-best value (>= 0: staying
    unmatched); a volunteer's price rises to its highest losing bid (the (capacity + 1)-th
    best). Prices only rise. They approximate the LP dual of the volunteer constraints.
    """
    prices = np.zeros(len(capacity))
    if len(p_e) == 0:
        return prices
    for _ in range(rounds):
        first, best, second = _best_two(p_e, score - prices[v_e])
        bidding = best > 0
        edge, bid = first[bidding], (score[first] - second)[bidding]
        order = np.lexsort((-bid, v_e[edge]))
        v_sorted, bid_sorted = v_e[edge][order], bid[order]
        starts = np.flatnonzero(np.r_[True, v_sorted[1:] != v_sorted[:-1]])
        rank = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))
        losing = rank == capacity[v_sorted]
        new = np.zeros(len(capacity))
        new[v_sorted[losing]] = bid_sorted[losing]
        prices = np.maximum(prices, new)
    return prices
