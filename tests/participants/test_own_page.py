"""The participant's own page (/me) and changing their details (/me/details)."""

import re
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from buddy import clock
from buddy.extensions import db, limiter
from buddy.models import (
    AuditEvent,
    ConsentRecord,
    OutboxMessage,
    ParticipantProfile,
    User,
)
from tests import factories as f
from tests.conftest import html_attr
from tests.factories import PASSWORD
from tests.participants.conftest import is_checked


@pytest.fixture
def participant(org):
    """A waiting participant of ``org`` (Arabic, phone and e-mail, sharing the phone)."""
    user = f.make_user("participant", org, locale="en", email="noor@example.org",
                       phone="+31611112222")
    profile = f.make_participant(org, user=user, first_name="نور", share_phone=True,
                                 share_email=False,
                                 waiting_since=clock.now() - timedelta(days=12, hours=1))
    f.make_consent(user, purpose="privacy")
    f.make_consent(user, purpose="share_contact")
    return profile


def details_data(profile, **overrides) -> dict:
    """A valid details form for ``profile`` with ``overrides``."""
    data = {
        "first_name": "Noor", "phone": "06 1111 2222", "email": "noor@example.org",
        "share_phone": "y", "neighbourhood_id": str(profile.neighbourhood_id),
        "availability": ["tue-evening"], "interests": ["games"], "dutch_level": "A2",
        "goals": ["work", "social"], "primary_goal": "social", "languages": ["ar", "nl"],
        "gender_pref": "any",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# -- access ----------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/me", "/me/details"])
def test_own_page_needs_login(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.location


@pytest.mark.parametrize("role", ["volunteer", "coordinator", "admin"])
def test_own_page_is_only_for_participants(client, login, org, role):
    login(f.make_user(role, org if role != "admin" else None))
    assert client.get("/me").status_code == 403
    assert client.get("/me/details").status_code == 403


# -- the page ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("lang", "direction"), [("ar", "rtl"), ("nl", "ltr"), ("en", "ltr")])
def test_own_page_shows_status_waiting_time_details_and_links(client, login, participant,
                                                              lang, direction):
    login(participant.user)
    response = client.get(f"/me?lang={lang}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html_attr(response.data, "html", "dir") == direction
    assert "<bdi>نور</bdi>" in page
    if lang == "en":
        assert "On the waiting list" in page and "waiting for 12 days" in page
        assert "You do not have a buddy yet." in page
    assert '<span dir="ltr">+31611112222</span>' in page
    assert '<span dir="ltr">noor@example.org</span>' in page
    for href in ("/toolkit/what-is-a-buddy", "/toolkit/participant-dos-and-donts",
                 "/account/data", "/account/consent", "/account/delete", "/me/details"):
        assert f'href="{href}"' in page
    assert "readaloud" in page


def test_a_day_count_of_zero_says_today(client, login, org):
    profile = f.make_participant(org, waiting_since=clock.now())
    login(profile.user)
    assert "You signed up today." in client.get("/me").get_data(as_text=True)


@pytest.mark.parametrize("status", ["approved", "active"])
def test_own_page_introduces_the_buddy_once_approved(client, login, participant, status):
    match = f.make_match(participant, f.make_volunteer(participant.organisation,
                                                        first_name="Anne-Marie"),
                         status=status)
    login(participant.user)
    page = client.get("/me").get_data(as_text=True)
    assert "<bdi>Anne-Marie</bdi>" in page
    assert f'href="/match/{match.id}"' in page


@pytest.mark.parametrize("status", ["proposed", "rejected", "ended"])
def test_own_page_hides_proposals_and_past_matches(client, login, participant, status):
    f.make_match(participant, f.make_volunteer(participant.organisation, first_name="Kees"),
                 status=status)
    login(participant.user)
    page = client.get("/me").get_data(as_text=True)
    assert "Kees" not in page and "/match/" not in page


def test_own_page_without_a_profile_is_404(client, login, org):
    login(f.make_user("participant", org))
    assert client.get("/me").status_code == 404
    assert client.get("/me/details").status_code == 404


# -- changing details ---------------------------------------------------------------------------

def test_details_form_starts_with_the_current_details(client, login, participant):
    login(participant.user)
    page = client.get("/me/details").get_data(as_text=True)
    assert 'value="نور"' in page and 'value="+31611112222"' in page
    assert 'value="A0" checked' in page
    assert is_checked(page, "share_phone") and not is_checked(page, "share_email")
    assert 'aria-invalid="None"' not in page and 'aria-describedby="None"' not in page


def test_details_are_saved_and_audited(client, login, participant):
    login(participant.user)
    response = client.post("/me/details", data=details_data(participant))
    assert response.status_code == 303 and response.location.endswith("/me")
    db.session.remove()
    profile = db.session.get(ParticipantProfile, participant.id)
    assert (profile.first_name, profile.dutch_level, profile.primary_goal) == ("Noor", "A2",
                                                                               "social")
    assert (profile.goal_keys, profile.languages, profile.gender_pref) == (
        ["work", "social"], ["nl", "ar"], "any")
    assert (profile.share_phone, profile.share_email) == (True, False)
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "participant.details_changed"))
    assert event.target_id == profile.id and event.details["contact_changed"] is False


def test_invalid_details_are_shown_with_what_was_typed(client, login, participant):
    login(participant.user)
    response = client.post("/me/details", data=details_data(
        participant, first_name="<script>", goals=["work"], primary_goal="study",
        dutch_level="C1", availability=None))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Please write only your name." in page and 'value="&lt;script&gt;"' in page
    assert "Please choose one of the things you ticked above." in page
    assert "Please choose at least one time." in page
    db.session.remove()
    assert db.session.get(ParticipantProfile, participant.id).first_name == "نور"


def test_changing_phone_or_email_needs_the_password(client, login, participant):
    login(participant.user)
    response = client.post("/me/details", data=details_data(participant, phone="0622223333"))
    assert response.status_code == 422
    assert "Please write your password" in response.get_data(as_text=True)
    response = client.post("/me/details", data=details_data(
        participant, phone="0622223333", current_password=PASSWORD))
    assert response.status_code == 303 and response.location.endswith("/me/details/confirm")
    db.session.remove()
    assert db.session.get(User, participant.user_id).phone == "+31611112222"  # not yet
    text = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.channel == "sms", OutboxMessage.recipient == "+31622223333")).one()
    code = re.search(r"\b(\d{6})\b", text.body).group(1)
    wrong = "000000" if code != "000000" else "111111"
    assert client.post("/me/details/confirm", data={"code": wrong}).status_code == 422
    assert client.post("/me/details/confirm", data={"code": code}).status_code == 303
    db.session.remove()
    assert db.session.get(User, participant.user_id).phone == "+31622223333"


def test_a_taken_address_gets_the_same_answer_and_its_owner_a_notice(client, login,
                                                                    participant):
    owner = f.make_user("volunteer", f.make_org(), email="taken@example.org", locale="uk")
    login(participant.user)
    taken = client.post("/me/details", data=details_data(
        participant, email="taken@example.org", current_password=PASSWORD))
    free = client.post("/me/details", data=details_data(
        participant, email="free@example.org", current_password=PASSWORD))
    assert (taken.status_code, taken.location) == (free.status_code, free.location)
    db.session.remove()
    assert db.session.get(User, participant.user_id).email == "noor@example.org"
    sent = {(m.recipient, m.kind) for m in db.session.scalars(select(OutboxMessage))}
    assert ("taken@example.org", "contact_attempt") in sent
    assert ("taken@example.org", "verify_email") not in sent
    assert ("free@example.org", "verify_email") in sent
    notice = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "contact_attempt")).one()
    assert notice.user_id == owner.id and notice.locale == "uk"


def test_at_least_one_way_to_reach_the_participant_stays(client, login, participant):
    login(participant.user)
    response = client.post("/me/details", data=details_data(
        participant, phone="", email="", current_password=PASSWORD))
    assert response.status_code == 422
    assert "Please write your phone number or your e-mail address." in response.get_data(
        as_text=True)


def test_stopping_all_sharing_withdraws_the_sharing_consent(client, login, participant):
    login(participant.user)
    client.post("/me/details", data=details_data(participant, share_phone=None))
    db.session.remove()
    profile = db.session.get(ParticipantProfile, participant.id)
    assert (profile.share_phone, profile.share_email) == (False, False)
    sharing = db.session.scalar(select(ConsentRecord).where(
        ConsentRecord.user_id == participant.user_id, ConsentRecord.purpose == "share_contact"))
    assert sharing.withdrawn_at is not None


def test_sharing_only_the_email_gives_consent_for_just_that(client, login, org):
    user = f.make_user("participant", org, email="sam@example.org", phone="+31633334444")
    profile = f.make_participant(org, user=user, share_email=False, share_phone=False)
    login(user)
    client.post("/me/details", data=details_data(profile, phone="+31633334444",
                                                 email="sam@example.org", share_phone=None,
                                                 share_email="y"))
    db.session.remove()
    profile = db.session.get(ParticipantProfile, profile.id)
    assert (profile.share_email, profile.share_phone) == (True, False)
    assert db.session.scalar(select(ConsentRecord.purpose).where(
        ConsentRecord.user_id == user.id, ConsentRecord.withdrawn_at.is_(None))) == "share_contact"


def test_details_ignore_role_status_and_organisation(client, login, participant):
    other = f.make_org()
    login(participant.user)
    client.post("/me/details", data=details_data(
        participant, role="admin", status="matched", organisation_id=str(other.id),
        barriers="health", radius_km="90", user_id="1"))
    db.session.remove()
    profile = db.session.get(ParticipantProfile, participant.id)
    user = db.session.get(User, participant.user_id)
    assert (user.role, user.organisation_id) == ("participant", participant.organisation_id)
    assert (profile.status, profile.organisation_id, profile.barriers) == (
        "waiting", participant.organisation_id, [])


def test_a_neighbourhood_of_another_organisation_is_refused(client, login, participant):
    foreign = f.make_org().neighbourhoods[0]
    login(participant.user)
    response = client.post("/me/details", data=details_data(
        participant, neighbourhood_id=str(foreign.id)))
    assert response.status_code == 422


def test_any_details_input_never_gives_a_server_error(client, login, participant):
    login(participant.user)
    base = details_data(participant)

    @settings(max_examples=50, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(field=st.sampled_from(sorted(base) + ["current_password"]),
           value=st.one_of(st.text(max_size=200), st.lists(st.text(max_size=20), max_size=3)))
    def post_anything(field, value):
        with client.application.app_context():
            limiter.reset()  # the form is rate-limited; every example should reach it
        response = client.post("/me/details", data={**base, field: value})
        assert response.status_code < 500

    post_anything()
