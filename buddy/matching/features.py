"""Plain input rows -> struct-of-arrays features, built once per matching run.

The app fills `ParticipantRow` / `VolunteerRow` from its ORM rows (keyword arguments, plain
values); `build_features` turns the lists into numpy arrays (`ParticipantArrays`,
`VolunteerArrays`) that the constraint and score functions read through `Operand` views.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from operator import attrgetter

import numpy as np

from .domain import (
    A2,
    ANY_GENDER,
    COLLEAGUE_PREFS,
    DUTCH,
    GENDERS,
    GOALS,
    INTERESTS,
    INTERESTS_FOR_FULL_SCORE,
    N_SLOTS,
    PRIMARY_GOAL_SHARE,
    SLOTS_FOR_FULL_SCORE,
    WAITING_DAYS_FOR_FULL_SCORE,
    level_index,
)

EARTH_RADIUS_KM = 6371.0088  # IUGG mean Earth radius


def _check_mask(name: str, value: int, width: int) -> None:
    if not 0 <= int(value) < 1 << width:
        raise ValueError(f"{name} must be a bitmask of {width} bits, got {value!r}")


def _languages(codes: Iterable[str]) -> frozenset[str]:
    return frozenset(str(code).strip().lower() for code in codes if str(code).strip())


def _check_place(lat: float, lon: float, radius_km: float) -> None:
    if not (math.isfinite(lat) and -90 <= lat <= 90 and math.isfinite(lon)):
        raise ValueError(f"invalid coordinates: {lat!r}, {lon!r}")
    if not (math.isfinite(radius_km) and radius_km >= 0):
        raise ValueError(f"radius_km must be finite and >= 0, got {radius_km!r}")


@dataclass(frozen=True, slots=True, kw_only=True)
class ParticipantRow:
    """One waiting participant, as plain values (fill from the ORM with keyword arguments).

    `slots`, `interests` and `goals` are bitmasks (see `domain.slots_mask`, `interests_mask`,
    `goals_mask`); `lat`/`lon` are the neighbourhood centroid in degrees; `languages` are ISO 639
    codes; `level` is a key of `domain.LEVELS`; `gender_pref` is None/"any", "f", "m" or "x".
    """

    id: Hashable
    organisation_id: Hashable
    slots: int
    lat: float
    lon: float
    neighbourhood_id: Hashable | None = None
    priority_area: bool = False
    interests: int = 0
    goals: int = 0
    primary_goal: str | None = None
    languages: frozenset[str] = field(default_factory=frozenset)
    level: str = "A0"
    waiting_days: float = 0
    gender: str | None = None
    gender_pref: str | None = None
    radius_km: float = 5.0
    in_person: bool = True
    online: bool = False
    employer: Hashable | None = None  # the employer partner the participant works at

    def __post_init__(self) -> None:
        _check_mask("slots", self.slots, N_SLOTS)
        _check_mask("interests", self.interests, len(INTERESTS))
        _check_mask("goals", self.goals, len(GOALS))
        if self.primary_goal is not None and self.primary_goal not in GOALS:
            raise ValueError(f"unknown primary goal {self.primary_goal!r}")
        level_index(self.level)
        if self.gender is not None and self.gender not in GENDERS:
            raise ValueError(f"unknown gender {self.gender!r}")
        if self.gender_pref not in (None, ANY_GENDER, *GENDERS):
            raise ValueError(f"unknown gender preference {self.gender_pref!r}")
        _check_place(self.lat, self.lon, self.radius_km)
        object.__setattr__(self, "languages", _languages(self.languages))


@dataclass(frozen=True, slots=True, kw_only=True)
class VolunteerRow:
    """One approved volunteer with their FREE capacity (capacity minus open matches)."""

    id: Hashable
    organisation_id: Hashable
    slots: int
    lat: float
    lon: float
    neighbourhood_id: Hashable | None = None
    interests: int = 0
    support: int = 0
    languages: frozenset[str] = field(default_factory=frozenset)
    gender: str | None = None
    radius_km: float = 5.0
    in_person: bool = True
    online: bool = False
    capacity: int = 1
    employer: Hashable | None = None  # the employer partner the volunteer comes from
    colleagues: str = "either"  # COLLEAGUE_PREFS: whom a guide from an employer meets

    def __post_init__(self) -> None:
        if self.colleagues not in COLLEAGUE_PREFS:
            raise ValueError(f"unknown colleague preference {self.colleagues!r}")
        _check_mask("slots", self.slots, N_SLOTS)
        _check_mask("interests", self.interests, len(INTERESTS))
        _check_mask("support", self.support, len(GOALS))
        if self.gender is not None and self.gender not in GENDERS:
            raise ValueError(f"unknown gender {self.gender!r}")
        if int(self.capacity) < 0:
            raise ValueError(f"capacity must be >= 0, got {self.capacity!r}")
        _check_place(self.lat, self.lon, self.radius_km)
        object.__setattr__(self, "languages", _languages(self.languages))


_POPCOUNT_16 = np.array([bin(i).count("1") for i in range(1 << 16)], dtype=np.uint8)


# same shape as a, uint8: set bits per element
def popcount(a: np.ndarray) -> np.ndarray:
    """Return the number of set bits of each element of a non-negative integer array.

    np.bitwise_count (numpy >= 2); a 16-bit lookup table for the <= 32-bit masks otherwise.
    """
    if hasattr(np, "bitwise_count"):
        return np.bitwise_count(a)
    a = np.asarray(a, dtype=np.int64)
    return (_POPCOUNT_16[a & 0xFFFF] + _POPCOUNT_16[(a >> 16) & 0xFFFF]).astype(np.uint8)


# (U, K) distinct rows ascending, (N,) int64 index of each row among them
def unique_rows(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """np.unique(a, axis=0, return_inverse=True) for a 2-D numeric array without NaN.

    One lexsort (last column least significant) instead of np.unique's sort of rows viewed
    as opaque records, which is about ten times slower on float columns.
    """
    a = np.asarray(a)
    if len(a) == 0:
        return a[:0], np.zeros(0, np.int64)
    order = np.lexsort(a.T[::-1])
    rows = a[order]
    new = np.r_[True, np.any(rows[1:] != rows[:-1], axis=1)]
    inverse = np.empty(len(a), np.int64)
    inverse[order] = np.cumsum(new) - 1
    return rows[new], inverse


class _Columns:
    """Base of the struct-of-arrays classes: every field is an array with rows on axis 0."""

    def __len__(self) -> int:
        return len(self.ids)  # type: ignore[attr-defined]


@dataclass(frozen=True, eq=False)
class ParticipantArrays(_Columns):
    """Participants as arrays, one row each (P rows; lang has shape (P, W) uint64 words)."""

    ids: np.ndarray  # (P,) object, the ids given in the rows
    org: np.ndarray  # (P,) int32 organisation code
    slots: np.ndarray  # (P,) int32 availability bitmask
    n_slots: np.ndarray  # (P,) int64
    slots_inv: np.ndarray  # (P,) float64, 1 / min(3, n_slots) (1 when no slots)
    x: np.ndarray  # (P,) float64 unit-sphere coordinates of the neighbourhood centroid
    y: np.ndarray
    z: np.ndarray
    neighbourhood: np.ndarray  # (P,) int32 code, -1 unknown
    priority: np.ndarray  # (P,) bool, lives in a priority area
    interests: np.ndarray  # (P,) int32 bitmask
    n_interests: np.ndarray  # (P,) int64
    interests_inv: np.ndarray  # (P,) float64, 1 / min(3, n_interests) (1 when none)
    goals: np.ndarray  # (P,) int32 bitmask, primary goal included
    primary_mask: np.ndarray  # (P,) int32, the primary goal's bit or 0
    n_goals: np.ndarray  # (P,) int64
    goal_counted: np.ndarray  # (P,) int32, goals scored by share (others, or all w/o primary)
    goal_hit_coef: np.ndarray  # (P,) float64, goal score for a covered primary goal
    goal_share_coef: np.ndarray  # (P,) float64, goal score per covered counted goal
    lang: np.ndarray  # (P, W) uint64 language bitmask over Vocabulary.languages
    level: np.ndarray  # (P,) int8 index into LEVELS
    below_a2: np.ndarray  # (P,) bool
    waiting_days: np.ndarray  # (P,) float64, >= 0
    waiting: np.ndarray  # (P,) float64, min(waiting_days / 180, 1)
    gender_pref: np.ndarray  # (P,) int8 index into GENDERS, -1 = any
    radius_km: np.ndarray  # (P,) float64
    reach_c2: np.ndarray  # (P,) float64 squared unit-sphere chord of radius_km
    in_person: np.ndarray  # (P,) bool
    online: np.ndarray  # (P,) bool
    employer: np.ndarray  # (P,) int32 code of the employer partner, -1 none


@dataclass(frozen=True, eq=False)
class VolunteerArrays(_Columns):
    """Volunteers as arrays, one row each (V rows; lang has shape (V, W) uint64 words)."""

    ids: np.ndarray  # (V,) object
    org: np.ndarray  # (V,) int32 organisation code
    slots: np.ndarray  # (V,) int32 availability bitmask
    n_slots: np.ndarray  # (V,) int64
    slots_inv: np.ndarray  # (V,) float64, 1 / min(3, n_slots) (1 when no slots)
    x: np.ndarray  # (V,) float64 unit-sphere coordinates
    y: np.ndarray
    z: np.ndarray
    neighbourhood: np.ndarray  # (V,) int32 code, -1 unknown
    interests: np.ndarray  # (V,) int32 bitmask
    n_interests: np.ndarray  # (V,) int64
    interests_inv: np.ndarray  # (V,) float64, 1 / min(3, n_interests) (1 when none)
    support: np.ndarray  # (V,) int32 bitmask over GOALS
    lang: np.ndarray  # (V, W) uint64 language bitmask, Dutch excluded
    gender: np.ndarray  # (V,) int8 index into GENDERS, -1 unknown
    radius_km: np.ndarray  # (V,) float64
    reach_c2: np.ndarray  # (V,) float64 squared unit-sphere chord of radius_km
    in_person: np.ndarray  # (V,) bool
    online: np.ndarray  # (V,) bool
    capacity: np.ndarray  # (V,) int64 free capacity
    employer: np.ndarray  # (V,) int32 code of the employer partner, -1 none
    colleagues: np.ndarray  # (V,) int8 index into COLLEAGUE_PREFS (0 either, 1 only, 2 outside)


@dataclass(frozen=True)
class Vocabulary:
    """Codes used by the arrays: organisations, neighbourhoods, languages (bit -> code)."""

    organisations: tuple[Hashable, ...]
    neighbourhoods: tuple[Hashable, ...]
    languages: tuple[str, ...]  # Dutch excluded: the language score is about a bridge language
    employers: tuple[Hashable, ...] = ()  # employer partners (code -> id)

    @property
    def lang_words(self) -> int:
        """Number of uint64 words per language bitmask."""
        return max(1, -(-len(self.languages) // 64))


@dataclass(frozen=True, eq=False)
class Features:
    """Both sides as arrays plus the shared vocabulary and id -> row maps."""

    participants: ParticipantArrays
    volunteers: VolunteerArrays
    vocabulary: Vocabulary
    participant_index: dict[Hashable, int]
    volunteer_index: dict[Hashable, int]


class Operand:
    """One side of a pair computation: arrays gathered at `index`, expanded at `axis`, lazily.

    Dense blocks use participants with axis=1 ((P, 1) columns) and volunteers with axis=0
    ((1, V) rows) so every pair function broadcasts to (P, V); edge lists use the same pair
    functions on arrays gathered by the edges' endpoints, giving (E,). With `repeat`, row
    index[i] stands for repeat[i] consecutive edges (edges grouped by row): a cheap repeat
    replaces the gather.
    """

    __slots__ = ("_arrays", "_index", "_axis", "_repeat", "_cache")

    def __init__(
        self,
        arrays: _Columns,
        index: np.ndarray | None = None,
        axis: int | None = None,
        repeat: np.ndarray | None = None,
    ):
        self._arrays = arrays
        self._index = index
        self._axis = axis
        self._repeat = repeat
        self._cache: dict[str, np.ndarray] = {}

    def __getattr__(self, name: str) -> np.ndarray:
        cached = self._cache.get(name)
        if cached is None:
            cached = getattr(self._arrays, name)
            if self._index is not None:
                cached = cached[self._index]
            if self._repeat is not None:
                cached = np.repeat(cached, self._repeat, axis=0)
            if self._axis is not None:
                cached = np.expand_dims(cached, self._axis)
            self._cache[name] = cached
        return cached


def _codes(values: Iterable[Hashable], vocabulary: dict[Hashable, int]) -> np.ndarray:
    return np.fromiter((vocabulary[v] for v in values), dtype=np.int32)


def _first_seen(*columns: Iterable[Hashable]) -> dict[Hashable, int]:
    order: dict[Hashable, int] = {}
    for column in columns:
        for value in column:
            if value is not None and value not in order:
                order[value] = len(order)
    return order


# 3 x (n,) float64: unit vectors of (lat, lon) in degrees
def _unit_vectors(lat_deg: np.ndarray, lon_deg: np.ndarray) -> tuple[np.ndarray, ...]:
    lat, lon = np.radians(lat_deg), np.radians(lon_deg)
    return np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)


# (n,) float64, squared chord on the unit sphere of a great-circle distance in km
def chord2_of_km(km: np.ndarray) -> np.ndarray:
    """Squared chord length between unit vectors that are `km` apart along the sphere."""
    return (2.0 * np.sin(np.minimum(km / EARTH_RADIUS_KM, np.pi) / 2.0)) ** 2


# (n, W) uint64: language bitmask words (Dutch excluded)
def _language_words(rows: Sequence, bit_of: dict[str, int], words: int) -> np.ndarray:
    known: dict[frozenset, int] = {}  # few distinct language sets: one mask each
    for languages in map(attrgetter("languages"), rows):
        if languages not in known:
            known[languages] = sum(1 << bit_of[c] for c in languages if c != DUTCH)
    masks = [known[r.languages] for r in rows]
    out = np.zeros((len(rows), words), dtype=np.uint64)
    for w in range(words):
        out[:, w] = [(m >> (64 * w)) & (2**64 - 1) for m in masks]
    return out


def _column(rows: Sequence, name: str, dtype: type) -> np.ndarray:
    return np.fromiter(map(attrgetter(name), rows), dtype=dtype, count=len(rows))


def _gender_code(value: str | None) -> int:
    return -1 if value in (None, ANY_GENDER) else GENDERS.index(value)


# (n,) float64: 1 / min(full, count), 1 where count is 0
def _inverse_capped(count: np.ndarray, full: int) -> np.ndarray:
    return 1.0 / np.maximum(np.minimum(count, full), 1)


def _side_common(rows: Sequence, vocab: Vocabulary, codes: dict, lang_bit: dict) -> dict:
    slots = _column(rows, "slots", np.int32)
    interests = _column(rows, "interests", np.int32)
    n_slots = popcount(slots).astype(np.int64)
    n_interests = popcount(interests).astype(np.int64)
    x, y, z = _unit_vectors(_column(rows, "lat", np.float64), _column(rows, "lon", np.float64))
    radius_km = _column(rows, "radius_km", np.float64)
    return {
        "ids": np.array([r.id for r in rows] + [None], dtype=object)[:-1],
        "org": _codes((r.organisation_id for r in rows), codes["org"]),
        "slots": slots,
        "n_slots": n_slots,
        "slots_inv": _inverse_capped(n_slots, SLOTS_FOR_FULL_SCORE),
        "x": x,
        "y": y,
        "z": z,
        "neighbourhood": _codes((r.neighbourhood_id for r in rows), codes["nbh"]),
        "interests": interests,
        "n_interests": n_interests,
        "interests_inv": _inverse_capped(n_interests, INTERESTS_FOR_FULL_SCORE),
        "lang": _language_words(rows, lang_bit, vocab.lang_words),
        "radius_km": radius_km,
        "reach_c2": chord2_of_km(radius_km),
        "in_person": _column(rows, "in_person", bool),
        "online": _column(rows, "online", bool),
        "employer": _codes((r.employer for r in rows), codes["employer"]),
    }


def participant_arrays(
    rows: Sequence[ParticipantRow], vocab: Vocabulary, codes: dict, lang_bit: dict
) -> ParticipantArrays:
    """Build participant arrays (P rows) with the given vocabulary codes."""
    primary = np.fromiter(
        (-1 if r.primary_goal is None else GOALS.index(r.primary_goal) for r in rows), np.int64
    )
    primary_mask = np.where(primary >= 0, np.left_shift(1, np.maximum(primary, 0)), 0)
    goals = (_column(rows, "goals", np.int64) | primary_mask).astype(np.int32)
    level = np.fromiter((level_index(r.level) for r in rows), np.int8, count=len(rows))
    waiting_days = np.maximum(_column(rows, "waiting_days", np.float64), 0.0)
    return ParticipantArrays(
        **_side_common(rows, vocab, codes, lang_bit),
        priority=_column(rows, "priority_area", bool),
        goals=goals,
        primary_mask=primary_mask.astype(np.int32),
        n_goals=popcount(goals).astype(np.int64),
        **goal_coefficients(goals, primary_mask.astype(np.int32)),
        level=level,
        below_a2=level < A2,
        waiting_days=waiting_days,
        waiting=np.minimum(waiting_days / WAITING_DAYS_FOR_FULL_SCORE, 1.0),
        gender_pref=np.fromiter((_gender_code(r.gender_pref) for r in rows), np.int8),
    )


# (P,) x 3: which goals count by share, and the coefficients of the goal score
def goal_coefficients(goals: np.ndarray, primary_mask: np.ndarray) -> dict[str, np.ndarray]:
    """Goal score = hit_coef * [primary covered] + share_coef * |counted & support|.

    primary + other goals: 0.6 and 0.4 / |others| over the others; primary only: 1 and 0;
    goals without a primary: 0 and 1 / |goals| over all goals; no goals: 0 and 0.
    """
    others = goals & ~primary_mask
    n_others = popcount(others).astype(np.int64)
    has_primary = primary_mask != 0
    share = np.where(has_primary, 1 - PRIMARY_GOAL_SHARE, 1.0)
    return {
        "goal_counted": others,
        "goal_hit_coef": np.where(
            has_primary, np.where(n_others > 0, PRIMARY_GOAL_SHARE, 1.0), 0.0
        ),
        "goal_share_coef": np.where(n_others > 0, share / np.maximum(n_others, 1), 0.0),
    }


def volunteer_arrays(
    rows: Sequence[VolunteerRow], vocab: Vocabulary, codes: dict, lang_bit: dict
) -> VolunteerArrays:
    """Build volunteer arrays (V rows) with the given vocabulary codes."""
    return VolunteerArrays(
        **_side_common(rows, vocab, codes, lang_bit),
        support=_column(rows, "support", np.int32),
        gender=np.fromiter((_gender_code(r.gender) for r in rows), np.int8),
        capacity=_column(rows, "capacity", np.int64),
        colleagues=np.fromiter((COLLEAGUE_PREFS.index(r.colleagues) for r in rows), np.int8,
                               count=len(rows)),
    )


def build_features(
    participants: Sequence[ParticipantRow], volunteers: Sequence[VolunteerRow]
) -> Features:
    """Build both sides' arrays once, with a vocabulary shared by both sides.

    Organisation and neighbourhood codes follow first appearance (participants first), the
    language vocabulary is sorted; ids must be unique per side (ValueError otherwise).
    """
    org = _first_seen(
        (r.organisation_id for r in participants), (r.organisation_id for r in volunteers)
    )
    nbh = _first_seen(
        (r.neighbourhood_id for r in participants), (r.neighbourhood_id for r in volunteers)
    )
    languages = sorted({c for r in (*participants, *volunteers) for c in r.languages} - {DUTCH})
    employer = _first_seen((r.employer for r in participants), (r.employer for r in volunteers))
    vocab = Vocabulary(tuple(org), tuple(nbh), tuple(languages), tuple(employer))
    codes = {"org": org, "nbh": {**nbh, None: -1}, "employer": {**employer, None: -1}}
    lang_bit = {code: i for i, code in enumerate(languages)}
    p_index = {r.id: i for i, r in enumerate(participants)}
    v_index = {r.id: i for i, r in enumerate(volunteers)}
    if len(p_index) != len(participants) or len(v_index) != len(volunteers):
        raise ValueError("participant and volunteer ids must be unique per side")
    return Features(
        participants=participant_arrays(participants, vocab, codes, lang_bit),
        volunteers=volunteer_arrays(volunteers, vocab, codes, lang_bit),
        vocabulary=vocab,
        participant_index=p_index,
        volunteer_index=v_index,
    )
