"""Fixtures for the coordinator's people pages: an organisation, its coordinator, signed in."""

import pytest

from buddy.extensions import db
from tests import factories as f


def fresh(obj):
    """Return ``obj`` re-read in the current session (requests detach earlier objects)."""
    return db.session.get(type(obj), obj.id)


@pytest.fixture
def org():
    return f.make_org(vog_valid_years=3)


@pytest.fixture
def coordinator(org):
    return f.make_user("coordinator", org)


@pytest.fixture
def coord(client, login, org, coordinator):
    """The test client, signed in as the organisation's coordinator."""
    client = login(coordinator)
    db.session.add(org)  # signing in ended the session; keep the fixtures usable
    db.session.add(coordinator)
    return client


@pytest.fixture
def hood_id(org):
    """The id of the organisation's first neighbourhood (made by ``make_org``)."""
    return f.make_neighbourhood(org, name="Overvecht", lat=52.117, lon=5.113).id
