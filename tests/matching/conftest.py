"""Factories for the matching engine's plain input rows (no app, no database)."""

import itertools
import math

import pytest

from buddy.matching import ParticipantRow, VolunteerRow, slots_mask

ROTTERDAM = (51.9244, 4.4777)  # Rotterdam Centraal
AMSTERDAM = (52.3676, 4.9041)  # Amsterdam Centraal
EARTH_RADIUS_KM = 6371.0088


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Textbook haversine, written independently of the engine."""
    lat1, lat2 = math.radians(a[0]), math.radians(b[0])
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin(math.radians(b[1] - a[1]) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def east_of(place: tuple[float, float], km: float) -> tuple[float, float]:
    """A point `km` east of `place` along its parallel (to the engine's precision)."""
    lat, lon = place
    return lat, lon + math.degrees(km / (EARTH_RADIUS_KM * math.cos(math.radians(lat))))


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
