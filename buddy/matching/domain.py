"""Domain vocabulary shared with the app: slots, interests, goals, levels, weights, codes.

The one owner of these keys and of their bit order: the app re-exports them (``buddy.vocab``)
and stores its bitmasks through them, so a value stored by the app can be handed to the
matching package unchanged. Append new keys at the end; reordering or removing one would
scramble every stored mask (tests/foundation/test_vocabulary.py pins the order).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PARTS = ("morning", "afternoon", "evening")
N_SLOTS = len(DAYS) * len(PARTS)  # 21 weekly slots, index = day * 3 + part

INTERESTS = (
    "cooking",
    "sport",
    "nature",
    "music",
    "reading",
    "crafts",
    "gardening",
    "games",
    "technology",
    "art",
    "film",
    "history",
)
GOALS = ("language", "work", "study", "business", "parenting_school", "volunteering", "social")
LEVELS = ("A0", "A1", "A2", "B1", "B2+")
A2 = LEVELS.index("A2")  # "below A2" means level index < A2
DUTCH = "nl"
GENDERS = ("f", "m", "x")
ANY_GENDER = "any"
# A guide from an employer partner meets: colleagues or others, only colleagues, only others.
COLLEAGUE_PREFS = ("either", "only", "outside")

COMPONENTS = ("availability", "proximity", "interests", "goals", "language", "waiting", "priority")
DEFAULT_WEIGHTS: Mapping[str, float] = {
    "availability": 0.25,
    "proximity": 0.20,
    "interests": 0.10,
    "goals": 0.25,
    "language": 0.10,
    "waiting": 0.05,
    "priority": 0.05,
}

# Model parameters of the score components (see scores.py and docs/matching.md).
SLOTS_FOR_FULL_SCORE = 3  # three shared weekly slots (or all the participant has) score 1
INTERESTS_FOR_FULL_SCORE = 3  # three shared interests (or all the shorter list has) score 1
PRIMARY_GOAL_SHARE = 0.6  # share of the goal score for covering the primary goal
WAITING_DAYS_FOR_FULL_SCORE = 180.0  # waiting half a year or longer scores 1

# Why a waiting participant got no proposal, most fundamental first (see docs/matching.md).
UNMATCHED_REASONS = (
    "no_volunteers",  # no volunteer with free capacity in the participant's organisation
    "no_availability",  # the participant has no availability slot at all
    "gender_preference",  # no volunteer of the preferred gender
    "no_volunteer_in_reach",  # none of those within both travel radii, nor online on both sides
    "no_shared_slot",  # none of those shares a weekly slot, at any distance
    "no_shared_slot_within_reach",  # some in reach, some share a slot, never the same one
    "pair_rules",  # the only feasible volunteers are excluded by forbid / ended-badly rules
    # or by their choice to guide only colleagues / only people outside their work
    "below_min_score",  # feasible volunteers exist, but every pair scores below min_score
    "better_used_elsewhere",  # feasible volunteers exist; the optimum gave them to others
)
# Why a coordinator's pin was not honoured.
PIN_REJECTIONS = (
    "unknown_participant",
    "unknown_volunteer",
    "duplicate_participant",  # a second pin for a participant who is already pinned
    "volunteer_full",  # the volunteer has no free capacity left for this pin
    "different_organisation",
    "no_shared_slot",
    "not_in_reach",
    "gender_preference",
    "forbidden",
    "ended_badly",
    "colleague_rule",  # the volunteer guides only colleagues, or only people outside work
)


def slot_index(day: str | int, part: str | int) -> int:
    """Return the slot index (0..20) of a day ("mon" or 0) and day part ("evening" or 2)."""
    d = DAYS.index(day) if isinstance(day, str) else int(day)
    p = PARTS.index(part) if isinstance(part, str) else int(part)
    if not (0 <= d < len(DAYS) and 0 <= p < len(PARTS)):
        raise ValueError(f"no such slot: {day!r}, {part!r}")
    return d * len(PARTS) + p


def slot_name(index: int) -> tuple[str, str]:
    """Return (day, part) keys of a slot index, e.g. 2 -> ("mon", "evening")."""
    if not 0 <= index < N_SLOTS:
        raise ValueError(f"slot index out of range: {index}")
    return DAYS[index // len(PARTS)], PARTS[index % len(PARTS)]


def slots_mask(slots: Iterable[int | tuple[str | int, str | int]]) -> int:
    """Return the availability bitmask of slot indices and/or (day, part) pairs."""
    mask = 0
    for slot in slots:
        index = slot_index(*slot) if isinstance(slot, tuple) else int(slot)
        if not 0 <= index < N_SLOTS:
            raise ValueError(f"slot index out of range: {index}")
        mask |= 1 << index
    return mask


def bits_of(mask: int) -> tuple[int, ...]:
    """Return the indices of the set bits of a non-negative int, ascending."""
    return tuple(i for i in range(int(mask).bit_length()) if mask >> i & 1)


def mask_of(keys: Iterable[str], vocabulary: tuple[str, ...]) -> int:
    """Return the bitmask of keys over a vocabulary (bit i = vocabulary[i])."""
    mask = 0
    for key in keys:
        mask |= 1 << vocabulary.index(key)
    return mask


def keys_of(mask: int, vocabulary: tuple[str, ...]) -> tuple[str, ...]:
    """Return the vocabulary keys of a bitmask, in vocabulary order."""
    return tuple(vocabulary[i] for i in bits_of(mask) if i < len(vocabulary))


def interests_mask(keys: Iterable[str]) -> int:
    """Return the interests bitmask of interest keys."""
    return mask_of(keys, INTERESTS)


def goals_mask(keys: Iterable[str]) -> int:
    """Return the goals (or support offered) bitmask of goal keys."""
    return mask_of(keys, GOALS)


def level_index(level: str | int) -> int:
    """Return the index 0..4 of a Dutch level key ("A0".."B2+") or pass an index through."""
    index = LEVELS.index(level) if isinstance(level, str) else int(level)
    if not 0 <= index < len(LEVELS):
        raise ValueError(f"level out of range: {level!r}")
    return index


def normalise_weights(weights: Mapping[str, float] | None = None) -> dict[str, float]:
    """Return weights over COMPONENTS summing to 1 (missing keys take DEFAULT_WEIGHTS).

    Raises ValueError for an unknown key, a negative or non-finite weight, or an all-zero set.
    """
    merged = dict(DEFAULT_WEIGHTS)
    for key, value in (weights or {}).items():
        if key not in DEFAULT_WEIGHTS:
            raise ValueError(f"unknown weight {key!r}; expected one of {COMPONENTS}")
        merged[key] = float(value)
    if any(not math.isfinite(w) or w < 0 for w in merged.values()):
        raise ValueError(f"weights must be finite and >= 0: {merged}")
    total = sum(merged.values())
    if total <= 0:
        raise ValueError("at least one weight must be positive")
    return {key: merged[key] / total for key in COMPONENTS}
