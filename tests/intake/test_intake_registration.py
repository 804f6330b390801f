"""Coordinator-assisted intake: one page, verbal consent, then an invitation link."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from buddy import clock
from buddy.extensions import db
from buddy.models import (
    AuditEvent,
    ConsentRecord,
    LevelAssessment,
    OutboxMessage,
    ParticipantProfile,
    Token,
    User,
)
from tests import factories as f


def intake_data(hood_id, **overrides):
    data = {
        "first_name": "Yonas", "neighbourhood": str(hood_id), "radius_km": "5",
        "in_person": "y", "availability": ["tue-morning", "thu-afternoon"],
        "interests": ["sport", "music"], "languages": ["ti", "ar"], "dutch_level": "A0",
        "goals": ["work", "social"], "primary_goal": "work", "gender_pref": "m",
        "route": "unknown", "share_phone": "y", "barriers": ["literacy"],
        "barrier_note": "Leest liever niet", "email": "", "phone": "0612345678",
        "locale": "ti", "consent_verbal": "y",
    }
    data.update(overrides)
    return data


def _register(coord, hood_id, **overrides) -> ParticipantProfile:
    response = coord.post("/coordinator/participants/new", data=intake_data(hood_id, **overrides))
    assert response.status_code == 302, response.get_data(as_text=True)
    participant_id = int(response.headers["Location"].rsplit("/", 1)[1])
    return db.session.get(ParticipantProfile, participant_id)


def test_intake_page_renders_all_parts(coord, org):
    page = coord.get("/coordinator/participants/new").get_data(as_text=True)
    for name in ("first_name", "email", "phone", "locale", "neighbourhood", "availability",
                 "interests", "dutch_level", "goals", "primary_goal", "languages",
                 "gender_pref", "share_email", "share_phone", "barriers", "barrier_note",
                 "consent_verbal"):
        assert f'name="{name}"' in page, name
    assert "gave consent verbally after I explained it in a language they" in page


def test_intake_creates_user_profile_level_and_verbal_consent(coord, org, hood_id, coordinator):
    profile = _register(coord, hood_id)
    user = db.session.get(User, profile.user_id)
    assert (user.role, user.organisation_id, user.locale) == ("participant", org.id, "ti")
    assert user.password_hash is None and user.email is None and user.phone == "+31612345678"
    assert profile.registered_by_id == coordinator.id
    assert profile.organisation_id == org.id and profile.status == "waiting"
    assert profile.goal_keys == ["work", "social"] and profile.primary_goal == "work"
    assert (profile.share_email, profile.share_phone) == (False, True)
    assert (profile.barriers, profile.barrier_note) == (["literacy"], "Leest liever niet")
    consents = db.session.scalars(select(ConsentRecord).where(
        ConsentRecord.user_id == user.id).order_by(ConsentRecord.purpose)).all()
    assert [c.purpose for c in consents] == ["privacy", "share_contact"]
    assert all(c.method == "verbal" and c.actor_id == coordinator.id and c.locale == "ti"
               for c in consents)
    level = db.session.scalar(select(LevelAssessment).where(
        LevelAssessment.participant_id == profile.id))
    assert level.level == "A0" and level.assessed_by_id == coordinator.id
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "participant.registered"))
    assert event.target_id == profile.id and event.actor_id == coordinator.id


def test_intake_without_any_contact_is_fine(coord, hood_id):
    profile = _register(coord, hood_id, phone="", email="", share_phone="")
    user = db.session.get(User, profile.user_id)
    assert user.email is None and user.phone is None
    purposes = db.session.scalars(select(ConsentRecord.purpose).where(
        ConsentRecord.user_id == user.id)).all()
    assert purposes == ["privacy"]


def test_intake_needs_verbal_consent_and_keeps_what_was_typed(coord, hood_id):
    data = intake_data(hood_id, consent_verbal="", first_name="Mebrat", barrier_note="Bewaard")
    response = coord.post("/coordinator/participants/new", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Without consent we cannot register this person." in page
    assert 'value="Mebrat"' in page and "Bewaard" in page
    assert 'value="tue-morning" checked' in page
    assert db.session.scalar(select(ParticipantProfile.id)) is None


@pytest.mark.parametrize(("field", "value", "message"), [
    ("first_name", "", "Please fill in the first name."),
    ("first_name", "12345", "Please write only your name."),
    ("first_name", "<b>x</b>", "Please write only your name."),
    ("email", "geen-adres", "This is not a valid e-mail address."),
    ("phone", "bel me", "Please write a phone number"),
    ("availability", [], "Please choose at least one moment."),
    ("languages", [], "Please choose at least one language."),
    ("languages", ["xx"], "Please choose from the list."),
    ("primary_goal", "", "Please choose the main goal."),
    ("neighbourhood", "", "Please choose a neighbourhood."),
    ("locale", "de", "Please choose a language."),
    ("in_person", "", "Choose in person, online, or both."),
    ("barrier_note", "x" * 1001, "This is too long."),
])
def test_intake_validation(coord, hood_id, field, value, message):
    response = coord.post("/coordinator/participants/new",
                          data=intake_data(hood_id, **{field: value}))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


@pytest.mark.parametrize("name", ["Nguyễn", "محمد", "ዮናስ", "Олена", "O'Brien-Smith", "李"])
def test_names_in_any_script_are_accepted_and_shown_in_bdi(coord, hood_id, name):
    profile = _register(coord, hood_id, first_name=name, phone="")
    assert profile.first_name == name
    page = coord.get(f"/coordinator/participants/{profile.id}").get_data(as_text=True)
    assert f"<bdi>{name}</bdi>".replace("'", "&#39;") in page


def test_intake_refuses_a_phone_number_in_use(coord, org, hood_id):
    f.make_user("volunteer", org, phone="+31612345678")
    response = coord.post("/coordinator/participants/new",
                          data=intake_data(hood_id, phone="06-12345678"))
    assert response.status_code == 422
    assert "already used by another account" in response.get_data(as_text=True)


def test_intake_cannot_set_role_status_or_organisation(coord, org, hood_id):
    other = f.make_org()
    profile = _register(coord, hood_id, role="admin", status="matched",
                        organisation_id=str(other.id), registered_by_id="999")
    user = db.session.get(User, profile.user_id)
    assert user.role == "participant" and user.organisation_id == org.id
    assert profile.status == "waiting" and profile.organisation_id == org.id


# -- invitations ------------------------------------------------------------------------

def _invite(coord, profile_id):
    return coord.post(f"/coordinator/participants/{profile_id}/invite")


def _token_secret(body: str) -> str:
    return re.search(r"/invite/([A-Za-z0-9_-]+)", body).group(1)


def test_invitation_with_e_mail_is_queued_in_their_language(coord, hood_id):
    profile = _register(coord, hood_id, email="yonas@example.org", locale="en")
    response = _invite(coord, profile.id)
    assert response.status_code == 302
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "invitation"))
    assert message.recipient == "yonas@example.org" and message.locale == "en"
    assert "Hello Yonas," in message.body and "14 days" in message.body
    secret = _token_secret(message.body)
    token = db.session.scalar(select(Token).where(Token.purpose == "invite"))
    assert token.user_id == profile.user_id
    assert secret not in str(db.session.scalars(select(AuditEvent.details)).all())
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "participant.invited"))
    assert event.details == {"emailed": True}


def test_invitation_without_e_mail_shows_the_link_once(coord, hood_id):
    profile = _register(coord, hood_id, email="")
    response = _invite(coord, profile.id)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "SMS or WhatsApp" in page and "only once" in page
    secret = _token_secret(page)
    assert db.session.scalar(select(OutboxMessage.id)) is None
    detail = coord.get(f"/coordinator/participants/{profile.id}").get_data(as_text=True)
    assert secret not in detail


def test_invitation_token_works_once_and_then_the_participant_logs_in(coord, app, hood_id):
    profile = _register(coord, hood_id, email="")
    secret = _token_secret(_invite(coord, profile.id).get_data(as_text=True))
    newcomer = app.test_client()
    assert newcomer.get(f"/invite/{secret}").status_code == 200
    password = "een lange zin als wachtwoord"
    response = newcomer.post(f"/invite/{secret}", data={
        "password": password, "confirm": password,
        "csrf_token": _csrf(newcomer, f"/invite/{secret}")})
    assert response.status_code == 302
    assert db.session.get(User, profile.user_id).password_hash
    assert app.test_client().get(f"/invite/{secret}").status_code == 404  # used up
    login = newcomer.post("/login", data={
        "identifier": "06 12345678", "password": password,
        "csrf_token": _csrf(newcomer, "/login")})
    assert login.status_code == 302 and login.headers["Location"].endswith("/me")


def _csrf(client, url) -> str:
    page = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_invitation_token_expires(coord, app, hood_id):
    profile = _register(coord, hood_id, email="")
    secret = _token_secret(_invite(coord, profile.id).get_data(as_text=True))
    token = db.session.scalar(select(Token).where(Token.user_id == profile.user_id))
    assert token.expires_at - clock.now() > timedelta(days=13, hours=23)
    token.expires_at = clock.now() - timedelta(minutes=1)
    db.session.commit()
    assert app.test_client().get(f"/invite/{secret}").status_code == 404


def test_a_new_invitation_makes_the_old_link_useless(coord, app, hood_id):
    profile = _register(coord, hood_id, email="")
    old = _token_secret(_invite(coord, profile.id).get_data(as_text=True))
    new = _token_secret(_invite(coord, profile.id).get_data(as_text=True))
    assert app.test_client().get(f"/invite/{old}").status_code == 404
    assert app.test_client().get(f"/invite/{new}").status_code == 200


def test_no_invitation_without_a_way_to_log_in(coord, hood_id):
    profile = _register(coord, hood_id, email="", phone="", share_phone="")
    response = _invite(coord, profile.id)
    assert response.status_code == 302
    page = coord.get(response.headers["Location"]).get_data(as_text=True)
    assert "Add an e-mail address or phone number first" in page
    assert db.session.scalar(select(Token.id)) is None


def test_no_invitation_for_someone_with_a_login(coord, org):
    participant = f.make_participant(org)
    response = _invite(coord, participant.id)
    assert response.status_code == 302
    assert db.session.scalar(select(Token.id)) is None


def test_audit_trail_holds_no_personal_data(coord, hood_id):
    profile = _register(coord, hood_id, first_name="Zewditu", email="zewditu@example.org",
                        phone="0687654321", barrier_note="Geheime notitie")
    profile_id = profile.id
    coord.get(f"/coordinator/participants/{profile_id}")
    _invite(coord, profile_id)
    coord.post(f"/coordinator/participants/{profile_id}/edit", data=intake_data(
        hood_id, first_name="Zewditu", email="zewditu@example.org", phone="0687654321",
        barrier_note="Andere notitie"))
    coord.post(f"/coordinator/participants/{profile_id}/export")
    rows = db.session.scalars(select(AuditEvent)).all()
    assert {"participant.registered", "participant.viewed", "participant.invited",
            "participant.updated", "participant.exported"} <= {r.action for r in rows}
    dumped = " ".join(f"{r.action} {r.target_type} {r.details}" for r in rows).lower()
    for personal in ("zewditu", "example.org", "0687654321", "+31687654321", "notitie"):
        assert personal not in dumped
