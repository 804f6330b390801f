"""One vocabulary: the matching core owns the keys and their bit order; the app stores through it.

A stored profile decodes to the same slots, interests and goals through the app (model
properties, ``buddy.vocab``) and through the matching engine (rows -> feature arrays ->
explanation); the bit order is pinned so that a reordering fails here, not silently in every
stored mask.
"""

import ast
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

import buddy
from buddy import matching, vocab
from buddy.extensions import db
from buddy.matching import ParticipantRow, VolunteerRow, WeightTable, build_features, domain
from buddy.matching.explain import explain_pairs
from buddy.models import ParticipantProfile, VolunteerProfile
from tests import factories as f

pytestmark = pytest.mark.client_language(None)

SLOTS = [("mon", "evening"), ("wed", "morning"), ("sun", "afternoon"), ("sun", "evening")]
INTERESTS = ["cooking", "games", "history"]
GOALS = ["language", "work", "social"]


def _stored(model, profile_id):
    """Return the profile as read back from the database (no identity-map shortcut)."""
    db.session.flush()
    db.session.expire_all()
    return db.session.scalars(select(model).where(model.id == profile_id)).one()


def _engine_explanation(participant, volunteer):
    """Decode both stored profiles the way a matching run does: rows -> arrays -> explanation."""
    place = {"lat": 52.37, "lon": 4.89, "neighbourhood_id": participant.neighbourhood_id}
    p_row = ParticipantRow(
        id=participant.id, organisation_id=participant.organisation_id, **place,
        slots=participant.availability, interests=participant.interests,
        goals=participant.goals, primary_goal=participant.primary_goal,
    )
    v_row = VolunteerRow(
        id=volunteer.id, organisation_id=volunteer.organisation_id, **place,
        slots=volunteer.availability, interests=volunteer.interests, support=volunteer.support,
    )
    features = build_features([p_row], [v_row])
    weights = WeightTable(features.vocabulary.organisations)
    [explanation] = explain_pairs(features, weights, np.array([0]), np.array([0]))
    return explanation


def test_a_stored_profile_decodes_the_same_through_the_app_and_the_engine():
    org = f.make_org()
    stored_slots = vocab.ALL_SLOTS_MASK & sum(1 << vocab.slot_index(d, p) for d, p in SLOTS)
    participant = f.make_participant(
        org, availability=stored_slots, interests=vocab.mask_from_keys(INTERESTS, vocab.INTERESTS),
        goals=vocab.mask_from_keys(GOALS, vocab.GOALS), primary_goal="work",
    )
    # The volunteer offers everything, so what the engine reports as shared is exactly the
    # participant's own slots, interests and goals.
    volunteer = f.make_volunteer(
        org, availability=vocab.ALL_SLOTS_MASK,
        interests=vocab.mask_from_keys(vocab.INTERESTS, vocab.INTERESTS),
        support=vocab.mask_from_keys(vocab.GOALS, vocab.GOALS),
    )
    participant = _stored(ParticipantProfile, participant.id)
    volunteer = _stored(VolunteerProfile, volunteer.id)

    app_slots = participant.availability_slots
    app_interests = participant.interest_keys
    app_goals = participant.goal_keys
    assert (set(app_slots), set(app_interests), set(app_goals)) == (
        set(SLOTS), set(INTERESTS), set(GOALS))

    explanation = _engine_explanation(participant, volunteer)
    assert list(explanation.shared_slot_names) == app_slots
    assert list(explanation.shared_interests) == app_interests
    assert list(explanation.covered_goals) == app_goals
    assert explanation.primary_goal == "work"
    assert explanation.primary_goal_covered
    assert volunteer.support_keys == list(matching.keys_of(volunteer.support, matching.GOALS))


def test_bit_order_is_pinned():
    # Every stored mask depends on these orders: append new keys, never reorder or remove.
    assert domain.DAYS == ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    assert domain.PARTS == ("morning", "afternoon", "evening")
    assert domain.INTERESTS == (
        "cooking", "sport", "nature", "music", "reading", "crafts",
        "gardening", "games", "technology", "art", "film", "history",
    )
    assert domain.GOALS == (
        "language", "work", "study", "business", "parenting_school", "volunteering", "social",
    )
    assert domain.LEVELS == ("A0", "A1", "A2", "B1", "B2+")
    assert vocab.slot_index("mon", "morning") == 0
    assert vocab.slot_index("mon", "evening") == 2
    assert vocab.slot_index("tue", "morning") == 3
    assert vocab.slot_index("sun", "evening") == 20 == vocab.SLOT_COUNT - 1
    assert vocab.mask_from_keys(["cooking", "history"], vocab.INTERESTS) == 0b1000_0000_0001
    assert vocab.mask_from_keys(["language", "social"], vocab.GOALS) == 0b100_0001


def test_the_app_reexports_the_engine_vocabulary():
    for name in ("DAYS", "PARTS", "INTERESTS", "GOALS", "LEVELS", "GENDERS", "DEFAULT_WEIGHTS"):
        assert getattr(vocab, name) is getattr(domain, name), name
    assert vocab.TARGET_LEVELS == domain.LEVELS[1:]


OWNED = {"DAYS", "PARTS", "INTERESTS", "GOALS", "LEVELS", "DEFAULT_WEIGHTS", "N_SLOTS"}


def _is_key_copy(value: ast.expr) -> bool:
    """A literal that restates keys or weights (label tables, key -> text, are not copies)."""
    if isinstance(value, ast.Tuple | ast.List | ast.Constant | ast.BinOp):
        return True
    return isinstance(value, ast.Dict) and all(
        isinstance(v, ast.Constant) and isinstance(v.value, float) for v in value.values)


def test_no_second_copy_of_the_vocabulary_in_the_app():
    package = Path(buddy.__file__).parent
    copies = []
    for path in package.rglob("*.py"):
        if path == package / "matching" / "domain.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                copies += [f"{path.relative_to(package)}: {t.id}" for t in targets
                           if isinstance(t, ast.Name) and t.id in OWNED
                           and _is_key_copy(node.value)]
    assert copies == []
