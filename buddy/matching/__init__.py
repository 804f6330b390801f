"""Matching of waiting participants with volunteer buddies: pure numpy/scipy, no Flask."""

from .domain import GOALS, INTERESTS, LEVELS
from .features import ParticipantRow, VolunteerRow
from .solver import assign

__all__ = ["GOALS", "INTERESTS", "LEVELS", "ParticipantRow", "VolunteerRow", "assign"]
