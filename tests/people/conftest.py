"""Fixtures for the coordinator's people pages: an organisation, its coordinator, signed in."""

import pytest

from buddy.extensions import db
from tests import factories as f


@pytest.fixture
def fresh():
    """Return a function that re-reads an object (a request detaches earlier objects)."""
    return lambda obj: db.session.get(type(obj), obj.id)


@pytest.fixture
def org():
    return f.make_org(vog_valid_years=3)


@pytest.fixture
def coordinator(org):
    return f.make_user("coordinator", org, locale="en")  # English pages: stable assertions


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


@pytest.fixture
def count_queries():
    """Return a function that runs a callable and counts the SQL statements it sends.

    The session starts empty, so nothing loaded by the test itself hides a query.
    """
    from sqlalchemy import event

    def run(action):
        statements = []

        def remember(conn, cursor, statement, *args):
            statements.append(statement)

        db.session.remove()
        event.listen(db.engine, "before_cursor_execute", remember)
        try:
            result = action()
        finally:
            event.remove(db.engine, "before_cursor_execute", remember)
        return result, len(statements)

    return run
