"""Data rights a coordinator exercises for a participant: download, delete, withdraw consent."""

import json

from sqlalchemy import select

from buddy.extensions import db
from buddy.models import AuditEvent, ConsentRecord, Match, ParticipantProfile, User
from tests import factories as f


def _participant_without_login(org, **kw):
    user = f.make_user("participant", org, password_hash=None, email=None, locale="fa")
    return f.make_participant(org, user=user, **kw)


def test_download_is_json_with_their_data_and_audited(coord, org, coordinator):
    participant = _participant_without_login(org, first_name="Parisa", barrier_note="Notitie")
    response = coord.post(f"/coordinator/participants/{participant.id}/export")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="participant-{participant.id}.json"')
    data = json.loads(response.get_data(as_text=True))
    assert data["participant_profile"]["first_name"] == "Parisa"
    assert data["account"]["locale"] == "fa"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "participant.exported"))
    assert event.target_id == participant.id and event.actor_id == coordinator.id


def test_download_is_post_only(coord, org):
    participant = _participant_without_login(org)
    assert coord.get(f"/coordinator/participants/{participant.id}/export").status_code == 405


def test_download_is_rate_limited(coord, org, app):
    participant = _participant_without_login(org)
    allowed = int(app.config["EXPORT_LIMIT"].split()[0])
    for _ in range(allowed):
        assert coord.post(f"/coordinator/participants/{participant.id}/export").status_code == 200
    assert coord.post(f"/coordinator/participants/{participant.id}/export").status_code == 429


def test_delete_asks_for_confirmation_first(coord, org):
    participant = _participant_without_login(org, first_name="Reza")
    page = coord.get(f"/coordinator/participants/{participant.id}/delete")
    assert page.status_code == 200 and "cannot be undone" in page.get_data(as_text=True)
    response = coord.post(f"/coordinator/participants/{participant.id}/delete", data={})
    assert response.status_code == 422
    assert "Please tick the box to confirm." in response.get_data(as_text=True)
    assert db.session.get(ParticipantProfile, participant.id) is not None


def test_delete_erases_the_person_and_keeps_an_anonymous_match(coord, org, coordinator):
    participant = _participant_without_login(org)
    participant_id, user_id = participant.id, participant.user_id
    match = f.make_match(participant, f.make_volunteer(org), status="ended")
    response = coord.post(f"/coordinator/participants/{participant_id}/delete",
                          data={"confirm": "y"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/coordinator/participants")
    assert db.session.get(ParticipantProfile, participant_id) is None
    assert db.session.get(User, user_id) is None
    assert db.session.get(Match, match.id).participant_id is None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "participant.erased"))
    assert event.target_id == participant_id and event.actor_id == coordinator.id
    assert coord.get(f"/coordinator/participants/{participant_id}").status_code == 404


def test_withdraw_consent_with_the_coordinator_as_actor(coord, org, coordinator):
    participant = _participant_without_login(org)
    record = f.make_consent(db.session.get(ParticipantProfile, participant.id).user,
                            purpose="privacy", method="verbal", actor_id=coordinator.id)
    page = coord.get(f"/coordinator/participants/{participant.id}").get_data(as_text=True)
    assert "Withdraw consent" in page
    response = coord.post(f"/coordinator/participants/{participant.id}/consent/withdraw",
                          data={"purpose": "privacy"})
    assert response.status_code == 302
    assert db.session.get(ConsentRecord, record.id).withdrawn_at is not None
    assert db.session.get(ParticipantProfile, participant.id).status == "withdrawn"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "consent.withdrawn"))
    assert event.actor_id == coordinator.id


def test_withdrawing_a_consent_that_is_not_there_changes_nothing(coord, org):
    participant = _participant_without_login(org)
    response = coord.post(f"/coordinator/participants/{participant.id}/consent/withdraw",
                          data={"purpose": "vog_check"})
    assert response.status_code == 302
    page = coord.get(response.headers["Location"]).get_data(as_text=True)
    assert "Please choose a consent to withdraw." in page
    assert db.session.get(ParticipantProfile, participant.id).status == "waiting"
