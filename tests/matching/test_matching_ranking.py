"""rank_candidates: one participant's feasible volunteers, ranked as the run would score them."""

import numpy as np
import pytest

from buddy.matching import (
    PairRules,
    WeightTable,
    acceptable,
    build_features,
    rank_candidates,
    score_matrix,
    slots_mask,
)
from tests.matching.geo import ROTTERDAM

pytestmark = pytest.mark.no_database


def test_ranking_equals_the_score_matrix_row_with_rules_and_acceptance(
    make_participant, make_volunteer
):
    rng = np.random.default_rng(1)
    lat, lon = ROTTERDAM
    participants = [make_participant(interests=3, waiting_days=40), make_participant()]
    volunteers = [
        make_volunteer(
            at=(lat + rng.uniform(-0.05, 0.05), lon + rng.uniform(-0.05, 0.05)),
            interests=int(rng.integers(0, 8)),
            slots=slots_mask([("mon", "evening")] if rng.random() < 0.7 else [("tue", "morning")]),
        )
        for _ in range(30)
    ]
    features = build_features(participants, volunteers)
    ruled = [(participants[0].id, volunteers[i].id) for i in (0, 3, 7)]
    rules = PairRules.from_ids(features, ruled)
    table = WeightTable(features.vocabulary.organisations)
    row = score_matrix(features.participants, features.volunteers, table, rules)[0]
    unruled = score_matrix(features.participants, features.volunteers, table)[0]
    ranked = rank_candidates(features, table, rules, 0, min_score=0.4)

    expected = np.flatnonzero(np.isfinite(row))
    expected = expected[np.argsort(-row[expected], kind="stable")]
    assert ranked.volunteers.tolist() == expected.tolist()
    assert ranked.scores.tolist() == row[expected].tolist()
    assert ranked.acceptable.tolist() == acceptable(row[expected], 0.4).tolist()
    assert ranked.n_acceptable == int(acceptable(row, 0.4).sum())
    assert 0 < ranked.n_acceptable < len(expected)  # the instance exercises both sides
    assert ranked.ruled_out == int(np.isfinite(unruled).sum() - np.isfinite(row).sum()) > 0
    assert np.all(np.diff(ranked.scores) <= 0)


def test_no_feasible_volunteer_gives_an_empty_ranking(make_participant, make_volunteer):
    features = build_features(
        [make_participant()], [make_volunteer(slots=slots_mask([("sun", "morning")]))]
    )
    ranked = rank_candidates(features, WeightTable(features.vocabulary.organisations))
    assert ranked.volunteers.tolist() == [] and ranked.n_acceptable == 0 and ranked.ruled_out == 0
