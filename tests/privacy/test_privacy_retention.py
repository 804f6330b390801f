"""Retention as promised in docs/privacy.md: each category goes after its own period (a
moved clock: the purge runs "now" and once more far in the past, which must do nothing);
coordinators erase volunteers; erasure leaves no re-identifying traces; a participant's
export holds what was written about their own match; approval re-checks the volunteer."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from buddy import clock
from buddy.extensions import db
from buddy.lifecycle import services as lifecycle
from buddy.maintenance import purge_expired, retention_days
from buddy.models import (
    AuditEvent,
    CheckIn,
    LoginThrottle,
    Match,
    MatchEvent,
    OutboxMessage,
    ParticipantProfile,
    User,
)
from buddy.privacy.services import CONSENT_PAUSE_UNTIL, erase_person, export_person
from tests import factories as f


@pytest.fixture
def days(app_ctx):
    return retention_days(app_ctx.config)


def _purge(days, now):
    """Run the purge once long ago (nothing may be due then) and once now."""
    assert not any(purge_expired(now - timedelta(days=4000), days).values())
    counts = purge_expired(now, days)
    db.session.commit()
    return counts


def _aged(profile, days_old: int, now):
    profile.updated_at = now - timedelta(days=days_old)
    db.session.commit()
    return profile


def test_rejected_volunteers_are_erased_after_their_period(app_ctx, days):
    now = clock.now()
    old = _aged(f.make_volunteer(screening="rejected"), days["rejected_volunteer"] + 1, now)
    recent = _aged(f.make_volunteer(screening="rejected"), days["rejected_volunteer"] - 1, now)
    counts = _purge(days, now)
    assert counts["rejected_volunteer"] == 1
    assert db.session.get(User, old.user_id) is None
    assert db.session.get(User, recent.user_id) is not None


def test_volunteers_paused_without_end_are_erased_after_their_period(app_ctx, days):
    now = clock.now()
    old = _aged(f.make_volunteer(paused_until=CONSENT_PAUSE_UNTIL),
                days["paused_volunteer"] + 1, now)
    holiday = _aged(f.make_volunteer(paused_until=now.date() + timedelta(days=30)),
                    days["paused_volunteer"] + 1, now)
    holiday.user.last_login_at = now
    db.session.commit()
    counts = _purge(days, now)
    assert counts["paused_volunteer"] == 1
    assert db.session.get(User, old.user_id) is None
    assert db.session.get(User, holiday.user_id) is not None


def test_long_inactive_volunteers_are_erased_but_not_those_with_a_running_match(app_ctx,
                                                                                  days):
    now = clock.now()
    long_ago = now - timedelta(days=days["inactive_volunteer"] + 1)
    idle = _aged(f.make_volunteer(user=f.make_user("volunteer", created_at=long_ago)),
                 days["inactive_volunteer"] + 1, now)
    busy = _aged(f.make_volunteer(user=f.make_user("volunteer", created_at=long_ago)),
                 days["inactive_volunteer"] + 1, now)
    f.make_match(f.make_participant(), busy, status="active", activated_at=long_ago)
    active = _aged(f.make_volunteer(user=f.make_user("volunteer", created_at=long_ago,
                                                     last_login_at=now)),
                   days["inactive_volunteer"] + 1, now)
    counts = _purge(days, now)
    assert counts["inactive_volunteer"] == 1
    assert db.session.get(User, idle.user_id) is None
    assert db.session.get(User, busy.user_id) is not None
    assert db.session.get(User, active.user_id) is not None


def test_notes_and_reasons_of_old_matches_are_blanked(app_ctx, days):
    now = clock.now()
    gone = now - timedelta(days=days["ended_match_personal"] + 1)
    ended = f.make_match(status="ended", ended_at=gone, end_note="")
    f.make_checkin(ended, note="Gesprek over haar gezondheid")
    f.make_match_event(ended, reason="Ze verhuist naar Tilburg")
    rejected = f.make_match(status="rejected", proposed_at=gone,
                            reject_reason="Zij kennen elkaar al")
    fresh = f.make_match(status="ended", ended_at=now - timedelta(days=5))
    f.make_checkin(fresh, note="Gaat goed")
    counts = _purge(days, now)
    assert counts["checkin_notes"] == 1 and counts["match_event_reasons"] == 1
    assert db.session.get(Match, rejected.id).reject_reason == ""
    notes = dict(db.session.execute(select(CheckIn.match_id, CheckIn.note)).all())
    assert notes == {ended.id: "", fresh.id: "Gaat goed"}
    assert db.session.scalar(select(MatchEvent.reason).where(
        MatchEvent.match_id == ended.id)) == ""


def test_outbox_bodies_and_audit_details_go_before_the_rows(app_ctx, days):
    now = clock.now()
    body_age = now - timedelta(days=days["outbox_body"] + 1)
    old_sent = f.make_outbox(state="sent", body="Hallo Zoltana", created_at=body_age)
    pending = f.make_outbox(state="pending", body="Nog te sturen", created_at=body_age)
    old_event = f.make_audit(at=now - timedelta(days=days["audit_details"] + 1),
                             details={"volunteer_id": 7})
    new_event = f.make_audit(at=now, details={"volunteer_id": 8})
    f.make_login_throttle(last_failure_at=now - timedelta(days=days["login_throttle"] + 1))
    counts = _purge(days, now)
    assert counts["outbox_body"] == 1 and counts["audit_details"] == 1
    assert db.session.get(OutboxMessage, old_sent.id).body == ""
    assert db.session.get(OutboxMessage, pending.id).body == "Nog te sturen"
    assert db.session.get(AuditEvent, old_event.id).details == {}
    assert db.session.get(AuditEvent, new_event.id).details == {"volunteer_id": 8}
    assert db.session.scalar(select(func.count()).select_from(LoginThrottle)) == 0


# -- erasure ----------------------------------------------------------------------------------

def test_a_coordinator_erases_a_volunteer_who_cannot_log_in(client, login):
    org = f.make_org()
    volunteer = f.make_volunteer(org, user=f.make_user("volunteer", org, active=False))
    participant = f.make_participant(org, status="matched")
    f.make_match(participant, volunteer, status="active", activated_at=clock.now())
    user_id = volunteer.user_id
    login(f.make_user("coordinator", org))
    assert client.get(f"/coordinator/volunteers/{volunteer.id}/delete").status_code == 200
    refused = client.post(f"/coordinator/volunteers/{volunteer.id}/delete", data={})
    assert refused.status_code == 422
    done = client.post(f"/coordinator/volunteers/{volunteer.id}/delete", data={"confirm": "y"})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user_id) is None
    assert db.session.get(ParticipantProfile, participant.id).status == "waiting"  # freed


def test_a_coordinator_cannot_erase_a_volunteer_of_another_organisation(client, login):
    volunteer = f.make_volunteer(f.make_org())
    login(f.make_user("coordinator", f.make_org()))
    response = client.post(f"/coordinator/volunteers/{volunteer.id}/delete",
                           data={"confirm": "y"})
    assert response.status_code == 404
    assert db.session.get(User, volunteer.user_id) is not None


def test_erasure_keeps_no_explanation_or_audit_detail_that_identifies(app_ctx):
    org = f.make_org()
    volunteer = f.make_volunteer(org, languages=["nl", "ti"])
    match = f.make_match(f.make_participant(org), volunteer, status="ended",
                         ended_at=clock.now(), explanation={
                             "components": [{"name": "language", "value": 1.0}],
                             "shared_languages": ["ti"], "distance_km": 1.3})
    f.make_audit(org, action="match.approved", target_type="Match", target_id=match.id,
                 details={"volunteer_id": volunteer.id, "distance_km": 1})
    f.make_audit(org, action="volunteer.screened", target_type="VolunteerProfile",
                 target_id=volunteer.id, details={"languages": 2})
    erase_person(volunteer.user, actor=None)
    db.session.commit()
    assert db.session.get(Match, match.id).explanation == {}
    details = db.session.scalars(select(AuditEvent.details).where(
        AuditEvent.target_type.in_(("Match", "VolunteerProfile")))).all()
    assert details == [{}, {}]


def test_the_participant_export_holds_meetings_and_check_ins_of_their_match(app_ctx):
    org = f.make_org()
    participant = f.make_participant(org, status="matched")
    match = f.make_match(participant, f.make_volunteer(org), status="active",
                         activated_at=clock.now())
    f.make_meeting(match, activity="Samen naar de bibliotheek")
    f.make_checkin(match, note="Het klikt goed", done_at=clock.now(), outcome="going_well")
    data = export_person(participant.user)
    assert [m["activity"] for m in data["match_meeting_logs"]] == ["Samen naar de bibliotheek"]
    assert [c["note"] for c in data["check_ins"]] == ["Het klikt goed"]


# -- approval re-checks the volunteer ---------------------------------------------------------

@pytest.mark.parametrize(("change", "message"), [
    ({"vog_issued_on": clock.today() - timedelta(days=4 * 365)}, "has expired"),
    ({"paused_until": clock.today() + timedelta(days=10)}, "has paused matching"),
    ({"screening": "rejected"}, "no longer approved"),
])
def test_an_old_proposal_is_refused_when_the_volunteer_is_no_longer_eligible(
        client, login, change, message):
    org = f.make_org(vog_required=True, vog_valid_years=3)
    volunteer = f.make_volunteer(org)
    participant = f.make_participant(org)
    match = f.make_match(participant, volunteer, status="proposed")
    for name, value in change.items():
        setattr(volunteer, name, value)
    db.session.commit()
    login(f.make_user("coordinator", org, locale="en"))
    client.post(f"/coordinator/matches/{match.id}/approve")
    page = client.get(f"/coordinator/matches/{match.id}").get_data(as_text=True)
    assert message in page
    db.session.expire_all()
    assert db.session.get(Match, match.id).status == "proposed"


def test_approval_needs_the_volunteers_consents(app_ctx):
    org = f.make_org()
    volunteer = f.make_volunteer(org, consents=("privacy", "code_of_conduct"))
    match = f.make_match(f.make_participant(org), volunteer, status="proposed")
    with app_ctx.test_request_context(headers={"Accept-Language": "en"}):
        with pytest.raises(lifecycle.MatchActionError) as refused:
            lifecycle.approve(match, f.make_user("coordinator", org))
        assert refused.value.code == "volunteer_no_consent"
        assert "withdrawn a consent" in lifecycle.action_message(refused.value.code)
