"""Two coordinators at the same moment, for real: separate threads, sessions and connections
on a fresh database (file SQLite or PostgreSQL). Exactly one wins, nobody sees a 500, and
the invariants hold (one open match per participant, no more than capacity per volunteer).

On PostgreSQL both requests are made to read the same state before either writes (a barrier
inside the service), so the optimistic lock, the row lock and the unique indexes are what
decide. On SQLite, ``BEGIN IMMEDIATE`` serialises the two transactions; the second then sees
the first one's decision and is refused by the state checks.
"""

import threading

import pytest
from sqlalchemy import func, select

from buddy.extensions import db
from buddy.lifecycle import services as lifecycle
from buddy.models import Match, MatchEvent, OutboxMessage
from tests import factories as f
from tests.conftest import backend
from tests.helpers import waiting

MESSAGES = ("Someone else changed this match", "not possible in the current state",
            "no free place", "already has a proposed or running match",
            "not a possible buddy")


def _hold_at_barrier(monkeypatch, module, name, barrier):
    """Make the first call of ``module.name`` in each thread wait for the other thread."""
    if backend() != "postgresql":
        return
    real = getattr(module, name)
    waited = threading.local()

    def synced(*args, **kwargs):
        if not getattr(waited, "done", False):
            waited.done = True
            try:
                barrier.wait()
            except threading.BrokenBarrierError:
                pass
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, synced)


def _race(app, users, requests):
    """Sign each user in on their own client; fire the requests at once from two threads."""
    clients = []
    for user in users:
        client = app.test_client()
        f.login_as(client, user)
        clients.append(client)
    db.session.remove()
    start = threading.Barrier(len(requests), timeout=20)
    responses, errors = [None] * len(requests), []

    def run(i, path, data):
        try:
            start.wait()
            responses[i] = clients[i].post(path, data={**data,
                                                       "csrf_token": _token(clients[i])})
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i, path, data))
               for i, (path, data) in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    pages = [client.get("/coordinator/proposals").get_data(as_text=True) for client in clients]
    return responses, pages


def _token(client):
    from tests.conftest import Client

    return Client.csrf_token(client)


def _losers(pages, expected_on_postgresql: str):
    """The pages that show a refusal; on PostgreSQL it must be the expected mechanism's."""
    losers = [page for page in pages if any(message in page for message in MESSAGES)]
    if backend() == "postgresql":
        assert all(expected_on_postgresql in page for page in losers)
    return losers


@pytest.fixture
def world(live_app):
    """An organisation with two coordinators, on the live database."""
    with live_app.app_context():
        org = f.make_org()
        coordinators = [f.make_user("coordinator", org, locale="en") for _ in range(2)]
        yield live_app, org, coordinators


def test_two_coordinators_approve_the_same_proposal(world, monkeypatch):
    app, org, coordinators = world
    match = f.make_match(waiting(org), f.make_volunteer(org))
    match_id = match.id
    barrier = threading.Barrier(2, timeout=10)
    _hold_at_barrier(monkeypatch, lifecycle, "_people", barrier)
    path = f"/coordinator/matches/{match_id}/approve"
    responses, pages = _race(app, coordinators, [(path, {}), (path, {})])
    assert [r.status_code for r in responses] == [302, 302]
    match = db.session.get(Match, match_id)
    assert match.status == "approved" and match.version == 2
    approvals = db.session.scalar(select(func.count(MatchEvent.id)).where(
        MatchEvent.match_id == match_id, MatchEvent.to_status == "approved"))
    assert approvals == 1
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 2  # one introduction each
    assert len(_losers(pages, "Someone else changed this match")) == 1  # the version check


def test_two_coordinators_give_the_last_place_of_a_volunteer(world, monkeypatch):
    app, org, coordinators = world
    volunteer = f.make_volunteer(org, capacity=2)
    f.make_match(waiting(org), volunteer, status="active", volunteer_slot=1)
    first, second = waiting(org), waiting(org)
    volunteer_id = volunteer.id
    barrier = threading.Barrier(2, timeout=10)
    _hold_at_barrier(monkeypatch, lifecycle, "lock_free_slot", barrier)
    responses, pages = _race(app, coordinators, [
        (f"/coordinator/participants/{p.id}/candidates", {"volunteer_id": str(volunteer_id)})
        for p in (first, second)])
    assert all(r.status_code == 302 for r in responses)
    open_slots = db.session.scalars(select(Match.volunteer_slot).where(
        Match.volunteer_id == volunteer_id, Match.status.in_(("proposed", "approved", "active")))
    ).all()
    assert sorted(open_slots) == [1, 2]
    assert len(_losers(pages, "no free place")) == 1  # the row lock


def test_two_coordinators_propose_one_participant_to_two_volunteers(world, monkeypatch):
    app, org, coordinators = world
    participant = waiting(org)
    volunteers = [f.make_volunteer(org), f.make_volunteer(org)]
    participant_id = participant.id
    barrier = threading.Barrier(2, timeout=10)
    _hold_at_barrier(monkeypatch, lifecycle, "lock_free_slot", barrier)
    path = f"/coordinator/participants/{participant_id}/candidates"
    responses, pages = _race(app, coordinators, [
        (path, {"volunteer_id": str(v.id)}) for v in volunteers])
    assert all(r.status_code == 302 for r in responses)
    assert db.session.scalar(select(func.count(Match.id)).where(
        Match.participant_id == participant_id)) == 1
    assert len(_losers(pages, "Someone else changed this match")) == 1  # the unique index
