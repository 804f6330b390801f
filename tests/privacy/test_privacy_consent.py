"""Consent: give, withdraw with one button, give again; withdrawing stops matching and mail."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from buddy import clock
from buddy.extensions import db
from buddy.models import AuditEvent, ConsentRecord, ParticipantProfile, VolunteerProfile
from buddy.privacy.services import (
    CONSENT_PAUSE_UNTIL,
    has_live_consent,
    may_notify,
    record_consent,
    withdraw_consent,
)
from tests import factories as f


def consents(user_id: int, purpose: str = "privacy") -> list[ConsentRecord]:
    return db.session.scalars(select(ConsentRecord).where(
        ConsentRecord.user_id == user_id, ConsentRecord.purpose == purpose)
        .order_by(ConsentRecord.id)).all()


def matchable_volunteer(profile: VolunteerProfile) -> bool:
    """The matching loader's rule: paused volunteers are skipped."""
    return profile.paused_until is None or profile.paused_until < clock.today()


@pytest.fixture
def volunteer(org):
    profile = f.make_volunteer(org, consents=())
    for purpose in ("privacy", "code_of_conduct", "vog_check"):
        f.make_consent(profile.user, purpose=purpose)
    return profile


@pytest.fixture
def participant(org):
    profile = f.make_participant(org, status="waiting", share_email=True, share_phone=True)
    for purpose in ("privacy", "share_contact"):
        f.make_consent(profile.user, purpose=purpose)
    return profile


def test_withdrawing_privacy_stops_matching_a_volunteer(app_ctx, volunteer):
    assert matchable_volunteer(volunteer) and may_notify(volunteer.user)
    withdraw_consent(volunteer.user, "privacy", actor=volunteer.user)
    assert volunteer.paused_until == CONSENT_PAUSE_UNTIL
    assert not matchable_volunteer(volunteer)
    assert not has_live_consent(volunteer.user, "privacy") and not may_notify(volunteer.user)
    assert consents(volunteer.user_id)[0].withdrawn_at is not None


def test_withdrawing_privacy_stops_matching_a_participant(app_ctx, participant):
    withdraw_consent(participant.user, "privacy", actor=None)
    assert participant.status == "withdrawn" and not may_notify(participant.user)
    record_consent(participant.user, "privacy", "ar")
    assert participant.status == "waiting" and may_notify(participant.user)
    assert [c.withdrawn_at is None for c in consents(participant.user_id)] == [False, True]


def test_giving_consent_again_lifts_the_stop_only_when_all_are_back(app_ctx, volunteer):
    withdraw_consent(volunteer.user, "privacy", actor=None)
    withdraw_consent(volunteer.user, "vog_check", actor=None)
    record_consent(volunteer.user, "privacy", "nl")
    assert volunteer.paused_until == CONSENT_PAUSE_UNTIL
    record_consent(volunteer.user, "vog_check", "nl")
    assert volunteer.paused_until is None and matchable_volunteer(volunteer)


def test_an_ordinary_pause_is_not_lifted_by_giving_consent(app_ctx, volunteer):
    holiday = clock.today() + timedelta(days=10)
    volunteer.paused_until = holiday
    record_consent(volunteer.user, "privacy", "nl", method="verbal")
    assert volunteer.paused_until == holiday


def test_giving_the_same_consent_twice_keeps_one_record(app_ctx, volunteer):
    first = record_consent(volunteer.user, "privacy", "nl")
    assert record_consent(volunteer.user, "privacy", "nl") is first
    assert len(consents(volunteer.user_id)) == 1


def test_withdrawing_share_contact_hides_contact_details(app_ctx, participant):
    withdraw_consent(participant.user, "share_contact", actor=None)
    assert (participant.share_email, participant.share_phone) == (False, False)
    assert participant.status == "waiting"


def test_people_without_privacy_records_may_be_notified(app_ctx):
    assert may_notify(f.make_user("coordinator"))


def test_coordinator_actions_on_consent_are_audited(app, org, participant):
    coordinator = f.make_user("coordinator", org)
    with app.test_request_context():
        from flask_login import login_user

        login_user(coordinator)
        withdraw_consent(participant.user, "privacy", actor=coordinator)
        record_consent(participant.user, "privacy", "ar", actor=coordinator, method="verbal")
        db.session.commit()
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["consent.withdrawn", "consent.given"]
    given = consents(participant.user_id)[-1]
    assert (given.actor_id, given.method, given.locale) == (coordinator.id, "verbal", "ar")


def test_own_consent_changes_are_not_audited(app_ctx, participant):
    withdraw_consent(participant.user, "privacy", actor=participant.user)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0


# ---------------------------------------------------------------- the consent page

def test_consent_page_lists_consents_with_one_button_each(client, login, volunteer):
    login(volunteer.user)
    page = client.get("/account/consent?lang=en").get_data(as_text=True)
    assert page.count('value="withdraw"') == 3
    assert "Privacy statement" in page and "Code of conduct" in page


def test_withdraw_and_give_again_are_one_click_each(client, login, volunteer):
    login(volunteer.user)
    response = client.post("/account/consent", data={"purpose": "privacy", "action": "withdraw"})
    assert response.status_code == 302
    saved = db.session.get(VolunteerProfile, volunteer.id)
    assert saved.paused_until == CONSENT_PAUSE_UNTIL
    page = client.get("/account/consent?lang=en").get_data(as_text=True)
    assert "Matching is stopped" in page and page.count('value="give"') == 1
    assert "withdrew your consent" in client.get("/volunteer?lang=en").get_data(as_text=True)
    assert client.post("/account/consent",
                       data={"purpose": "privacy", "action": "give"}).status_code == 302
    assert db.session.get(VolunteerProfile, volunteer.id).paused_until is None
    assert len(consents(volunteer.user_id)) == 2


def test_participant_withdraws_from_the_consent_page(client, login, participant):
    login(participant.user)
    client.post("/account/consent", data={"purpose": "privacy", "action": "withdraw"})
    assert db.session.get(ParticipantProfile, participant.id).status == "withdrawn"


@pytest.mark.parametrize("data", [
    {"purpose": "share_contact", "action": "withdraw"},  # not one of this volunteer's
    {"purpose": "everything", "action": "withdraw"},
    {"purpose": "privacy", "action": "delete"},
    {},
])
def test_unknown_consent_actions_change_nothing(client, login, volunteer, data):
    login(volunteer.user)
    response = client.post("/account/consent", data=data)
    assert response.status_code == 422
    assert all(c.withdrawn_at is None for c in consents(volunteer.user_id))


def test_consent_page_is_for_volunteers_and_participants(client, login):
    login(f.make_user("coordinator"))
    assert client.get("/account/consent").status_code == 403


def test_matching_loaders_skip_people_who_withdrew(app_ctx, org, volunteer, participant):
    from buddy.matchmaking.pool import available_volunteers, waiting_participants

    assert [v.id for v, _free in available_volunteers(org, clock.today())] == [volunteer.id]
    assert [p.id for p in waiting_participants(org.id)] == [participant.id]
    withdraw_consent(volunteer.user, "privacy", actor=None)
    withdraw_consent(participant.user, "privacy", actor=None)
    assert available_volunteers(org, clock.today()) == []
    assert waiting_participants(org.id) == []
