"""The colleague rule: a guide from an employer partner meets only colleagues, only people
outside work, or either (a hard constraint), and the explanation names the shared employer."""

import itertools

import numpy as np
import pytest

from buddy.matching import (
    PairRules,
    WeightTable,
    build_features,
    candidate_edges,
    feasible_pv,
    run_matching,
)
from buddy.matching.constraints import colleague_ok
from buddy.matching.features import Operand

pytestmark = pytest.mark.no_database

BAKERY, GARAGE = "bakery", "garage"


def _rows(make_participant, make_volunteer):
    participants = [make_participant(employer=BAKERY), make_participant(employer=GARAGE),
                    make_participant()]
    volunteers = [make_volunteer(employer=BAKERY, colleagues=pref)
                  for pref in ("either", "only", "outside")] + [make_volunteer()]
    return participants, volunteers


def test_colleague_rule_on_plain_arrays(make_participant, make_volunteer):
    features = build_features(*_rows(make_participant, make_volunteer))
    p = Operand(features.participants, axis=1)
    v = Operand(features.volunteers, axis=0)
    # rows: bakery employee, garage employee, no employer;
    # columns: bakery guide (either / only colleagues / only outside work), individual guide
    assert colleague_ok(p, v).tolist() == [
        [True, True, False, True],
        [True, False, True, True],
        [True, False, True, True],
    ]


def test_the_rule_is_hard_in_the_dense_matrix_and_the_candidate_edges(
        make_participant, make_volunteer):
    features = build_features(*_rows(make_participant, make_volunteer))
    dense = feasible_pv(features.participants, features.volunteers, PairRules.empty())
    assert dense[:, 1].tolist() == [True, False, False]  # "only colleagues"
    assert dense[:, 2].tolist() == [False, True, True]  # "only outside my work"
    table = WeightTable(features.vocabulary.organisations)
    edges = candidate_edges(features.participants, features.volunteers, table,
                            PairRules.empty())
    assert set(zip(edges.p.tolist(), edges.v.tolist(), strict=True)) == set(
        zip(*np.nonzero(dense), strict=True))


@pytest.mark.parametrize("seed", range(5))
def test_run_never_breaks_the_rule(make_participant, make_volunteer, seed):
    rng = np.random.default_rng(seed)
    employers = [BAKERY, GARAGE, None]
    participants = [make_participant(employer=employers[rng.integers(3)]) for _ in range(12)]
    volunteers = [make_volunteer(employer=employers[rng.integers(3)],
                                 colleagues=("either", "only", "outside")[rng.integers(3)])
                  for _ in range(12)]
    volunteers = [v if v.employer else make_volunteer(capacity=1) for v in volunteers]
    by_id = {r.id: r for r in itertools.chain(participants, volunteers)}
    result = run_matching(participants, volunteers)
    for pair in result.pairs:
        p, v = by_id[pair.participant_id], by_id[pair.volunteer_id]
        same = v.employer is not None and p.employer == v.employer
        assert v.colleagues == "either" or (v.colleagues == "only") == same
        assert (pair.explanation.colleague_at == v.employer) if same else (
            pair.explanation.colleague_at is None)


def test_explanation_names_the_shared_employer(make_participant, make_volunteer):
    result = run_matching([make_participant(employer=BAKERY)],
                          [make_volunteer(employer=BAKERY, colleagues="only")])
    [pair] = result.pairs
    assert pair.explanation.colleague_at == BAKERY
    assert pair.explanation.as_dict()["colleague_at"] == BAKERY


def test_pin_against_the_rule_is_rejected(make_participant, make_volunteer):
    participant = make_participant(employer=GARAGE)
    volunteer = make_volunteer(employer=BAKERY, colleagues="only")
    result = run_matching([participant], [volunteer], pins=[(participant.id, volunteer.id)])
    assert result.pairs == ()
    assert result.rejected_pins[0].reasons == ("colleague_rule",)
    assert result.unmatched[0].reason == "pair_rules"


def test_unknown_colleague_choice_is_refused(make_volunteer):
    with pytest.raises(ValueError):
        make_volunteer(colleagues="sometimes")
