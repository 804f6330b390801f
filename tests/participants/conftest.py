"""Fixtures and helpers for the participant sign-up and own page."""

import re

import pytest

from buddy.extensions import db
from tests import factories as f

STRONG_PASSWORD = "een lange zin als wachtwoord"


@pytest.fixture
def org():
    """An organisation (slug ``wijkbuddies``) with three neighbourhoods."""
    organisation = f.make_org(slug="wijkbuddies", name="Wijkbuddies Utrecht")
    for name in ("Overvecht", "Kanaleneiland"):
        f.make_neighbourhood(organisation, name=name)
    return organisation


@pytest.fixture
def hood_id(org):
    """The id of the organisation's first neighbourhood."""
    return org.neighbourhoods[0].id


def valid_answers(hood_id: int, **overrides) -> dict[str, dict]:
    """A complete, valid answer for every step (two goals, so "main-goal" is asked)."""
    answers = {
        "name": {"first_name": "Amal"},
        "contact": {"phone": "06 1234 5678", "email": "Amal@Example.org",
                    "share_phone": "y"},
        "neighbourhood": {"neighbourhood_id": str(hood_id)},
        "times": {"availability": ["mon-morning", "wed-evening"]},
        "interests": {"interests": ["cooking", "music"]},
        "dutch": {"dutch_level": "A1"},
        "goals": {"goals": ["language", "work"]},
        "main-goal": {"primary_goal": "work"},
        "languages": {"languages": ["ar", "en"]},
        "buddy": {"gender_pref": "f"},
        "password": {"password": STRONG_PASSWORD, "confirm": STRONG_PASSWORD},
        "consent": {"agree": "y"},
    }
    answers.update(overrides)
    return answers


def join_url(slug: str, step: str | None = None) -> str:
    return f"/o/{slug}/join" + (f"/{step}" if step else "")


def answer(client, slug: str, step: str, data: dict, nav: str = "next"):
    """Post one step's answer and return the response."""
    return client.post(join_url(slug, step), data={**data, "nav": nav})


def answer_until(client, slug: str, answers: dict, stop: str | None = None) -> None:
    """Answer every step in order, up to (not including) ``stop``."""
    for step, data in answers.items():
        if step == stop:
            return
        response = answer(client, slug, step, data)
        assert response.status_code == 303, (step, response.status_code)


def reread(model, object_id):
    """Read ``model`` ``object_id`` again after a request ended its session."""
    db.session.remove()
    return db.session.get(model, object_id)


def is_checked(page: str, field_id: str) -> bool:
    """Return True if the input with id ``field_id`` is checked in ``page``."""
    tag = re.search(rf'<input[^>]*\bid="{field_id}"[^>]*>', page).group(0)
    return re.search(r"\schecked[\s>]", tag) is not None
