"""Structured explanations: why each proposed pair, why each unmatched participant.

Only keys and numbers, never text: templates translate them (e.g. slot ("mon", "evening"),
interest "cooking", reason code "no_volunteer_in_reach").
"""

from __future__ import annotations

import gc
from collections.abc import Hashable
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from functools import lru_cache
from itertools import repeat

import numpy as np

from .constraints import (
    PairRules,
    chord2,
    colleague_ok,
    distance_km,
    gender_ok,
    in_person_reach,
    reach_ok,
    slot_ok,
)
from .domain import COMPONENTS, GOALS, INTERESTS, bits_of, slot_name
from .features import Features, Operand
from .scores import WeightTable, component_scores

DIAGNOSE_CHUNK_ROWS = 256


@dataclass(frozen=True, slots=True)
class ComponentScore:
    """One score component of a pair: value in [0, 1], normalised weight, weight * value."""

    name: str
    value: float
    weight: float
    contribution: float


@dataclass(frozen=True, slots=True)
class PairExplanation:
    """Why a pair was proposed: every component and the concrete facts behind it."""

    components: tuple[ComponentScore, ...]  # in COMPONENTS order; contributions sum to score
    shared_slots: tuple[int, ...]  # slot indices, day * 3 + part
    shared_slot_names: tuple[tuple[str, str], ...]  # e.g. (("mon", "evening"),)
    distance_km: float  # great-circle distance between the neighbourhood centroids, 0.1 km
    meeting: str  # "in_person" (within both radii) or "online" (both accept online)
    shared_interests: tuple[str, ...]  # INTERESTS keys
    primary_goal: str | None  # GOALS key
    primary_goal_covered: bool
    covered_goals: tuple[str, ...]  # the participant's goals the volunteer supports
    shared_languages: tuple[str, ...]  # ISO 639 codes other than Dutch
    bridge_language: str | None  # the shared language that scored (participant below A2)
    waiting_days: int
    priority_area: bool
    colleague_at: Hashable | None = None  # the shared employer partner: a colleague guide

    def as_dict(self) -> dict:
        """Return a JSON-serialisable dict (tuples become lists)."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class UnmatchedParticipant:
    """A participant without a proposal: reason code and the volunteer funnel behind it.

    counts: volunteers (same organisation, free capacity) -> gender_ok -> in_reach ->
    shared_slot -> allowed (no pair rule) -> acceptable (score >= min_score); plus
    shared_slot_any_distance (gender-ok volunteers sharing a slot, ignoring distance).
    """

    participant_id: Hashable
    reason: str  # one of domain.UNMATCHED_REASONS
    counts: dict[str, int]

    def as_dict(self) -> dict:
        """Return a JSON-serialisable dict."""
        return asdict(self)


@lru_cache(maxsize=4096)
def _slots(mask: int) -> tuple[tuple[int, ...], tuple[tuple[str, str], ...]]:
    bits = bits_of(mask)
    return bits, tuple(slot_name(i) for i in bits)


@lru_cache(maxsize=4096)
def _keys(mask: int, vocabulary: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(vocabulary[i] for i in bits_of(mask) if i < len(vocabulary))


@contextmanager
def gc_paused():
    """Pause the cyclic garbage collector while building many acyclic objects.

    Explanations are ~10 objects per pair; with the collector running, its generation scans
    over every object already alive (the input rows too) cost more than building them
    (country: 1.4 s with, 0.55 s without, for 59,000 pairs). Nothing built here is cyclic.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# (E, W) uint64 words -> E Python ints (the language bitmask of each pair)
def _language_masks(words: np.ndarray) -> list[int]:
    masks = words[:, 0].tolist() if words.shape[1] else [0] * len(words)
    for k in range(1, words.shape[1]):
        masks = [m | (x << (64 * k)) for m, x in zip(masks, words[:, k].tolist(), strict=True)]
    return masks


# (E,) pairs -> E explanations (plain Python objects)
def explain_pairs(
    features: Features, weights: WeightTable, p_rows: np.ndarray, v_rows: np.ndarray
) -> list[PairExplanation]:
    """Explain pairs (p_rows[i], v_rows[i]); components use the same functions as scoring."""
    P, V = features.participants, features.volunteers
    p, v = Operand(P, p_rows), Operand(V, v_rows)
    c2 = chord2(p, v)
    comps = component_scores(p, v, c2)
    values = np.column_stack([comps[k] for k in COMPONENTS]).reshape(-1, len(COMPONENTS))
    w = weights.table[P.org[p_rows]]
    components = map(
        tuple,
        map(map, repeat(ComponentScore), repeat(COMPONENTS), values.tolist(), w.tolist(),
            (values * w).tolist()),
    )  # fmt: skip
    columns = (
        components,
        (P.slots[p_rows] & V.slots[v_rows]).tolist(),
        np.round(distance_km(c2), 1).tolist(),
        in_person_reach(p, v, c2).tolist(),
        (P.interests[p_rows] & V.interests[v_rows]).tolist(),
        (P.goals[p_rows] & V.support[v_rows]).tolist(),
        P.primary_mask[p_rows].tolist(),
        _language_masks(P.lang[p_rows] & V.lang[v_rows]),
        P.below_a2[p_rows].tolist(),
        P.waiting_days[p_rows].tolist(),
        P.priority[p_rows].tolist(),
        np.where(P.employer[p_rows] == V.employer[v_rows], V.employer[v_rows], -1).tolist(),
    )
    languages, employers = features.vocabulary.languages, features.vocabulary.employers
    with gc_paused():
        return [_explanation(*row, languages, employers) for row in zip(*columns, strict=True)]


def _explanation(
    components, slots, km, in_person, interests, goals, primary, lang, below_a2, waiting,
    priority, employer, languages, employers,
) -> PairExplanation:  # fmt: skip
    """One pair's explanation from its row of the columns built in explain_pairs."""
    shared_slots, slot_names = _slots(slots)
    shared_languages = _keys(lang, languages)
    return PairExplanation(
        components=components,
        shared_slots=shared_slots,
        shared_slot_names=slot_names,
        distance_km=km,
        meeting="in_person" if in_person else "online",
        shared_interests=_keys(interests, INTERESTS),
        primary_goal=GOALS[primary.bit_length() - 1] if primary else None,
        primary_goal_covered=bool(primary & goals),
        covered_goals=_keys(goals, GOALS),
        shared_languages=shared_languages,
        bridge_language=shared_languages[0] if below_a2 and shared_languages else None,
        waiting_days=int(waiting),
        priority_area=bool(priority),
        colleague_at=employers[employer] if employer >= 0 else None,
    )


# (R, C) bool: False where a pair rule excludes the pair
def _rules_ok_block(rules: PairRules, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """(R, C) bool: False where a pair rule excludes (rows[i], cols[j]); cols ascending."""
    ok = np.ones((len(rows), len(cols)), dtype=bool)
    if len(rules.p) == 0 or len(cols) == 0:
        return ok
    row_of = {int(r): i for i, r in enumerate(rows)}
    for rp, rv in zip(rules.p.tolist(), rules.v.tolist(), strict=True):
        j = int(np.searchsorted(cols, rv))
        if rp in row_of and j < len(cols) and cols[j] == rv:
            ok[row_of[rp], j] = False
    return ok


# {stage: (R,) int64}: volunteers left after each funnel stage, per participant row
def _funnel(features, rows, cols, rules) -> dict[str, np.ndarray]:
    """Funnel counts for participant rows against the volunteer columns of their org."""
    p = Operand(features.participants, rows, axis=1)
    v = Operand(features.volunteers, cols, axis=0)
    gender = gender_ok(p, v)
    slot = slot_ok(p, v)
    reach = reach_ok(p, v, chord2(p, v))
    allowed = gender & reach & slot & _rules_ok_block(rules, rows, cols) & colleague_ok(p, v)
    return {
        "volunteers": np.full(len(rows), len(cols)),
        "gender_ok": gender.sum(axis=1),
        "in_reach": (gender & reach).sum(axis=1),
        "shared_slot": (gender & reach & slot).sum(axis=1),
        "allowed": allowed.sum(axis=1),
        "shared_slot_any_distance": (gender & slot).sum(axis=1),
    }


def _reason(counts: dict[str, int], has_slots: bool) -> str:
    """The first funnel stage that leaves nobody (see UNMATCHED_REASONS)."""
    if counts["volunteers"] == 0:
        return "no_volunteers"
    if not has_slots:
        return "no_availability"
    for key, reason in (
        ("gender_ok", "gender_preference"),
        ("in_reach", "no_volunteer_in_reach"),
        ("shared_slot_any_distance", "no_shared_slot"),
        ("shared_slot", "no_shared_slot_within_reach"),
        ("allowed", "pair_rules"),
        ("acceptable", "below_min_score"),
    ):
        if counts[key] == 0:
            return reason
    return "better_used_elsewhere"


def diagnose_unmatched(
    features: Features,
    rows: np.ndarray,
    capacity: np.ndarray,
    rules: PairRules,
    n_acceptable: np.ndarray,
    chunk_rows: int = DIAGNOSE_CHUNK_ROWS,
) -> list[UnmatchedParticipant]:
    """Reason code and funnel counts for each unmatched participant row (vectorised per org).

    capacity: (V,) free capacity left for the solver; n_acceptable: (P,) acceptable edges.
    """
    P, V = features.participants, features.volunteers
    rows = np.asarray(rows, np.int64)
    counts = {
        key: np.zeros(len(rows), np.int64)
        for key in (
            "volunteers",
            "gender_ok",
            "in_reach",
            "shared_slot",
            "allowed",
            "shared_slot_any_distance",
        )
    }
    for org in np.unique(P.org[rows]):
        cols = np.flatnonzero((V.org == org) & (capacity > 0))
        at = np.flatnonzero(P.org[rows] == org)
        for start in range(0, len(at), chunk_rows):
            part = at[start : start + chunk_rows]
            for key, value in _funnel(features, rows[part], cols, rules).items():
                counts[key][part] = value
    counts["acceptable"] = n_acceptable[rows]
    lists = {key: value.tolist() for key, value in counts.items()}
    has_slots = (P.n_slots[rows] > 0).tolist()
    out = []
    for i, row in enumerate(rows.tolist()):
        c = {key: lists[key][i] for key in lists}
        out.append(UnmatchedParticipant(P.ids[row], _reason(c, has_slots[i]), c))
    return out
