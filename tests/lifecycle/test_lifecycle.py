"""The life of a match on the coordinator's side: activate, check-ins, end, levels."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from buddy import clock
from buddy.extensions import db
from buddy.lifecycle.services import MatchActionError, activate, add_months, waiting_days
from buddy.models import (
    AuditEvent,
    CheckIn,
    LevelAssessment,
    Match,
    MatchEvent,
    ParticipantProfile,
)
from tests import factories as f
from tests.helpers import waiting


def _approved(org, **kw):
    participant = waiting(org, waited_days=40)
    match = f.make_match(participant, f.make_volunteer(org), status="approved",
                         approved_at=clock.now() - timedelta(days=5), **kw)
    return match


@pytest.mark.parametrize(("start", "months", "expected"), [
    (date(2026, 1, 31), 1, date(2026, 2, 28)),
    (date(2024, 1, 31), 1, date(2024, 2, 29)),
    (date(2026, 3, 15), 12, date(2027, 3, 15)),
    (date(2026, 11, 30), 3, date(2027, 2, 28)),
])
def test_add_months_clamps_to_the_end_of_the_month(start, months, expected):
    assert add_months(start, months) == expected


def test_activation_plans_checkins_and_the_planned_end(coord, org):
    org.checkin_days, org.match_months = [14, 91, 182], 6
    db.session.commit()
    match = _approved(org)
    met_on = clock.today() - timedelta(days=2)
    response = coord.post(f"/coordinator/matches/{match.id}/activate",
                          data={"met_on": met_on.isoformat()})
    assert response.status_code == 302
    match = db.session.get(Match, match.id)
    assert match.status == "active" and match.activated_at.date() == met_on
    assert match.planned_end_on == add_months(met_on, 6)
    due = db.session.scalars(select(CheckIn.due_on).where(CheckIn.match_id == match.id)
                             .order_by(CheckIn.due_on)).all()
    assert due == [met_on + timedelta(days=d) for d in (14, 91, 182)]
    event = db.session.scalars(select(MatchEvent).where(MatchEvent.match_id == match.id)
                               .order_by(MatchEvent.id.desc())).first()
    assert (event.from_status, event.to_status) == ("approved", "active")
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "match.activated"))


@pytest.mark.parametrize("met_on", ["2999-01-01", "not a date", "", "2026-02-30"])
def test_activation_with_a_bad_date_is_a_form_error(coord, org, met_on):
    match = _approved(org)
    response = coord.post(f"/coordinator/matches/{match.id}/activate", data={"met_on": met_on})
    assert response.status_code == 422
    assert 'class="error-summary"' in response.get_data(as_text=True)
    assert db.session.get(Match, match.id).status == "approved"


def test_activation_before_approval_is_refused(coord, org):
    match = _approved(org)
    too_early = (clock.today() - timedelta(days=30)).isoformat()
    response = coord.post(f"/coordinator/matches/{match.id}/activate",
                          data={"met_on": too_early}, follow_redirects=True)
    assert "cannot be before the match started" in response.get_data(as_text=True)
    assert db.session.get(Match, match.id).status == "approved"


def test_ending_early_puts_the_participant_back_with_priority(coord, org):
    match = f.make_match(waiting(org, waited_days=90), f.make_volunteer(org), status="active",
                         activated_at=clock.now() - timedelta(days=20))
    participant_id = match.participant_id
    since = db.session.get(ParticipantProfile, participant_id).waiting_since
    response = coord.post(f"/coordinator/matches/{match.id}/end", data={
        "reason": "no_click", "note": "They did not get along.", "back_to_waiting": "y"})
    assert response.status_code == 302
    match = db.session.get(Match, match.id)
    assert match.status == "ended" and match.end_reason == "no_click"
    assert match.end_note == "They did not get along." and match.ended_at is not None
    participant = db.session.get(ParticipantProfile, participant_id)
    assert participant.status == "waiting" and participant.rematch_priority is True
    assert participant.waiting_since == since
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "match.ended"))
    assert audit.details == {"reason": "no_click", "back_to_waiting": True}


def test_ending_without_rematch_takes_the_participant_off_the_list(coord, org):
    match = f.make_match(waiting(org), f.make_volunteer(org), status="active")
    participant_id = match.participant_id
    coord.post(f"/coordinator/matches/{match.id}/end", data={"reason": "completed"})
    participant = db.session.get(ParticipantProfile, participant_id)
    assert participant.status == "withdrawn" and participant.rematch_priority is False


@pytest.mark.parametrize("data", [
    {"reason": "bored"}, {"reason": ""}, {"reason": "completed", "note": "x" * 1001}])
def test_ending_with_bad_input_is_a_form_error(coord, org, data):
    match = f.make_match(waiting(org), f.make_volunteer(org), status="active")
    response = coord.post(f"/coordinator/matches/{match.id}/end", data=data)
    assert response.status_code == 422
    assert db.session.get(Match, match.id).status == "active"


def test_ending_an_ended_match_is_refused(coord, org):
    match = f.make_match(waiting(org), f.make_volunteer(org), status="ended")
    coord.post(f"/coordinator/matches/{match.id}/end", data={"reason": "moved"})
    assert db.session.get(Match, match.id).end_reason == "completed"


def test_recording_a_checkin(coord, org):
    match = f.make_match(waiting(org), f.make_volunteer(org), status="active")
    checkin = f.make_checkin(match, due_on=clock.today() - timedelta(days=3))
    page = coord.get(f"/coordinator/matches/{match.id}").get_data(as_text=True)
    assert f'action="/coordinator/checkins/{checkin.id}"' in page
    response = coord.post(f"/coordinator/checkins/{checkin.id}",
                          data={"outcome": "needs_attention", "note": "Busy with work"})
    assert response.status_code == 302
    checkin = db.session.get(CheckIn, checkin.id)
    assert checkin.outcome == "needs_attention" and checkin.done_at is not None
    assert checkin.note == "Busy with work"
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "checkin.recorded"))
    assert audit.details["outcome"] == "needs_attention" and audit.organisation_id == org.id


def test_checkin_with_unknown_outcome_is_a_form_error(coord, org):
    checkin = f.make_checkin(f.make_match(waiting(org), f.make_volunteer(org), status="active"))
    response = coord.post(f"/coordinator/checkins/{checkin.id}", data={"outcome": "great"})
    assert response.status_code == 422
    assert db.session.get(CheckIn, checkin.id).done_at is None


def test_a_checkin_is_recorded_once(coord, org):
    checkin = f.make_checkin(f.make_match(waiting(org), f.make_volunteer(org), status="active"))
    checkin_id = checkin.id
    coord.post(f"/coordinator/checkins/{checkin_id}", data={"outcome": "going_well"})
    response = coord.post(f"/coordinator/checkins/{checkin_id}", data={"outcome": "at_risk"},
                          follow_redirects=True)
    assert "already been recorded" in response.get_data(as_text=True)
    assert db.session.get(CheckIn, checkin_id).outcome == "going_well"


def test_level_assessment_from_the_match_page(coord, org):
    match = f.make_match(waiting(org), f.make_volunteer(org), status="active")
    participant_id = match.participant_id
    on = clock.today().isoformat()
    response = coord.post(f"/coordinator/participants/{participant_id}/levels?match={match.id}",
                          data={"assessed_on": on, "level": "A2"})
    assert response.status_code == 302 and f"/coordinator/matches/{match.id}" in response.location
    (assessment,) = db.session.scalars(select(LevelAssessment).where(
        LevelAssessment.participant_id == participant_id)).all()
    assert assessment.level == "A2" and assessment.assessed_on.isoformat() == on


@pytest.mark.parametrize("data", [{"assessed_on": "2999-01-01", "level": "A1"},
                                  {"assessed_on": "2026-01-01", "level": "C2"}])
def test_bad_level_assessment_is_a_form_error(coord, org, data):
    participant = waiting(org)
    response = coord.post(f"/coordinator/participants/{participant.id}/levels", data=data)
    assert response.status_code == 422
    assert db.session.scalar(select(LevelAssessment.id)) is None


def test_match_page_shows_history_checkins_meetings_and_levels(coord, org):
    match = f.make_match(waiting(org, first_name="Olena"), f.make_volunteer(org), status="active",
                         activated_at=clock.now() - timedelta(days=30))
    f.make_checkin(match)
    f.make_meeting(match, activity="Went to the market")
    f.make_assessment(db.session.get(ParticipantProfile, match.participant_id), level="A1")
    page = coord.get(f"/coordinator/matches/{match.id}").get_data(as_text=True)
    for expected in ("<bdi>Olena</bdi>", "Went to the market", "Check-ins", "History",
                     "<strong>A1</strong>", "End the match"):
        assert expected in page


# 23:30 UTC in winter is 00:30 the next day in Amsterdam: the hour in which a UTC date and
# the Amsterdam date differ (in summer the two hours from 22:00 UTC)
JUST_AFTER_MIDNIGHT = datetime(2027, 1, 10, 23, 30, tzinfo=UTC)


def test_waiting_days_count_amsterdam_calendar_days_just_after_midnight(org, clock):
    clock.move_to(JUST_AFTER_MIDNIGHT)
    participant = waiting(org, waited_days=12)  # since 2026-12-29 23:30 UTC = 30 Dec 00:30
    assert waiting_days(participant) == 12
    assert waiting_days(participant, date(2027, 1, 11)) == 12


def test_activation_compares_with_the_amsterdam_date_of_approval(org, clock):
    clock.move_to(JUST_AFTER_MIDNIGHT)  # approved at 00:30 on 11 January in Amsterdam
    match = f.make_match(waiting(org), f.make_volunteer(org), status="approved",
                         approved_at=clock.now())
    coordinator = f.make_user("coordinator", org)
    with pytest.raises(MatchActionError, match="date_before_start"):
        activate(match, coordinator, date(2027, 1, 10))
    assert activate(match, coordinator, date(2027, 1, 11)).status == "active"
