"""Participants: the list, the detail page (audited) and editing facts and barriers."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from buddy import clock
from buddy.extensions import db
from buddy.models import AuditEvent, LevelAssessment, ParticipantProfile, User
from tests import factories as f


def _names(page: str, names) -> list[str]:
    found = [(page.find(f"<bdi>{n}</bdi>"), n) for n in names if f"<bdi>{n}</bdi>" in page]
    return [n for _pos, n in sorted(found)]


def test_list_is_longest_waiting_first_with_days_waiting(coord, org):
    now = clock.now()
    f.make_participant(org, first_name="Kort", waiting_since=now - timedelta(days=3))
    f.make_participant(org, first_name="Lang", waiting_since=now - timedelta(days=120))
    page = coord.get("/coordinator/participants").get_data(as_text=True)
    assert "2 participants" in page
    assert _names(page, ["Kort", "Lang"]) == ["Lang", "Kort"]
    assert "120 days" in page and "3 days" in page


@pytest.mark.parametrize(("query", "expected"), [
    ("status=waiting", {"Wachtend", "Prioriteit"}),
    ("status=matched", {"Gekoppeld"}),
    ("level=B1", {"Gekoppeld"}),
    ("priority=yes", {"Prioriteit"}),
    ("priority=no", {"Wachtend", "Gekoppeld"}),
    ("min_days=60", {"Wachtend"}),
    ("q=koppel", {"Gekoppeld"}),
])
def test_filters(coord, org, fresh, query, expected):
    now = clock.now()
    priority = f.make_neighbourhood(org, name="Kanaleneiland", priority_area=True)
    f.make_participant(fresh(org), first_name="Wachtend", waiting_since=now - timedelta(days=90))
    f.make_participant(fresh(org), first_name="Gekoppeld", status="matched", dutch_level="B1",
                       waiting_since=now - timedelta(days=10))
    f.make_participant(fresh(org), first_name="Prioriteit", neighbourhood_id=priority.id,
                       waiting_since=now - timedelta(days=5))
    page = coord.get(f"/coordinator/participants?{query}").get_data(as_text=True)
    assert set(_names(page, ["Wachtend", "Gekoppeld", "Prioriteit"])) == expected


@pytest.mark.parametrize("query", ["min_days=-1", "min_days=x", "level=C2", "status=gone"])
def test_invalid_filters_are_422(coord, org, query):
    assert coord.get(f"/coordinator/participants?{query}").status_code == 422


def test_list_has_no_n_plus_one(coord, org, fresh, count_queries, hood_id):
    centre_id = org.neighbourhoods[0].id

    def make(n):
        for i in range(n):
            f.make_participant(fresh(org), neighbourhood_id=hood_id if i % 2 else centre_id)

    make(2)
    _response, few = count_queries(lambda: coord.get("/coordinator/participants"))
    make(25)
    _response, many = count_queries(lambda: coord.get("/coordinator/participants"))
    assert many == few


def test_detail_shows_everything_for_the_coordinator_and_is_audited(coord, org, coordinator):
    participant = f.make_participant(org, first_name="Hiwet", barriers=["childcare", "health"],
                                     barrier_note="Kan alleen als de kinderen op school zijn",
                                     target_level="B1", route="b1", phone="+31612345678")
    f.make_consent(db.session.get(ParticipantProfile, participant.id).user)
    f.make_assessment(participant, level="A1")
    volunteer = f.make_volunteer(org, first_name="Bram")
    f.make_match(participant, volunteer, status="ended")
    response = coord.get(f"/coordinator/participants/{participant.id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for text in ("Hiwet", "Childcare", "Health", "Kan alleen als de kinderen op school zijn",
                 "B1 route", "Keeping their data", "Bram", "Ended", "Arabic",
                 '<a href="tel:+31612345678" dir="ltr">'):
        assert text in page, text
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "participant.viewed"))
    assert event.target_id == participant.id and event.actor_id == coordinator.id
    assert event.details == {}


def _edit_data(hood_id, **overrides):
    data = {
        "first_name": "Hiwet", "gender": "f", "neighbourhood": str(hood_id), "radius_km": "4",
        "in_person": "y", "availability": ["mon-morning", "wed-evening"],
        "interests": ["cooking", "music"], "languages": ["ti", "en"], "dutch_level": "A2",
        "target_level": "B1", "route": "b1", "goals": ["work"], "primary_goal": "language",
        "gender_pref": "f", "barriers": ["mobility"], "barrier_note": "Rolstoel",
        "email": "", "phone": "", "locale": "ti",
    }
    data.update(overrides)
    return data


def test_edit_changes_facts_barriers_and_records_a_new_level(coord, org, hood_id, coordinator):
    participant = f.make_participant(org, dutch_level="A1")
    response = coord.post(f"/coordinator/participants/{participant.id}/edit",
                          data=_edit_data(hood_id))
    assert response.status_code == 302
    saved = db.session.get(ParticipantProfile, participant.id)
    assert (saved.first_name, saved.neighbourhood_id, saved.radius_km) == ("Hiwet", hood_id, 4)
    assert saved.availability == 0b1 | 1 << 8
    assert saved.languages == ["en", "ti"]
    assert saved.goal_keys == ["language", "work"]  # the main goal is always one of the goals
    assert (saved.barriers, saved.barrier_note) == (["mobility"], "Rolstoel")
    assert (saved.dutch_level, saved.target_level, saved.route) == ("A2", "B1", "b1")
    levels = db.session.scalars(select(LevelAssessment).where(
        LevelAssessment.participant_id == participant.id)).all()
    assert [(a.level, a.assessed_by_id) for a in levels] == [("A2", coordinator.id)]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "participant.updated"))
    assert event.details["barriers"] is True and "Rolstoel" not in str(event.details)


def test_edit_form_is_prefilled(coord, org):
    participant = f.make_participant(org, first_name="Dawit", barrier_note="Notitie-Q",
                                     languages=["ti"])
    page = coord.get(f"/coordinator/participants/{participant.id}/edit").get_data(as_text=True)
    assert 'value="Dawit"' in page and "Notitie-Q" in page
    assert 'value="ti" checked' in page


def test_edit_keeps_what_was_typed_on_errors(coord, org, hood_id):
    participant = f.make_participant(org)
    response = coord.post(f"/coordinator/participants/{participant.id}/edit",
                          data=_edit_data(hood_id, first_name="", barrier_note="Bewaard-X",
                                          radius_km="500"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Bewaard-X" in page and "Please fill in the first name." in page
    assert "Please give 0 to 100 km." in page


def test_edit_ignores_status_and_organisation_in_the_form(coord, org, hood_id):
    other = f.make_org()
    participant = f.make_participant(org, status="waiting")
    coord.post(f"/coordinator/participants/{participant.id}/edit", data=_edit_data(
        hood_id, status="matched", organisation_id=str(other.id), registered_by_id="1",
        role="admin"))
    saved = db.session.get(ParticipantProfile, participant.id)
    assert saved.status == "waiting" and saved.organisation_id == org.id
    assert db.session.get(User, saved.user_id).role == "participant"


def test_edit_refuses_a_neighbourhood_of_another_organisation(coord, org):
    participant = f.make_participant(org)
    foreign = f.make_neighbourhood(f.make_org())
    response = coord.post(f"/coordinator/participants/{participant.id}/edit",
                          data=_edit_data(foreign.id))
    assert response.status_code == 422
    assert db.session.get(ParticipantProfile, participant.id).neighbourhood_id != foreign.id


def test_contact_of_a_participant_with_own_login_is_not_editable(coord, org, hood_id):
    participant = f.make_participant(org, locale="ar")  # the factory gives them a password
    user_id = participant.user_id
    email = db.session.get(User, user_id).email
    page = coord.get(f"/coordinator/participants/{participant.id}/edit").get_data(as_text=True)
    assert 'name="email"' not in page
    coord.post(f"/coordinator/participants/{participant.id}/edit",
               data=_edit_data(hood_id, email="nieuw@example.org", locale="en"))
    user = db.session.get(User, user_id)
    assert user.email == email and user.locale == "ar"


def test_contact_of_a_participant_without_login_is_editable(coord, org, hood_id):
    user = f.make_user("participant", org, password_hash=None, email=None)
    participant = f.make_participant(org, user=user)
    response = coord.post(f"/coordinator/participants/{participant.id}/edit",
                          data=_edit_data(hood_id, email="Nieuw@Example.org",
                                          phone="06 1234 5678"))
    assert response.status_code == 302
    saved = db.session.get(User, user.id)
    assert (saved.email, saved.phone) == ("nieuw@example.org", "+31612345678")


def test_edit_refuses_an_e_mail_address_in_use(coord, org, hood_id):
    taken = f.make_user("volunteer", org, email="bezet@example.org")
    user = f.make_user("participant", org, password_hash=None, email=None)
    participant = f.make_participant(org, user=user)
    response = coord.post(f"/coordinator/participants/{participant.id}/edit",
                          data=_edit_data(hood_id, email=taken.email))
    assert response.status_code == 422
    assert "already used by another account" in response.get_data(as_text=True)


def test_turning_on_sharing_records_verbal_consent(coord, org, hood_id, coordinator):
    from buddy.models import ConsentRecord

    participant = f.make_participant(org, share_email=False, share_phone=False)
    coord.post(f"/coordinator/participants/{participant.id}/edit",
               data=_edit_data(hood_id, share_phone="y"))
    saved = db.session.get(ParticipantProfile, participant.id)
    assert (saved.share_email, saved.share_phone) == (False, True)
    record = db.session.scalar(select(ConsentRecord).where(
        ConsentRecord.user_id == saved.user_id, ConsentRecord.purpose == "share_contact"))
    assert record.method == "verbal" and record.actor_id == coordinator.id
