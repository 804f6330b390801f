"""Helpers shared by the coordinator workspace tests (import from ``tests.helpers``)."""

from datetime import timedelta

from sqlalchemy import event

from buddy import clock
from buddy.extensions import db
from buddy.models import User
from tests import factories as f

WEIGHTS = {"availability": "0.25", "proximity": "0.2", "interests": "0.1", "goals": "0.25",
           "language": "0.1", "waiting": "0.05", "priority": "0.05"}


def fresh(obj):
    """Return ``obj`` re-read in the current session (requests end the session)."""
    return db.session.get(type(obj), obj.id)


def user_of(profile) -> User:
    return db.session.get(User, profile.user_id)


def waiting(org, consent: bool = True, waited_days: int = 10, **kw):
    """A participant on the waiting list with live privacy consent."""
    kw.setdefault("waiting_since", clock.now() - timedelta(days=waited_days))
    participant = f.make_participant(org, **kw)
    if consent:
        f.make_consent(user_of(participant), purpose="privacy")
    return participant


def matching_data(**overrides) -> dict:
    """Form data for the matching page: default weights and minimum score."""
    return {**WEIGHTS, "min_score": "0.1", **overrides}


class QueryCounter:
    """Count the SQL statements run on an engine while active."""

    def __init__(self, engine):
        self.engine, self.count = engine, 0

    def _on_execute(self, *args, **kwargs):
        self.count += 1

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._on_execute)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._on_execute)
