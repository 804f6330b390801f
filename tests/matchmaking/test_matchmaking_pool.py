"""Loading the matching pool, running the engine, saving a run all-or-nothing."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from buddy import clock
from buddy.extensions import db
from buddy.matchmaking import pool as ms
from buddy.models import AuditEvent, Match, MatchEvent, MatchingRun
from tests import factories as f
from tests.helpers import QueryCounter, user_of, waiting


@pytest.fixture
def req(app):
    """A request context with a signed-in coordinator, for calling services directly."""
    with app.test_request_context():
        yield app


def _ids(items):
    return sorted(x.id for x in items)


def test_pool_has_only_waiting_consenting_participants_without_open_match(org):
    ok = waiting(org)
    no_consent = waiting(org, consent=False)
    withdrawn = waiting(org)
    f.make_consent(user_of(withdrawn), purpose="privacy", withdrawn_at=clock.now())
    paused = waiting(org, status="paused")
    busy = waiting(org)
    f.make_match(busy, f.make_volunteer(org), status="proposed")
    other_org = waiting(f.make_org())
    pool = ms.load_pool(db.session.get(type(org), org.id))
    ids = {p.id for p in pool.participants}
    assert ok.id in ids and withdrawn.id in ids  # one live consent is enough
    assert not ids & {no_consent.id, paused.id, busy.id, other_org.id}


def test_withdrawn_consent_removes_the_participant(org):
    participant = f.make_participant(org)
    f.make_consent(user_of(participant), purpose="privacy", withdrawn_at=clock.now())
    assert ms.load_pool(org).participants == []


def test_pool_has_only_available_volunteers_with_free_capacity(org):
    today = clock.today()
    ok = f.make_volunteer(org, capacity=2)
    f.make_match(waiting(org), ok, status="active")
    full = f.make_volunteer(org, capacity=1)
    f.make_match(waiting(org), full, status="approved")
    not_approved = f.make_volunteer(org, screening="vog_received")
    paused = f.make_volunteer(org, paused_until=today + timedelta(days=3))
    pause_over = f.make_volunteer(org, paused_until=today - timedelta(days=1))
    old_vog = f.make_volunteer(org, vog_issued_on=today - timedelta(days=3 * 366))
    no_vog = f.make_volunteer(org, vog_status="requested", vog_issued_on=None)
    ended_frees_slot = f.make_volunteer(org, capacity=1)
    f.make_match(waiting(org), ended_frees_slot, status="ended")
    pool = ms.load_pool(org)
    assert _ids(pool.volunteers) == sorted([ok.id, pause_over.id, ended_frees_slot.id])
    assert pool.free_capacity[ok.id] == 1
    assert not {full.id, not_approved.id, paused.id, old_vog.id, no_vog.id} & set(
        pool.free_capacity)


def test_vog_is_not_checked_when_the_organisation_does_not_require_it(org):
    org.vog_required = False
    db.session.commit()
    volunteer = f.make_volunteer(org, vog_status="not_requested", vog_issued_on=None)
    assert _ids(ms.load_pool(org).volunteers) == [volunteer.id]


def test_pool_collects_rules_rejections_and_bad_endings(org):
    p1, p2, p3, p4 = (waiting(org) for _ in range(4))
    v1, v2 = f.make_volunteer(org, capacity=3), f.make_volunteer(org, capacity=3)
    f.make_pair_rule(p1, v1, kind="forbid")
    f.make_pair_rule(p2, v1, kind="pin")
    f.make_match(p3, v2, status="rejected")
    f.make_match(p4, v1, status="ended", end_reason="stopped_by_participant")
    f.make_match(p4, v2, status="ended", end_reason="moved", volunteer_slot=2)
    pool = ms.load_pool(org)
    assert pool.forbidden == {(p1.id, v1.id), (p3.id, v2.id)}
    assert pool.pins == [(p2.id, v1.id)]
    assert pool.ended_badly == {(p4.id, v1.id)}


def test_loading_is_a_fixed_number_of_queries(org):
    engine = db.engine

    def count(n):
        for _ in range(n):
            f.make_volunteer(org)
            waiting(org)
        db.session.expire_all()
        with QueryCounter(engine) as counter:
            ms.load_pool(db.session.get(type(org), org.id))
        return counter.count

    assert count(1) == count(6)
    assert count(0) <= 5  # organisation, participants, volunteers, rules, history


def test_scope_limits_the_participants_not_the_volunteers(org):
    north = f.make_neighbourhood(org, name="Noord", lat=52.11, lon=5.11)
    in_scope = waiting(org, neighbourhood_id=north.id)
    waiting(org)  # in the first neighbourhood
    volunteer = f.make_volunteer(org)
    pool = ms.load_pool(org, (north.id,))
    assert _ids(pool.participants) == [in_scope.id]
    assert _ids(pool.volunteers) == [volunteer.id]


def test_preview_proposes_and_explains_without_saving(req, org):
    fits = waiting(org, first_name="Rania", waited_days=30)
    waiting(org, first_name="Nobody", availability=0)
    volunteer = f.make_volunteer(org)
    params = ms.MatchingParams.defaults(org)
    result = ms.preview(org, params)
    (pair,) = result.pairs
    assert (pair.participant.id, pair.volunteer.id) == (fits.id, volunteer.id)
    names = [c["name"] for c in pair.explanation["components"]]
    assert names == ["availability", "proximity", "interests", "goals", "language", "waiting",
                     "priority"]
    assert pair.explanation["waiting_days"] == 30
    ((_p, reason, _counts),) = result.unmatched
    assert reason == "no_availability"
    assert result.summary == {"participants": 2, "matched": 1,
                              "mean_score": round(pair.score, 4), "mean_waiting_days": 30.0,
                              "priority_area": 0}
    assert db.session.scalar(select(func.count(MatchingRun.id))) == 0
    assert db.session.scalar(select(func.count(Match.id))) == 0


def test_rejected_and_badly_ended_pairs_are_never_proposed(req, org):
    participant = waiting(org)
    rejected = f.make_volunteer(org)
    f.make_match(participant, rejected, status="rejected")
    result = ms.preview(org, ms.MatchingParams.defaults(org))
    assert result.pairs == [] and result.unmatched[0][1] == "pair_rules"


def test_rematch_priority_counts_as_long_waiting(req, org):
    fresh_rematch = waiting(org, waited_days=1, rematch_priority=True)
    long_waiting = waiting(org, waited_days=60)
    f.make_volunteer(org, capacity=1)
    params = ms.MatchingParams(weights={**ms.MatchingParams.defaults(org).weights,
                                        "waiting": 1.0}, min_score=0.0)
    (pair,) = ms.preview(org, params).pairs
    assert pair.participant.id == fresh_rematch.id != long_waiting.id
    assert pair.explanation["rematch_priority"] is True and pair.explanation["waiting_days"] == 1


def test_pins_are_honoured_first(req, org):
    p1, p2 = waiting(org, waited_days=200), waiting(org, waited_days=1)
    volunteer = f.make_volunteer(org, capacity=1)
    f.make_pair_rule(p2, volunteer, kind="pin")
    (pair,) = ms.preview(org, ms.MatchingParams.defaults(org)).pairs
    assert (pair.participant.id, pair.pinned) == (p2.id, True)
    assert p1.id != pair.participant.id


def test_create_run_saves_run_matches_events_and_audit(req, org, coordinator):
    participants = [waiting(org) for _ in range(3)]
    volunteer = f.make_volunteer(org, capacity=2)
    f.make_volunteer(org, capacity=1)
    run = ms.create_run(org, ms.MatchingParams.defaults(org), coordinator)
    matches = db.session.scalars(select(Match).where(Match.run_id == run.id)).all()
    assert run.proposed_count == len(matches) == 3
    assert run.participants_count == 3 and run.volunteers_count == 2
    assert {m.participant_id for m in matches} == {p.id for p in participants}
    slots = sorted(m.volunteer_slot for m in matches if m.volunteer_id == volunteer.id)
    assert slots == [1, 2]
    assert all(m.status == "proposed" and m.explanation["components"] for m in matches)
    assert db.session.scalar(select(func.count(MatchEvent.id)).where(
        MatchEvent.match_id.in_([m.id for m in matches]))) == 3
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "matching.run_created"))
    assert audit.details == {"participants": 3, "volunteers": 2, "proposed": 3, "pinned": 0}
    assert run.parameters["min_score"] == org.min_score


def test_slot_is_the_lowest_free_one(req, org, coordinator):
    volunteer = f.make_volunteer(org, capacity=3)
    f.make_match(waiting(org), volunteer, status="active", volunteer_slot=2)
    participant = waiting(org)
    run = ms.create_run(org, ms.MatchingParams.defaults(org), coordinator)
    match = db.session.scalar(select(Match).where(Match.run_id == run.id))
    assert (match.participant_id, match.volunteer_slot) == (participant.id, 1)


def test_nothing_to_propose_saves_nothing(req, org, coordinator):
    waiting(org)
    with pytest.raises(ms.NothingToPropose):
        ms.create_run(org, ms.MatchingParams.defaults(org), coordinator)
    assert db.session.scalar(select(func.count(MatchingRun.id))) == 0


@pytest.mark.parametrize("weights", [
    {"availability": -1.0}, {"availability": float("nan")},
    dict.fromkeys(("availability", "proximity", "interests", "goals", "language", "waiting",
                   "priority"), 0.0)])
def test_unusable_weights_are_refused(weights):
    full = {**dict.fromkeys(("availability", "proximity", "interests", "goals", "language",
                             "waiting", "priority"), 0.1), **weights}
    with pytest.raises(ValueError):
        ms.params_from_weights(full, 0.1)
