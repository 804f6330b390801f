"""Places and an independent haversine for the matching tests."""

import math

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
    """A point `km` east of `place` along its parallel (great-circle: a hair shorter)."""
    lat, lon = place
    return lat, lon + math.degrees(km / (EARTH_RADIUS_KM * math.cos(math.radians(lat))))
