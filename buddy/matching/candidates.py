"""Feasible edges without the (P, V) matrix, optionally pruned for very large organisations.

Distances come from a neighbourhood table (`_Places`): people are placed at the distinct
locations (organisation + neighbourhood centroid) they live at, and the squared chord and
great-circle distance between every two locations of the same organisation are computed
once; a pair's distance is a lookup, never a per-pair haversine.

The feasible set is split into two disjoint blocks, both generated without a Python loop
over participants:
- in person (not both online): each in-person participant takes, from its location's row of
  the table sorted by distance, the prefix within its own radius (a segmented search on
  exact ranks); in-person volunteers are sorted by (location, online, radius), so at each
  such location the volunteers whose radius also reaches are one contiguous suffix;
- online (both online): online participants x online volunteers of the same organisation,
  at any distance (reach holds whatever the distance; proximity still scores the distance
  when both also meet in person within both radii).
The remaining hard constraints are bitmask tests on the generated pairs: a shared slot
(`slots & slots != 0`), the gender preference and the pair rules only where a participant has
them (`PairRules`, `rules_ok_edges`). Work is done in participant chunks of about
`CHUNK_EDGES` generated pairs, so memory stays bounded however large the instance is.
Edges come out grouped by participant (participants ascending), each pair once, volunteer
order within a participant unspecified; indices are int32.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np

from .constraints import PairRules, colleague_ok, distance_km, rules_ok_edges
from .features import Operand, ParticipantArrays, VolunteerArrays, unique_rows
from .scores import PackedScorer, WeightTable, total_score_at
from .solver import acceptable, acceptance_floor, top_pool

CHUNK_EDGES = 1 << 18  # generated (not yet filtered) pairs per chunk
# the compiled loop from this many generated pairs on: below it NumPy takes at most about
# 0.1 s, less than loading the compiled code costs a process the first time (about 0.4 s)
COMPILED_ABOVE = 2_000_000


@dataclass(frozen=True, eq=False)
class CandidateEdges:
    """Scored feasible pairs grouped by participant (ascending), and per-participant counts."""

    p: np.ndarray  # (E,) int32 participant row
    v: np.ndarray  # (E,) int32 volunteer row
    score: np.ndarray  # (E,) float64 in [0, 1]
    n_feasible: np.ndarray  # (P,) int64 feasible volunteers with free capacity
    n_acceptable: np.ndarray  # (P,) int64 of those, scoring >= min_score and > 0
    pruned: bool  # True when pruning dropped acceptable edges
    compiled: bool = False  # True when the compiled loops (kernel.py) made them


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


# (sum(n),) int: start[i], start[i] + 1, ..., start[i] + n[i] - 1 for each i in turn
def _ranges(start: np.ndarray, n: np.ndarray, dtype=np.int64) -> np.ndarray:
    """Concatenated ranges [start[i], start[i] + n[i]) (two passes over the output)."""
    ends = np.cumsum(n)
    out = np.arange(ends[-1] if len(ends) else 0, dtype=dtype)
    out += np.repeat((start - (ends - n)).astype(dtype), n)
    return out


class _Places:
    """Distinct locations and the distances between those of the same organisation.

    A location is (organisation, centroid); location ids sort by organisation, so the
    locations of organisation o are ids first[o] .. first[o] + n[o] - 1. The table holds, for
    every ordered pair (a, b) of locations of one organisation, the squared unit-sphere chord
    and the great-circle distance (km), computed once: cell(a, b) = offset[a] + b - first of
    a's organisation; sum over organisations of n_o^2 cells (16 bytes each: a few dozen to a
    few hundred neighbourhoods per organisation make kilobytes to a few MB). The chord uses
    the same arithmetic as `constraints.chord2`, so lookups equal per-pair computation.
    """

    def __init__(self, P: ParticipantArrays, V: VolunteerArrays):
        keys = np.concatenate([np.column_stack([s.org, s.x, s.y, s.z]) for s in (P, V)]).reshape(
            -1, 4
        )
        table, inverse = unique_rows(keys)
        inverse = inverse.reshape(-1)
        self.loc_p, self.loc_v = inverse[: len(P)], inverse[len(P) :]
        self.org = table[:, 0].astype(np.int64)
        n_org = int(self.org.max(initial=-1)) + 1
        n_of_org = np.bincount(self.org, minlength=n_org)
        self.first = (np.cumsum(n_of_org) - n_of_org)[self.org]  # (L,) first id of a's org
        row_len = n_of_org[self.org]
        self.offset = np.cumsum(row_len) - row_len  # (L,) first cell of row a
        a = np.repeat(np.arange(len(table)), row_len)
        b = _ranges(self.first, row_len)
        x, y, z = table[:, 1], table[:, 2], table[:, 3]
        self.c2 = (x[a] - x[b]) ** 2 + (y[a] - y[b]) ** 2 + (z[a] - z[b]) ** 2
        self.km = distance_km(self.c2)
        self.cell_a, self.cell_b = a, b

    def cell(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Table cell of location pairs (a, b) of the same organisation."""
        return self.offset[a] + (b - self.first[a])

    def within(self, a: np.ndarray, reach_c2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each (location a_i, squared reach r_i): the cells of a_i with chord^2 <= r_i.

        Returns (count per i, the cells concatenated in turn). Rows are sorted by chord once;
        the cut is a segmented binary search on exact ranks (row id * R + rank of the value
        among all chords and reaches), so no comparison is lost to float rounding.
        """
        values = np.unique(np.concatenate([self.c2, reach_c2]))
        n_rank = len(values) + 1
        order = np.lexsort((self.c2, self.cell_a))
        key = self.cell_a[order] * n_rank + np.searchsorted(values, self.c2[order])
        upto = np.searchsorted(key, a * n_rank + np.searchsorted(values, reach_c2), "right")
        count = upto - self.offset[a]
        return count, order[_ranges(self.offset[a], count)]


def _permuted(arrays, rows: np.ndarray, **extra) -> SimpleNamespace:
    """The volunteer arrays gathered at `rows` (contiguous in the generation order)."""
    names = [f for f in arrays.__dataclass_fields__ if f != "ids"]
    return SimpleNamespace(**{f: getattr(arrays, f)[rows] for f in names}, **extra)


class _Generator:
    """Generates the candidate pairs of a chunk of participants and checks them.

    Pairs come out as runs grouped by participant, so participant-side values are repeated
    per participant instead of gathered per pair; checks that concern few participants (a
    gender preference, a pair rule) only look at those participants' pairs.
    """

    def __init__(self, P, V, rules, capacity, active, weights: WeightTable):
        self.P, self.V, self.rules, self.weights = P, V, rules, weights
        self.packed = PackedScorer(P, V, weights) if PackedScorer.usable(weights) else None
        packed_v = self.packed.volunteer_columns(V) if self.packed else {}
        self.places = places = _Places(P, V)
        p_ok = active & (P.n_slots > 0)
        v_ok = (capacity > 0) & (V.n_slots > 0)
        self.has_rule = np.zeros(len(P), bool)
        self.has_rule[rules.p] = True
        # in person: volunteers sorted by (location, online, radius rank)
        v_rows = np.flatnonzero(v_ok & V.in_person)
        reaches = np.unique(V.reach_c2[v_rows])
        n_rank = len(reaches) + 1
        segment = places.loc_v[v_rows] * 2 + V.online[v_rows]
        v_key = segment * n_rank + np.searchsorted(reaches, V.reach_c2[v_rows])
        order = np.argsort(v_key, kind="stable")
        v_key, v_rows = v_key[order], v_rows[order]
        self.vi_rows = v_rows.astype(np.int32)
        self.vi = _permuted(V, v_rows, **{k: c[v_rows] for k, c in packed_v.items()})
        # combos: (participant, volunteer location) within the participant's radius
        p_rows = np.flatnonzero(p_ok & P.in_person)
        count, cells = places.within(places.loc_p[p_rows], P.reach_c2[p_rows])
        cp = np.repeat(p_rows.astype(np.int32), count)
        # each combo: the volunteers at b (not online, then online) whose radius reaches too;
        # a participant who is online takes the online ones in the online block instead.
        # Both depend on the cell (a, b) only: searched once per cell, gathered per combo.
        b = places.cell_b
        rank = np.searchsorted(reaches, places.c2)
        seg_end = np.searchsorted(v_key, np.arange(1, 2 * len(places.org) + 1) * n_rank)
        parts = []
        for f in (0, 1):
            start = np.searchsorted(v_key, (b * 2 + f) * n_rank + rank)
            n = seg_end[b * 2 + f] - start
            start, n = start[cells], n[cells]
            if f == 1:
                n[P.online[cp]] = 0
            parts.append((start, n))
        start = np.column_stack([parts[0][0], parts[1][0]]).reshape(-1)
        n = np.column_stack([parts[0][1], parts[1][1]]).reshape(-1)
        keep = n > 0
        self.c_p = np.repeat(cp, 2)[keep]  # ascending
        self.c_start, self.c_n = start[keep], n[keep]
        self.c_km = np.repeat(places.km[cells], 2)[keep]
        # online: online volunteers grouped by organisation
        v_online = np.flatnonzero(v_ok & V.online)
        n_org = int(max(P.org.max(initial=-1), V.org.max(initial=-1))) + 1
        self.online = _Groups.of(v_online, V.org[v_online], n_org)
        self.vo_rows = self.online.members.astype(np.int32)
        members = self.online.members
        self.vo = _permuted(
            V, members, loc=places.loc_v[members], **{k: c[members] for k, c in packed_v.items()}
        )
        self.p_online = np.flatnonzero(p_ok & P.online)
        # online pairs meet in person too where c2 <= both reaches (-1: not in person)
        self.p_reach = np.where(P.in_person, P.reach_c2, -1.0)
        self.vo.reach = np.where(self.vo.in_person, self.vo.reach_c2, -1.0)
        self.p_row0 = places.offset[places.loc_p] - places.first[places.loc_p]  # cell - loc_v
        for vs in (self.vi, self.vo):  # the colleague rule only where a volunteer has a choice
            vs.any_colleagues = bool(np.any(vs.colleagues != 0))
        self.p_ok = p_ok

    @property
    def compilable(self) -> bool:
        """True when the compiled loop applies: the packed scorer with packed languages."""
        return self.packed is not None and self.packed.lang_packed

    def kernel_layout(self, min_score: float) -> tuple:
        """`kernel.run_pairs`'s arguments after (lo, hi) and before (pool, out, counted)."""
        P, V, k, places = self.P, self.V, self.packed, self.places
        c_ptr = np.searchsorted(self.c_p, np.arange(len(P) + 1, dtype=self.c_p.dtype))
        rule_keys = self.rules.keys(len(V)) if len(self.rules.p) else np.zeros(0, np.int64)
        part = (k.p_word, k.a_base, k.i_class, k.g_base, k.base, P.radius_km, self.p_reach,
                P.gender_pref, self.has_rule, P.employer, self.p_ok & P.online, P.org,
                self.p_row0)
        n_in = len(self.vi_rows)  # the online groups follow the in-person order
        vi, vo = self.vi, self.vo
        volunteers = tuple(
            np.concatenate([a, b]) for a, b in (
                (vi.word, vo.word), (vi.i_class, vo.i_class), (vi.radius_km, vo.radius_km),
                (vi.gender, vo.gender), (vi.colleagues, vo.colleagues),
                (vi.employer, vo.employer), (self.vi_rows, self.vo_rows),
                (places.loc_v[self.vi_rows], vo.loc), (vi.reach_c2, vo.reach),
            )
        ) + (vi.any_colleagues or vo.any_colleagues,)
        table = (places.c2, places.km, k.tab_a, k.tab_i, k.tab_g, k.w["proximity"],
                 k.w["language"], k.MASK_SLOTS, k._MASK_I, k._MASK_G, k._MASK_P, k._MASK_L,
                 acceptance_floor(min_score), rule_keys, len(V))
        runs = (c_ptr, self.c_start, self.c_n, self.c_km, self.online.start + n_in,
                self.online.count)
        return part, runs, volunteers, table

    def pairs_per_participant(self) -> np.ndarray:
        """(P,) number of pairs generated (before checks) per participant."""
        n = np.bincount(self.c_p, weights=self.c_n, minlength=len(self.P))
        n[self.p_online] += self.online.count[self.P.org[self.p_online]]
        return n

    def chunk(self, lo: int, hi: int) -> list[tuple[np.ndarray, ...]]:
        """Feasible runs of participants lo..hi-1: [(p, v, score inputs...)] per block."""
        a, b = np.searchsorted(self.c_p, np.array([lo, hi], self.c_p.dtype))  # no cast of c_p
        rows, n = self.c_p[a:b], self.c_n[a:b]
        q = _ranges(self.c_start[a:b], n, np.int32)
        combo = np.repeat(np.arange(a, b, dtype=np.int32), n)
        keep, x = self._slot_gender_rules(rows, n, self.vi, self.vi_rows, q)
        k = np.flatnonzero(keep)
        combo, q = combo[k], q[k]
        in_person = (self.c_p[combo], q, self.c_km[combo], True, _take(x, k))
        rows = self.p_online[(self.p_online >= lo) & (self.p_online < hi)]
        org = self.P.org[rows]
        n = self.online.count[org]
        q = _ranges(self.online.start[org], n, np.int32)
        keep, x = self._slot_gender_rules(rows, n, self.vo, self.vo_rows, q)
        k = np.flatnonzero(keep)
        p_e, q = np.repeat(rows, n)[k], q[k]
        cell = self.p_row0[p_e] + self.vo.loc[q]
        in_reach = self.places.c2[cell] <= np.minimum(self.p_reach[p_e], self.vo.reach[q])
        online = (p_e.astype(np.int32), q, self.places.km[cell], in_reach, _take(x, k))
        return [in_person, online]

    def _slot_gender_rules(self, rows, n, vs, v_rows, q) -> tuple[np.ndarray, np.ndarray | None]:
        """(E,) bool: shared slot, gender, no pair rule, colleague choice; p = repeat(rows, n).

        With the packed scorer also (E,) int64: the AND of the packed words, whose slot bits
        are the shared-slot test and which the scorer reuses (None otherwise).
        """
        if self.packed is not None:
            x = np.repeat(self.packed.p_word[rows], n)
            x &= vs.word[q]
            keep = (x & PackedScorer.MASK_SLOTS) != 0
        else:
            x = None
            keep = (np.repeat(self.P.slots[rows], n) & vs.slots[q]) != 0
        pref = self.P.gender_pref[rows]
        if np.any(pref >= 0):
            pref = np.repeat(pref, n)
            at = np.flatnonzero(keep & (pref >= 0))
            keep[at] = vs.gender[q[at]] == pref[at]
        if np.any(self.has_rule[rows]):
            at = np.flatnonzero(keep & np.repeat(self.has_rule[rows], n))
            p_at = np.repeat(rows, n)[at]
            keep[at] = rules_ok_edges(self.rules, p_at, v_rows[q[at]], len(self.V))
        if vs.any_colleagues:
            at = np.flatnonzero(keep & (vs.colleagues[q] != 0))
            if len(at):
                p_at = np.repeat(rows, n)[at]
                keep[at] = colleague_ok(Operand(self.P, p_at), Operand(vs, q[at]))
        return keep, x

    def scored(self, block: int, p_e, q, km, in_reach, x) -> tuple[np.ndarray, ...]:
        """(p, v, score) of a block's feasible pairs (p grouped, q into the block's order)."""
        vs, v_rows = (self.vi, self.vi_rows) if block == 0 else (self.vo, self.vo_rows)
        rows, counts = runs_of(p_e)
        p, v = Operand(self.P, rows, repeat=counts), Operand(vs, q)
        if self.packed is not None:
            score = self.packed.score(rows, counts, p, v, km, in_reach, x)
        else:
            score = total_score_at(p, v, km, in_reach, self.weights)
        return p_e, v_rows[q], score


# (E,) p, v, score grouped by participant and (hi - lo,) int64 pairs per participant
def _merged(blocks, lo: int, hi: int) -> tuple[np.ndarray, ...]:
    """The in-person and online blocks (each grouped by participant) merged, in-person first.

    Each pair's merged position is its participant's start, plus its place in its block's
    run (after the participant's in-person pairs for the online ones): scatters, no sort.
    """
    (p0, v0, s0), (p1, v1, s1) = blocks
    c0 = np.bincount(p0 - lo, minlength=hi - lo)
    if len(p1) == 0:
        return p0, v0, s0, c0
    c1 = np.bincount(p1 - lo, minlength=hi - lo)
    if len(p0) == 0:
        return p1, v1, s1, c1
    counts = c0 + c1
    start = np.cumsum(counts) - counts
    at0, at1 = _ranges(start, c0), _ranges(start + c0, c1)
    p_e = np.repeat(np.arange(lo, hi, dtype=np.int32), counts)
    v_e, score = np.empty(len(p_e), v0.dtype), np.empty(len(p_e), s0.dtype)
    v_e[at0], v_e[at1] = v0, v1
    score[at0], score[at1] = s0, s1
    return p_e, v_e, score, counts


def _take(a: np.ndarray | None, k: np.ndarray) -> np.ndarray | None:
    return None if a is None else a[k]


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


# (K,) int64 ascending positions into the (E,) edges
def _top_k(p_e: np.ndarray, score: np.ndarray, k: int, compiled: bool = False) -> np.ndarray:
    """Positions (ascending) of each participant's k best edges (scores in [0, 1]).

    One int64 value sort instead of an argsort: the key packs (participant, 1 - score
    quantised to the bits left, position), so ranking ties finer than that resolution go
    to the earlier edge. The scores themselves are not changed. compiled: the same order
    found per participant run by `kernel.top_k` (edges grouped by participant).
    """
    if len(p_e) == 0:
        return np.zeros(0, np.int64)
    p_local = p_e.astype(np.int64) - p_e.min()
    bits_i = int(len(p_e) - 1).bit_length()
    bits_q = 63 - bits_i - int(p_local.max()).bit_length()
    if bits_q < 16:  # absurdly large chunk: fall back to an exact argsort
        order = np.lexsort((-score, p_e))
    elif compiled:
        from . import kernel

        return kernel.top_k(p_e, score, k, float((1 << bits_q) - 1))
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
    above: int = 1_000_000


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
    compiled: bool | None = None,
) -> CandidateEdges:
    """Return the acceptable feasible edges (score >= min_score and > 0), scored.

    capacity: (V,) free capacity (default volunteers.capacity; 0 = never a candidate);
    active: (P,) bool participants to consider (default all); pruning: None = every
    acceptable edge (exact), else `Pruning` applies to organisations above its threshold
    (the count of generated pairs, known before any pair is checked). compiled: True = the
    compiled loops (`kernel.py`) wherever they apply, False = the NumPy path (the same
    edges), None = compiled from `COMPILED_ABOVE` generated pairs on.
    """
    P, V = participants, volunteers
    capacity = V.capacity if capacity is None else np.asarray(capacity)
    active = np.ones(len(P), bool) if active is None else np.asarray(active, bool)
    gen = _Generator(P, V, rules or PairRules.empty(), capacity, active, weights)
    n_feasible = np.zeros(len(P), np.int64)
    n_acceptable = np.zeros(len(P), np.int64)
    generated = gen.pairs_per_participant()
    pruned_p = _pruned_participants(P.org, generated, pruning)
    chunks = list(_chunks(generated, chunk_edges))
    compiled = _choose_compiled(gen, generated, compiled)
    if compiled:
        parts = _compiled_parts(gen, chunks, generated, min_score, pruning, pruned_p,
                                n_feasible, n_acceptable)
    else:
        parts = _numpy_parts(gen, chunks, min_score, pruning, pruned_p, n_feasible, n_acceptable)
    if not parts:
        parts = [(np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0))]
    p_e, v_e, score = (np.concatenate(col) for col in zip(*parts, strict=True))
    del parts
    if pruned_p.any():
        keep = _price_adjusted_top(p_e, v_e, score, capacity, pruned_p, pruning, compiled)
        p_e, v_e, score = p_e[keep], v_e[keep], score[keep]
    pruned = bool(np.any(n_acceptable[pruned_p] > np.bincount(p_e, minlength=len(P))[pruned_p]))
    return CandidateEdges(p_e, v_e, score, n_feasible, n_acceptable, pruned, compiled)


def _choose_compiled(gen: _Generator, generated: np.ndarray, compiled: bool | None) -> bool:
    """Whether candidate_edges runs the compiled loops (see its `compiled` argument)."""
    if compiled is None:
        compiled = generated.sum() >= COMPILED_ABOVE
    return bool(compiled and gen.compilable)


# [(p, v, score)] per chunk: acceptable edges, the pruned participants' cut to their pool
def _compiled_parts(gen, chunks, generated, min_score, pruning, pruned_p, n_feasible,
                    n_acceptable) -> list[tuple[np.ndarray, ...]]:
    """The chunks through `kernel.run_pairs`, in buffers sized for the largest chunk."""
    from . import kernel  # Numba loads here, only in processes that match

    cum = np.r_[0, np.cumsum(generated)]
    size = max((int(cum[hi] - cum[lo]) for lo, hi in chunks), default=0)
    out = (np.empty(size, np.int32), np.empty(size, np.int32), np.empty(size))
    layout = gen.kernel_layout(min_score)
    pool = (pruning.pool if pruning is not None else 0, pruned_p)
    parts = []
    for lo, hi in chunks:
        n = kernel.run_pairs(lo, hi, *layout, pool, out, (n_feasible, n_acceptable))
        parts.append(tuple(a[:n].copy() for a in out))
    return parts


# [(p, v, score)] per chunk, as _compiled_parts, with NumPy array passes
def _numpy_parts(gen, chunks, min_score, pruning, pruned_p, n_feasible,
                 n_acceptable) -> list[tuple[np.ndarray, ...]]:
    parts = []
    for lo, hi in chunks:
        blocks = [gen.scored(i, *run) for i, run in enumerate(gen.chunk(lo, hi))]
        p_e, v_e, score, counts = _merged(blocks, lo, hi)
        n_feasible[lo:hi] += counts
        ok = acceptable(score, min_score)
        if not ok.all():
            p_e, v_e, score = p_e[ok], v_e[ok], score[ok]
            counts = np.bincount(p_e - lo, minlength=hi - lo)
        n_acceptable[lo:hi] += counts
        if pruning is not None and pruned_p[lo:hi].any():
            keep = _keep_unpruned_and_pool(p_e, score, pruned_p, pruning.pool)
            p_e, v_e, score = p_e[keep], v_e[keep], score[keep]
        parts.append((p_e, v_e, score))
    return parts


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
    if mine.all():  # the usual case: one big organisation fills the chunk
        return top_pool(p_e, score, k)
    pool = np.flatnonzero(mine)[top_pool(p_e[mine], score[mine], k)]
    return np.sort(np.concatenate([np.flatnonzero(~mine), pool]))


# (K,) int64 ascending positions into the (E,) edges
def _price_adjusted_top(p_e, v_e, score, capacity, pruned_p, pruning, compiled) -> np.ndarray:
    """Positions (ascending) of the edges kept after pricing the pruned participants' pool."""
    mine = pruned_p[p_e]
    if mine.all():  # the usual case (one big organisation): no copies of the pool
        return _priced_top(p_e, v_e, score, capacity, pruning, compiled)
    order = np.flatnonzero(mine)
    if np.any(np.diff(p_e[order]) < 0):  # candidate_edges keeps them grouped already
        order = order[np.argsort(p_e[order], kind="stable")]
    top = order[_priced_top(p_e[order], v_e[order], score[order], capacity, pruning, compiled)]
    return np.sort(np.concatenate([np.flatnonzero(~mine), top]))


# (K,) int64 ascending positions into the (E,) pool edges (grouped by participant)
def _priced_top(p_e, v_e, score, capacity, pruning, compiled=False) -> np.ndarray:
    """Each participant's `top_k` pool edges by score - auction price.

    compiled: the auction and the selection as loops (`kernel.py`; the same edges).
    """
    if compiled:
        from . import kernel

        prices = kernel.auction_prices(p_e, v_e, score, np.asarray(capacity, np.int64),
                                       pruning.rounds)
    else:
        prices = auction_prices(p_e, v_e, score, capacity, pruning.rounds)
    reduced = np.take(prices, v_e, mode="clip")
    np.subtract(score, reduced, out=reduced)
    reduced += 1.0
    reduced *= 0.5  # into [0, 1] for _top_k
    return _top_k(p_e, reduced, pruning.top_k, compiled)


# (R,) first best edge position, (R,) best and (R,) second-best values per participant
def _best_two(p_sorted: np.ndarray, value: np.ndarray, runs=None, buffers=None):
    """Per participant (edges grouped by participant): first best edge, best, second best.

    The second best is at least 0, the value of staying unmatched. `runs` = (starts,
    segment) of p_sorted when the caller already has them (they do not change per round);
    `buffers` = two (E,) float64 arrays to work in (fresh memory is not free).
    """
    starts, segment = _segments(p_sorted) if runs is None else runs
    spread, rest = buffers if buffers is not None else np.empty((2, len(value)))
    best = np.maximum.reduceat(value, starts)
    np.take(best, segment, out=spread, mode="clip")
    at_best = np.flatnonzero(value == spread)
    first = at_best[np.r_[True, segment[at_best][1:] != segment[at_best][:-1]]]
    np.copyto(rest, value)
    rest[first] = -np.inf
    second = np.maximum(np.maximum.reduceat(rest, starts), 0.0)
    return first, best, second


# (R,) run starts and (E,) run number of a grouped row array
def _segments(p_sorted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    starts = np.flatnonzero(np.r_[True, p_sorted[1:] != p_sorted[:-1]])
    segment = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(p_sorted)]))
    return starts, segment


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
    runs = _segments(p_e)
    value, *buffers = np.empty((3, len(p_e)))  # reused every round
    for _ in range(rounds):
        np.take(prices, v_e, out=value, mode="clip")
        np.subtract(score, value, out=value)
        first, best, second = _best_two(p_e, value, runs, buffers)
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
