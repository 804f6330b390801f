"""Score components, each on hand-built pairs, and their weighted sum."""

import numpy as np
import pytest

from benchmarks.population import make_population
from buddy.matching import (
    COMPONENTS,
    DEFAULT_WEIGHTS,
    PairRules,
    WeightTable,
    build_features,
    edge_scores,
    goals_mask,
    interests_mask,
    normalise_weights,
    score_matrix,
    slots_mask,
)
from buddy.matching.constraints import chord2, distance_km
from buddy.matching.features import Operand
from buddy.matching.scores import component_scores
from tests.matching.geo import AMSTERDAM, ROTTERDAM, east_of, haversine_km

pytestmark = pytest.mark.no_database

ONLY = {name: 0.0 for name in COMPONENTS}


def components(participant, volunteer) -> dict[str, float]:
    """Every component of one pair, as plain floats."""
    f = build_features([participant], [volunteer])
    p, v = Operand(f.participants, np.array([0])), Operand(f.volunteers, np.array([0]))
    return {k: float(value[0]) for k, value in component_scores(p, v, chord2(p, v)).items()}


def slots(*names):
    return slots_mask(names)


@pytest.mark.parametrize(
    ("p_slots", "v_slots", "expected"),
    [
        (slots(("mon", "evening")), slots(("mon", "evening")), 1.0),  # 1 of 1
        (slots(("mon", "evening"), ("tue", "evening")), slots(("mon", "evening")), 0.5),
        (slots(*[("mon", p) for p in ("morning", "afternoon", "evening")], ("sat", "morning")),
         slots(("mon", "morning"), ("mon", "evening")), 2 / 3),
        (slots(*[(d, "evening") for d in ("mon", "tue", "wed", "thu")]),
         slots(*[(d, "evening") for d in ("mon", "tue", "wed", "thu")]), 1.0),  # capped
        (slots(("mon", "evening")), slots(("sun", "evening")), 0.0),
    ],
)  # fmt: skip
def test_availability(make_participant, make_volunteer, p_slots, v_slots, expected):
    got = components(make_participant(slots=p_slots), make_volunteer(slots=v_slots))
    assert got["availability"] == pytest.approx(expected)


def test_distance_is_the_haversine_distance():
    lat = np.radians([ROTTERDAM[0], AMSTERDAM[0]])
    lon = np.radians([ROTTERDAM[1], AMSTERDAM[1]])
    xyz = np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)], axis=1)
    c2 = np.sum((xyz[0] - xyz[1]) ** 2)
    assert distance_km(c2) == pytest.approx(haversine_km(ROTTERDAM, AMSTERDAM), abs=1e-6)
    assert distance_km(c2) == pytest.approx(57.2, abs=0.05)


def test_proximity(make_participant, make_volunteer):
    same_place = components(make_participant(radius_km=5), make_volunteer(radius_km=8))
    assert same_place["proximity"] == pytest.approx(1.0)
    two_km = components(
        make_participant(radius_km=5), make_volunteer(at=east_of(ROTTERDAM, 2.0), radius_km=4)
    )
    assert two_km["proximity"] == pytest.approx(1 - 2 / 4, abs=1e-4)  # tighter radius is 4
    online_far = components(
        make_participant(online=True), make_volunteer(at=AMSTERDAM, online=True)
    )
    assert online_far["proximity"] == 0.0
    zero_radius = components(make_participant(radius_km=0.0), make_volunteer())
    assert zero_radius["proximity"] == 1.0  # same centroid: distance 0 is within a 0 radius


@pytest.mark.parametrize(
    ("p_keys", "v_keys", "expected"),
    [
        (["cooking", "sport"], ["cooking"], 1.0),  # the shorter list has one, it is shared
        (["cooking", "sport", "music", "art"], ["cooking", "sport", "film", "games", "art"],
         1.0),  # 3 shared = full
        (["cooking", "sport", "music", "art"], ["cooking", "sport", "film", "games"], 2 / 3),
        (["cooking"], ["sport"], 0.0),
        ([], ["sport"], 0.0),
    ],
)  # fmt: skip
def test_interests(make_participant, make_volunteer, p_keys, v_keys, expected):
    got = components(
        make_participant(interests=interests_mask(p_keys)),
        make_volunteer(interests=interests_mask(v_keys)),
    )
    assert got["interests"] == pytest.approx(expected)


@pytest.mark.parametrize(
    ("primary", "goals", "support", "expected"),
    [
        ("work", ["study", "social"], ["work", "social"], 0.6 + 0.4 * 0.5),
        ("work", ["study", "social"], ["study", "social"], 0.4),
        ("work", [], ["work"], 1.0),  # only a primary goal
        ("work", [], ["social"], 0.0),
        (None, ["study", "social"], ["social"], 0.5),  # no primary: share of all goals
        (None, [], ["social"], 0.0),  # no goals at all
    ],
)
def test_goals(make_participant, make_volunteer, primary, goals, support, expected):
    got = components(
        make_participant(primary_goal=primary, goals=goals_mask(goals)),
        make_volunteer(support=goals_mask(support)),
    )
    assert got["goals"] == pytest.approx(expected)


@pytest.mark.parametrize(
    ("level", "p_langs", "v_langs", "expected"),
    [
        ("A0", {"ar"}, {"nl", "ar"}, 1.0),
        ("A1", {"ti", "en"}, {"nl", "en"}, 1.0),
        ("A2", {"ar"}, {"nl", "ar"}, 0.0),  # A2 and above need no bridge language
        ("A0", {"ar", "nl"}, {"nl", "en"}, 0.0),  # Dutch is not a bridge language
        ("A0", {"fa"}, {"nl", "ar"}, 0.0),
    ],
)
def test_language(make_participant, make_volunteer, level, p_langs, v_langs, expected):
    got = components(
        make_participant(level=level, languages=p_langs), make_volunteer(languages=v_langs)
    )
    assert got["language"] == expected


@pytest.mark.parametrize(("days", "expected"), [(0, 0.0), (90, 0.5), (180, 1.0), (400, 1.0)])
def test_waiting(make_participant, make_volunteer, days, expected):
    assert components(make_participant(waiting_days=days), make_volunteer())["waiting"] == (
        pytest.approx(expected)
    )


def test_negative_waiting_days_count_as_zero(make_participant, make_volunteer):
    assert components(make_participant(waiting_days=-5), make_volunteer())["waiting"] == 0.0


def test_priority(make_participant, make_volunteer):
    assert components(make_participant(priority_area=True), make_volunteer())["priority"] == 1.0
    assert components(make_participant(), make_volunteer())["priority"] == 0.0


def test_weights_are_normalised_and_validated():
    assert sum(DEFAULT_WEIGHTS.values()) == pytest.approx(1.0)
    doubled = normalise_weights({k: 2 * w for k, w in DEFAULT_WEIGHTS.items()})
    assert doubled == pytest.approx(dict(DEFAULT_WEIGHTS))
    assert normalise_weights({"waiting": 0.95})["waiting"] == pytest.approx(0.95 / 1.9)
    for bad in ({"speed": 1.0}, {"waiting": -1.0}, {"waiting": float("inf")}, ONLY):
        with pytest.raises(ValueError):
            normalise_weights(bad)


def test_score_is_the_weighted_sum_in_unit_range(make_participant, make_volunteer):
    p = make_participant(
        slots=slots(("mon", "evening"), ("tue", "evening")),
        interests=interests_mask(["cooking"]),
        primary_goal="work",
        waiting_days=45,
        priority_area=True,
    )
    v = make_volunteer(at=east_of(ROTTERDAM, 1.0), interests=interests_mask(["cooking"]))
    parts = components(p, v)
    f = build_features([p], [v])
    table = WeightTable(f.vocabulary.organisations)
    score = score_matrix(f.participants, f.volunteers, table)[0, 0]
    assert score == pytest.approx(sum(DEFAULT_WEIGHTS[k] * parts[k] for k in COMPONENTS))
    assert 0.0 <= score <= 1.0


def test_score_matrix_is_nan_where_infeasible(make_participant, make_volunteer):
    f = build_features([make_participant()], [make_volunteer(), make_volunteer(at=AMSTERDAM)])
    score = score_matrix(f.participants, f.volunteers, WeightTable(f.vocabulary.organisations))
    assert np.isfinite(score[0, 0]) and np.isnan(score[0, 1])


def test_organisations_can_have_their_own_weights(make_participant, make_volunteer):
    ps = [make_participant(organisation_id="a", waiting_days=180),
          make_participant(organisation_id="b", waiting_days=180)]  # fmt: skip
    vs = [make_volunteer(organisation_id="a"), make_volunteer(organisation_id="b")]
    f = build_features(ps, vs)
    table = WeightTable(
        f.vocabulary.organisations, {**ONLY, "availability": 1.0}, {"b": {"waiting": 1.0}}
    )
    assert table.uniform is None
    score = score_matrix(f.participants, f.volunteers, table)
    assert score[0, 0] == pytest.approx(1.0)  # org a: availability only, fully shared
    assert score[1, 1] == pytest.approx(1.0)  # org b: availability and waiting, both 1
    assert table.for_org(1)["waiting"] == pytest.approx(0.5)


def test_empty_inputs_give_empty_matrices():
    f = build_features([], [])
    table = WeightTable(f.vocabulary.organisations)
    assert score_matrix(f.participants, f.volunteers, table).shape == (0, 0)


def test_edge_scores_equal_the_matrix_cells():
    pop = make_population(60, 40, seed=4)
    f = build_features(pop.participants, pop.volunteers)
    table = WeightTable(f.vocabulary.organisations)
    rules = PairRules.from_ids(f, pop.forbidden, pop.ended_badly)
    matrix = score_matrix(f.participants, f.volunteers, table, rules)
    p_e, v_e = np.divmod(np.arange(60 * 40), 40)
    np.testing.assert_array_equal(
        edge_scores(f.participants, f.volunteers, p_e, v_e, table, rules), matrix.ravel()
    )
