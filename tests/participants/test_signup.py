"""The participant's sign-up: language choice, one step per screen, the rows it creates."""

import json
import re

import pytest
from sqlalchemy import func, select

from buddy.extensions import db
from buddy.i18n import NATIVE_NAMES
from buddy.models import (
    AuditEvent,
    ConsentRecord,
    OutboxMessage,
    ParticipantProfile,
    SignupDraft,
    User,
)
from buddy.participants.services import STEPS
from buddy.vocab import INTERESTS, mask_from_keys, slot_index
from tests import factories as f
from tests.conftest import html_attr
from tests.participants.conftest import (
    STRONG_PASSWORD,
    answer,
    answer_until,
    is_checked,
    join_url,
    valid_answers,
)


def profile_of_email(email: str) -> ParticipantProfile:
    db.session.remove()
    user = f.claimant(email)  # the address counts once confirmed
    return db.session.scalar(
        select(ParticipantProfile).where(ParticipantProfile.user_id == user.id))


def count(model) -> int:
    db.session.remove()
    return db.session.scalar(select(func.count()).select_from(model))


# -- the language choice ---------------------------------------------------------------------

def test_start_offers_every_language_in_its_own_script(client, org):
    response = client.get(join_url(org.slug))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for code, name in NATIVE_NAMES.items():
        assert name in page
        assert f'href="/o/{org.slug}/join/name?lang={code}"' in page
    assert 'class="lang-buttons"' in page
    assert 'class="btn btn-icon readaloud" hidden' in page and "js/readaloud.js" in page


def test_unknown_organisation_is_404(client):
    assert client.get("/o/nope/join").status_code == 404
    assert client.get("/o/nope/join/name").status_code == 404
    assert client.post("/o/nope/join/name", data={"first_name": "A"}).status_code == 404
    assert client.get("/o/nope/join/done").status_code == 404


def test_unknown_step_is_404(client, org):
    assert client.get(join_url(org.slug, "salary")).status_code == 404


def test_organisation_without_neighbourhoods_is_not_open_yet(client):
    closed = f.make_org()
    for hood in list(closed.neighbourhoods):
        db.session.delete(hood)
    db.session.commit()
    page = client.get(join_url(closed.slug)).get_data(as_text=True)
    assert "not open yet" in page and "lang-buttons" not in page
    response = client.get(join_url(closed.slug, "name"))
    assert response.status_code == 302 and response.location.endswith(join_url(closed.slug))


def test_choosing_a_language_opens_the_first_step_in_it(client, org):
    response = client.get(join_url(org.slug, "name") + "?lang=ar")
    assert response.status_code == 200
    assert html_attr(response.data, "html", "lang") == "ar"
    assert html_attr(response.data, "html", "dir") == "rtl"
    follow = client.get(join_url(org.slug, "name"))  # the choice is remembered
    assert html_attr(follow.data, "html", "lang") == "ar"


# -- the whole flow ----------------------------------------------------------------------------

def test_full_flow_creates_account_profile_consent_and_welcome(client, org, hood_id):
    client.get(join_url(org.slug, "name") + "?lang=ar")
    answer_until(client, org.slug, valid_answers(hood_id), stop="consent")
    response = answer(client, org.slug, "consent", {"agree": "y"})
    assert response.status_code == 303
    assert response.location.endswith(join_url(org.slug, "done"))

    profile = profile_of_email("amal@example.org")
    user = db.session.get(User, profile.user_id)
    assert (user.role, user.organisation_id, user.locale) == ("participant", org.id, "ar")
    assert (user.email, user.phone, user.active) == (None, None, True)  # until confirmed
    assert user.password_hash.startswith("$argon2id$")
    assert (profile.first_name, profile.organisation_id, profile.neighbourhood_id) == (
        "Amal", org.id, hood_id)
    assert profile.status == "waiting" and profile.waiting_since is not None
    assert profile.availability == (1 << slot_index("mon", "morning")) | (
        1 << slot_index("wed", "evening"))
    assert profile.interests == mask_from_keys(["cooking", "music"], INTERESTS)
    assert (profile.dutch_level, profile.goal_keys, profile.primary_goal) == (
        "A1", ["language", "work"], "work")
    assert (profile.languages, profile.gender_pref) == (["en", "ar"], "f")
    assert (profile.radius_km, profile.in_person, profile.online) == (3, True, False)
    assert (profile.share_phone, profile.share_email) == (True, False)
    assert profile.barriers == [] and profile.registered_by_id is None

    consents = db.session.scalars(select(ConsentRecord).where(
        ConsentRecord.user_id == user.id).order_by(ConsentRecord.purpose)).all()
    assert [(c.purpose, c.method, c.locale, c.text_version) for c in consents] == [
        ("privacy", "online", "ar", "2026-11"), ("share_contact", "online", "ar", "2026-11")]
    sent = db.session.scalars(select(OutboxMessage).where(OutboxMessage.user_id == user.id)
                              .order_by(OutboxMessage.id)).all()
    assert [(m.kind, m.channel, m.recipient, m.locale) for m in sent] == [
        ("verify_email", "email", "amal@example.org", "ar"),
        ("verify_phone", "sms", "+31612345678", "ar")]
    assert f.confirm_address(client, "amal@example.org").status_code == 302
    mail = db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.user_id == user.id, OutboxMessage.kind == "welcome_participant"))
    assert (mail.recipient, mail.locale) == ("amal@example.org", "ar")
    assert "Amal" in mail.body and "/me" in mail.body
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "participant.self_registered"))
    assert (event.target_id, event.organisation_id, event.actor_id) == (profile.id, org.id, None)


def test_done_page_says_waiting_list_and_logs_in_with_a_password(client, org, hood_id):
    answer_until(client, org.slug, valid_answers(hood_id))
    done = client.get(join_url(org.slug, "done"))
    page = done.get_data(as_text=True)
    assert done.status_code == 200
    assert "waiting list" in page and "It is free." in page and "readaloud" in page
    assert 'href="/me"' in page
    assert client.get("/me").status_code == 200


def test_without_password_and_email_no_login_no_mail_no_share_consent(client, org, hood_id):
    answers = valid_answers(hood_id, contact={"phone": "+31 6 2222 3333"})
    answers.pop("password")
    answer_until(client, org.slug, answers, stop="consent")
    answer(client, org.slug, "password", {}, nav="skip")
    assert answer(client, org.slug, "consent", {"agree": "y"}).status_code == 303
    db.session.remove()
    user = f.claimant("+31622223333")
    assert user.password_hash is None and user.email is None
    assert db.session.scalars(select(OutboxMessage.kind).where(
        OutboxMessage.user_id == user.id)).all() == ["verify_phone"]  # the code, no mail
    purposes = db.session.scalars(select(ConsentRecord.purpose).where(
        ConsentRecord.user_id == user.id)).all()
    assert purposes == ["privacy"]
    page = client.get(join_url(org.slug, "done")).get_data(as_text=True)
    assert "coordinator will help you" in page and 'href="/me"' not in page
    assert client.get("/me").status_code == 302  # not logged in


def test_one_goal_skips_the_most_important_question(client, org, hood_id):
    answers = valid_answers(hood_id, goals={"goals": ["study"]})
    answers.pop("main-goal")
    answer_until(client, org.slug, answers, stop="goals")
    response = answer(client, org.slug, "goals", answers["goals"])
    assert response.location.endswith(join_url(org.slug, "languages"))
    assert client.get(join_url(org.slug, "main-goal")).status_code == 303
    answer_until(client, org.slug, {k: v for k, v in answers.items()
                                    if STEPS.index(k) > STEPS.index("goals")})
    assert profile_of_email("amal@example.org").primary_goal == "study"


def test_progress_counts_the_steps_this_person_sees(client, org, hood_id):
    page = client.get(join_url(org.slug, "name")).get_data(as_text=True)
    assert "1 / 12" in page and 'aria-current="step"' in page
    answer_until(client, org.slug, valid_answers(hood_id, goals={"goals": ["work"]}),
                 stop="main-goal")
    assert "8 / 11" in client.get(join_url(org.slug, "languages")).get_data(as_text=True)


def test_languages_step_preselects_the_chosen_language(client, org, hood_id):
    client.get(join_url(org.slug, "name") + "?lang=uk")
    answer_until(client, org.slug, valid_answers(hood_id), stop="languages")
    page = client.get(join_url(org.slug, "languages")).get_data(as_text=True)
    assert re.search(r'value="uk" checked', page)
    assert not re.search(r'value="ar" checked', page)
    assert 'lang="prs" dir="rtl">دری<' in page  # Dari by its own name


# -- order, back and keeping data ------------------------------------------------------------

@pytest.mark.parametrize("step", ["contact", "times", "languages", "consent", "password"])
def test_a_later_step_without_the_earlier_ones_goes_to_the_first_missing(client, org, step):
    response = client.post(join_url(org.slug, step), data={"agree": "y", "nav": "next"})
    assert response.status_code == 303
    assert response.location.endswith(join_url(org.slug, "name"))
    assert count(ParticipantProfile) == 0


def test_skipping_ahead_goes_to_the_first_unanswered_step(client, org, hood_id):
    answer_until(client, org.slug, valid_answers(hood_id), stop="neighbourhood")
    for method in (client.get, client.post):
        response = method(join_url(org.slug, "dutch"))
        assert response.status_code == 303
        assert response.location.endswith(join_url(org.slug, "neighbourhood"))


def test_back_keeps_every_answer(client, org, hood_id):
    answers = valid_answers(hood_id)
    answer_until(client, org.slug, answers, stop="dutch")
    response = answer(client, org.slug, "dutch", {}, nav="back")  # nothing chosen yet
    assert response.status_code == 303 and response.location.endswith("/interests")
    assert 'value="music" checked' in client.get(join_url(org.slug, "interests")).get_data(
        as_text=True)
    contact = client.get(join_url(org.slug, "contact")).get_data(as_text=True)
    assert 'value="+31612345678"' in contact and 'value="amal@example.org"' in contact
    assert is_checked(contact, "share_phone") and not is_checked(contact, "share_email")
    assert 'value="Amal"' in client.get(join_url(org.slug, "name")).get_data(as_text=True)
    assert 'value="wed-evening" checked' in client.get(join_url(org.slug, "times")).get_data(
        as_text=True)


def test_back_saves_a_valid_change_and_ignores_an_invalid_one(client, org, hood_id):
    answer_until(client, org.slug, valid_answers(hood_id), stop="neighbourhood")
    answer(client, org.slug, "contact", {"phone": "06 9999 0000"}, nav="back")
    assert 'value="+31699990000"' in client.get(join_url(org.slug, "contact")).get_data(
        as_text=True)
    response = answer(client, org.slug, "contact", {"phone": "12"}, nav="back")
    assert response.status_code == 303 and response.location.endswith("/name")
    assert 'value="+31699990000"' in client.get(join_url(org.slug, "contact")).get_data(
        as_text=True)


def test_back_on_the_first_step_returns_to_the_language_choice(client, org):
    response = answer(client, org.slug, "name", {"first_name": "Amal"}, nav="back")
    assert response.location.endswith(join_url(org.slug))
    page = client.get(join_url(org.slug)).get_data(as_text=True)
    assert "You already started" in page and f'href="/o/{org.slug}/join/contact"' in page


def test_start_again_deletes_the_unfinished_answers(client, org):
    answer(client, org.slug, "name", {"first_name": "Amal"})
    response = client.post(join_url(org.slug))
    assert response.status_code == 303
    assert 'value="Amal"' not in client.get(join_url(org.slug, "name")).get_data(as_text=True)


def test_password_can_be_kept_or_skipped_when_coming_back(client, org, hood_id):
    answer_until(client, org.slug, valid_answers(hood_id), stop="consent")
    page = client.get(join_url(org.slug, "password")).get_data(as_text=True)
    assert "already chose a password" in page and STRONG_PASSWORD not in page
    assert answer(client, org.slug, "password", {}).status_code == 303  # empty: keep it
    answer(client, org.slug, "consent", {"agree": "y"})
    assert profile_of_email("amal@example.org") is not None
    assert client.get("/me").status_code == 200


def test_enter_key_default_button_is_next(client, org):
    page = client.get(join_url(org.slug, "name")).get_data(as_text=True)
    form = page[page.index("<form"):]
    first_button = re.search(r"<button[^>]*>", form).group(0)
    assert 'value="next"' in first_button and "hidden" in first_button


# -- privacy of the unfinished sign-up --------------------------------------------------------

def decoded_session(client, app) -> dict:
    """Decode the session cookie as anyone holding the device could (it is only signed)."""
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    return app.session_interface.get_signing_serializer(app).loads(cookie.value)


def test_answers_stay_on_the_server_not_in_the_cookie(client, app, org, hood_id):
    answer_until(client, org.slug, valid_answers(hood_id), stop="consent")
    session = json.dumps(decoded_session(client, app), ensure_ascii=False)
    for secret in ("Amal", "amal@example.org", "+31612345678", "argon2"):
        assert secret not in session
    assert "participant_draft" in session


def test_finishing_deletes_the_draft(client, app, org, hood_id):
    answer_until(client, org.slug, valid_answers(hood_id), stop="consent")
    (draft,) = db.session.scalars(select(SignupDraft)).all()
    assert draft.kind == "participant" and draft.data["first_name"] == "Amal"
    answer(client, org.slug, "consent", {"agree": "y"})
    db.session.expire_all()
    assert db.session.scalars(select(SignupDraft)).all() == []
    assert "participant_draft" not in decoded_session(client, app)


def test_done_page_needs_a_finished_sign_up(client, org):
    response = client.get(join_url(org.slug, "done"))
    assert response.status_code == 302 and response.location.endswith(join_url(org.slug))


def test_signed_in_people_are_not_signed_up_again(client, login, org):
    login(f.make_user("coordinator", org, locale="en"))
    response = client.get(join_url(org.slug, "name"))
    assert response.status_code == 302 and response.location.endswith(join_url(org.slug))
    assert "log out first" in client.get(join_url(org.slug)).get_data(as_text=True)


# -- duplicates: no enumeration ------------------------------------------------------------------

@pytest.mark.parametrize("same_org", [True, False])
def test_contact_in_use_is_not_revealed_and_not_stored(client, org, hood_id, same_org):
    owner = f.make_user("volunteer", org if same_org else f.make_org(),
                        email="amal@example.org", phone="+31612345678")
    answer_until(client, org.slug, valid_answers(hood_id), stop="consent")
    response = answer(client, org.slug, "consent", {"agree": "y"})
    assert response.status_code == 303 and response.location.endswith("/join/done")
    page = client.get(join_url(org.slug, "done")).get_data(as_text=True)
    assert "already" not in page and "in use" not in page
    db.session.remove()
    profile = db.session.scalar(select(ParticipantProfile).where(
        ParticipantProfile.first_name == "Amal"))
    user = db.session.get(User, profile.user_id)
    assert (user.email, user.phone) == (None, None)
    notes = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "participant.contact_in_use").order_by(AuditEvent.id)).all()
    assert [n.details["field"] for n in notes] == ["email", "phone"]
    expected_owner = owner.id if same_org else None
    assert {n.details["existing_user_id"] for n in notes} == {expected_owner}
    assert all(n.organisation_id == org.id and n.target_id == profile.id for n in notes)
    sent = db.session.scalars(select(OutboxMessage)).all()  # no proof, only notices
    assert {(m.kind, m.user_id) for m in sent} == {("contact_attempt", owner.id)}


# -- mass assignment ------------------------------------------------------------------------

def test_extra_fields_cannot_set_role_organisation_or_status(client, org, hood_id):
    other = f.make_org()
    extra = {"role": "admin", "organisation_id": str(other.id), "status": "matched",
             "radius_km": "99", "barriers": "health", "registered_by_id": "1",
             "active": "n", "locale": "xx", "rematch_priority": "y", "user_id": "1"}
    answers = {step: {**data, **extra} for step, data in valid_answers(hood_id).items()}
    answer_until(client, org.slug, answers)
    profile = profile_of_email("amal@example.org")
    user = db.session.get(User, profile.user_id)
    assert (user.role, user.organisation_id, user.active) == ("participant", org.id, True)
    assert user.locale == "en"  # the request's language, not the posted "xx"
    assert (profile.organisation_id, profile.status, profile.radius_km) == (org.id, "waiting", 3)
    assert profile.barriers == [] and profile.rematch_priority is False


def test_a_neighbourhood_of_another_organisation_is_refused(client, org, hood_id):
    foreign = f.make_org().neighbourhoods[0]
    answer_until(client, org.slug, valid_answers(hood_id), stop="neighbourhood")
    response = answer(client, org.slug, "neighbourhood", {"neighbourhood_id": str(foreign.id)})
    assert response.status_code == 422
    assert "Please choose your neighbourhood." in response.get_data(as_text=True)
