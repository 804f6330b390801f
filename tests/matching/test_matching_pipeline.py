"""run_matching end to end: pairs, pins, explanations, unmatched reasons, recruit summary."""

import ast
import json
from pathlib import Path

import numpy as np
import pytest

from benchmarks.population import make_population
from buddy.matching import (
    COMPONENTS,
    UNMATCHED_REASONS,
    MatchingOptions,
    Pruning,
    WeightTable,
    assign,
    build_features,
    goals_mask,
    interests_mask,
    run_matching,
    score_matrix,
    slots_mask,
)
from buddy.matching.constraints import PairRules
from tests.matching.geo import AMSTERDAM, ROTTERDAM, east_of, haversine_km

pytestmark = pytest.mark.no_database

MON_EVENING, SAT_MORNING = slots_mask([("mon", "evening")]), slots_mask([("sat", "morning")])


def by_participant(result) -> dict:
    return {pair.participant_id: pair for pair in result.pairs}


def reasons(result) -> dict:
    return {u.participant_id: u.reason for u in result.unmatched}


# --- pairs and explanations ---------------------------------------------------------------


def test_explanation_names_the_concrete_facts(make_participant, make_volunteer):
    p = make_participant(
        slots=MON_EVENING | SAT_MORNING | slots_mask([("wed", "morning")]),
        interests=interests_mask(["cooking", "music", "film"]),
        primary_goal="work",
        goals=goals_mask(["study", "social"]),
        languages={"ar", "en"},
        level="A0",
        waiting_days=30,
        priority_area=True,
        online=True,
    )
    v = make_volunteer(
        at=AMSTERDAM,
        slots=MON_EVENING | SAT_MORNING,
        interests=interests_mask(["music", "cooking", "sport"]),
        support=goals_mask(["work", "social"]),
        languages={"nl", "ar", "en"},
        online=True,
    )
    result = run_matching([p], [v])
    (pair,) = result.pairs
    why = pair.explanation
    assert (pair.participant_id, pair.volunteer_id, pair.pinned) == (p.id, v.id, False)
    assert why.shared_slots == (2, 15)
    assert why.shared_slot_names == (("mon", "evening"), ("sat", "morning"))
    assert why.distance_km == round(haversine_km(ROTTERDAM, AMSTERDAM), 1) == 57.2
    assert why.meeting == "online"
    assert why.shared_interests == ("cooking", "music")
    assert (why.primary_goal, why.primary_goal_covered) == ("work", True)
    assert why.covered_goals == ("work", "social")
    assert why.shared_languages == ("ar", "en") and why.bridge_language == "ar"
    assert (why.waiting_days, why.priority_area) == (30, True)
    assert [c.name for c in why.components] == list(COMPONENTS)
    assert sum(c.contribution for c in why.components) == pytest.approx(pair.score)
    values = {c.name: c.value for c in why.components}
    assert values["availability"] == pytest.approx(2 / 3)
    assert values["proximity"] == 0.0  # beyond reach: they meet online
    assert values["goals"] == pytest.approx(0.6 + 0.4 * 0.5)
    assert all(c.contribution == pytest.approx(c.value * c.weight) for c in why.components)


def test_explanation_in_person_distance(make_participant, make_volunteer):
    v = make_volunteer(at=east_of(ROTTERDAM, 2.34))
    (pair,) = run_matching([make_participant()], [v]).pairs
    assert pair.explanation.meeting == "in_person"
    assert pair.explanation.distance_km == 2.3
    assert pair.explanation.bridge_language is None  # the volunteer speaks no Arabic


def test_pairs_follow_the_optimum_not_the_greedy_choice(make_participant, make_volunteer):
    weights = {name: 0.0 for name in COMPONENTS} | {"interests": 1.0}
    ps = [
        make_participant(interests=interests_mask(["cooking", "music", "art"])),
        make_participant(interests=interests_mask(["cooking"])),
    ]
    vs = [
        make_volunteer(interests=interests_mask(["cooking", "music", "art"])),
        make_volunteer(interests=interests_mask(["music", "art"])),
    ]
    result = run_matching(ps, vs, weights)
    assert {(x.participant_id, x.volunteer_id) for x in result.pairs} == {(1, 102), (2, 101)}
    assert result.objective == pytest.approx(2.0)  # greedy: 1.0 (p1-v101), then nothing


def test_run_matching_reaches_the_dense_optimum():
    pop = make_population(300, 220, n_orgs=3, seed=8)
    result = run_matching(pop.participants, pop.volunteers, forbidden=pop.forbidden,
                          ended_badly=pop.ended_badly, min_score=0.3)  # fmt: skip
    f = build_features(pop.participants, pop.volunteers)
    score = score_matrix(f.participants, f.volunteers, WeightTable(f.vocabulary.organisations),
                         PairRules.from_ids(f, pop.forbidden, pop.ended_badly))  # fmt: skip
    pairs = assign(score, f.volunteers.capacity, 0.3)
    assert result.objective == pytest.approx(sum(score[p, v] for p, v in pairs), abs=1e-9)
    assert all(pair.score >= 0.3 for pair in result.pairs)
    assert not result.stats["pruned"]


def test_pruned_run_is_close_to_the_exact_one():
    pop = make_population(600, 450, seed=12)
    exact = run_matching(pop.participants, pop.volunteers, explain=False)
    pruned = run_matching(
        pop.participants,
        pop.volunteers,
        explain=False,
        options=MatchingOptions(pruning=Pruning(top_k=20, pool=60, above=0)),
    )
    assert pruned.stats["pruned"] and not exact.stats["pruned"]
    assert pruned.objective <= exact.objective + 1e-9
    assert pruned.objective >= 0.995 * exact.objective


def test_runs_are_deterministic():
    pop = make_population(250, 180, seed=3)
    first = run_matching(pop.participants, pop.volunteers)
    again = run_matching(pop.participants, pop.volunteers)
    assert [(x.participant_id, x.volunteer_id) for x in first.pairs] == [
        (x.participant_id, x.volunteer_id) for x in again.pairs
    ]
    assert first.objective == again.objective
    assert first.recruit == again.recruit


def test_result_is_plain_json_ready_data():
    pop = make_population(80, 60, seed=1)
    result = run_matching(pop.participants, pop.volunteers, pins=[(1, 999)])
    text = json.dumps(result.as_dict())
    assert '"pairs"' in text and '"timings"' in text
    assert set(result.timings) >= {"features", "candidates", "solve", "explain", "total"}
    assert result.pairs[0].as_dict()["explanation"]["components"][0]["name"] == "availability"


def test_explain_false_skips_pair_explanations(make_participant, make_volunteer):
    (pair,) = run_matching([make_participant()], [make_volunteer()], explain=False).pairs
    assert pair.explanation is None


def test_empty_runs(make_participant, make_volunteer):
    assert run_matching([], []).pairs == ()
    assert run_matching([], [make_volunteer()]).unmatched == ()
    result = run_matching([make_participant()], [])
    assert result.pairs == () and reasons(result) == {1: "no_volunteers"}
    assert result.objective == 0.0


def test_min_score_leaves_weak_pairs_out(make_participant, make_volunteer):
    result = run_matching([make_participant()], [make_volunteer()], min_score=0.99)
    assert result.pairs == () and reasons(result) == {1: "below_min_score"}


def test_weights_used_are_reported_per_organisation(make_participant, make_volunteer):
    result = run_matching(
        [make_participant()], [make_volunteer()], {"waiting": 1.0}, org_weights={"org": {}}
    )
    assert sum(result.weights["org"].values()) == pytest.approx(1.0)


# --- pins ---------------------------------------------------------------------------------


def test_pin_is_honoured_below_min_score_and_uses_capacity(make_participant, make_volunteer):
    best = make_volunteer(interests=interests_mask(["cooking"]))
    weak = make_volunteer(at=east_of(ROTTERDAM, 4.0))
    ps = [make_participant(interests=interests_mask(["cooking"])), make_participant()]
    result = run_matching(ps, [best, weak], pins=[(2, best.id)], min_score=0.5)
    pairs = by_participant(result)
    assert pairs[2].volunteer_id == best.id and pairs[2].pinned
    assert pairs[2].explanation is not None
    # the pinned volunteer is full now, and participant 1's other option is too weak
    assert 1 not in pairs or pairs[1].volunteer_id == weak.id
    assert result.objective == pytest.approx(sum(x.score for x in result.pairs))
    assert result.solver_objective == pytest.approx(
        sum(x.score for x in result.pairs if not x.pinned)
    )


def test_hard_infeasible_pins_are_rejected_with_reasons(make_participant, make_volunteer):
    p = make_participant(gender_pref="f", slots=MON_EVENING)
    far = make_volunteer(at=AMSTERDAM, gender="m", slots=SAT_MORNING)
    other_org = make_volunteer(organisation_id="elsewhere", gender="f")
    near = make_volunteer(gender="f")
    result = run_matching(
        [p],
        [far, other_org, near],
        forbidden={(p.id, near.id)},
        pins=[(p.id, far.id), (p.id, other_org.id), (p.id, near.id)],
    )
    rejected = {r.volunteer_id: r.reasons for r in result.rejected_pins}
    assert rejected[far.id] == ("no_shared_slot", "not_in_reach", "gender_preference")
    assert rejected[other_org.id] == ("different_organisation",)
    assert rejected[near.id] == ("forbidden",)
    assert result.pairs == () and reasons(result) == {p.id: "pair_rules"}


def test_pin_bookkeeping_codes(make_participant, make_volunteer):
    ps = [make_participant(), make_participant(), make_participant()]
    v = make_volunteer(capacity=1)
    result = run_matching(
        ps, [v], pins=[(1, v.id), (1, v.id), (2, v.id), (77, v.id), (3, 999), (88, 999)]
    )
    assert [r.reasons for r in result.rejected_pins] == [
        ("duplicate_participant",),
        ("volunteer_full",),
        ("unknown_participant",),
        ("unknown_volunteer",),
        ("unknown_participant", "unknown_volunteer"),
    ]
    assert [(x.participant_id, x.pinned) for x in result.pairs] == [(1, True)]
    assert result.stats["pinned"] == 1


# --- unmatched reasons ----------------------------------------------------------------------


NEARBY = east_of(ROTTERDAM, 1.0)
UNMATCHED_CASES = {  # reason: (participant overrides, volunteers' overrides, run keywords)
    "no_volunteers": ({}, [{"capacity": 0}], {}),
    "no_availability": ({"slots": 0}, [{}], {}),
    "gender_preference": ({"gender_pref": "f"}, [{"gender": "m"}, {"gender": None}], {}),
    "no_volunteer_in_reach": ({}, [{"at": AMSTERDAM}], {}),
    "no_shared_slot": ({}, [{"slots": SAT_MORNING, "at": NEARBY}], {}),
    "no_shared_slot_within_reach": ({}, [{"slots": SAT_MORNING}, {"at": AMSTERDAM}], {}),
    "pair_rules": ({}, [{}], {"forbidden": {(1, 101)}}),
    "below_min_score": ({}, [{}], {"min_score": 0.99}),
    "better_used_elsewhere": ({}, [{}], {}),  # participant 2 waited longer and wins
}


@pytest.mark.parametrize("reason", UNMATCHED_CASES)
def test_every_unmatched_reason(make_participant, make_volunteer, reason):
    p_over, v_overs, keywords = UNMATCHED_CASES[reason]
    participants = [make_participant(**p_over), make_participant(waiting_days=300)]
    volunteers = [make_volunteer(**v_over) for v_over in v_overs]
    result = run_matching(participants, volunteers, **keywords)
    assert reasons(result)[1] == reason


def test_the_reason_cases_cover_every_code():
    assert set(UNMATCHED_CASES) == set(UNMATCHED_REASONS)


def test_unmatched_counts_are_a_funnel(make_participant, make_volunteer):
    p = make_participant(gender_pref="f")
    vs = [
        make_volunteer(gender="m"),
        make_volunteer(gender="f", at=AMSTERDAM),
        make_volunteer(gender="f", slots=SAT_MORNING),
        make_volunteer(gender="f", capacity=0),
    ]
    (u,) = run_matching([p], vs).unmatched
    assert u.reason == "no_shared_slot_within_reach"
    assert u.counts == {
        "volunteers": 3,  # free capacity only
        "gender_ok": 2,
        "in_reach": 1,
        "shared_slot": 0,
        "allowed": 0,
        "shared_slot_any_distance": 1,
        "acceptable": 0,
    }


# --- who should we recruit --------------------------------------------------------------------


def test_recruit_summary_counts_profiles(make_participant, make_volunteer):
    north = {"neighbourhood_id": "noord", "slots": MON_EVENING | SAT_MORNING}
    ps = [
        make_participant(**north, level="A0", languages={"ti"}),
        make_participant(**north, level="A1", languages={"ti", "en"}),
        make_participant(**north, level="B1", languages={"ar"}),  # needs no bridge language
        make_participant(neighbourhood_id="zuid", slots=MON_EVENING, languages={"fa"}),
        make_participant(slots=0),  # no availability: nothing to recruit for
    ]
    result = run_matching(ps, [make_volunteer(at=AMSTERDAM)])
    recruit = result.recruit
    assert recruit.considered == 4
    top = recruit.profiles[0]
    assert (top.organisation_id, top.neighbourhood_id, top.language) == ("org", "noord", "ti")
    assert (top.participants, top.need_language) == (3, 2)
    assert top.slot in (2, 15) and top.slot_name in (("mon", "evening"), ("sat", "morning"))
    assert recruit.profiles[1].participants == 3  # the other slot of the same place
    assert [(p.neighbourhood_id, p.language) for p in recruit.profiles[2:4]] == [
        ("noord", "en"),
        ("noord", "en"),
    ]
    assert recruit.by_neighbourhood == (("org", "noord", 3), ("org", "zuid", 1))
    assert recruit.by_slot[0] == (2, ("mon", "evening"), 4)
    assert dict(recruit.by_language) == {"ti": 2, "en": 1, "fa": 1}


def test_recruit_profile_without_bridge_language(make_participant, make_volunteer):
    result = run_matching([make_participant(level="B2+")], [])
    (profile,) = result.recruit.profiles
    assert profile.language is None and profile.participants == 1


def test_recruit_top_limits_profiles():
    pop = make_population(300, 60, seed=6)
    result = run_matching(pop.participants, pop.volunteers, recruit_top=3)
    assert len(result.recruit.profiles) == 3
    counts = [p.participants for p in result.recruit.profiles]
    assert counts == sorted(counts, reverse=True)


# --- the package stays free of the web stack --------------------------------------------------


def test_matching_package_imports_neither_flask_nor_sqlalchemy():
    root = Path(__file__).resolve().parents[2] / "buddy" / "matching"
    for path in root.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            for name in names:
                assert not name.split(".")[0].lower().startswith(("flask", "sqlalchemy")), path
    assert np.__name__ == "numpy"
