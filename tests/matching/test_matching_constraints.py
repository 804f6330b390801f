"""Input rows, features and hard constraints; the candidate generator equals the dense matrix."""

import numpy as np
import pytest

from benchmarks.population import REGION, make_population
from buddy.matching import (
    LEVELS,
    PairRules,
    ParticipantRow,
    Pruning,
    VolunteerRow,
    WeightTable,
    build_features,
    candidate_edges,
    feasible_pv,
    features,
    goals_mask,
    interests_mask,
    keys_of,
    score_matrix,
    slot_index,
    slot_name,
    slots_mask,
)
from buddy.matching.candidates import _Places, auction_prices
from buddy.matching.constraints import chord2, distance_km
from buddy.matching.features import Operand, unique_rows
from tests.matching.geo import AMSTERDAM, ROTTERDAM, east_of

pytestmark = pytest.mark.no_database


def feasible(participants, volunteers, forbidden=(), ended_badly=()) -> np.ndarray:
    features = build_features(participants, volunteers)
    rules = PairRules.from_ids(features, forbidden, ended_badly)
    return feasible_pv(features.participants, features.volunteers, rules)


# --- vocabulary and rows ----------------------------------------------------------------


def test_slot_helpers_round_trip():
    assert slot_index("mon", "morning") == 0
    assert slot_index("sun", "evening") == 20
    assert slot_index(2, 1) == 7
    assert slot_name(7) == ("wed", "afternoon")
    assert slots_mask([("mon", "evening"), 3]) == (1 << 2) | (1 << 3)
    with pytest.raises(ValueError):
        slot_name(21)
    with pytest.raises(ValueError):
        slots_mask([21])


def test_interest_and_goal_masks_follow_the_tuple_order():
    assert interests_mask(["cooking", "history"]) == 1 | (1 << 11)
    assert goals_mask(["language", "social"]) == 1 | (1 << 6)
    assert keys_of(goals_mask(["work", "study"]), ("language", "work", "study")) == (
        "work",
        "study",
    )


@pytest.mark.parametrize(
    "overrides",
    [
        {"slots": 1 << 21},
        {"slots": -1},
        {"interests": 1 << 12},
        {"goals": 1 << 7},
        {"primary_goal": "dancing"},
        {"level": "C1"},
        {"gender": "q"},
        {"gender_pref": "q"},
        {"radius_km": -1.0},
        {"radius_km": float("nan")},
        {"lat": float("nan")},
        {"lat": 95.0},
    ],
)
def test_participant_row_rejects_bad_values(make_participant, overrides):
    with pytest.raises(ValueError):
        make_participant(**overrides)


@pytest.mark.parametrize("overrides", [{"capacity": -1}, {"support": 1 << 7}, {"gender": "q"}])
def test_volunteer_row_rejects_bad_values(make_volunteer, overrides):
    with pytest.raises(ValueError):
        make_volunteer(**overrides)


def test_rows_normalise_languages_and_accept_any_level(make_participant):
    row = make_participant(languages=["AR", " fa ", ""], level=LEVELS[4])
    assert row.languages == frozenset({"ar", "fa"})


def test_features_vocabulary_and_arrays(make_participant, make_volunteer):
    participants = [
        make_participant(languages={"ti", "en"}, level="A2", primary_goal="work"),
        make_participant(organisation_id="other", neighbourhood_id=None),
    ]
    volunteers = [make_volunteer(languages={"nl", "uk"}, gender="f", capacity=3)]
    f = build_features(participants, volunteers)
    assert f.vocabulary.languages == ("ar", "en", "ti", "uk")  # sorted, Dutch left out
    assert f.vocabulary.organisations == ("org", "other")
    assert f.participants.neighbourhood.tolist() == [0, -1]
    assert f.participants.below_a2.tolist() == [False, True]
    assert f.participants.primary_mask.tolist() == [goals_mask(["work"]), 0]
    assert f.participants.goals[0] & goals_mask(["work"])  # primary goal is one of the goals
    assert f.volunteers.lang[0, 0] == 1 << 3  # "uk" only: Dutch has no bit
    assert f.volunteers.gender.tolist() == [0]
    assert f.volunteers.capacity.tolist() == [3]
    assert f.participant_index == {1: 0, 2: 1}


def test_duplicate_ids_are_rejected(make_participant, make_volunteer):
    with pytest.raises(ValueError, match="unique"):
        build_features([make_participant(id=1), make_participant(id=1)], [make_volunteer()])


def test_more_than_64_languages_use_several_words(make_participant, make_volunteer):
    codes = [f"x{i:02d}" for i in range(70)]
    p = make_participant(languages={"x69"}, level="A0")
    v_far = make_volunteer(languages=set(codes[:64]))
    v_near = make_volunteer(languages={"x69", "x00"})
    f = build_features([p], [v_far, v_near])
    assert f.participants.lang.shape == (1, 2)
    table = WeightTable(f.vocabulary.organisations, {"language": 1.0, "availability": 0.0,
                                                     "proximity": 0.0, "interests": 0.0,
                                                     "goals": 0.0, "waiting": 0.0,
                                                     "priority": 0.0})  # fmt: skip
    assert score_matrix(f.participants, f.volunteers, table).tolist() == [[0.0, 1.0]]


# --- each hard constraint ----------------------------------------------------------------


def test_a_shared_slot_is_required(make_participant, make_volunteer):
    p = make_participant(slots=slots_mask([("tue", "morning"), ("tue", "evening")]))
    assert feasible([p], [make_volunteer(slots=slots_mask([("tue", "evening")]))])[0, 0]
    assert not feasible([p], [make_volunteer(slots=slots_mask([("wed", "evening")]))])[0, 0]


def test_distance_must_be_within_both_radii(make_participant, make_volunteer):
    p = make_participant(radius_km=5.0)
    four_km = east_of(ROTTERDAM, 4.0)
    assert feasible([p], [make_volunteer(at=four_km, radius_km=4.5)])[0, 0]
    assert not feasible([p], [make_volunteer(at=four_km, radius_km=3.5)])[0, 0]
    assert not feasible([make_participant(radius_km=3.5)], [make_volunteer(at=four_km)])[0, 0]


def test_both_online_lifts_the_distance_limit(make_participant, make_volunteer):
    far = make_volunteer(at=AMSTERDAM, online=True)
    assert feasible([make_participant(online=True)], [far])[0, 0]
    assert not feasible([make_participant(online=False)], [far])[0, 0]
    assert not feasible([make_participant(online=True)], [make_volunteer(at=AMSTERDAM)])[0, 0]


def test_in_person_needs_both_sides_to_meet_in_person(make_participant, make_volunteer):
    online_only = make_participant(in_person=False, online=True)
    assert not feasible([online_only], [make_volunteer()])[0, 0]
    assert feasible([online_only], [make_volunteer(online=True)])[0, 0]
    nowhere = make_participant(in_person=False, online=False)
    assert not feasible([nowhere], [make_volunteer(online=True)])[0, 0]


@pytest.mark.parametrize(
    ("pref", "gender", "ok"),
    [
        (None, "m", True),
        ("any", None, True),
        ("f", "f", True),
        ("f", "m", False),
        ("f", None, False),  # unknown gender never meets a preference
        ("m", "m", True),
        ("m", "x", False),
    ],
)
def test_gender_preference(make_participant, make_volunteer, pref, gender, ok):
    assert (
        feasible([make_participant(gender_pref=pref)], [make_volunteer(gender=gender)])[0, 0] == ok
    )


def test_forbid_rules_and_bad_endings_exclude_pairs(make_participant, make_volunteer):
    ps = [make_participant(), make_participant()]
    vs = [make_volunteer(), make_volunteer()]
    matrix = feasible(ps, vs, forbidden={(1, 101)}, ended_badly={(2, 102), (99, 101)})
    assert matrix.tolist() == [[False, True], [True, False]]


def test_different_organisations_never_pair(make_participant, make_volunteer):
    assert not feasible([make_participant()], [make_volunteer(organisation_id="elsewhere")])[0, 0]


def test_rules_report_their_kind(make_participant, make_volunteer):
    features = build_features([make_participant()], [make_volunteer()])
    rules = PairRules.from_ids(features, {(1, 101)}, {(1, 101)})
    assert rules.kinds_for(0, 0) == ("ended_badly", "forbidden")


# --- the candidate generator is the dense matrix without the matrix ----------------------


def dense_edges(features, table, rules, capacity=None, active=None):
    score = score_matrix(features.participants, features.volunteers, table, rules)
    if capacity is not None:
        score[:, np.asarray(capacity) <= 0] = np.nan
    if active is not None:
        score[~np.asarray(active)] = np.nan
    p_e, v_e = np.nonzero(np.isfinite(score) & (score > 0))
    return p_e, v_e, score[p_e, v_e]


def sorted_edges(edges):
    order = np.lexsort((edges.v, edges.p))
    return edges.p[order], edges.v[order], edges.score[order]


@pytest.mark.parametrize(
    ("n_p", "n_v", "kwargs"),
    [
        (300, 220, {}),
        (400, 300, {"n_orgs": 12}),
        (300, 250, {"cities": REGION}),
    ],
)
def test_candidate_edges_equal_the_dense_feasible_set(n_p, n_v, kwargs):
    pop = make_population(n_p, n_v, seed=5, **kwargs)
    features = build_features(pop.participants, pop.volunteers)
    table = WeightTable(features.vocabulary.organisations)
    rules = PairRules.from_ids(features, pop.forbidden, pop.ended_badly)
    expected = dense_edges(features, table, rules)
    for chunk in (1 << 18, 500):  # chunking changes nothing
        edges = candidate_edges(features.participants, features.volunteers, table, rules,
                                chunk_edges=chunk)  # fmt: skip
        p_e, v_e, s_e = sorted_edges(edges)
        assert np.array_equal(p_e, expected[0]) and np.array_equal(v_e, expected[1])
        np.testing.assert_allclose(s_e, expected[2], rtol=0, atol=1e-12)
        assert not edges.pruned
        dense_count = np.bincount(expected[0], minlength=n_p)
        assert np.array_equal(edges.n_acceptable, dense_count)


def test_candidate_edges_respect_capacity_and_active(make_participant, make_volunteer):
    pop = make_population(200, 150, seed=9)
    features = build_features(pop.participants, pop.volunteers)
    table = WeightTable(features.vocabulary.organisations)
    rng = np.random.default_rng(0)
    capacity = features.volunteers.capacity * (rng.random(150) < 0.5)
    active = rng.random(200) < 0.7
    expected = dense_edges(features, table, PairRules.empty(), capacity, active)
    edges = candidate_edges(features.participants, features.volunteers, table,
                            capacity=capacity, active=active)  # fmt: skip
    p_e, v_e, _ = sorted_edges(edges)
    assert np.array_equal(p_e, expected[0]) and np.array_equal(v_e, expected[1])


def test_min_score_filters_candidates_but_counts_keep_the_feasible():
    pop = make_population(150, 100, seed=2)
    features = build_features(pop.participants, pop.volunteers)
    table = WeightTable(features.vocabulary.organisations)
    all_edges = candidate_edges(features.participants, features.volunteers, table)
    high = candidate_edges(features.participants, features.volunteers, table, min_score=0.6)
    assert np.all(high.score >= 0.6)
    assert len(high.p) == int(np.sum(all_edges.score >= 0.6))
    assert np.array_equal(high.n_feasible, all_edges.n_feasible)


def test_pruning_keeps_each_participants_best_by_price_adjusted_score():
    pop = make_population(400, 300, seed=4)
    features = build_features(pop.participants, pop.volunteers)
    table = WeightTable(features.vocabulary.organisations)
    exact = candidate_edges(features.participants, features.volunteers, table)
    pruned = candidate_edges(features.participants, features.volunteers, table,
                             pruning=Pruning(top_k=5, pool=12, rounds=3, above=0))  # fmt: skip
    assert pruned.pruned
    assert np.bincount(pruned.p, minlength=400).max() <= 5
    exact_score = {(p, v): s for p, v, s in zip(*sorted_edges(exact), strict=True)}
    assert all(exact_score[p, v] == s for p, v, s in zip(*sorted_edges(pruned), strict=True))
    # below the threshold nothing is pruned
    untouched = candidate_edges(features.participants, features.volunteers, table,
                                pruning=Pruning(above=10**9))  # fmt: skip
    assert len(untouched.p) == len(exact.p) and not untouched.pruned


def test_auction_prices_rise_only_for_contested_volunteers():
    # participants 0..2 all prefer volunteer 0 (capacity 1); volunteer 1 is nobody's first
    p_e = np.array([0, 0, 1, 1, 2, 2])
    v_e = np.array([0, 1, 0, 1, 0, 1])
    score = np.array([0.9, 0.3, 0.8, 0.2, 0.7, 0.1])
    prices = auction_prices(p_e, v_e, score, np.array([1, 3]), rounds=3)
    assert prices[0] > 0 and prices[1] == 0


def test_far_apart_volunteer_rows_are_fine(make_participant, make_volunteer):
    # a volunteer beyond the KD-tree radius never shows up as an in-person candidate
    features = build_features([make_participant()], [make_volunteer(at=AMSTERDAM)])
    table = WeightTable(features.vocabulary.organisations)
    edges = candidate_edges(features.participants, features.volunteers, table)
    assert len(edges.p) == 0 and edges.n_feasible.tolist() == [0]


def test_rows_can_be_built_from_plain_values_like_an_orm_row():
    row = ParticipantRow(id=7, organisation_id=3, slots=5, lat=52.0, lon=4.3)
    volunteer = VolunteerRow(id=8, organisation_id=3, slots=4, lat=52.0, lon=4.3)
    assert feasible([row], [volunteer]).tolist() == [[True]]


def test_popcount_lookup_table_fallback(monkeypatch):
    masks = np.array([0, 1, 0b1011, (1 << 21) - 1, 1 << 20], dtype=np.int32)
    expected = [0, 1, 3, 21, 1]
    assert features.popcount(masks).tolist() == expected
    monkeypatch.delattr(np, "bitwise_count")
    assert features.popcount(masks).tolist() == expected


def test_candidate_edges_with_per_organisation_weights_equal_the_dense_scores():
    # weights differing per organisation take the generic scorer, not the packed tables
    pop = make_population(400, 300, seed=8, n_orgs=6)
    features = build_features(pop.participants, pop.volunteers)
    orgs = features.vocabulary.organisations
    table = WeightTable(orgs, None, {orgs[0]: {"proximity": 2.0}, orgs[1]: {"language": 0.0}})
    assert table.uniform is None
    rules = PairRules.from_ids(features, pop.forbidden, pop.ended_badly)
    expected = dense_edges(features, table, rules)
    p_e, v_e, s_e = sorted_edges(candidate_edges(features.participants, features.volunteers,
                                                 table, rules))  # fmt: skip
    assert np.array_equal(p_e, expected[0]) and np.array_equal(v_e, expected[1])
    np.testing.assert_allclose(s_e, expected[2], rtol=0, atol=1e-12)


def test_candidate_edges_come_grouped_by_participant_as_int32():
    pop = make_population(300, 220, seed=3)
    features = build_features(pop.participants, pop.volunteers)
    table = WeightTable(features.vocabulary.organisations)
    edges = candidate_edges(features.participants, features.volunteers, table, chunk_edges=700)
    assert edges.p.dtype == np.int32 and edges.v.dtype == np.int32
    assert np.all(np.diff(edges.p) >= 0)
    keys = edges.p.astype(np.int64) * len(features.volunteers) + edges.v
    assert len(np.unique(keys)) == len(keys)  # each pair once


def test_neighbourhood_table_equals_per_pair_distances():
    pop = make_population(200, 150, seed=6, n_orgs=4)
    features = build_features(pop.participants, pop.volunteers)
    P, V = features.participants, features.volunteers
    places = _Places(P, V)
    same = P.org[:, None] == V.org[None, :]
    p_rows, v_rows = np.nonzero(same)
    cell = places.cell(places.loc_p[p_rows], places.loc_v[v_rows])
    p, v = Operand(P, p_rows), Operand(V, v_rows)
    assert np.array_equal(places.c2[cell], chord2(p, v))
    assert np.array_equal(places.km[cell], distance_km(chord2(p, v)))


def test_unique_rows_equals_numpy_unique_with_ties():
    rng = np.random.default_rng(7)
    for _ in range(100):
        n, k = int(rng.integers(1, 60)), int(rng.integers(1, 5))
        a = rng.integers(-3, 3, (n, k)) / rng.choice([1.0, 3.0, 7.0])  # many equal rows
        rows, inverse = unique_rows(a)
        expected_rows, expected_inverse = np.unique(a, axis=0, return_inverse=True)
        assert np.array_equal(rows, expected_rows)
        assert np.array_equal(inverse, expected_inverse.reshape(-1))
        assert np.array_equal(rows[inverse], a)
    rows, inverse = unique_rows(np.zeros((0, 4)))
    assert rows.shape == (0, 4) and len(inverse) == 0
