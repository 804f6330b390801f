"""Invariants the database itself enforces, on SQLite and PostgreSQL."""

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from buddy.extensions import db
from buddy.models import Match, ParticipantProfile, VolunteerProfile
from tests import factories as f

pytestmark = pytest.mark.client_language(None)


def _insert_match(participant, volunteer, status="proposed", slot=1):
    db.session.add(Match(organisation_id=participant.organisation_id,
                         participant_id=participant.id, volunteer_id=volunteer.id,
                         status=status, volunteer_slot=slot, score=0.5))
    db.session.flush()


def test_two_open_matches_for_one_participant_are_rejected():
    participant = f.make_participant()
    v1 = f.make_volunteer(participant.organisation)
    v2 = f.make_volunteer(participant.organisation)
    _insert_match(participant, v1, "active")
    with pytest.raises(IntegrityError):
        _insert_match(participant, v2, "proposed")
    db.session.rollback()


def test_ended_and_rejected_matches_do_not_block_a_new_one():
    participant = f.make_participant()
    volunteer = f.make_volunteer(participant.organisation, capacity=3)
    f.make_match(participant, volunteer, status="ended")
    f.make_match(participant, volunteer, status="rejected", volunteer_slot=2)
    _insert_match(participant, volunteer, "proposed", slot=3)
    statuses = db.session.scalars(
        select(Match.status).where(Match.participant_id == participant.id)
        .order_by(Match.id)
    ).all()
    assert statuses == ["ended", "rejected", "proposed"]


def test_volunteer_slot_cannot_be_taken_twice():
    org = f.make_org()
    volunteer = f.make_volunteer(org, capacity=2)
    _insert_match(f.make_participant(org), volunteer, "active", slot=1)
    with pytest.raises(IntegrityError):
        _insert_match(f.make_participant(org), volunteer, "proposed", slot=1)
    db.session.rollback()


@pytest.mark.parametrize("slot", [0, 4])
def test_volunteer_slot_range(slot):
    org = f.make_org()
    with pytest.raises(IntegrityError):
        _insert_match(f.make_participant(org), f.make_volunteer(org), slot=slot)
    db.session.rollback()


@pytest.mark.parametrize(("model", "field", "value"), [
    (VolunteerProfile, "capacity", 4),
    (VolunteerProfile, "capacity", 0),
    (VolunteerProfile, "screening", "maybe"),
    (VolunteerProfile, "availability", 1 << 21),
    (ParticipantProfile, "dutch_level", "C2"),
    (ParticipantProfile, "gender_pref", "x"),
    (ParticipantProfile, "primary_goal", "fame"),
    (ParticipantProfile, "radius_km", -1),
])
def test_check_constraints_reject_bad_values(model, field, value):
    org = f.make_org()
    factory = f.make_volunteer if model is VolunteerProfile else f.make_participant
    with pytest.raises(IntegrityError):
        factory(org, **{field: value})
    db.session.rollback()


def test_no_meeting_mode_is_rejected():
    with pytest.raises(IntegrityError):
        f.make_participant(in_person=False, online=False)
    db.session.rollback()


def test_ended_match_needs_a_reason():
    org = f.make_org()
    participant, volunteer = f.make_participant(org), f.make_volunteer(org)
    with pytest.raises(IntegrityError):
        _insert_match(participant, volunteer, "ended")
    db.session.rollback()


def test_foreign_keys_are_enforced():
    with pytest.raises(IntegrityError):
        db.session.execute(text(
            "INSERT INTO neighbourhoods (organisation_id, name, lat, lon, priority_area) "
            "VALUES (999999, 'x', 1, 1, false)"))
        db.session.flush()
    db.session.rollback()


def test_factories_cover_every_model():
    made = {type(obj).__name__ for obj in (
        f.make_org(), f.make_neighbourhood(), f.make_user(), f.make_volunteer(),
        f.make_participant(), f.make_run(), f.make_match(), f.make_match_event(),
        f.make_pair_rule(), f.make_checkin(), f.make_meeting(), f.make_assessment(),
        f.make_consent(), f.make_outbox(), f.make_audit(), f.make_referral(),
        f.make_token()[0], f.make_session()[0], f.make_signup_draft()[0], f.make_pledge(),
        f.make_partner(), f.make_school_confirmation(), f.make_login_throttle(),
        f.make_contact_claim())}
    from buddy.models import Base

    assert made == {m.class_.__name__ for m in Base.registry.mappers}
