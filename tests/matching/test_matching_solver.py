"""The solver `assign`: optimal against independent oracles, valid, deterministic, robust."""

import itertools

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog
from scipy.sparse import coo_array, vstack

from buddy.matching import assign, assign_edges, solver

pytestmark = pytest.mark.no_database


def allowed(score: np.ndarray, min_score: float) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return np.isfinite(score) & (score >= min_score)


def total(score: np.ndarray, pairs) -> float:
    return float(sum(score[p, v] for p, v in pairs))


def assert_valid(score, capacity, min_score, pairs) -> None:
    """Each participant at most once, capacities kept, only allowed pairs, sorted, ints."""
    ps = [p for p, _ in pairs]
    assert ps == sorted(ps) and len(set(ps)) == len(ps)
    assert all(type(p) is int and type(v) is int for p, v in pairs)
    used = np.bincount([v for _, v in pairs], minlength=score.shape[1])
    assert np.all(used <= np.asarray(capacity))
    ok = allowed(score, min_score)
    assert all(ok[p, v] for p, v in pairs)


def networkx_optimum(score, capacity, min_score) -> float:
    """Max weight matching on the capacity-expanded graph (volunteer v -> capacity[v] nodes)."""
    graph = nx.Graph()
    ok = allowed(score, min_score)
    for p, v in zip(*np.nonzero(ok), strict=True):
        for copy in range(int(capacity[v])):
            graph.add_edge(("p", int(p)), ("v", int(v), copy), weight=float(score[p, v]))
    matching = nx.max_weight_matching(graph)
    return sum(graph.edges[a, b]["weight"] for a, b in matching)


def brute_force_optimum(score, capacity, min_score) -> float:
    """Try every choice (a volunteer or nobody) for every participant."""
    n_p, n_v = score.shape
    ok = allowed(score, min_score)
    best = 0.0
    for choice in itertools.product(range(-1, n_v), repeat=n_p):
        used = np.bincount([v for v in choice if v >= 0], minlength=n_v)
        if np.any(used > capacity) or any(v >= 0 and not ok[p, v] for p, v in enumerate(choice)):
            continue
        best = max(best, sum(score[p, v] for p, v in enumerate(choice) if v >= 0))
    return best


def lp_optimum(score, capacity, min_score) -> float:
    """The b-matching LP (totally unimodular, so its optimum is the integral optimum)."""
    p_e, v_e = np.nonzero(allowed(score, min_score) & (score > 0))
    n_p, n_v = score.shape
    if len(p_e) == 0:
        return 0.0
    e = np.arange(len(p_e))
    a = vstack(
        [
            coo_array((np.ones(len(e)), (p_e, e)), shape=(n_p, len(e))),
            coo_array((np.ones(len(e)), (v_e, e)), shape=(n_v, len(e))),
        ]
    )
    b = np.concatenate([np.ones(n_p), capacity])
    result = linprog(-score[p_e, v_e], A_ub=a, b_ub=b, bounds=(0, 1), method="highs")
    return -result.fun


def random_instance(rng, max_p=8, max_v=7, max_cap=3):
    """Random scores with ties, zeros, negatives, NaN / -inf, capacity 0 and unreachable columns."""
    n_p, n_v = int(rng.integers(0, max_p + 1)), int(rng.integers(0, max_v + 1))
    score = rng.random((n_p, n_v))
    if rng.random() < 0.4:  # coarse values: many ties
        score = np.round(score * 4) / 4
    if rng.random() < 0.2:
        score = score - 0.3  # some negative scores
    if rng.random() < 0.15:
        score = score * float(rng.choice([1e-6, 1e3]))  # scores far from [0, 1]
    score[rng.random((n_p, n_v)) < 0.1] = 0.0
    score[rng.random((n_p, n_v)) < rng.uniform(0, 0.6)] = np.nan
    score[rng.random((n_p, n_v)) < 0.05] = -np.inf
    if n_v and rng.random() < 0.3:
        score[:, rng.integers(n_v)] = np.nan  # a volunteer reachable by nobody
    capacity = rng.integers(0, max_cap + 1, n_v)
    min_score = float(rng.choice([0.0, 0.0, 0.25, 0.5, -0.2, 0.75]))
    return score, capacity, min_score


def same_objective(got: float, expected: float) -> bool:
    """Equal within 1e-6 relative (the documented tolerance of the integer costs is tighter)."""
    return got == pytest.approx(expected, rel=1e-6, abs=1e-12)


@pytest.fixture(params=["dense", "flow", "pricing"])
def path(request, monkeypatch):
    """Run a test through the dense (linear_sum_assignment) and the min-cost-flow solver, the
    latter also by pricing from each participant's single best edge (many rounds), with
    components found from a sample of the edges."""
    limit = 10**12 if request.param == "dense" else 0
    monkeypatch.setattr(solver, "DENSE_CELL_LIMIT", limit)
    if request.param == "pricing":
        force_pricing(monkeypatch, pool=1)
        monkeypatch.setattr(solver, "COMPONENT_SAMPLE", 8)
    return request.param


def force_pricing(monkeypatch, pool: int, rounds: int = 10_000) -> None:
    monkeypatch.setattr(solver, "DENSE_CELL_LIMIT", 0)
    monkeypatch.setattr(solver, "PRICING_ABOVE", 0)
    monkeypatch.setattr(solver, "PRICING_POOL", pool)
    monkeypatch.setattr(solver, "PRICING_ROUNDS", rounds)


@pytest.mark.parametrize("seed", range(4))
def test_random_instances_match_networkx(seed, path):
    rng = np.random.default_rng(seed)
    for _ in range(60):  # 4 seeds x 60 instances x 3 paths
        score, capacity, min_score = random_instance(rng)
        pairs = assign(score, capacity, min_score)
        assert_valid(score, capacity, min_score, pairs)
        assert same_objective(total(score, pairs), networkx_optimum(score, capacity, min_score))


@pytest.mark.parametrize("seed", range(2))
def test_tiny_instances_match_brute_force(seed, path):
    rng = np.random.default_rng(100 + seed)
    for _ in range(60):
        score, capacity, min_score = random_instance(rng, max_p=5, max_v=3, max_cap=2)
        pairs = assign(score, capacity, min_score)
        assert_valid(score, capacity, min_score, pairs)
        assert same_objective(total(score, pairs), brute_force_optimum(score, capacity, min_score))


@pytest.mark.parametrize("seed", range(3))
def test_medium_instances_dense_and_flow_agree_with_the_lp(seed, monkeypatch):
    rng = np.random.default_rng(200 + seed)
    score = rng.random((150, 120))
    score[rng.random(score.shape) < 0.85] = np.nan  # several components, a few big ones
    capacity = rng.integers(0, 4, 120)
    totals = []
    for limit in (10**12, 0):
        monkeypatch.setattr(solver, "DENSE_CELL_LIMIT", limit)
        pairs = assign(score, capacity, 0.2)
        assert_valid(score, capacity, 0.2, pairs)
        totals.append(total(score, pairs))
    assert totals[0] == pytest.approx(totals[1], abs=1e-9)
    assert totals[0] == pytest.approx(lp_optimum(score, capacity, 0.2), abs=1e-7)


def test_dense_cell_limit_keyword_forces_the_flow_solver():
    rng = np.random.default_rng(7)
    score = rng.random((40, 30))
    capacity = rng.integers(1, 3, 30)
    stats_dense: dict = {}
    stats_flow: dict = {}
    p_e, v_e = np.nonzero(np.isfinite(score))
    dense = solver.solve_edges(p_e, v_e, score[p_e, v_e], capacity, 40,
                               dense_cell_limit=10**9, stats=stats_dense)  # fmt: skip
    flow = solver.solve_edges(p_e, v_e, score[p_e, v_e], capacity, 40,
                              dense_cell_limit=0, stats=stats_flow)  # fmt: skip
    assert (stats_dense["dense_components"], stats_dense["flow_components"]) == (1, 0)
    assert (stats_flow["dense_components"], stats_flow["flow_components"]) == (0, 1)
    assert score[p_e[dense], v_e[dense]].sum() == pytest.approx(
        score[p_e[flow], v_e[flow]].sum(), rel=1e-9
    )


@settings(derandomize=True, max_examples=150, deadline=None, database=None)
@given(
    st.integers(0, 4).flatmap(
        lambda n_p: st.integers(0, 3).flatmap(
            lambda n_v: st.tuples(
                st.lists(
                    st.one_of(st.none(), st.sampled_from([0.0, 0.25, 0.5, 1.0, -0.5])),
                    min_size=n_p * n_v,
                    max_size=n_p * n_v,
                ).map(
                    lambda cells: np.array(
                        [np.nan if c is None else c for c in cells], dtype=float
                    ).reshape(n_p, n_v)
                ),
                st.lists(st.integers(0, 2), min_size=n_v, max_size=n_v).map(np.array),
                st.sampled_from([0.0, 0.25, 0.5]),
            )
        )
    )
)
def test_hypothesis_tie_heavy_instances_are_optimal(instance):
    score, capacity, min_score = instance
    pairs = assign(score, capacity, min_score)
    assert_valid(score, capacity, min_score, pairs)
    assert same_objective(total(score, pairs), brute_force_optimum(score, capacity, min_score))


@pytest.mark.parametrize("shape", [(0, 0), (0, 3), (3, 0)])
def test_empty_inputs_give_no_pairs(shape):
    assert assign(np.zeros(shape), np.ones(shape[1], int)) == []


def test_all_forbidden_gives_no_pairs():
    assert assign(np.full((3, 2), np.nan), [1, 1]) == []


def test_capacity_zero_volunteers_are_never_used():
    score = np.array([[0.9, 0.1], [0.8, 0.2]])
    assert assign(score, [0, 1]) == [(1, 1)]
    assert assign(score, [0, 0]) == []


def test_capacity_is_honoured():
    score = np.full((5, 2), 0.5)
    pairs = assign(score, [3, 1])
    assert len(pairs) == 4
    assert sorted(v for _, v in pairs) == [0, 0, 0, 1]


def test_single_participant_takes_the_best_volunteer_lowest_index_on_ties():
    assert assign(np.array([[0.2, 0.9, 0.5]]), [1, 1, 1]) == [(0, 1)]
    assert assign(np.array([[0.7, 0.7, 0.7]]), [1, 1, 1]) == [(0, 0)]


def test_optimum_is_not_greedy():
    # greedy would take (0, 0) = 0.9 and leave participant 1 with 0.1
    score = np.array([[0.9, 0.8], [0.85, 0.1]])
    assert assign(score, [1, 1]) == [(0, 1), (1, 0)]


def test_ties_are_deterministic(path):
    rng = np.random.default_rng(3)
    score = np.round(rng.random((30, 20)) * 2) / 2
    capacity = rng.integers(1, 3, 20)
    first = assign(score, capacity)
    assert all(assign(score.copy(), capacity.copy()) == first for _ in range(3))


def test_integer_scores_and_float_capacities_are_accepted():
    score = np.array([[3, 1], [2, 1]])
    pairs = assign(score, np.array([1.0, 1.0]))
    assert pairs == [(0, 0), (1, 1)]
    assert assign([[1, 2]], [1, 1]) == [(0, 1)]


def test_negative_scores_are_never_chosen():
    score = np.array([[-0.5, np.nan], [-0.1, -0.2]])
    assert assign(score, [1, 1]) == []
    assert assign(score, [1, 1], min_score=-1.0) == []


def test_min_score_is_inclusive():
    score = np.array([[0.5], [0.4999]])
    assert assign(score, [2], min_score=0.5) == [(0, 0)]


def test_zero_score_pairs_are_not_proposed():
    # matching them or not is a tie; the solver deterministically leaves them out
    assert assign(np.array([[0.0, 0.0]]), [1, 1]) == []


def test_minus_infinity_is_forbidden():
    assert assign(np.array([[-np.inf, 0.3]]), [1, 1]) == [(0, 1)]


@pytest.mark.parametrize(
    ("score", "capacity", "min_score"),
    [
        (np.array([[np.inf]]), [1], 0.0),
        (np.zeros(3), [1, 1, 1], 0.0),
        (np.zeros((2, 2)), [1], 0.0),
        (np.zeros((2, 2)), [1, -1], 0.0),
        (np.zeros((2, 2)), [1, 1.5], 0.0),
        (np.zeros((2, 2)), ["a", "b"], 0.0),
        (np.zeros((2, 2)), [1, 1], float("nan")),
    ],
)
def test_bad_input_raises_value_error(score, capacity, min_score):
    with pytest.raises(ValueError):
        assign(score, capacity, min_score)


def test_assign_edges_rejects_duplicate_edges():
    with pytest.raises(ValueError, match="unique"):
        assign_edges([0, 0], [1, 1], [0.5, 0.6], np.array([1, 1]), 1)


def test_assign_edges_equals_assign_on_the_same_edges():
    rng = np.random.default_rng(11)
    score = rng.random((25, 20))
    score[rng.random(score.shape) < 0.5] = np.nan
    capacity = rng.integers(0, 3, 20)
    p_e, v_e = np.nonzero(np.isfinite(score))
    shuffle = rng.permutation(len(p_e))  # any edge order
    pairs_p, pairs_v = assign_edges(
        p_e[shuffle], v_e[shuffle], score[p_e, v_e][shuffle], capacity, 25
    )
    got = list(zip(pairs_p.tolist(), pairs_v.tolist(), strict=True))
    assert total(score, got) == pytest.approx(total(score, assign(score, capacity)), abs=1e-9)


def test_solve_stats_report_components():
    score = np.full((4, 4), np.nan)
    score[0, 0] = score[1, 1] = score[2, 2] = score[3, 2] = 0.5
    stats: dict = {}
    chosen = solver.solve_edges(*np.nonzero(np.isfinite(score)), score[np.isfinite(score)],
                                np.ones(4, int), 4, stats=stats)  # fmt: skip
    assert len(chosen) == 3
    assert stats["components"] == 3
    assert (stats["largest_rows"], stats["largest_cols"]) == (2, 1)


@pytest.mark.parametrize(
    ("p_e", "v_e", "score_e"),
    [([0], [2], [0.5]), ([1], [0], [0.5]), ([-1], [0], [0.5]), ([0, 0], [0], [0.5])],
)
def test_assign_edges_rejects_bad_edges(p_e, v_e, score_e):
    with pytest.raises(ValueError):
        assign_edges(p_e, v_e, score_e, np.array([1, 1]), 1)


@pytest.mark.parametrize("seed", range(3))
def test_larger_instances_through_the_flow_match_networkx(seed, monkeypatch):
    monkeypatch.setattr(solver, "DENSE_CELL_LIMIT", 0)
    rng = np.random.default_rng(300 + seed)
    for _ in range(20):
        score, capacity, min_score = random_instance(rng, max_p=25, max_v=18, max_cap=3)
        pairs = assign(score, capacity, min_score)
        assert_valid(score, capacity, min_score, pairs)
        assert same_objective(total(score, pairs), networkx_optimum(score, capacity, min_score))


def test_near_ties_finer_than_the_cost_resolution_stay_within_the_documented_bound(monkeypatch):
    monkeypatch.setattr(solver, "DENSE_CELL_LIMIT", 0)
    rng = np.random.default_rng(5)
    score = 0.5 + rng.integers(0, 4, (60, 40)) * 1e-14  # differences below 1 / scale
    score[rng.random(score.shape) < 0.5] = np.nan
    capacity = rng.integers(0, 3, 40)
    pairs = assign(score, capacity)
    assert_valid(score, capacity, 0.0, pairs)
    optimum = lp_optimum(score, capacity, 0.0)
    k = min(score.shape[0], int(capacity.sum()))
    bound = k * np.nanmax(score) / solver.COST_RESOLUTION
    assert optimum - bound - 1e-12 <= total(score, pairs) <= optimum + 1e-9


def test_tiny_positive_scores_rounding_to_cost_zero_are_still_acceptable_pairs(monkeypatch):
    monkeypatch.setattr(solver, "DENSE_CELL_LIMIT", 0)
    score = np.array([[1.0, 1e-300], [1e-300, np.nan], [1e-300, 0.0]])
    pairs = assign(score, [1, 2])
    assert (0, 0) in pairs
    assert_valid(score, [1, 2], 0.0, pairs)
    assert all(score[p, v] > 0 for p, v in pairs)


def test_cost_scale_keeps_int64_headroom():
    assert solver.cost_scale(1.0, 10) == solver.COST_RESOLUTION
    scale = solver.cost_scale(2.0, 10**9)
    assert 2.0 * scale * (10**9 + 1) <= 2**63 - 1
    assert solver.cost_scale(0.0, 10) == 1.0


def test_acceptable_is_finite_at_least_min_score_and_positive():
    score = np.array([0.5, 0.0, -0.1, np.nan, -np.inf, 0.3, 0.2999])
    assert solver.acceptable(score, 0.3).tolist() == [True, False, False, False, False,
                                                      True, False]  # fmt: skip
    assert solver.acceptable(score).tolist() == [True, False, False, False, False, True, True]
    assert solver.acceptable(score, -1.0).tolist() == solver.acceptable(score).tolist()
    with pytest.raises(ValueError):
        solver.acceptable(score, float("nan"))


# --- grouped edges (as candidate_edges makes them): no global sort, same optimum ---------


def grouped_edges(rng, score):
    """Every finite pair, grouped by participant, volunteers shuffled within each participant."""
    p_e, v_e = np.nonzero(np.isfinite(score))
    order = np.lexsort((rng.random(len(p_e)), p_e))
    return p_e[order].astype(np.int32), v_e[order].astype(np.int32)


@pytest.mark.parametrize("seed", range(3))
def test_grouped_edges_in_any_volunteer_order_reach_the_networkx_optimum(seed, path):
    rng = np.random.default_rng(500 + seed)
    for _ in range(40):  # 3 seeds x 40 instances x 2 paths, int32 indices
        score, capacity, min_score = random_instance(rng, max_p=10, max_v=8)
        p_e, v_e = grouped_edges(rng, score)
        chosen = solver.solve_edges(p_e, v_e, score[p_e, v_e], capacity, score.shape[0],
                                    min_score=min_score, grouped=True)  # fmt: skip
        pairs = list(zip(p_e[chosen].tolist(), v_e[chosen].tolist(), strict=True))
        assert pairs == sorted(pairs, key=lambda pair: pair[0])
        assert_valid(score, capacity, min_score, pairs)
        assert same_objective(total(score, pairs), networkx_optimum(score, capacity, min_score))


def test_grouped_single_participant_ties_go_to_the_lowest_volunteer():
    p_e = np.array([0, 0, 0], np.int32)
    v_e = np.array([2, 0, 1], np.int32)
    score = np.array([0.5, 0.5, 0.2])
    chosen = solver.solve_edges(p_e, v_e, score, np.ones(3, np.int64), 1, grouped=True)
    assert v_e[chosen].tolist() == [0]


def test_grouped_edges_must_have_ascending_participants():
    with pytest.raises(ValueError, match="ascending"):
        solver.solve_edges(np.array([1, 0]), np.array([0, 0]), np.array([0.5, 0.5]),
                           np.ones(1, np.int64), 2, grouped=True)  # fmt: skip


@pytest.mark.parametrize("dtype", [np.int64, np.int32])
def test_assign_edges_in_any_order_with_every_edge_allowed(dtype, path):
    # every edge acceptable and every capacity > 0: the sort is a permutation, not a filter
    rng = np.random.default_rng(12)
    for _ in range(20):
        score = rng.uniform(0.1, 1.0, (12, 9))
        capacity = rng.integers(1, 3, 9)
        p_e, v_e = np.nonzero(score > 0)
        shuffle = rng.permutation(len(p_e))
        pairs_p, pairs_v = assign_edges(p_e[shuffle].astype(dtype), v_e[shuffle].astype(dtype),
                                        score[p_e, v_e][shuffle], capacity, 12)  # fmt: skip
        got = list(zip(pairs_p.tolist(), pairs_v.tolist(), strict=True))
        assert_valid(score, capacity, 0.0, got)
        assert same_objective(total(score, got), networkx_optimum(score, capacity, 0.0))


@pytest.mark.parametrize("seed", range(4))
def test_grouped_edges_of_one_flow_component_keep_positions_into_the_given_edges(seed):
    # one large component goes straight to the flow; edges it must not use (NaN, <= 0,
    # volunteers without capacity) stay in the arrays, and participants / volunteers without
    # any edge leave gaps in the numbering: the chosen positions index the given arrays
    rng = np.random.default_rng(900 + seed)
    for _ in range(10):
        score = rng.uniform(-0.2, 1.0, (30, 22)).round(2)  # ties, zeros and negatives
        score[rng.random(score.shape) < 0.3] = np.nan
        score[rng.integers(0, 30)] = np.nan  # a participant without edges
        score[:, rng.integers(0, 22)] = np.nan  # a volunteer nobody reaches
        capacity = rng.integers(0, 3, 22)
        p_e, v_e = np.nonzero(~np.isnan(score))
        stats: dict = {}
        chosen = solver.solve_edges(p_e.astype(np.int32), v_e.astype(np.int32), score[p_e, v_e],
                                    capacity, 30, dense_cell_limit=0, stats=stats,
                                    grouped=True)  # fmt: skip
        assert stats["flow_components"] <= 1
        pairs = list(zip(p_e[chosen].tolist(), v_e[chosen].tolist(), strict=True))
        assert_valid(score, capacity, 0.0, pairs)
        assert all(score[p, v] > 0 for p, v in pairs)
        assert same_objective(total(score, pairs), networkx_optimum(score, capacity, 0.0))


def _edges(score):
    p_e, v_e = np.nonzero(np.isfinite(score))
    return p_e.astype(np.int32), v_e.astype(np.int32), score[p_e, v_e]


@pytest.mark.parametrize("seed", range(3))
def test_pricing_proves_the_optimum_of_every_edge_from_a_small_pool(seed, monkeypatch):
    # contested volunteers: the first restricted solve is not optimal, later rounds add edges
    rng = np.random.default_rng(700 + seed)
    for pool in (1, 3):
        score = np.round(rng.random((120, 80)) ** 3, 2)  # many ties and near-zero scores
        score[rng.random(score.shape) < 0.3] = np.nan
        capacity = rng.integers(0, 3, 80)
        p_e, v_e, s_e = _edges(score)
        monkeypatch.setattr(solver, "DENSE_CELL_LIMIT", 0)
        direct = solver.solve_edges(p_e, v_e, s_e, capacity, 120, grouped=True)
        force_pricing(monkeypatch, pool)
        stats: dict = {}
        priced = solver.solve_edges(p_e, v_e, s_e, capacity, 120, stats=stats, grouped=True)
        assert stats["pricing_rounds"] >= 2
        pairs = list(zip(p_e[priced].tolist(), v_e[priced].tolist(), strict=True))
        assert_valid(score, capacity, 0.0, pairs)
        assert total(score, pairs) == pytest.approx(s_e[direct].sum(), rel=1e-12)
        assert same_objective(total(score, pairs), lp_optimum(score, capacity, 0.0))


def test_pricing_that_runs_out_of_rounds_solves_the_whole_graph(monkeypatch):
    rng = np.random.default_rng(17)
    score = np.round(rng.random((60, 30)) ** 3, 2)
    capacity = np.ones(30, np.int64)
    p_e, v_e, s_e = _edges(score)
    force_pricing(monkeypatch, pool=1, rounds=1)
    stats: dict = {}
    chosen = solver.solve_edges(p_e, v_e, s_e, capacity, 60, stats=stats, grouped=True)
    assert stats["pricing_rounds"] == 0  # one round did not prove it: the direct solve ran
    assert same_objective(s_e[chosen].sum(), lp_optimum(score, capacity, 0.0))


def test_potentials_leave_no_negative_reduced_cost_on_the_residual_graph():
    rng = np.random.default_rng(3)
    score = np.round(rng.random((40, 25)), 2)
    capacity = rng.integers(1, 3, 25)
    p_e, v_e, s_e = _edges(score)
    cost = -np.rint(s_e * 1000).astype(np.int64)
    chosen = solver._min_cost_flow(p_e, v_e, cost, capacity)
    dist = solver._potentials(p_e, v_e, cost, chosen, capacity, 40)
    reduced = cost + dist[p_e] - dist[40 + v_e]
    flow = np.zeros(len(p_e), bool)
    flow[chosen] = True
    assert np.all(reduced[~flow] >= 0) and np.all(reduced[flow] <= 0)  # optimality conditions


@pytest.mark.parametrize("density", [0.002, 0.02, 0.3])
def test_components_from_a_sample_equal_the_components_of_every_edge(density, monkeypatch):
    # sparse graphs (many small components, most edges outside the sample) and dense ones
    rng = np.random.default_rng(int(density * 1000))
    p_e, v_e = np.nonzero(rng.random((300, 200)) < density)
    direct_n, direct = solver._component_labels(p_e, v_e, 300, 200)
    monkeypatch.setattr(solver, "COMPONENT_SAMPLE", 8)
    sampled_n, sampled = solver._component_labels(p_e, v_e, 300, 200)
    assert sampled_n == direct_n
    # the same partition: labels correspond one to one
    pairs = set(zip(direct.tolist(), sampled.tolist(), strict=True))
    assert len(pairs) == direct_n == len({b for _, b in pairs})


def test_potentials_that_do_not_settle_in_time_fall_back_to_the_direct_solve(monkeypatch):
    rng = np.random.default_rng(23)
    score = np.round(rng.random((50, 30)), 2)
    capacity = rng.integers(1, 3, 30)
    p_e, v_e, s_e = _edges(score)
    force_pricing(monkeypatch, pool=1)
    monkeypatch.setattr(solver, "POTENTIAL_ROUNDS", 1)  # never enough: no proof possible
    stats: dict = {}
    chosen = solver.solve_edges(p_e, v_e, s_e, capacity, 50, stats=stats, grouped=True)
    assert stats["pricing_rounds"] == 0
    assert same_objective(s_e[chosen].sum(), lp_optimum(score, capacity, 0.0))
