"""The fixed vocabularies of the domain: slots, interests, goals, levels, languages.

Pure Python (no Flask, no ORM) so that models, forms, templates and the matching engine
share one source of truth. Labels are translated where they are shown (see
``buddy/labels.py``); here only the stable keys live.
"""

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PARTS = ("morning", "afternoon", "evening")
SLOT_COUNT = len(DAYS) * len(PARTS)  # 21 weekly slots, index = day * 3 + part
ALL_SLOTS_MASK = (1 << SLOT_COUNT) - 1

INTERESTS = (
    "cooking", "sport", "nature", "music", "reading", "crafts",
    "gardening", "games", "technology", "art", "film", "history",
)
# Participant goals and volunteer support offered use the same keys.
GOALS = ("language", "work", "study", "business", "parenting_school", "volunteering", "social")
LEVELS = ("A0", "A1", "A2", "B1", "B2+")
TARGET_LEVELS = ("A1", "A2", "B1", "B2+")
ROUTES = ("unknown", "b1", "education", "z", "older_system", "not_obliged")
AGE_BANDS = ("18-25", "26-35", "36-50", "51-65", "66+")
GENDERS = ("f", "m", "x")
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
ROLES = ("admin", "coordinator", "volunteer", "participant")
CONSENT_PURPOSES = ("privacy", "code_of_conduct", "vog_check", "share_contact")
CONSENT_METHODS = ("online", "verbal")
OUTBOX_STATES = ("pending", "sent", "failed")
PAIR_RULE_KINDS = ("pin", "forbid")

DEFAULT_WEIGHTS = {
    "availability": 0.25,
    "proximity": 0.20,
    "interests": 0.10,
    "goals": 0.25,
    "language": 0.10,
    "waiting": 0.05,
    "priority": 0.05,
}
DEFAULT_CHECKIN_DAYS = (14, 91, 182)


def mask_from_keys(keys, vocabulary) -> int:
    """Return the bitmask of ``keys`` over ``vocabulary`` (unknown keys are ignored)."""
    return sum(1 << vocabulary.index(k) for k in set(keys) if k in vocabulary)


def keys_from_mask(mask: int, vocabulary) -> list[str]:
    """Return the keys of ``vocabulary`` whose bit is set in ``mask``, in vocabulary order."""
    return [k for i, k in enumerate(vocabulary) if mask >> i & 1]


def slot_index(day: str, part: str) -> int:
    """Return the 0-20 slot index of a day and part of the day."""
    return DAYS.index(day) * len(PARTS) + PARTS.index(part)


def slot_keys(mask: int) -> list[tuple[str, str]]:
    """Return (day, part) for every slot set in ``mask``."""
    return [(DAYS[i // 3], PARTS[i % 3]) for i in range(SLOT_COUNT) if mask >> i & 1]
