"""Seeded generator of realistic matching populations (not a test fixture; benchmarks only).

People live in neighbourhoods clustered around Dutch cities; every organisation serves one
city (or, for a regional organisation, several). Shares are rough but realistic: newcomers'
languages (Arabic, Tigrinya, Ukrainian, Persian, Turkish, Somali, ...), Dutch levels, daytime
availability for participants versus evenings and weekends for working volunteers.
Same seed, same arguments -> the same population.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from buddy.matching import GOALS, LEVELS, ParticipantRow, VolunteerRow

KM_PER_DEG_LAT = 111.2

# name: (lat, lon, relative size)
CITIES = {
    "Amsterdam": (52.3676, 4.9041, 9.3),
    "Rotterdam": (51.9244, 4.4777, 6.6),
    "Den Haag": (52.0705, 4.3007, 5.6),
    "Utrecht": (52.0907, 5.1214, 3.7),
    "Eindhoven": (51.4416, 5.4697, 2.4),
    "Groningen": (53.2194, 6.5665, 2.4),
    "Tilburg": (51.5555, 5.0913, 2.2),
    "Almere": (52.3508, 5.2647, 2.2),
    "Breda": (51.5719, 4.7683, 1.9),
    "Nijmegen": (51.8126, 5.8372, 1.8),
    "Apeldoorn": (52.2112, 5.9699, 1.7),
    "Arnhem": (51.9851, 5.8987, 1.6),
    "Haarlem": (52.3874, 4.6462, 1.6),
    "Enschede": (52.2215, 6.8937, 1.6),
    "Amersfoort": (52.1561, 5.3878, 1.6),
    "Zaanstad": (52.4420, 4.8292, 1.6),
    "Den Bosch": (51.6978, 5.3037, 1.6),
    "Zwolle": (52.5168, 6.0830, 1.3),
    "Leiden": (52.1601, 4.4970, 1.3),
    "Maastricht": (50.8514, 5.6910, 1.2),
    "Dordrecht": (51.8133, 4.6901, 1.2),
    "Zoetermeer": (52.0607, 4.4940, 1.3),
    "Emmen": (52.7792, 6.9069, 1.1),
    "Venlo": (51.3704, 6.1724, 1.0),
    "Leeuwarden": (53.2012, 5.7999, 1.3),
    "Delft": (52.0116, 4.3571, 1.0),
    "Deventer": (52.2661, 6.1552, 1.0),
    "Alkmaar": (52.6324, 4.7534, 1.1),
    "Helmond": (51.4793, 5.6570, 0.9),
    "Heerlen": (50.8882, 5.9795, 0.9),
    "Hilversum": (52.2292, 5.1669, 0.9),
    "Gouda": (52.0115, 4.7105, 0.7),
    "Schiedam": (51.9192, 4.3959, 0.8),
    "Lelystad": (52.5185, 5.4714, 0.8),
    "Spijkenisse": (51.8450, 4.3290, 0.7),
    "Vlaardingen": (51.9125, 4.3419, 0.7),
    "Capelle": (51.9292, 4.5778, 0.7),
    "Alphen": (52.1294, 4.6575, 1.1),
    "Katwijk": (52.2000, 4.4167, 0.7),
    "Naaldwijk": (51.9939, 4.2097, 1.1),
}
REGION = (
    "Rotterdam",
    "Den Haag",
    "Leiden",
    "Delft",
    "Dordrecht",
    "Zoetermeer",
    "Gouda",
    "Schiedam",
    "Vlaardingen",
    "Spijkenisse",
    "Capelle",
    "Alphen",
    "Katwijk",
    "Naaldwijk",
)

P_LANGUAGES = {
    "ar": 0.30,
    "ti": 0.14,
    "uk": 0.14,
    "fa": 0.13,
    "tr": 0.09,
    "so": 0.05,
    "ku": 0.05,
    "ru": 0.04,
    "fr": 0.03,
    "am": 0.03,
}
V_LANGUAGES = {
    "en": 0.75,
    "de": 0.25,
    "fr": 0.18,
    "es": 0.09,
    "ar": 0.05,
    "tr": 0.05,
    "fa": 0.02,
    "ru": 0.02,
    "uk": 0.015,
    "ti": 0.005,
    "so": 0.005,
}
LEVEL_SHARES = (0.25, 0.30, 0.25, 0.15, 0.05)
PRIMARY_GOAL_SHARES = {
    "language": 0.35,
    "work": 0.25,
    "social": 0.15,
    "study": 0.10,
    "parenting_school": 0.08,
    "business": 0.04,
    "volunteering": 0.03,
}
SUPPORT_SHARES = {
    "language": 0.7,
    "work": 0.35,
    "study": 0.25,
    "business": 0.1,
    "parenting_school": 0.2,
    "volunteering": 0.2,
    "social": 0.6,
}
INTEREST_SHARES = (0.35, 0.35, 0.3, 0.3, 0.25, 0.2, 0.15, 0.2, 0.2, 0.15, 0.25, 0.1)


@dataclass(frozen=True)
class Population:
    """Rows and pair rules of one generated instance."""

    participants: list[ParticipantRow]
    volunteers: list[VolunteerRow]
    forbidden: set[tuple[int, int]]
    ended_badly: set[tuple[int, int]]


@dataclass(frozen=True)
class _Places:
    org: np.ndarray  # (N,) organisation id of each neighbourhood
    lat: np.ndarray
    lon: np.ndarray
    priority: np.ndarray
    weight: np.ndarray  # relative number of residents


def _slot_probabilities(weekday: tuple, weekend: tuple) -> np.ndarray:
    """(21,) per-slot probability from (morning, afternoon, evening) for weekdays/weekend."""
    return np.array([weekday] * 5 + [weekend] * 2, dtype=np.float64).ravel()


P_PATTERNS = (  # (share, slot probabilities): newcomers are mostly free in the daytime
    (0.7, _slot_probabilities((0.35, 0.35, 0.05), (0.10, 0.10, 0.05))),
    (0.2, _slot_probabilities((0.02, 0.02, 0.40), (0.30, 0.30, 0.10))),
    (0.1, _slot_probabilities((0.20, 0.20, 0.20), (0.20, 0.20, 0.20))),
)
V_PATTERNS = (  # working volunteers: evenings and weekends; retired / students: daytime
    (0.6, _slot_probabilities((0.03, 0.03, 0.35), (0.30, 0.30, 0.10))),
    (0.4, _slot_probabilities((0.30, 0.30, 0.10), (0.10, 0.10, 0.05))),
)


def _organisation_centres(n_orgs: int, rng: np.random.Generator) -> list[tuple]:
    """(lat, lon, size) per organisation: the real cities first, then towns around them."""
    cities = list(CITIES.values())
    centres = cities[:n_orgs]
    while len(centres) < n_orgs:
        lat, lon, size = cities[rng.integers(len(cities))]
        dist, angle = rng.uniform(8, 35), rng.uniform(0, 2 * np.pi)
        centres.append(
            (
                lat + dist * np.sin(angle) / KM_PER_DEG_LAT,
                lon + dist * np.cos(angle) / (KM_PER_DEG_LAT * np.cos(np.radians(lat))),
                rng.uniform(0.1, 0.5),
            )
        )
    return centres


def _neighbourhoods(groups: list[tuple[int, list[tuple]]], rng) -> _Places:
    """Neighbourhood centroids scattered around each centre, more for bigger places."""
    org, lat, lon, weight = [], [], [], []
    for org_id, centres in groups:
        for c_lat, c_lon, size in centres:
            n = int(np.clip(round(8 * size), 4, 80))
            spread_km = 2.0 + 1.2 * np.sqrt(size)
            d_lat = rng.normal(0, spread_km, n) / KM_PER_DEG_LAT
            d_lon = rng.normal(0, spread_km, n) / (KM_PER_DEG_LAT * np.cos(np.radians(c_lat)))
            org += [org_id] * n
            lat += list(c_lat + d_lat)
            lon += list(c_lon + d_lon)
            weight += list(size / n * rng.uniform(0.5, 1.5, n))
    priority = rng.random(len(org)) < 0.2
    return _Places(np.array(org), np.array(lat), np.array(lon), priority, np.array(weight))


def _bernoulli_masks(rng, n: int, probs: np.ndarray) -> np.ndarray:
    """(n,) int64 bitmasks with bit i set with probability probs[..., i]."""
    bits = rng.random((n, probs.shape[-1])) < probs
    return (bits * (1 << np.arange(probs.shape[-1]))).sum(axis=1).astype(np.int64)


def _availability(rng, n: int, patterns) -> np.ndarray:
    """(n,) slot bitmasks: a pattern per person, at least one slot each."""
    shares = np.array([s for s, _ in patterns])
    kind = rng.choice(len(patterns), n, p=shares / shares.sum())
    probs = np.stack([p for _, p in patterns])[kind]
    masks = _bernoulli_masks(rng, n, probs)
    empty = masks == 0
    fallback = np.array([rng.choice(21, p=pr / pr.sum()) for pr in probs[empty]], dtype=np.int64)
    masks[empty] = np.left_shift(1, fallback)
    return masks


def _languages(rng, n: int, shares: dict, extra_english: float, exclusive: bool) -> list:
    codes = list(shares)
    if exclusive:  # one mother tongue, sometimes English besides
        first = rng.choice(len(codes), n, p=np.array(list(shares.values())) / sum(shares.values()))
        english = rng.random(n) < extra_english
        return [
            frozenset({codes[f], "en"} if e else {codes[f]})
            for f, e in zip(first, english, strict=True)
        ]
    spoken = rng.random((n, len(codes))) < np.array(list(shares.values()))
    return [frozenset(["nl", *(codes[i] for i in np.flatnonzero(row))]) for row in spoken]


def _people_places(rng, n: int, places: _Places, org_weight: np.ndarray, boost: float):
    """(n,) neighbourhood rows: an organisation by size, then a neighbourhood inside it."""
    w = places.weight * np.where(places.priority, boost, 1.0)
    w = w / np.bincount(places.org, weights=w)[places.org] * org_weight[places.org]
    return rng.choice(len(w), n, p=w / w.sum())


def _participants(rng, n: int, places: _Places, org_weight, start_id: int) -> list:
    at = _people_places(rng, n, places, org_weight, boost=2.0)
    slots = _availability(rng, n, P_PATTERNS)
    interests = _bernoulli_masks(rng, n, np.array(INTEREST_SHARES))
    goal_keys = list(PRIMARY_GOAL_SHARES)
    primary = rng.choice(len(goal_keys), n, p=list(PRIMARY_GOAL_SHARES.values()))
    goals = _bernoulli_masks(rng, n, np.full(len(GOALS), 0.2))
    level = rng.choice(len(LEVELS), n, p=LEVEL_SHARES)
    langs = _languages(rng, n, P_LANGUAGES, extra_english=0.3, exclusive=True)
    gender = rng.choice(3, n, p=(0.48, 0.50, 0.02))
    wants_same = rng.random(n) < np.where(gender == 0, 0.35, np.where(gender == 1, 0.05, 0.0))
    waiting = np.minimum(rng.exponential(90, n), 720).astype(int)
    radius = np.round(rng.uniform(2, 10, n), 1)
    online = rng.random(n) < 0.15
    in_person = (rng.random(n) < 0.97) | ~online
    return [
        ParticipantRow(
            id=start_id + i,
            organisation_id=int(places.org[at[i]]),
            slots=int(slots[i]),
            lat=float(places.lat[at[i]]),
            lon=float(places.lon[at[i]]),
            neighbourhood_id=int(at[i]),
            priority_area=bool(places.priority[at[i]]),
            interests=int(interests[i]),
            goals=int(goals[i]),
            primary_goal=goal_keys[primary[i]],
            languages=langs[i],
            level=LEVELS[level[i]],
            waiting_days=int(waiting[i]),
            gender="fmx"[gender[i]],
            gender_pref="fm"[gender[i]] if wants_same[i] else None,
            radius_km=float(radius[i]),
            in_person=bool(in_person[i]),
            online=bool(online[i]),
        )
        for i in range(n)
    ]


def _volunteers(rng, n: int, places: _Places, org_weight, start_id: int) -> list:
    at = _people_places(rng, n, places, org_weight, boost=0.7)
    slots = _availability(rng, n, V_PATTERNS)
    interests = _bernoulli_masks(rng, n, np.array(INTEREST_SHARES))
    support = _bernoulli_masks(rng, n, np.array([SUPPORT_SHARES[g] for g in GOALS]))
    support[support == 0] = 1 << GOALS.index("social")
    langs = _languages(rng, n, V_LANGUAGES, extra_english=0.0, exclusive=False)
    gender = rng.choice(4, n, p=(0.66, 0.32, 0.01, 0.01))
    radius = np.round(rng.uniform(3, 15, n), 1)
    online = rng.random(n) < 0.3
    in_person = (rng.random(n) < 0.93) | ~online
    capacity = rng.choice((1, 2, 3), n, p=(0.60, 0.30, 0.10))
    return [
        VolunteerRow(
            id=start_id + j,
            organisation_id=int(places.org[at[j]]),
            slots=int(slots[j]),
            lat=float(places.lat[at[j]]),
            lon=float(places.lon[at[j]]),
            neighbourhood_id=int(at[j]),
            interests=int(interests[j]),
            support=int(support[j]),
            languages=langs[j],
            gender=(*"fmx", None)[gender[j]],
            radius_km=float(radius[j]),
            in_person=bool(in_person[j]),
            online=bool(online[j]),
            capacity=int(capacity[j]),
        )
        for j in range(n)
    ]


def _pair_rules(rng, participants, volunteers, share: float) -> set[tuple[int, int]]:
    """A few random same-organisation pairs (forbid rules or pairs that ended badly)."""
    by_org: dict[int, list[int]] = {}
    for v in volunteers:
        by_org.setdefault(v.organisation_id, []).append(v.id)
    rules = set()
    for i in np.flatnonzero(rng.random(len(participants)) < share):
        p = participants[i]
        pool = by_org.get(p.organisation_id)
        if pool:
            rules.add((p.id, pool[rng.integers(len(pool))]))
    return rules


def make_population(
    n_participants: int,
    n_volunteers: int,
    *,
    n_orgs: int = 1,
    cities: tuple[str, ...] = ("Rotterdam",),
    seed: int = 0,
) -> Population:
    """Generate a population.

    With n_orgs == 1 the single organisation serves all `cities` (a city or a region);
    otherwise organisation k serves the k-th real city (or a generated town nearby).
    """
    rng = np.random.default_rng(seed)
    if n_orgs == 1:
        groups = [(0, [CITIES[c] for c in cities])]
    else:
        groups = [(k, [centre]) for k, centre in enumerate(_organisation_centres(n_orgs, rng))]
    places = _neighbourhoods(groups, rng)
    org_weight = np.array([sum(c[2] for c in centres) for _, centres in groups])
    participants = _participants(rng, n_participants, places, org_weight, start_id=1)
    volunteers = _volunteers(rng, n_volunteers, places, org_weight, start_id=1)
    return Population(
        participants=participants,
        volunteers=volunteers,
        forbidden=_pair_rules(rng, participants, volunteers, 0.003),
        ended_badly=_pair_rules(rng, participants, volunteers, 0.002),
    )
