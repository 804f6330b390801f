"""Maximum-score assignment with volunteer capacities (a b-matching), exact.

A pair is allowed when its score is finite, >= min_score and > 0 (`acceptable`, the one place
that rule is written); maximise the total score of chosen pairs with each participant matched
at most once and volunteer v at most capacity[v] times. Leaving a participant unmatched
scores 0.

The allowed-edge graph is split into connected components (nothing is lost: no matching edge
crosses components). A component with one participant takes its best edge (vectorised over
all such components); the others are solved exactly by one of
- `scipy.optimize.linear_sum_assignment` on a dense (participants x slots) cost matrix, every
  volunteer expanded into capacity-many identical slot columns, cost -score on allowed cells
  and 0 elsewhere. A 0 cell plays "stay unmatched": any matching extends to a full
  rectangular assignment through 0 cells with the same total, so the optimum is unchanged and
  chosen 0 cells are dropped. Used while participants x slots <= `DENSE_CELL_LIMIT`, where
  the benchmark (`bench_matching.py --case crossover`) shows it beats the flow solver;
- a min-cost flow with native capacities (Google OR-Tools `SimpleMinCostFlow`, cost-scaling
  push-relabel) for every larger component, one call per component (one call for all of
  them was slower: 8.1 s against 4.5 s CPU on the country case): each participant supplies one
  unit; arcs participant -> volunteer (capacity 1, cost -round(score * scale)), participant
  -> sink (capacity 1, cost 0: stays unmatched), volunteer -> sink (capacity = free slots);
  the sink demands one unit per participant. Components of at least `PRICING_ABOVE` edges
  are solved by pricing (column generation, `_solve_by_pricing`): a restricted flow of each
  participant's best edges, then every other edge priced by node potentials of its optimum
  and added while some reduced cost is negative; the result is proved optimal for all edges.

Integer costs (`cost_scale`): scores are multiplied by scale = COST_RESOLUTION / max score
and rounded, so every cost is off by at most 0.5 / scale in score units. If M is the flow
optimum and M* the true optimum (each at most k pairs, k = min(participants, slots)),
score(M) >= score(M*) - k / scale, i.e. the relative loss is at most k / COST_RESOLUTION
(max score <= score(M*) because the best pair alone is a matching). With COST_RESOLUTION =
2**40 that is below 1e-7 for k up to 100,000; equal scores stay exactly equal after rounding.
"""

from __future__ import annotations

import numpy as np
from ortools.graph.python.min_cost_flow import SimpleMinCostFlow
from scipy.optimize import linear_sum_assignment
from scipy.sparse import csr_array
from scipy.sparse.csgraph import connected_components

DENSE_CELL_LIMIT = 300_000  # participants x slots above which a component goes to the flow
COMPONENT_SAMPLE = 1_000_000  # edges above which components start from a sample of them
PRICING_ABOVE = 1_000_000  # edges of a flow component from which pricing wins (benchmark)
PRICING_POOL = 30  # each participant's best edges in the first restricted solve
PRICING_MARGIN = 0.02  # also add edges this close to improving (share of the best score)
PRICING_ROUNDS = 10  # restricted solves before the whole graph goes to OR-Tools instead
POTENTIAL_ROUNDS = 2_000  # Bellman-Ford rounds for the potentials before giving up on pricing
COST_RESOLUTION = 2**40  # the best score becomes this integer cost (see the module doc)
_INT64_HEADROOM = 2**62  # OR-Tools checks |cost| * (nodes + 1) fits in int64


# (n,) bool: the acceptance rule, written once
def acceptable(score: np.ndarray, min_score: float = 0.0) -> np.ndarray:
    """True where a score may be proposed: finite, >= min_score and > 0 (NaN/-inf: never)."""
    score = np.asarray(score, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        return np.isfinite(score) & (score >= acceptance_floor(min_score))


def acceptance_floor(min_score: float = 0.0) -> float:
    """The least acceptable score: max(min_score, the smallest float above 0).

    For a finite score, score >= floor is "score >= min_score and score > 0".
    """
    return max(_check_min_score(min_score), float(np.nextafter(0.0, 1.0)))


# (sum(counts),) int64
def ragged_arange(counts: np.ndarray) -> np.ndarray:
    """Concatenate arange(c) for each c in counts: [2, 3] -> [0, 1, 0, 1, 2]."""
    counts = np.asarray(counts, dtype=np.int64)
    ends = np.cumsum(counts)
    return np.arange(ends[-1] if len(ends) else 0) - np.repeat(ends - counts, counts)


def _as_capacity(capacity: object, n_volunteers: int) -> np.ndarray:
    cap = np.asarray(capacity)
    if cap.shape != (n_volunteers,):
        raise ValueError(f"capacity must have shape ({n_volunteers},), got {cap.shape}")
    if cap.dtype.kind not in "iufb":
        raise ValueError(f"capacity must be numeric, got dtype {cap.dtype}")
    if cap.dtype.kind == "f" and not np.all(np.isfinite(cap) & (cap == np.round(cap))):
        raise ValueError("capacity must hold whole numbers")
    cap = cap.astype(np.int64)
    if np.any(cap < 0):
        raise ValueError("capacity must be >= 0")
    return cap


def _check_min_score(min_score: float) -> float:
    min_score = float(min_score)
    if np.isnan(min_score):
        raise ValueError("min_score must not be NaN")
    return min_score


def assign(
    score: object, capacity: object, min_score: float = 0.0, *, dense_cell_limit: int | None = None
) -> list[tuple[int, int]]:
    """Return (participant, volunteer) index pairs of a maximum-total-score assignment.

    score: (P, V) numbers, NaN or -inf = forbidden; capacity: (V,) whole numbers >= 0.
    Each participant is matched at most once, volunteer v at most capacity[v] times, only
    pairs with score >= min_score. Pairs scoring <= 0 never raise the total and are never
    proposed (that tie is broken towards leaving the participant unmatched). The result is
    sorted by participant and identical for identical input. Raises ValueError on bad input.
    """
    score_pv = np.asarray(score, dtype=np.float64)
    if score_pv.ndim != 2:
        raise ValueError(f"score must be 2-D (participants, volunteers), got {score_pv.shape}")
    if np.any(np.isposinf(score_pv)):
        raise ValueError("score must not contain +inf")
    n_p, n_v = score_pv.shape
    cap = _as_capacity(capacity, n_v)
    p_e, v_e = np.nonzero(acceptable(score_pv, min_score))
    pairs_p, pairs_v = assign_edges(
        p_e,
        v_e,
        score_pv[p_e, v_e],
        cap,
        n_p,
        min_score=min_score,
        dense_cell_limit=dense_cell_limit,
    )
    return list(zip(pairs_p.tolist(), pairs_v.tolist(), strict=True))


def assign_edges(
    p_e: np.ndarray,
    v_e: np.ndarray,
    score_e: np.ndarray,
    capacity: np.ndarray,
    n_participants: int,
    *,
    min_score: float = 0.0,
    dense_cell_limit: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Solve `assign` on an edge list of unique (participant, volunteer) pairs.

    Returns (participant rows, volunteer rows) int64 arrays sorted by participant.
    """
    p_e, v_e = np.asarray(p_e, np.int64), np.asarray(v_e, np.int64)
    chosen = solve_edges(
        p_e,
        v_e,
        score_e,
        capacity,
        n_participants,
        min_score=min_score,
        dense_cell_limit=dense_cell_limit,
    )
    return p_e[chosen], v_e[chosen]


def solve_edges(
    p_e: np.ndarray,
    v_e: np.ndarray,
    score_e: np.ndarray,
    capacity: np.ndarray,
    n_participants: int,
    *,
    min_score: float = 0.0,
    dense_cell_limit: int | None = None,
    stats: dict | None = None,
    grouped: bool = False,
) -> np.ndarray:
    """Return the positions of the chosen edges (sorted by participant); see `assign`.

    `stats`, when given, receives components, largest_rows, largest_cols (participants and
    slots of the largest component), dense_components and flow_components. `grouped=True`
    promises unique pairs grouped by participant (participants ascending, volunteers in any
    order), as `candidate_edges` makes them: the global (participant, volunteer) sort and
    its copies are skipped (ties between single-participant options still go to the lowest
    volunteer row; the dense path orders its own small components).
    """
    limit = DENSE_CELL_LIMIT if dense_cell_limit is None else int(dense_cell_limit)
    cap = _as_capacity(capacity, len(capacity))
    p_e, v_e = _as_index(p_e), _as_index(v_e)
    score_e = np.asarray(score_e, np.float64)
    _check_edges(p_e, v_e, score_e, n_participants, len(cap))
    if grouped:
        if np.any(p_e[1:] < p_e[:-1]):
            raise ValueError("grouped edges must have participants in ascending order")
        ok = acceptable(score_e, min_score)
        ok &= (cap > 0)[v_e]
        kept = None if ok.all() else np.flatnonzero(ok)  # None: every edge, in order
        del ok
    else:
        kept = _allowed_sorted(p_e, v_e, score_e, cap, min_score)
        if len(kept) == len(p_e) and not np.any(kept[1:] < kept[:-1]):
            kept = None
    if kept is None:  # no copies of large edge lists
        p_k, v_k, s_k = p_e, v_e, score_e
    else:
        p_k, v_k, s_k = p_e[kept], v_e[kept], score_e[kept]
    # a volunteer never needs more slots than participants who can reach them
    cap = np.minimum(cap, np.bincount(v_k, minlength=len(cap)))
    comp = _Components(p_k, v_k, cap, n_participants)
    kind = comp.kinds(limit)
    _set_stats(stats, comp, kind)
    if len(kind) == 1 and kind[0] == _FLOW:  # one large component (one big organisation)
        chosen_e = solve_flow(p_k, v_k, s_k, cap, stats)
        return chosen_e if kept is None else kept[chosen_e]  # edges grouped: still sorted
    comp.label_edges(p_k)
    edge_kind = comp.kind_e(kind)
    chosen = [_best_single(p_k, v_k, s_k, np.flatnonzero(edge_kind == _SINGLE))]
    for c, edges in comp.edge_groups(edge_kind == _DENSE):
        chosen.append(_solve_dense(comp, c, edges, p_k, v_k, s_k))
    del edge_kind
    for _c, edges in comp.edge_groups(comp.kind_e(kind) == _FLOW):  # one of several
        chosen.append(edges[solve_flow(p_k[edges], v_k[edges], s_k[edges], cap, stats)])
    chosen_e = np.concatenate(chosen)
    if kept is not None:
        chosen_e = kept[chosen_e]
    return chosen_e[np.argsort(p_e[chosen_e], kind="stable")]


# (E',) int64 positions of allowed edges, sorted by (participant, volunteer)
def _allowed_sorted(p_e, v_e, score_e, cap, min_score) -> np.ndarray:
    """Positions of the allowed edges, ordered by (participant, volunteer)."""
    if np.any(np.isposinf(score_e)):
        raise ValueError("score must not contain +inf")
    kept = np.flatnonzero(acceptable(score_e, min_score) & (cap[v_e] > 0))
    key = p_e[kept].astype(np.int64) * len(cap) + v_e[kept]
    step = np.diff(key)
    if np.any(step < 0):
        order = np.argsort(key, kind="stable")
        kept, step = kept[order], np.diff(key[order])
    if np.any(step == 0):
        raise ValueError("edges must be unique (participant, volunteer) pairs")
    return kept


def _as_index(a) -> np.ndarray:
    """Row indices as given when they are int32/int64 (no copy), else as int64."""
    a = np.asarray(a)
    return a if a.dtype in (np.int32, np.int64) else a.astype(np.int64)


def _check_edges(p_e, v_e, score_e, n_p: int, n_v: int) -> None:
    if not (p_e.ndim == v_e.ndim == score_e.ndim == 1 and len(p_e) == len(v_e) == len(score_e)):
        raise ValueError("p_e, v_e and score_e must be 1-D arrays of equal length")
    if len(p_e) and (p_e.min() < 0 or p_e.max() >= n_p or v_e.min() < 0 or v_e.max() >= n_v):
        raise ValueError("edge endpoints out of range")


_SINGLE, _DENSE, _FLOW = 0, 1, 2


def _set_stats(stats: dict | None, comp: _Components, kind: np.ndarray) -> None:
    if stats is None:
        return
    cells = comp.rows * comp.slots
    big = int(np.argmax(cells)) if len(cells) else -1
    stats.update(
        components=len(kind),
        largest_rows=int(comp.rows[big]) if big >= 0 else 0,
        largest_cols=int(comp.slots[big]) if big >= 0 else 0,
        dense_components=int(np.sum(kind == _DENSE)),
        flow_components=int(np.sum(kind == _FLOW)),
        pricing_rounds=0,
    )


# (n_components, (n_p + n_v,) labels): nodes are participants, then volunteers
def _component_labels(p_e, v_e, n_p: int, n_v: int) -> tuple[int, np.ndarray]:
    """Connected components of the edge graph (edges grouped by participant).

    Above `COMPONENT_SAMPLE` edges, the components of an evenly spread sample of them come
    first; the edges whose ends that sample left apart are added and the components taken
    again. That is exact: every edge left out joins two nodes the sample already connects.
    On a dense graph (millions of edges, one organisation) few edges are added.
    """
    if len(p_e) <= COMPONENT_SAMPLE:
        return _connected(p_e, v_e, n_p, n_v)
    keep = np.zeros(len(p_e), bool)
    keep[:: len(p_e) // (COMPONENT_SAMPLE // 4)] = True
    _n, labels = _connected(p_e[keep], v_e[keep], n_p, n_v)
    keep |= labels[p_e] != labels[n_p:][v_e]
    return _connected(p_e[keep], v_e[keep], n_p, n_v)


def _connected(p_e, v_e, n_p: int, n_v: int) -> tuple[int, np.ndarray]:
    """scipy's connected components of the edges (grouped by participant), built as CSR."""
    indptr = np.zeros(n_p + n_v + 1, np.int64)
    indptr[1 : n_p + 1] = np.cumsum(np.bincount(p_e, minlength=n_p))
    indptr[n_p + 1 :] = len(p_e)
    index_type = np.int32 if n_p + n_v + len(p_e) < 2**31 else np.int64
    graph = csr_array(
        # float64 ones: csgraph converts to float64 anyway (int8 data made it also sort)
        (np.ones(len(p_e)), np.add(v_e, n_p, dtype=index_type), indptr.astype(index_type)),
        shape=(n_p + n_v, n_p + n_v),
    )
    return connected_components(graph, directed=False)


class _Components:
    """Connected components of the allowed-edge graph with local row / slot numbering.

    Edges must be grouped by participant (ascending). Components are numbered among those
    with edges only; `label_e` is int32.
    """

    def __init__(self, p_e: np.ndarray, v_e: np.ndarray, cap: np.ndarray, n_p: int):
        n_v = len(cap)
        _n, labels = _component_labels(p_e, v_e, n_p, n_v)
        # renumber the components that have edges 0..C-1 (isolated nodes are their own)
        p_nodes = np.flatnonzero(np.bincount(p_e, minlength=n_p))
        used, rank = _compact(labels[p_nodes])
        relabel = np.full(_n, -1, np.int64)
        relabel[used] = np.arange(len(used))
        labels = relabel[labels]
        self.n_comp = len(used)
        self.label_p = labels[:n_p].astype(np.int32)
        self.label_e = None  # (E,) int32, filled by label_edges when there are several
        v_nodes = np.flatnonzero(np.bincount(v_e, minlength=n_v))
        # participants with edges, grouped by component: local row = rank in the group
        self.rows, self.local_row = _group(p_nodes, labels[:n_p], self.n_comp)
        # volunteers' slots, grouped by component: local column of a volunteer's first slot
        self.slots, self.first_slot = _group(v_nodes, labels[n_p:], self.n_comp, cap)
        self.cap = cap

    def label_edges(self, p_e: np.ndarray) -> None:
        """Label every edge with its component (not needed for a single component)."""
        self.label_e = self.label_p[p_e]

    def kinds(self, dense_cell_limit: int) -> np.ndarray:
        """(C,) int8: _SINGLE (one participant), _DENSE (cells <= limit) or _FLOW."""
        kind = np.where(self.rows * self.slots <= dense_cell_limit, _DENSE, _FLOW)
        return np.where(self.rows == 1, _SINGLE, kind).astype(np.int8)

    def kind_e(self, kind: np.ndarray) -> np.ndarray:
        """(E,) int8 kind of every edge's component."""
        return kind[self.label_e]

    def edge_groups(self, mask: np.ndarray):
        """Yield (component, ascending edge positions) for the components of masked edges."""
        at = np.flatnonzero(mask)
        if len(at) == 0:
            return
        first = self.label_e[at[0]]
        if np.all(self.label_e[at] == first):  # one component (e.g. one big organisation)
            yield int(first), at
            return
        at = at[np.argsort(self.label_e[at], kind="stable")]
        label = self.label_e[at]
        starts = np.flatnonzero(np.r_[True, label[1:] != label[:-1]])
        for a, b in zip(starts, np.r_[starts[1:], len(at)], strict=True):
            yield int(label[a]), at[a:b]


# (C,) int64 counts, (N,) int64 local start per node
def _group(nodes, labels, n_comp, width=None):
    """Count and number nodes (ascending) per component label, keeping their order.

    Node i occupies width[i] consecutive positions (1 when width is None; a volunteer's slot
    count otherwise). Returns (positions per component, (C,), and the local start position
    of every node within its component, indexed by node).
    """
    members = nodes[np.argsort(labels[nodes], kind="stable")]
    lab = labels[members]
    size = np.ones(len(members), np.int64) if width is None else width[members]
    counts = np.bincount(lab, weights=size, minlength=n_comp).astype(np.int64)
    local_start = np.zeros(len(labels), np.int64)
    local_start[members] = np.cumsum(size) - size - (np.cumsum(counts) - counts)[lab]
    return counts, local_start


# (k,) int64 positions into `at` (edges sorted by participant): each participant's first best
def _best_single(p_e, v_e, score_e, at: np.ndarray) -> np.ndarray:
    """Components with one participant: the best edge, the lowest volunteer on ties."""
    if len(at) == 0:
        return at
    p, s = p_e[at], score_e[at]
    starts = np.flatnonzero(np.r_[True, p[1:] != p[:-1]])
    segment = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(p)]))
    is_best = s == np.maximum.reduceat(s, starts)[segment]
    best = np.flatnonzero(is_best)
    best = best[np.lexsort((v_e[at[best]], segment[best]))]  # lowest volunteer first
    return at[best[np.r_[True, segment[best][1:] != segment[best][:-1]]]]


# (k,) int64 positions (into the solver's edge arrays) of the chosen pairs
def _solve_dense(comp: _Components, c: int, edges, p_e, v_e, score_e) -> np.ndarray:
    """linear_sum_assignment on (rows, slots) costs: -score on edges' slots, 0 elsewhere.

    Each edge is expanded into one (row, slot column) cell per slot of its volunteer; the
    edges are first ordered by (row, first slot column), so the expanded cells are sorted.
    """
    n_rows, n_cols = int(comp.rows[c]), int(comp.slots[c])
    key = comp.local_row[p_e[edges]] * n_cols + comp.first_slot[v_e[edges]]
    if np.any(np.diff(key) < 0):
        edges = edges[np.argsort(key, kind="stable")]
    cap = comp.cap[v_e[edges]]
    rows = np.repeat(comp.local_row[p_e[edges]], cap)
    cols = np.repeat(comp.first_slot[v_e[edges]], cap) + ragged_arange(cap)
    cost = np.zeros((n_rows, n_cols), dtype=np.float64)
    cost[rows, cols] = -np.repeat(score_e[edges], cap)
    r, k = linear_sum_assignment(cost)
    chosen = cost[r, k] < 0
    r, k = r[chosen], k[chosen]
    cell = np.searchsorted(rows * n_cols + cols, r * n_cols + k)
    return edges[np.searchsorted(np.cumsum(cap), cell, side="right")]


# (n,) int64 distinct values ascending, (E,) int32 index of each value among them
def _compact(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Like np.unique(values, return_inverse=True) for small non-negative ints, without a sort."""
    present = np.bincount(values) > 0
    local = np.empty(len(values), np.int32)
    _local_into(values, present, 0, local)
    return np.flatnonzero(present), local


# (E,) int32 written into `out`: offset + the rank of each value among the present ones
def _local_into(values: np.ndarray, present: np.ndarray, offset: int, out: np.ndarray) -> None:
    """Number `values` locally (offset + rank among the present values), into `out`.

    The arc arrays of a large component are built in place: every copy of millions of edges
    costs memory and time.
    """
    if present.all():  # values already are 0..n-1
        np.add(values, offset, out=out, casting="unsafe")
    else:
        np.take((np.cumsum(present) - 1 + offset).astype(np.int32), values, out=out, mode="clip")


def cost_scale(max_score: float, n_nodes: int) -> float:
    """Multiplier turning scores into integer costs; see the module doc for the tolerance."""
    resolution = min(COST_RESOLUTION, _INT64_HEADROOM // (n_nodes + 1))
    return resolution / max_score if max_score > 0 else 1.0


# (K,) int64 ascending positions into the (E,) edges
def top_pool(p_e: np.ndarray, score: np.ndarray, k: int, bins: int = 64) -> np.ndarray:
    """Positions of each participant's k best edges and their ties within a 1/64 score bin.

    A superset of the k best found with counting instead of sorting: per participant, a
    histogram of scores (in [0, 1]) gives the lowest bin still needed to reach k edges.
    """
    if len(p_e) == 0:
        return np.zeros(0, np.int64)
    p_local = p_e - p_e.min()
    # a participant with at most k edges reaches k (if at all) in its last non-empty bin
    level = (bins - 1) - np.minimum((score * bins).astype(np.int32), bins - 1)
    level += p_local * bins
    counts = np.bincount(level, minlength=(int(p_local.max()) + 1) * bins)
    last_needed = (np.cumsum(counts.reshape(-1, bins), axis=1) < k).sum(axis=1)
    last_needed += np.arange(0, len(last_needed) * bins, bins)
    return np.flatnonzero(level <= last_needed[p_local])


# (k,) int64 positions of the chosen edges
def solve_flow(
    p_e: np.ndarray, v_e: np.ndarray, score_e: np.ndarray, capacity, stats: dict | None = None
) -> np.ndarray:
    """Maximum-score b-matching of allowed edges (scores > 0) as a min-cost flow.

    Nodes: participants (supply 1), volunteers, one sink (demand = participants). Arcs: the
    edges (capacity 1, cost -round(score * scale)), participant -> sink (cost 0), volunteer
    -> sink (capacity = capacity[v], cost 0). Components with at least `PRICING_ABOVE` edges
    are solved by pricing (`_solve_by_pricing`): the same optimum of the same integer costs,
    found from a small part of the edges. Raises RuntimeError if OR-Tools does not report an
    optimum (it checks balance, feasibility and the cost range). `stats`, when given,
    receives pricing_rounds: the most restricted solves one component needed (0: none priced).
    """
    if len(p_e) == 0:
        return np.zeros(0, np.int64)
    n_nodes = int(np.count_nonzero(np.bincount(p_e))) + int(np.count_nonzero(np.bincount(v_e)))
    scale = cost_scale(float(score_e.max()), n_nodes + 1)
    cost_e = np.multiply(score_e, -scale)
    cost_e = np.rint(cost_e, out=cost_e).astype(np.int64)
    chosen = None
    if len(p_e) >= PRICING_ABOVE:
        chosen = _solve_by_pricing(p_e, v_e, score_e, cost_e, capacity, stats)
    return _min_cost_flow(p_e, v_e, cost_e, capacity) if chosen is None else chosen


# (k,) int64 ascending positions of the edges with flow
def _min_cost_flow(p_e, v_e, cost_e, capacity) -> np.ndarray:
    """OR-Tools' SimpleMinCostFlow on the edges with integer costs (see `solve_flow`)."""
    n_e = len(p_e)
    p_present, v_present = np.bincount(p_e) > 0, np.bincount(v_e) > 0
    v_nodes = np.flatnonzero(v_present)
    n_p, n_v = int(np.count_nonzero(p_present)), len(v_nodes)
    sink = n_p + n_v
    tails, heads = np.empty((2, n_e), np.int32)  # in place: the edge lists can be millions
    _local_into(p_e, p_present, 0, tails)
    _local_into(v_e, v_present, n_p, heads)
    flow = SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(tails, heads, np.ones(n_e, np.int64), cost_e)
    del tails, heads  # OR-Tools holds its own copies
    # then participant -> sink (stays unmatched) and volunteer -> sink (capacity)
    flow.add_arcs_with_capacity_and_unit_cost(
        np.arange(sink, dtype=np.int32),
        np.full(sink, sink, np.int32),
        np.concatenate([np.ones(n_p, np.int64), np.asarray(capacity, np.int64)[v_nodes]]),
        np.zeros(sink, np.int64),
    )
    supplies = np.zeros(sink + 1, np.int64)
    supplies[:n_p], supplies[sink] = 1, -n_p
    flow.set_nodes_supplies(np.arange(sink + 1, dtype=np.int32), supplies)
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed with status {status}")
    return np.flatnonzero(flow.flows(np.arange(n_e, dtype=np.int32)) > 0)


# (k,) int64 ascending positions of the chosen edges, or None (then solve the whole graph)
def _solve_by_pricing(p_e, v_e, score_e, cost_e, capacity, stats) -> np.ndarray | None:
    """The min-cost flow of all edges, solved on a growing part of them (column generation).

    Start from every participant's `PRICING_POOL` best edges (`top_pool`); solve that
    restricted graph exactly; derive node potentials from its optimal flow (shortest
    distances in its residual graph, `_potentials`); every edge left out whose reduced cost
    cost + potential(p) - potential(v) is negative could improve the flow: add those and
    solve again (with those within `PRICING_MARGIN` of improving it, which saves rounds).
    When no edge left out has a negative reduced cost, every residual arc of the
    whole graph has a non-negative reduced cost, so the flow is optimal for all edges (the
    same integer costs as a direct solve, hence the same tolerance). Returns None after
    `PRICING_ROUNDS` restricted solves without that proof.
    """
    n_pg = int(p_e.max()) + 1
    margin = int(PRICING_MARGIN * -cost_e.min())  # in cost units: a share of the best score
    inside = np.zeros(len(p_e), bool)  # the restricted graph's edges
    inside[top_pool(p_e, score_e / score_e.max(), PRICING_POOL)] = True  # top_pool wants [0, 1]
    v_node = np.add(v_e, n_pg, dtype=np.int64)
    # buffers for the pricing of every edge, reused each round (fresh memory is not free)
    reduced, gathered = np.empty((2, len(p_e)), np.int64)
    negative = np.empty(len(p_e), bool)
    for rounds in range(1, PRICING_ROUNDS + 1):
        subset = np.flatnonzero(inside)
        p_s, v_s, cost_s = p_e[subset], v_e[subset], cost_e[subset]
        chosen = _min_cost_flow(p_s, v_s, cost_s, capacity)
        dist = _potentials(p_s, v_s, cost_s, chosen, capacity, n_pg)
        if dist is None:
            return None
        np.take(dist, p_e, out=reduced, mode="clip")  # indices are valid: no buffering
        reduced += cost_e
        np.take(dist, v_node, out=gathered, mode="clip")
        reduced -= gathered
        outside = ~inside  # arcs of the restricted graph are optimal there already
        np.less(reduced, 0, out=negative)
        negative &= outside
        if not negative.any():
            if stats is not None:
                stats["pricing_rounds"] = max(stats.get("pricing_rounds", 0), rounds)
            return subset[chosen]
        # add the edges that could improve it, and those nearly so: fewer rounds
        np.less(reduced, margin, out=negative)
        negative &= outside
        inside |= negative
    return None


# (n_pg + len(capacity) + 1,) int64 node potentials, or None
def _potentials(p_s, v_s, cost_s, chosen, capacity, n_pg) -> np.ndarray | None:
    """Shortest distances from a virtual root (0 to every node) in the residual graph.

    Nodes: participant p = p, volunteer v = n_pg + v, sink last. Residual arcs: p -> v for an
    edge without flow (its cost), v -> p for an edge with flow (minus its cost); p -> sink if
    p is matched, sink -> p if not (cost 0); v -> sink while v has room, sink -> v once it has
    a participant (cost 0). Bellman-Ford, vectorised: every round relaxes all arcs at once
    (a minimum per head); an optimal flow leaves no negative cycle, so it ends within as many
    rounds as there are nodes. None when it has not ended after `POTENTIAL_ROUNDS` (130–290
    on the exact region): the caller then solves the whole graph, so a graph with unusually
    long shortest paths costs a direct solve, never minutes. Integer costs: no rounding.
    """
    capacity = np.asarray(capacity, np.int64)
    n_v = len(capacity)
    sink = n_pg + n_v
    flow = np.zeros(len(p_s), bool)
    flow[chosen] = True
    people = np.flatnonzero(np.bincount(p_s, minlength=n_pg))
    matched = np.zeros(n_pg, bool)
    matched[p_s[chosen]] = True
    load = np.bincount(v_s[chosen], minlength=n_v)
    room = np.flatnonzero(capacity > load)
    busy = np.flatnonzero(load)
    edge_v = n_pg + v_s
    tails = np.concatenate([np.where(flow, edge_v, p_s), np.where(matched[people], people, sink),
                            n_pg + room, np.full(len(busy), sink)])
    heads = np.concatenate([np.where(flow, p_s, edge_v), np.where(matched[people], sink, people),
                            np.full(len(room), sink), n_pg + busy])
    costs = np.zeros(len(tails), np.int64)
    costs[: len(p_s)] = np.where(flow, -cost_s, cost_s)
    order = np.argsort(heads, kind="stable")
    tails, heads, costs = tails[order], heads[order], costs[order]
    starts = np.flatnonzero(np.r_[True, heads[1:] != heads[:-1]])
    head = heads[starts]
    dist = np.zeros(sink + 1, np.int64)
    for _ in range(min(sink + 2, POTENTIAL_ROUNDS)):
        best = np.minimum.reduceat(dist[tails] + costs, starts)
        lower = best < dist[head]
        if not lower.any():
            return dist
        dist[head[lower]] = best[lower]
    return None
