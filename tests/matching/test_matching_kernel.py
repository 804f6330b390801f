"""The compiled candidate loop (kernel.py) gives the NumPy path's edges, bit for bit."""

import dataclasses

import numpy as np
import pytest

from benchmarks.population import REGION, make_population
from buddy.matching import (
    PairRules,
    Pruning,
    WeightTable,
    build_features,
    candidate_edges,
    candidates,
    kernel,
    run_matching,
)
from buddy.matching.candidates import _Generator
from buddy.matching.solver import acceptable, acceptance_floor

pytestmark = pytest.mark.no_database

FIELDS = ("p", "v", "score", "n_feasible", "n_acceptable")


def both_paths(features, table, rules, **kwargs):
    args = (features.participants, features.volunteers, table, rules)
    compiled = candidate_edges(*args, compiled=True, **kwargs)
    numpy_path = candidate_edges(*args, compiled=False, **kwargs)
    assert compiled.compiled and not numpy_path.compiled
    return compiled, numpy_path


def assert_identical(compiled, numpy_path):
    for field in FIELDS:
        a, b = getattr(compiled, field), getattr(numpy_path, field)
        assert a.dtype == b.dtype, field
        assert np.array_equal(a, b), field  # the same pairs, order and float bits
    assert compiled.pruned == numpy_path.pruned


def with_employers(pop, seed):
    """Give a third of the volunteers an employer and a colleague choice, and some
    participants the same employers, so the colleague rule has work to do."""
    rng = np.random.default_rng(seed)
    employers = ("bakery", "garage", "school")
    volunteers = [
        dataclasses.replace(v, employer=employers[rng.integers(3)],
                            colleagues=("either", "only", "outside")[rng.integers(3)])
        if rng.random() < 0.35 else v
        for v in pop.volunteers
    ]
    participants = [
        dataclasses.replace(p, employer=employers[rng.integers(3)]) if rng.random() < 0.3 else p
        for p in pop.participants
    ]
    return dataclasses.replace(pop, participants=participants, volunteers=volunteers)


@pytest.mark.parametrize(
    ("seed", "n_p", "n_v", "kwargs"),
    [
        (1, 400, 300, {}),
        (2, 500, 380, {"n_orgs": 9}),
        (3, 600, 450, {"cities": REGION}),
        (4, 300, 260, {"cities": ("Amsterdam", "Zaanstad", "Almere")}),
    ],
)
@pytest.mark.parametrize("colleagues", [False, True])
def test_compiled_and_numpy_paths_give_the_same_edges(seed, n_p, n_v, kwargs, colleagues):
    pop = make_population(n_p, n_v, seed=seed, **kwargs)
    if colleagues:
        pop = with_employers(pop, seed)
    features = build_features(pop.participants, pop.volunteers)
    table = WeightTable(features.vocabulary.organisations)
    rules = PairRules.from_ids(features, pop.forbidden, pop.ended_badly)
    assert len(rules.p) > 0 and np.any(features.participants.gender_pref >= 0)
    assert np.any(features.participants.online) and np.any(features.volunteers.online)
    assert _Generator(features.participants, features.volunteers, rules,
                      features.volunteers.capacity, np.ones(n_p, bool), table).compilable
    rng = np.random.default_rng(seed)
    capacity = features.volunteers.capacity * (rng.random(n_v) < 0.8)
    active = rng.random(n_p) < 0.9
    cases = [
        {},
        {"min_score": 0.55},
        {"capacity": capacity, "active": active},
        {"chunk_edges": 300},  # many chunks, some of one participant
        {"pruning": Pruning(top_k=4, pool=9, rounds=3, above=0)},
        {"pruning": Pruning(top_k=4, pool=9, rounds=3, above=0), "min_score": 0.4,
         "chunk_edges": 1000},
    ]
    for case in cases:
        compiled, numpy_path = both_paths(features, table, rules, **case)
        assert len(compiled.p) > 0, case
        assert_identical(compiled, numpy_path)


def test_the_pool_is_top_pools_set_with_several_organisations_pruned_or_not():
    # organisations above the threshold are cut to their pool, the others kept whole
    pop = make_population(700, 520, seed=11, n_orgs=5)
    features = build_features(pop.participants, pop.volunteers)
    table = WeightTable(features.vocabulary.organisations)
    rules = PairRules.from_ids(features, pop.forbidden, pop.ended_badly)
    exact = candidate_edges(features.participants, features.volunteers, table, rules)
    per_org = np.bincount(features.participants.org[exact.p])
    above = int(np.sort(per_org)[len(per_org) // 2])  # about half the organisations pruned
    compiled, numpy_path = both_paths(features, table, rules,
                                      pruning=Pruning(top_k=3, pool=6, rounds=2, above=above))
    assert compiled.pruned
    assert_identical(compiled, numpy_path)


def test_per_organisation_weights_take_the_numpy_path():
    pop = make_population(200, 150, seed=5, n_orgs=3)
    features = build_features(pop.participants, pop.volunteers)
    orgs = features.vocabulary.organisations
    uneven = WeightTable(orgs, None, {orgs[0]: {"proximity": 2.0}})
    generator = _Generator(features.participants, features.volunteers, PairRules.empty(),
                           features.volunteers.capacity, np.ones(200, bool), uneven)
    assert not generator.compilable  # no packed tables for per-organisation weights
    args = (features.participants, features.volunteers, uneven, PairRules.empty())
    asked = candidate_edges(*args, compiled=True)
    assert not asked.compiled
    assert_identical(asked, candidate_edges(*args, compiled=False))


def test_by_default_the_compiled_loops_start_at_the_size_where_they_pay(monkeypatch):
    pop = make_population(300, 220, seed=7)
    features = build_features(pop.participants, pop.volunteers)
    table = WeightTable(features.vocabulary.organisations)
    args = (features.participants, features.volunteers, table)
    generated = _Generator(features.participants, features.volunteers, PairRules.empty(),
                           features.volunteers.capacity, np.ones(300, bool),
                           table).pairs_per_participant().sum()
    assert generated < candidates.COMPILED_ABOVE
    small = candidate_edges(*args)
    assert not small.compiled  # NumPy: loading compiled code would cost more than it saves
    monkeypatch.setattr(candidates, "COMPILED_ABOVE", int(generated))
    at_threshold = candidate_edges(*args)
    assert at_threshold.compiled
    assert_identical(at_threshold, small)
    result = run_matching(pop.participants, pop.volunteers, explain=False)
    assert result.stats["compiled"]


def test_warm_compiles_what_matching_uses():
    kernel.warm()  # compiles or loads from the cache; must not raise
    for function in (kernel.run_pairs, kernel.auction_prices, kernel.top_k):
        assert function.signatures, function


def test_the_acceptance_floor_is_the_acceptance_rule():
    scores = np.array([np.nan, -np.inf, -1.0, -0.0, 0.0, 5e-324, 1e-300, 0.3, 0.5, 1.0, np.inf])
    for min_score in (-np.inf, -1.0, 0.0, 1e-320, 0.3, 0.5, 2.0):
        floor = acceptance_floor(min_score)
        finite = np.isfinite(scores)
        with np.errstate(invalid="ignore"):
            by_floor = finite & (scores >= floor)
            by_rule = finite & (scores >= min_score) & (scores > 0)
        assert by_floor.tolist() == by_rule.tolist() == acceptable(scores, min_score).tolist()
    with pytest.raises(ValueError):
        acceptance_floor(float("nan"))


@pytest.mark.parametrize("case", ["two and two", "no participants", "no volunteers",
                                  "nobody active", "no capacity", "no shared slot"])
def test_edge_cases_agree(case, make_participant, make_volunteer):
    participants = [make_participant(online=True), make_participant()]
    volunteers = [make_volunteer(online=True), make_volunteer()]
    if case == "no participants":
        participants = []
    if case == "no volunteers":
        volunteers = []
    if case == "no shared slot":
        volunteers = [dataclasses.replace(v, slots=1 << 20) for v in volunteers]
        participants = [dataclasses.replace(p, slots=1) for p in participants]
    features = build_features(participants, volunteers)
    table = WeightTable(features.vocabulary.organisations)
    kwargs = {}
    if case == "nobody active":
        kwargs["active"] = np.zeros(len(participants), bool)
    if case == "no capacity":
        kwargs["capacity"] = np.zeros(len(volunteers), np.int64)
    compiled, numpy_path = both_paths(features, table, PairRules.empty(), **kwargs)
    assert_identical(compiled, numpy_path)
    assert (len(compiled.p) > 0) == (case == "two and two")
