"""The fixed vocabularies of the domain: slots, interests, goals, levels, languages.

Pure Python (no Flask, no ORM) so that models, forms, templates and the matching engine
share one source of truth. The keys that matching reads, and the bit order of every stored
bitmask (weekly slots, interests, goals), belong to the matching core
(``buddy/matching/domain.py``, which imports nothing from the app): they are re-exported here
and must never be redefined. This module adds the app-only vocabularies (states, routes,
roles, ...). Labels are translated where they are shown (see ``buddy/labels.py``); here only
the stable keys live.
"""

from collections.abc import Iterable

# Re-exported: the matching core owns these keys and the bit order of stored masks.
from .matching.domain import (  # noqa: F401
    COLLEAGUE_PREFS,
    DAYS,
    DEFAULT_WEIGHTS,
    DUTCH,
    GENDERS,
    GOALS,
    INTERESTS,
    LEVELS,
    N_SLOTS,
    PARTS,
    bits_of,
    keys_of,
    mask_of,
    slot_index,
    slot_name,
)

SLOT_COUNT = N_SLOTS  # 21 weekly slots, index = day * 3 + part
ALL_SLOTS_MASK = (1 << SLOT_COUNT) - 1
# Participant goals and volunteer support offered use the same keys (GOALS).
TARGET_LEVELS = LEVELS[1:]  # A1 .. B2+
ROUTES = ("unknown", "b1", "education", "z", "older_system", "not_obliged")
AGE_BANDS = ("12-17", "18-25", "26-35", "36-50", "51-65", "66+")  # 12-17: pupils only
ADULT_AGE_BANDS = AGE_BANDS[1:]
GENDER_PREFS = ("any", "f", "m")
LANGUAGE_LEVELS = ("basic", "good", "native")
# Languages people can say they speak: ISO 639-1 codes. Names come from Babel.
SPOKEN_LANGUAGES = (
    "nl", "en", "ar", "ti", "fa", "prs", "ps", "uk", "ru", "tr", "so", "ku", "am",
    "fr", "es", "de", "pl", "ro", "bg", "pt", "zh", "ur", "hi",
)
BARRIERS = ("childcare", "health", "mobility", "literacy", "digital", "other")
SCREENING_STATES = ("registered", "intake_done", "vog_received", "approved", "rejected")
VOG_STATES = ("not_requested", "requested", "received", "expired")
MATCH_STATES = ("proposed", "approved", "active", "ended", "rejected")
OPEN_MATCH_STATES = ("proposed", "approved", "active")
END_REASONS = (
    "completed", "goal_reached", "stopped_by_volunteer", "stopped_by_participant",
    "no_click", "moved", "other",
)
# End reasons after which the same pair must never be proposed again.
BAD_END_REASONS = ("stopped_by_volunteer", "stopped_by_participant", "no_click")
CHECKIN_OUTCOMES = ("going_well", "needs_attention", "at_risk")
PARTICIPANT_STATES = ("waiting", "matched", "paused", "withdrawn")
ROLES = ("admin", "coordinator", "volunteer", "participant", "partner")
# Partners: where guides come from (issue 16). A volunteer without a partner is "individual".
PARTNER_KINDS = ("employer", "school", "association", "other")
SOURCES = ("individual", "employer", "school", "association", "other")
PUPIL_MIN_AGE, PUPIL_MAX_AGE, ADULT_AGE = 12, 100, 18
SMALL_GROUP = 5  # partners see no figure of a group smaller than this
CONSENT_PURPOSES = ("privacy", "code_of_conduct", "vog_check", "share_contact")
CONSENT_METHODS = ("online", "verbal")
OUTBOX_STATES = ("pending", "sent", "failed")
PAIR_RULE_KINDS = ("pin", "forbid")

DEFAULT_CHECKIN_DAYS = (14, 91, 182)


def mask_from_keys(keys: Iterable[str], vocabulary: tuple[str, ...]) -> int:
    """Return the bitmask of ``keys`` over ``vocabulary`` (unknown keys are ignored)."""
    return mask_of({k for k in keys if k in vocabulary}, vocabulary)


def keys_from_mask(mask: int, vocabulary: tuple[str, ...]) -> list[str]:
    """Return the keys of ``vocabulary`` whose bit is set in ``mask``, in vocabulary order."""
    return list(keys_of(mask, vocabulary))


def slot_keys(mask: int) -> list[tuple[str, str]]:
    """Return (day, part) for every weekly slot set in ``mask``, in slot order."""
    return [slot_name(i) for i in bits_of(mask) if i < SLOT_COUNT]

