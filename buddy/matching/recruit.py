"""Who should we recruit: volunteer profiles that would serve the most unmatched participants.

A profile is (organisation, neighbourhood, weekly slot, bridge language). It counts the
unmatched participants of that organisation living in that neighbourhood and free in that
slot who either speak the language or do not need a bridge language (Dutch A2 or above, or
no language besides Dutch); language None means nobody counted there needs one.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import asdict, dataclass

import numpy as np

from .domain import N_SLOTS, slot_name
from .features import Features


@dataclass(frozen=True, slots=True)
class RecruitProfile:
    """A hypothetical new volunteer and how many unmatched participants they could serve."""

    organisation_id: Hashable
    neighbourhood_id: Hashable | None
    slot: int
    slot_name: tuple[str, str]
    language: str | None  # bridge language to look for; None = any
    participants: int  # unmatched participants this profile could serve
    need_language: int  # of which below A2 speaking `language`


@dataclass(frozen=True)
class RecruitSummary:
    """Top profiles plus the marginal counts behind them (all sorted by count, descending)."""

    considered: int  # unmatched participants with at least one availability slot
    profiles: tuple[RecruitProfile, ...]
    by_neighbourhood: tuple[tuple[Hashable, Hashable | None, int], ...]  # (org, nbh, count)
    by_slot: tuple[tuple[int, tuple[str, str], int], ...]  # (slot, name, count)
    by_language: tuple[tuple[str, int], ...]  # below-A2 participants per language spoken

    def as_dict(self) -> dict:
        """Return a JSON-serialisable dict."""
        return asdict(self)


# (U, L) bool: language bits of participant rows over the vocabulary
def _language_bits(lang_words: np.ndarray, n_languages: int) -> np.ndarray:
    bits = np.unpackbits(lang_words.astype("<u8").view(np.uint8), axis=1, bitorder="little")
    return bits[:, :n_languages].astype(bool)


# (K,) sorted unique keys and (K,) int64 counts
def _counts(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.unique(keys, return_counts=True)


# (Q,) int64: counts of the query keys, 0 where absent
def _lookup(keys: np.ndarray, counts: np.ndarray, query: np.ndarray) -> np.ndarray:
    """counts[keys == q] for each q of query (0 where absent); keys sorted ascending."""
    if len(keys) == 0:
        return np.zeros(len(query), np.int64)
    at = np.minimum(np.searchsorted(keys, query), len(keys) - 1)
    return np.where(keys[at] == query, counts[at], 0)


# (n,) int64: indices of the largest counts, ties by key
def _top(keys: np.ndarray, counts: np.ndarray, n: int | None = None) -> np.ndarray:
    """Indices of the n largest counts, ties by ascending key."""
    return np.lexsort((keys, -counts))[:n]


def recruit_summary(features: Features, rows: np.ndarray, top: int = 10) -> RecruitSummary:
    """Count profiles over unmatched participant rows and return the `top` best."""
    P, vocab = features.participants, features.vocabulary
    rows = np.asarray(rows, np.int64)
    rows = rows[P.n_slots[rows] > 0]
    n_lang, n_nbh = len(vocab.languages), len(vocab.neighbourhoods) + 1
    place_of = P.org[rows].astype(np.int64) * n_nbh + P.neighbourhood[rows] + 1  # (U,)
    langs = _language_bits(P.lang[rows], n_lang)  # (U, L)
    flexible = ~P.below_a2[rows] | ~langs.any(axis=1)  # any volunteer language serves them
    needs = langs & ~flexible[:, None]  # (U, L) bridge languages that would help
    u, slot = np.nonzero((P.slots[rows, None] >> np.arange(N_SLOTS)) & 1)  # free slots
    keys, counts, need = _profile_counts(place_of[u] * N_SLOTS + slot, flexible[u], needs[u])
    best = _top(keys, counts, top)
    return RecruitSummary(
        considered=len(rows),
        profiles=tuple(_profile(vocab, keys[i], counts[i], need[i], n_nbh, n_lang) for i in best),
        by_neighbourhood=_by_neighbourhood(vocab, place_of, n_nbh),
        by_slot=tuple(
            (int(k), slot_name(int(k)), int(c)) for k, c in zip(*_sorted_counts(slot), strict=True)
        ),
        by_language=tuple(
            (vocab.languages[int(k)], int(c))
            for k, c in zip(*_sorted_counts(np.nonzero(needs)[1]), strict=True)
        ),
    )


# (K,) profile keys (place_slot * (L + 1) + language, L = any), (K,) counts, (K,) need counts
def _profile_counts(place_slot: np.ndarray, flexible: np.ndarray, needs: np.ndarray):
    """Count, per (place, slot, language), speakers who need it + flexible people there.

    place_slot, flexible: (F,) one entry per (participant, free slot); needs: (F, L).
    """
    n_lang = needs.shape[1]
    any_keys, any_counts = _counts(place_slot[flexible])
    j, lang = np.nonzero(needs)
    lang_keys, lang_counts = _counts(place_slot[j] * (n_lang + 1) + lang)
    lang_place = lang_keys // (n_lang + 1)
    alone = ~np.isin(any_keys, lang_place)  # places where nobody needs a bridge language
    keys = np.concatenate([lang_keys, any_keys[alone] * (n_lang + 1) + n_lang])
    counts = np.concatenate(
        [lang_counts + _lookup(any_keys, any_counts, lang_place), any_counts[alone]]
    )
    need = np.concatenate([lang_counts, np.zeros(alone.sum(), np.int64)])
    return keys, counts, need


def _sorted_counts(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    k, c = _counts(keys)
    order = _top(k, c)
    return k[order], c[order]


def _by_neighbourhood(vocab, place_of: np.ndarray, n_nbh: int) -> tuple:
    keys, counts = _sorted_counts(place_of)
    return tuple(
        (vocab.organisations[int(k) // n_nbh], _neighbourhood(vocab, int(k) % n_nbh), int(c))
        for k, c in zip(keys, counts, strict=True)
    )


def _neighbourhood(vocab, code_plus_one: int) -> Hashable | None:
    return None if code_plus_one == 0 else vocab.neighbourhoods[code_plus_one - 1]


def _profile(vocab, key, count, need, n_nbh: int, n_lang: int) -> RecruitProfile:
    place_slot, lang = divmod(int(key), n_lang + 1)
    place, slot = divmod(place_slot, N_SLOTS)
    org, nbh = divmod(place, n_nbh)
    return RecruitProfile(
        organisation_id=vocab.organisations[org],
        neighbourhood_id=_neighbourhood(vocab, nbh),
        slot=slot,
        slot_name=slot_name(slot),
        language=None if lang == n_lang else vocab.languages[lang],
        participants=int(count),
        need_language=int(need),
    )
