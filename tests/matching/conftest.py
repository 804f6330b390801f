"""Factories for the matching engine's plain input rows (no app, no database)."""

import itertools

import pytest

from buddy.matching import ParticipantRow, VolunteerRow, slots_mask
from tests.matching.geo import ROTTERDAM


@pytest.fixture
def make_participant():
    """Return a factory: make_participant(**overrides) -> ParticipantRow (ids 1, 2, ...)."""
    ids = itertools.count(1)

    def make(**overrides) -> ParticipantRow:
        lat, lon = overrides.pop("at", ROTTERDAM)
        values = {
            "id": next(ids),
            "organisation_id": "org",
            "slots": slots_mask([("mon", "evening")]),
            "lat": lat,
            "lon": lon,
            "neighbourhood_id": "centrum",
            "languages": frozenset({"ar"}),
            "level": "A1",
            "radius_km": 5.0,
        }
        values.update(overrides)
        return ParticipantRow(**values)

    return make


@pytest.fixture
def make_volunteer():
    """Return a factory: make_volunteer(**overrides) -> VolunteerRow (ids 101, 102, ...)."""
    ids = itertools.count(101)

    def make(**overrides) -> VolunteerRow:
        lat, lon = overrides.pop("at", ROTTERDAM)
        values = {
            "id": next(ids),
            "organisation_id": "org",
            "slots": slots_mask([("mon", "evening")]),
            "lat": lat,
            "lon": lon,
            "neighbourhood_id": "centrum",
            "languages": frozenset({"nl", "en"}),
            "radius_km": 5.0,
            "capacity": 1,
        }
        values.update(overrides)
        return VolunteerRow(**values)

    return make
