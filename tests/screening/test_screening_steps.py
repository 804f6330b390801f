"""Screening volunteers: intake, VOG, training, approval order, rejection, audit, history."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from buddy import clock
from buddy.extensions import db
from buddy.models import AuditEvent, Match, VolunteerProfile
from tests import factories as f

TODAY = clock.today()


def _new_volunteer(org, **kw):
    kw = {"screening": "registered", "vog_status": "not_requested", "vog_issued_on": None,
          "first_name": "Joris", **kw}
    return f.make_volunteer(org, **kw)


def _url(volunteer, action=""):
    return f"/coordinator/volunteers/{volunteer.id}" + (f"/{action}" if action else "")


def _actions(volunteer_id):
    return [e.action for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.target_type == "VolunteerProfile",
                                 AuditEvent.target_id == volunteer_id).order_by(AuditEvent.id))]


def test_intake_moves_screening_on_and_is_audited(coord, org, coordinator):
    volunteer = _new_volunteer(org)
    response = coord.post(_url(volunteer, "intake"), data={
        "intake-held_on": (TODAY - timedelta(days=2)).isoformat(),
        "intake-note": "Ervaren met taalles, kan dinsdagavond"})
    assert response.status_code == 302
    saved = db.session.get(VolunteerProfile, volunteer.id)
    assert saved.screening == "intake_done"
    assert saved.intake_on == TODAY - timedelta(days=2)
    assert saved.screening_note == "Ervaren met taalles, kan dinsdagavond"
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "volunteer.intake_recorded"))
    assert event.actor_id == coordinator.id and event.target_id == volunteer.id
    assert event.organisation_id == org.id


def test_intake_in_the_future_is_refused_with_the_typed_note_kept(coord, org):
    volunteer = _new_volunteer(org)
    response = coord.post(_url(volunteer, "intake"), data={
        "intake-held_on": (TODAY + timedelta(days=3)).isoformat(), "intake-note": "Notitie X"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "This date is in the future." in page and "Notitie X" in page
    assert 'href="#intake-held_on"' in page  # the error summary links to the field
    assert db.session.get(VolunteerProfile, volunteer.id).intake_on is None


@pytest.mark.parametrize("required", [True, False])
def test_approve_before_intake_is_refused(coord, org, required):
    org.vog_required = required
    db.session.commit()
    volunteer = _new_volunteer(org)
    response = coord.post(_url(volunteer, "approve"))
    assert response.status_code == 409
    assert "Record the intake talk first." in response.get_data(as_text=True)
    assert db.session.get(VolunteerProfile, volunteer.id).screening == "registered"
    assert "volunteer.approved" not in _actions(volunteer.id)


def test_approve_without_vog_is_refused_when_the_organisation_requires_one(coord, org):
    volunteer = _new_volunteer(org, intake_on=TODAY, screening="intake_done",
                               vog_status="requested")
    response = coord.post(_url(volunteer, "approve"))
    assert response.status_code == 409
    assert "Record a VOG that was received" in response.get_data(as_text=True)
    assert db.session.get(VolunteerProfile, volunteer.id).screening == "intake_done"


def test_approve_with_an_expired_vog_is_refused(coord, org):
    volunteer = _new_volunteer(org, intake_on=TODAY, screening="vog_received",
                               vog_status="received",
                               vog_issued_on=TODAY - timedelta(days=3 * 365 + 5))
    response = coord.post(_url(volunteer, "approve"))
    assert response.status_code == 409
    assert db.session.get(VolunteerProfile, volunteer.id).screening == "vog_received"


def test_approve_without_vog_is_allowed_when_not_required(coord, org, coordinator):
    org.vog_required = False
    db.session.commit()
    volunteer = _new_volunteer(org, intake_on=TODAY, screening="intake_done")
    assert coord.post(_url(volunteer, "approve")).status_code == 302
    saved = db.session.get(VolunteerProfile, volunteer.id)
    assert saved.screening == "approved" and saved.screened_by_id == coordinator.id


def test_full_screening_in_order_ends_approved(coord, org, coordinator):
    volunteer = _new_volunteer(org)
    issued = TODAY - timedelta(days=40)
    assert coord.post(_url(volunteer, "intake"), data={
        "intake-held_on": TODAY.isoformat(), "intake-note": ""}).status_code == 302
    assert coord.post(_url(volunteer, "vog"), data={
        "vog-status": "requested", "vog-issued_on": ""}).status_code == 302
    assert db.session.get(VolunteerProfile, volunteer.id).vog_status == "requested"
    assert coord.post(_url(volunteer, "vog"), data={
        "vog-status": "received", "vog-issued_on": issued.isoformat()}).status_code == 302
    saved = db.session.get(VolunteerProfile, volunteer.id)
    assert saved.screening == "vog_received" and saved.vog_issued_on == issued
    assert saved.vog_checked_by_id == coordinator.id
    assert abs((clock.now() - saved.vog_checked_at).total_seconds()) < 60
    assert coord.post(_url(volunteer, "training"), data={
        "training-done_on": TODAY.isoformat()}).status_code == 302
    assert coord.post(_url(volunteer, "approve")).status_code == 302
    saved = db.session.get(VolunteerProfile, volunteer.id)
    assert saved.screening == "approved" and saved.training_done_on == TODAY
    assert _actions(volunteer.id) == [
        "volunteer.intake_recorded", "volunteer.vog_recorded", "volunteer.vog_recorded",
        "volunteer.training_recorded", "volunteer.approved"]
    page = coord.get(_url(volunteer)).get_data(as_text=True)
    for label in ("Intake talk recorded", "VOG recorded", "Training recorded", "Approved"):
        assert label in page  # the screening history comes from the audit trail
    local, _at, domain = coordinator.email.partition("@")
    assert f"{local}@<wbr>{domain}" in page


def test_vog_received_needs_an_issue_date(coord, org):
    volunteer = _new_volunteer(org)
    response = coord.post(_url(volunteer, "vog"), data={"vog-status": "received"})
    assert response.status_code == 422
    assert "Please fill in the issue date of the VOG." in response.get_data(as_text=True)


@pytest.mark.parametrize(("years", "days_old", "accepted"), [
    (3, 30, True), (3, 3 * 365 - 2, True), (3, 3 * 365 + 1, False), (1, 366, False),
    (5, 4 * 365, True)])
def test_vog_issue_date_must_be_within_the_validity(coord, org, years, days_old, accepted):
    org.vog_valid_years = years
    db.session.commit()
    volunteer = _new_volunteer(org, intake_on=TODAY, screening="intake_done")
    response = coord.post(_url(volunteer, "vog"), data={
        "vog-status": "received",
        "vog-issued_on": (TODAY - timedelta(days=days_old)).isoformat()})
    saved = db.session.get(VolunteerProfile, volunteer.id)
    if accepted:
        assert response.status_code == 302 and saved.vog_status == "received"
    else:
        assert response.status_code == 422
        assert f"older than {years} years" in response.get_data(as_text=True)
        assert saved.vog_status == "not_requested"


def test_vog_issue_date_in_the_future_is_refused(coord, org):
    volunteer = _new_volunteer(org)
    response = coord.post(_url(volunteer, "vog"), data={
        "vog-status": "received", "vog-issued_on": (TODAY + timedelta(days=1)).isoformat()})
    assert response.status_code == 422


def test_vog_page_never_offers_an_upload(coord, org):
    volunteer = _new_volunteer(org)
    page = coord.get(_url(volunteer)).get_data(as_text=True)
    assert 'type="file"' not in page and "multipart" not in page


def test_reject_needs_a_reason(coord, org):
    volunteer = _new_volunteer(org, intake_on=TODAY, screening="intake_done")
    response = coord.post(_url(volunteer, "reject"), data={"reject-reason": "   "})
    assert response.status_code == 422
    assert "Please give a reason." in response.get_data(as_text=True)
    assert db.session.get(VolunteerProfile, volunteer.id).screening == "intake_done"


def test_reject_reason_longer_than_300_is_refused(coord, org):
    volunteer = _new_volunteer(org)
    response = coord.post(_url(volunteer, "reject"), data={"reject-reason": "x" * 301})
    assert response.status_code == 422


def test_reject_with_reason_closes_screening(coord, org, coordinator):
    volunteer = _new_volunteer(org, intake_on=TODAY, screening="intake_done")
    response = coord.post(_url(volunteer, "reject"),
                          data={"reject-reason": "Past niet bij de rol van buddy"})
    assert response.status_code == 302
    saved = db.session.get(VolunteerProfile, volunteer.id)
    assert saved.screening == "rejected"
    assert saved.rejection_reason == "Past niet bij de rol van buddy"
    assert saved.screened_by_id == coordinator.id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "volunteer.rejected"))
    assert "Past niet" not in str(event.details)  # the reason stays out of the audit trail
    assert coord.post(_url(volunteer, "approve")).status_code == 409
    refused = coord.post(_url(volunteer, "intake"), data={"intake-held_on": TODAY.isoformat()})
    assert refused.status_code == 409


def test_reject_with_open_matches_is_refused(coord, org):
    volunteer = f.make_volunteer(org)
    f.make_match(f.make_participant(org), volunteer, status="active")
    response = coord.post(_url(volunteer, "reject"), data={"reject-reason": "Gedrag"})
    assert response.status_code == 409
    assert "open matches" in response.get_data(as_text=True)
    assert db.session.get(VolunteerProfile, volunteer.id).screening == "approved"


def test_approving_twice_is_refused(coord, org):
    volunteer = f.make_volunteer(org, intake_on=TODAY)
    response = coord.post(_url(volunteer, "approve"))
    assert response.status_code == 409
    assert "already approved" in response.get_data(as_text=True)


def test_screening_actions_are_post_only(coord, org):
    url = _url(_new_volunteer(org))
    for action in ("intake", "vog", "training", "approve", "reject"):
        assert coord.get(f"{url}/{action}").status_code == 405


def test_detail_shows_decoded_profile_consent_and_matches(coord, org):
    volunteer = f.make_volunteer(org, first_name="Sanne", occupation="Docent",
                                 interests=0b101, motivation="Ik help graag")
    f.make_consent(db.session.get(VolunteerProfile, volunteer.id).user, purpose="vog_check")
    participant = f.make_participant(org, first_name="Amal")
    f.make_match(participant, volunteer, status="active")
    page = coord.get(_url(volunteer)).get_data(as_text=True)
    for text in ("Sanne", "Docent", "Cooking", "Nature and walking", "Language practice",
                 "Checking the certificate of conduct (VOG)", "Amal", "Active", "Ik help graag",
                 "36-50", "Dutch", "Mother tongue"):
        assert text in page, text
    assert '<bdi>Sanne</bdi>' in page


def test_intake_note_in_the_detail_is_escaped(coord, org):
    volunteer = _new_volunteer(org)
    coord.post(_url(volunteer, "intake"), data={
        "intake-held_on": TODAY.isoformat(), "intake-note": "<script>alert(1)</script>"})
    page = coord.get(_url(volunteer)).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_open_match_count_counts_only_open_matches(app_ctx):
    from buddy.screening.services import open_match_count

    org = f.make_org()
    volunteer = f.make_volunteer(org, capacity=3)
    f.make_match(f.make_participant(org), volunteer, status="ended")
    f.make_match(f.make_participant(org), volunteer, status="proposed", volunteer_slot=2)
    assert open_match_count(volunteer) == 1
    assert db.session.scalar(select(Match.id).limit(1)) is not None
