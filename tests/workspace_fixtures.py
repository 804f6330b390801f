"""Fixtures for the coordinator workspace tests (registered in ``tests/conftest.py``):
two organisations, their coordinators signed in, a fitting pair, a proposal.
"""

import pytest

from buddy import create_app
from buddy.extensions import db
from tests import factories as f
from tests.conftest import app_config, fresh_database, migrated_engine
from tests.helpers import waiting


@pytest.fixture
def org():
    return f.make_org(vog_valid_years=3)


@pytest.fixture
def other_org():
    return f.make_org()


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
def intruder(client, login, other_org):
    """The test client, signed in as the coordinator of another organisation."""
    user = f.make_user("coordinator", other_org, locale="en")
    return login(user)


@pytest.fixture
def pair(org):
    """A waiting participant (Arabic) and an approved volunteer (Dutch) who fit together."""
    participant = waiting(org, first_name="Fatima", locale="ar", share_email=True,
                          share_phone=False, phone="+31611111111")
    volunteer = f.make_volunteer(org, first_name="Anne", share_email=True, share_phone=True,
                                 user=f.make_user("volunteer", org, locale="nl",
                                                  phone="+31622222222"))
    return participant, volunteer


@pytest.fixture
def proposal(pair):
    participant, volunteer = pair
    return f.make_match(participant, volunteer, status="proposed", score=0.7,
                        explanation={"components": [{"name": "availability", "value": 0.5,
                                                     "weight": 0.25, "contribution": 0.125}],
                                     "shared_slot_names": [["mon", "evening"]]})


@pytest.fixture
def live_app(tmp_path):
    """An app on its own fresh, migrated database (no per-test rollback; real commits)."""
    previous_engine = db.engine
    with fresh_database(tmp_path) as url:
        migrated_engine(url).dispose()
        application = create_app(app_config(url))
        application.instance_path = str(tmp_path / "instance")
        try:
            yield application
        finally:
            db.session.remove()
            application.extensions["db_engine"].dispose()
            db.engine = previous_engine
            if previous_engine is not None:
                db._factory.configure(bind=previous_engine)


@pytest.fixture
def fresh():
    """Return a function that re-reads an object (a request detaches earlier objects)."""
    return lambda obj: db.session.get(type(obj), obj.id)


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
