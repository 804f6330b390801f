"""Maximum-score assignment with volunteer capacities (a b-matching), exact.

Reduction: every volunteer v becomes capacity[v] identical "slot" columns (capped at the number
of participants who can reach v); a pair is allowed when its score is finite, >= min_score and
> 0; maximise the total score of chosen pairs with each participant matched at most once and
each slot used at most once. Leaving a participant unmatched scores 0.

The allowed-edge graph is split into connected components (nothing is lost: no matching edge
crosses components). Each component is solved exactly by one of
- `scipy.optimize.linear_sum_assignment` on a dense (participants x slots) cost matrix with
  cost -score on allowed cells and 0 elsewhere. A 0 cell plays the "stay unmatched" dummy
  column: any matching extends to a full rectangular assignment through 0 cells with the same
  total, so the optimum is unchanged and chosen 0 cells are dropped afterwards;
- `scipy.sparse.csgraph.min_weight_full_bipartite_matching` on the allowed edges with weight
  (c_i - score) > 0 plus one private dummy column per participant with weight c_i, where
  c_i = 1 + the row's best score. Every row is matched exactly once, so the sum of weights is
  sum(c_i) - total score and minimising it maximises the total score.
Components whose dense matrix would exceed `DENSE_CELL_LIMIT` cells use the sparse solver;
a component with a single participant simply takes its best edge.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.sparse import csr_array
from scipy.sparse.csgraph import connected_components, min_weight_full_bipartite_matching

DENSE_CELL_LIMIT = 50_000  # participants x slots above which a component goes sparse


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
    min_score = _check_min_score(min_score)
    with np.errstate(invalid="ignore"):
        p_e, v_e = np.nonzero(np.isfinite(score_pv) & (score_pv >= min_score) & (score_pv > 0))
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
) -> np.ndarray:
    """Return the positions of the chosen edges (sorted by participant); see `assign`.

    `stats`, when given, receives components, largest_rows, largest_cols, sparse_components.
    """
    limit = DENSE_CELL_LIMIT if dense_cell_limit is None else int(dense_cell_limit)
    cap = _as_capacity(capacity, len(capacity))
    p_e, v_e = np.asarray(p_e, np.int64), np.asarray(v_e, np.int64)
    score_e = np.asarray(score_e, np.float64)
    _check_edges(p_e, v_e, score_e, n_participants, len(cap))
    _set_stats(stats, components=0, largest_rows=0, largest_cols=0, sparse_components=0)
    kept = _allowed_sorted(p_e, v_e, score_e, cap, min_score)
    if len(kept) == 0:
        return np.zeros(0, np.int64)
    p_k, v_k, s_k = p_e[kept], v_e[kept], score_e[kept]
    # a volunteer never needs more slots than participants who can reach them
    cap = np.minimum(cap, np.bincount(v_k, minlength=len(cap)))
    layout = _ComponentLayout(p_k, v_k, cap, n_participants)
    chosen = []
    for c, edges in layout.edge_groups():
        shape = (layout.n_rows(c), layout.n_cols(c))
        sparse = shape[0] > 1 and shape[0] * shape[1] > limit
        chosen.append(edges[_solve_component(layout, edges, p_k, v_k, s_k, shape, sparse)])
        _note_component(stats, shape, sparse)
    chosen_e = kept[np.concatenate(chosen)]
    return chosen_e[np.argsort(p_e[chosen_e], kind="stable")]


# (E',) int64 positions of allowed edges, sorted by (participant, volunteer)
def _allowed_sorted(p_e, v_e, score_e, cap, min_score) -> np.ndarray:
    """Positions of the allowed edges, ordered by (participant, volunteer)."""
    with np.errstate(invalid="ignore"):
        allowed = np.isfinite(score_e) & (score_e >= _check_min_score(min_score)) & (score_e > 0)
    if np.any(np.isposinf(score_e)):
        raise ValueError("score must not contain +inf")
    kept = np.flatnonzero(allowed & (cap[v_e] > 0))
    key = p_e[kept] * len(cap) + v_e[kept]
    step = np.diff(key)
    if np.any(step < 0):
        order = np.argsort(key, kind="stable")
        kept, step = kept[order], np.diff(key[order])
    if np.any(step == 0):
        raise ValueError("edges must be unique (participant, volunteer) pairs")
    return kept


def _check_edges(p_e, v_e, score_e, n_p: int, n_v: int) -> None:
    if not (p_e.ndim == v_e.ndim == score_e.ndim == 1 and len(p_e) == len(v_e) == len(score_e)):
        raise ValueError("p_e, v_e and score_e must be 1-D arrays of equal length")
    if len(p_e) and (p_e.min() < 0 or p_e.max() >= n_p or v_e.min() < 0 or v_e.max() >= n_v):
        raise ValueError("edge endpoints out of range")


def _set_stats(stats: dict | None, **values: int) -> None:
    if stats is not None:
        stats.update(values)


def _note_component(stats: dict | None, shape: tuple[int, int], sparse: bool) -> None:
    if stats is not None:
        stats["components"] += 1
        stats["sparse_components"] += int(sparse)
        if shape[0] * shape[1] > stats["largest_rows"] * stats["largest_cols"]:
            stats["largest_rows"], stats["largest_cols"] = shape


class _ComponentLayout:
    """Connected components of the allowed-edge graph with local row / slot numbering.

    Edges must be sorted by (participant, volunteer); the expanded (row, slot column) lists
    of every component are then sorted too, which the solvers rely on.
    """

    def __init__(self, p_e: np.ndarray, v_e: np.ndarray, cap: np.ndarray, n_p: int):
        n_v = len(cap)
        indptr = np.zeros(n_p + n_v + 1, np.int64)
        indptr[1 : n_p + 1] = np.cumsum(np.bincount(p_e, minlength=n_p))
        indptr[n_p + 1 :] = len(p_e)
        graph = csr_array(
            (np.ones(len(p_e), np.int8), n_p + v_e, indptr), shape=(n_p + n_v, n_p + n_v)
        )
        self.n_comp, labels = connected_components(graph, directed=False)
        self.comp_e = labels[p_e]
        # participants with edges, grouped by component: local row = rank in the group
        self.p_offset, self.local_row = _group(
            np.flatnonzero(np.bincount(p_e, minlength=n_p)), labels[:n_p], self.n_comp
        )
        # volunteers' slots, grouped by component: local column of a volunteer's first slot
        self.slot_offset, self.first_slot = _group(
            np.flatnonzero(np.bincount(v_e, minlength=n_v)), labels[n_p:], self.n_comp, cap
        )
        self.cap = cap

    def edge_groups(self):
        """Yield (component, edge indices) for every component with edges, in label order."""
        order = np.argsort(self.comp_e, kind="stable")
        counts = np.bincount(self.comp_e, minlength=self.n_comp)
        ends = np.cumsum(counts)
        for c in np.flatnonzero(counts):
            yield int(c), order[ends[c] - counts[c] : ends[c]]

    def n_rows(self, c: int) -> int:
        """Participants in component c."""
        return int(self.p_offset[c + 1] - self.p_offset[c])

    def n_cols(self, c: int) -> int:
        """Volunteer slots in component c."""
        return int(self.slot_offset[c + 1] - self.slot_offset[c])


# (C + 1,) int64 offsets, (N,) int64 local start per node
def _group(nodes, labels, n_comp, width=None):
    """Order nodes (ascending) by component label, keeping their order inside a component.

    Node i occupies width[i] consecutive positions (1 when width is None; a volunteer's slot
    count otherwise). Returns (first position of every component, (C + 1,), and the local
    start position of every node within its component, indexed by node).
    """
    members = nodes[np.argsort(labels[nodes], kind="stable")]
    lab = labels[members]
    size = np.ones(len(members), np.int64) if width is None else width[members]
    offsets = np.zeros(n_comp + 1, np.int64)
    offsets[1:] = np.cumsum(np.bincount(lab, weights=size, minlength=n_comp)).astype(np.int64)
    local_start = np.zeros(len(labels), np.int64)
    local_start[members] = np.cumsum(size) - size - offsets[lab]
    return offsets, local_start


# (k,) int64 positions into `edges` of the chosen pairs
def _solve_component(layout, edges, p_e, v_e, score_e, shape, sparse) -> np.ndarray:
    """Solve one component exactly; return positions (into `edges`) of the chosen edges.

    Each edge is expanded into one (row, slot column) cell per slot of its volunteer; the
    expanded cells come out sorted by (row, column) because the edges are sorted.
    """
    n_rows, n_cols = shape
    cap = layout.cap[v_e[edges]]
    rows = np.repeat(layout.local_row[p_e[edges]], cap)
    cols = np.repeat(layout.first_slot[v_e[edges]], cap) + ragged_arange(cap)
    gain = np.repeat(score_e[edges], cap)
    if n_rows == 1:
        best = np.argmax(gain)  # first best: ties go to the lowest slot column
        r, k = rows[best : best + 1], cols[best : best + 1]
    elif sparse:
        r, k = _solve_sparse(rows, cols, gain, n_rows, n_cols)
    else:
        r, k = _solve_dense(rows, cols, gain, n_rows, n_cols)
    cell = np.searchsorted(rows * n_cols + cols, r * n_cols + k)
    return np.searchsorted(np.cumsum(cap), cell, side="right")


# (k,) rows, (k,) columns of the chosen cells
def _solve_dense(rows, cols, gain, n_rows, n_cols):
    """linear_sum_assignment on (n_rows, n_cols) costs: -gain on edges, 0 elsewhere."""
    cost = np.zeros((n_rows, n_cols), dtype=np.float64)
    cost[rows, cols] = -gain
    r, k = linear_sum_assignment(cost)
    chosen = cost[r, k] < 0
    return r[chosen], k[chosen]


# (k,) rows, (k,) columns of the chosen real edges
def _solve_sparse(rows, cols, gain, n_rows, n_cols):
    """min_weight_full_bipartite_matching, the smaller side as rows (see module doc).

    LAPJVsp runs one shortest-augmenting-path search per row, each scanning all columns,
    so putting the smaller side on the rows measurably shortens tight instances.
    """
    if n_cols < n_rows:
        order = np.argsort(cols, kind="stable")
        k, r = _lapjvsp_with_dummies(cols[order], rows[order], gain[order], n_cols, n_rows)
        return r, k
    return _lapjvsp_with_dummies(rows, cols, gain, n_rows, n_cols)


# (k,) rows, (k,) columns of the chosen real edges
def _lapjvsp_with_dummies(rows, cols, gain, n_rows, n_cols):
    """Solve with one private dummy column per row; rows must be sorted (ascending).

    The CSR matrix is built directly with each row's dummy last; returns (rows, columns) of
    the chosen real edges.
    """
    offset = np.full(n_rows, -np.inf)
    np.maximum.at(offset, rows, gain)
    offset += 1.0  # c_i = 1 + best score of row i, so every weight is >= 1
    indptr = np.zeros(n_rows + 1, np.int64)
    indptr[1:] = np.cumsum(np.bincount(rows, minlength=n_rows) + 1)
    real = np.arange(len(rows)) + rows  # one dummy precedes each entry per earlier row
    dummy = indptr[1:] - 1
    indices = np.empty(len(rows) + n_rows, np.int64)
    data = np.empty(len(rows) + n_rows, np.float64)
    indices[real], data[real] = cols, offset[rows] - gain
    indices[dummy], data[dummy] = n_cols + np.arange(n_rows), offset
    graph = csr_array((data, indices, indptr), shape=(n_rows, n_cols + n_rows))
    r, k = min_weight_full_bipartite_matching(graph)
    chosen = k < n_cols
    return r[chosen], k[chosen]
