"""Query-parameter fuzzing and N+1 guards."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event

from buddy.extensions import db
from buddy.models import Organisation
from tests import factories as f

GET_ROUTES = ["/", "/login", "/toolkit/", "/toolkit/search", "/organisations",
              "/coordinator/volunteers", "/coordinator/participants", "/coordinator/matches",
              "/coordinator/waiting", "/coordinator/monitor", "/coordinator/proposals",
              "/coordinator/outbox", "/coordinator/rules", "/coordinator/"]
PARAMS = ["q", "page", "status", "screening", "vog", "neighbourhood", "level", "show",
          "priority", "min_days", "lang", "next", "paused", "sort"]


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(route=st.sampled_from(GET_ROUTES),
       params=st.dictionaries(st.sampled_from(PARAMS), st.text(max_size=300), max_size=4))
def test_query_parameters_never_cause_a_server_error(app, route, params):
    client = app.test_client()
    f.login_as(client, f.make_user("coordinator"))
    response = client.get(route, query_string=params)
    assert response.status_code < 500, (route, params)


def _count_queries(client, url: str) -> int:
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


@pytest.mark.parametrize("url", ["/coordinator/volunteers", "/coordinator/participants",
                                 "/coordinator/proposals", "/coordinator/matches",
                                 "/coordinator/waiting", "/coordinator/"])
def test_list_pages_do_a_fixed_number_of_queries(client, login, url):
    org_id = f.make_org().id
    login(f.make_user("coordinator", db.session.get(Organisation, org_id)))

    def add(n):
        for _ in range(n):
            org = db.session.get(Organisation, org_id)
            volunteer = f.make_volunteer(org)
            participant = f.make_participant(org)
            f.make_consent(participant.user)
            f.make_match(participant, volunteer, status="proposed")
            f.make_participant(org)

    add(2)
    small = _count_queries(client, url)
    add(15)
    large = _count_queries(client, url)
    assert large == small, f"{url}: {small} queries for 2 rows, {large} for 17"
