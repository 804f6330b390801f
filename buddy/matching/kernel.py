"""The candidate stage's loops, compiled with Numba: generate, check, score and keep the
pairs (`run_pairs`), price the pool (`auction_prices`) and keep the best (`top_k`).

`candidates._Generator` lays the pairs out as runs (see candidates.py): an in-person
participant's combos (start, count) into the volunteers sorted by location, and an online
participant's organisation group of online volunteers. In NumPy every generated pair costs
a dozen passes over (E,) temporaries (about 36 million generated pairs in the region case);
this loop visits each pair once, keeps the feasible ones, scores them from the packed
scorer's tables (`scores.PackedScorer`: the same tables, the same sums in the same order,
so the scores are bit for bit those of the NumPy path) and writes only what is acceptable
(`solver.acceptance_floor`), optionally only each pruned participant's pool
(`solver.top_pool`'s rule). The output order is the NumPy path's: participants ascending,
in-person pairs in run order, then online pairs. `tests/matching/test_matching_kernel.py`
compares both paths edge for edge. `auction_prices` and `top_k` are
`candidates.auction_prices` and `candidates._top_k` as loops, with the same results.

Compiled once per machine: `cache=True` keeps the machine code in `__pycache__` (or
NUMBA_CACHE_DIR). candidates.py imports this module on first use, so processes that never
match (web workers serving pages) do not load Numba.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, inline="always")
def _popcount(x):
    """Set bits of a non-negative int64 (SWAR; LLVM turns it into one instruction)."""
    x = x - ((x >> 1) & 0x5555555555555555)
    x = (x & 0x3333333333333333) + ((x >> 2) & 0x3333333333333333)
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0F
    return (x * 0x0101010101010101) >> 56


@njit(cache=True, inline="always")
def _level(score):
    """`solver.top_pool`'s bin of a score in [0, 1] (its 64 bins): 0 (best) .. 63."""
    return 63 - min(int(score * 64), 63)


@njit(cache=True, inline="always")
def _pool_level(score, first, end, k, counts):
    """The worst bin that `top_pool` keeps of score[first:end] (`counts`: (64,) scratch)."""
    counts[:] = 0
    for e in range(first, end):
        counts[_level(score[e])] += 1
    last, total = 0, 0
    for level in range(64):
        total += counts[level]
        if total < k:
            last += 1
    return last


@njit(cache=True, nogil=True, error_model="numpy")
def run_pairs(lo, hi, part, runs, volunteers, table, pool, out, counted):
    """Write the acceptable pairs of participants lo..hi-1 to `out`; return how many.

    Tuples as laid out by `candidates._Generator.kernel_layout` (the volunteer columns hold
    the in-person order, then the online groups); pool = (k, (P,) bool pruned), k = 0 for
    none; out = (p, v, score) buffers of at least the pairs generated for lo..hi-1;
    counted = ((P,) feasible, (P,) acceptable), added to. Arrays are unpacked here, once:
    the loops touch no tuple (each unpacking counts references).
    """
    p_word, a_base, i_class, g_base, base, p_radius, p_reach, gender_pref, has_rule, \
        p_employer, online_p, p_org, p_row0 = part
    c_ptr, c_start, c_n, c_km, on_start, on_count = runs
    word_v, iclass_v, radius_v, gender_v, colleagues_v, employer_v, rows_v, loc_v, \
        reach_v, any_colleagues = volunteers
    c2_table, km_table, tab_a, tab_i, tab_g, w_prox, w_lang, mask_s, mask_i, mask_g, \
        mask_p, mask_l, floor, rule_keys, n_v = table
    pool_k, pruned = pool
    out_p, out_v, out_s = out
    n_feasible, n_acceptable = counted
    levels = np.zeros(64, np.int64)
    w = 0
    for i in range(lo, hi):
        first, feasible = w, 0
        word, pref, rule = p_word[i], gender_pref[i], has_rule[i]
        last_run = c_ptr[i + 1] + (1 if online_p[i] else 0)
        for c in range(c_ptr[i], last_run):
            online = c == c_ptr[i + 1]  # the participant's online group, after its runs
            if online:
                q0 = on_start[p_org[i]]
                q1, km, cell0 = q0 + on_count[p_org[i]], 0.0, p_row0[i]
            else:
                q0, q1, km, cell0 = c_start[c], c_start[c] + c_n[c], c_km[c], 0
            in_reach = True
            for q in range(q0, q1):
                x = word & word_v[q]
                if (x & mask_s) == 0 or (pref >= 0 and gender_v[q] != pref):
                    continue
                v_row = rows_v[q]
                if rule:
                    key = i * n_v + v_row
                    at = np.searchsorted(rule_keys, key)
                    if at < len(rule_keys) and rule_keys[at] == key:
                        continue
                if any_colleagues and colleagues_v[q] != 0:
                    same = employer_v[q] >= 0 and p_employer[i] == employer_v[q]
                    if (colleagues_v[q] == 1) != same:
                        continue
                feasible += 1
                # the score: PackedScorer.score's terms, in its order
                if online:
                    cell = cell0 + loc_v[q]
                    km = km_table[cell]
                    in_reach = c2_table[cell] <= min(p_reach[i], reach_v[q])
                total = tab_a[a_base[i] + _popcount(x & mask_s)]
                reach_km = min(p_radius[i], radius_v[q])
                left = 1.0 if reach_km <= 0 else min(max(1.0 - km / reach_km, 0.0), 1.0)
                total += w_prox * (left if in_reach else 0.0)
                ic = min(i_class[i], iclass_v[q])
                total += tab_i[(ic << 5) + _popcount(x & mask_i)]
                total += tab_g[g_base[i] + (_popcount(x & mask_p) << 5) + _popcount(x & mask_g)]
                total += w_lang * (1.0 if (x & mask_l) != 0 else 0.0)
                total += base[i]
                if total >= floor:
                    out_p[w], out_v[w], out_s[w] = i, v_row, total
                    w += 1
        n_feasible[i] += feasible
        n_acceptable[i] += w - first
        if pool_k > 0 and pruned[i] and w - first > pool_k:
            last = _pool_level(out_s, first, w, pool_k, levels)
            end = first
            for e in range(first, w):
                if _level(out_s[e]) <= last:
                    out_p[end], out_v[end], out_s[end] = out_p[e], out_v[e], out_s[e]
                    end += 1
            w = end
    return w


@njit(cache=True, nogil=True, error_model="numpy")
def auction_prices(p_e, v_e, score, capacity, rounds):
    """`candidates.auction_prices` in one loop per round (the same prices, bit for bit)."""
    prices = np.zeros(len(capacity))
    n = len(p_e)
    if n == 0:
        return prices
    starts = np.flatnonzero(np.concatenate((np.ones(1, np.bool_), p_e[1:] != p_e[:-1])))
    ends = np.append(starts[1:], n)
    first = np.empty(len(starts), np.int64)
    bid = np.empty(len(starts))
    n_bids = np.zeros(len(capacity) + 1, np.int64)
    bids = np.empty(len(starts))
    for _ in range(rounds):
        n_bids[:] = 0
        m = 0
        for r in range(len(starts)):
            best, at = -np.inf, -1
            for e in range(starts[r], ends[r]):
                value = score[e] - prices[v_e[e]]
                if value > best:
                    best, at = value, e
            if not best > 0:
                continue
            second = -np.inf
            for e in range(starts[r], ends[r]):
                if e != at:
                    second = max(second, score[e] - prices[v_e[e]])
            first[m], bid[m] = at, score[at] - max(second, 0.0)
            n_bids[v_e[at] + 1] += 1
            m += 1
        # each volunteer's price rises to its (capacity + 1)-th best bid
        offset = np.cumsum(n_bids)
        fill = offset[:-1].copy()
        for j in range(m):
            v = v_e[first[j]]
            bids[fill[v]] = bid[j]
            fill[v] += 1
        new = prices.copy()
        for v in range(len(capacity)):
            lo, hi = offset[v], offset[v + 1]
            if hi - lo > capacity[v]:
                group = np.sort(bids[lo:hi])  # ascending: the (c + 1)-th best is hi-lo-1-c
                new[v] = max(prices[v], group[hi - lo - 1 - capacity[v]])
        prices = new
    return prices


@njit(cache=True, nogil=True, error_model="numpy")
def top_k(p_e, value, k, scale):
    """`candidates._top_k` (its quantised order: q = rint((1 - clip(v)) * scale), then
    position) per participant run; returns the kept positions, ascending."""
    n = len(p_e)
    keep = np.empty(n, np.int64)
    w = 0
    lo = 0
    while lo < n:
        hi = lo + 1
        while hi < n and p_e[hi] == p_e[lo]:
            hi += 1
        if hi - lo <= k:
            for e in range(lo, hi):
                keep[w] = e
                w += 1
        else:
            q = np.empty(hi - lo, np.int64)
            for e in range(lo, hi):
                q[e - lo] = np.int64(np.rint((1.0 - min(max(value[e], 0.0), 1.0)) * scale))
            chosen = np.sort(np.argsort(q, kind="mergesort")[:k])
            for j in chosen:
                keep[w] = lo + j
                w += 1
        lo = hi
    return keep[:w]


def warm() -> None:
    """Compile (or load from the cache) every function above for the types matching uses.

    Run once after installing or upgrading (`python -m buddy.matching.kernel`, see
    docs/deploy.md) so that no coordinator's first matching waits for the compiler.
    """
    from .candidates import Pruning
    from .features import ParticipantRow, VolunteerRow
    from .pipeline import MatchingOptions, run_matching

    here = {"organisation_id": 1, "slots": 0b11, "lat": 52.09, "lon": 5.12}
    participants = [ParticipantRow(id=1, **here), ParticipantRow(id=2, online=True, **here)]
    volunteers = [VolunteerRow(id=1, online=True, **here), VolunteerRow(id=2, **here)]
    options = MatchingOptions(pruning=Pruning(top_k=1, pool=1, above=0), compiled=True)
    run_matching(participants, volunteers, forbidden=[(1, 2)], explain=False, options=options)


if __name__ == "__main__":
    warm()
