"""Without a text-message gateway (``SMS_BACKEND=off``) the coordinator confirms a
participant's phone number by calling it; a number that belongs to another account never
reaches the participant, and the coordinator gets the same answer either way."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from buddy.auth import contacts
from buddy.extensions import db
from buddy.models import AuditEvent, ContactClaim, OutboxMessage, ParticipantProfile, User
from tests import factories as f
from tests.factories import PASSWORD
from tests.participants.conftest import answer_until, join_url, valid_answers
from tests.participants.test_own_page import details_data


@pytest.fixture(autouse=True)
def no_texts(app, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_BACKEND", "off")


def _waiting_for_phone(app, org, phone: str, name: str = "Amal") -> ParticipantProfile:
    """A participant of ``org`` who asked for ``phone`` on their account."""
    profile = f.make_participant(org, first_name=name, user=f.make_user(
        "participant", org, phone=None, email=None, locale="ar"))
    with app.test_request_context():
        contacts.claim_contact(profile.user, "phone", phone, org.name)
        db.session.commit()
    return profile


def _hidden_claim(page: str) -> str:
    tag = re.search(r'<input[^>]*name="claim"[^>]*>', page).group(0)
    return re.search(r'value="(\d+)"', tag).group(1)


def _check(coord, profile_id: int, claim: str, ticked: bool = True):
    data = {"claim": claim, **({"checked": "y"} if ticked else {})}
    return coord.post(f"/coordinator/participants/{profile_id}/phone-check", data=data,
                      follow_redirects=True)


def _phone_of(profile_id: int) -> str | None:
    db.session.remove()
    return db.session.get(ParticipantProfile, profile_id).user.phone


def test_a_phone_only_sign_up_waits_for_the_coordinator_who_confirms_it(
        client, app, org, hood_id, coordinator, login):
    answers = valid_answers(hood_id, contact={"phone": "06 4444 5555", "share_phone": "y"})
    answer_until(client, org.slug, answers)
    done = client.get(join_url(org.slug, "done")).get_data(as_text=True)
    assert "coordinator will call you to check your phone number" in done
    assert "type the code" not in done
    me = client.get("/me").get_data(as_text=True)
    assert "Your coordinator will call you on" in me and "+31644445555" in me
    confirm = client.get("/me/details/confirm").get_data(as_text=True)
    assert "Your coordinator will call you to check" in confirm and 'name="code"' not in confirm
    db.session.remove()
    user = f.claimant("+31644445555")
    user_id, profile_id = user.id, db.session.scalar(select(ParticipantProfile.id).where(
        ParticipantProfile.user_id == user.id))
    assert user.phone is None
    assert db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.channel == "sms")).all() == []  # no text is queued without a gateway

    coord = login(db.session.get(User, coordinator.id), on=app.test_client())
    page = coord.get(f"/coordinator/participants/{profile_id}").get_data(as_text=True)
    assert "New phone number to check" in page and 'href="tel:+31644445555"' in page
    assert "Text messages are not sent" in page
    reply = _check(coord, profile_id, _hidden_claim(page))
    assert reply.status_code == 200
    assert "The check of the phone number is saved" in reply.get_data(as_text=True)
    assert "New phone number to check" not in reply.get_data(as_text=True)
    assert _phone_of(profile_id) == "+31644445555"
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "participant.phone_checked")).one()
    assert (event.actor_id, event.target_id) == (coordinator.id, profile_id)
    assert set(event.details) == {"claim_id"}  # ids only, never the number
    assert db.session.get(User, user_id).phone == "+31644445555"


def test_a_taken_number_never_reaches_the_account_and_the_answer_is_the_same(app, coord, org):
    f.make_user("volunteer", f.make_org(), phone="+31655550000")
    taken = _waiting_for_phone(app, org, "+31655550000", "Taken")
    free = _waiting_for_phone(app, org, "+31655551111", "Free")
    taken_id, free_id = taken.id, free.id
    pages = {pid: coord.get(f"/coordinator/participants/{pid}").get_data(as_text=True)
             for pid in (taken_id, free_id)}
    for pid, number in ((taken_id, "+31655550000"), (free_id, "+31655551111")):
        assert "New phone number to check" in pages[pid] and number in pages[pid]
    replies = {pid: _check(coord, pid, _hidden_claim(pages[pid])) for pid in pages}
    assert {r.status_code for r in replies.values()} == {200}
    flashes = {pid: re.findall(r"Thank you\.[^<]*", r.get_data(as_text=True))
               for pid, r in replies.items()}
    assert flashes[taken_id] == flashes[free_id] != []
    assert _phone_of(free_id) == "+31655551111"
    assert _phone_of(taken_id) is None
    db.session.remove()
    claim = db.session.scalars(select(ContactClaim).where(
        ContactClaim.value == "+31655550000")).one()
    assert claim.confirmed_at is None
    assert contacts.pending_phone(db.session.get(User, claim.user_id)) is None  # closed
    again = _check(coord, taken_id, str(claim.id))  # checking again changes nothing
    assert again.status_code == 200 and _phone_of(taken_id) is None
    assert db.session.scalars(select(OutboxMessage)).all() == []  # no text without a gateway


def test_the_check_needs_the_tick_and_the_claim_of_this_participant(app, coord, org):
    one = _waiting_for_phone(app, org, "+31666660001", "One")
    two = _waiting_for_phone(app, org, "+31666660002", "Two")
    one_id, two_id = one.id, two.id
    page = coord.get(f"/coordinator/participants/{one_id}").get_data(as_text=True)
    claim = _hidden_claim(page)
    unticked = _check(coord, one_id, claim, ticked=False)
    assert "Please tick the box to confirm." in unticked.get_data(as_text=True)
    assert _phone_of(one_id) is None
    other_page = coord.get(f"/coordinator/participants/{two_id}").get_data(as_text=True)
    _check(coord, one_id, _hidden_claim(other_page))  # Two's claim on One's page
    assert (_phone_of(one_id), _phone_of(two_id)) == (None, None)
    for bad in ("", "abc", "99999999", "-1"):
        assert _check(coord, one_id, bad).status_code == 200
    assert _phone_of(one_id) is None


def test_a_newer_number_replaces_the_one_the_coordinator_saw(app, coord, org):
    profile = _waiting_for_phone(app, org, "+31677770001")
    profile_id = profile.id
    page = coord.get(f"/coordinator/participants/{profile_id}").get_data(as_text=True)
    old_claim = _hidden_claim(page)
    db.session.remove()
    with app.test_request_context():
        user = db.session.get(ParticipantProfile, profile_id).user
        contacts.claim_contact(user, "phone", "+31677770002")
        db.session.commit()
    _check(coord, profile_id, old_claim)  # the coordinator called the old number
    assert _phone_of(profile_id) is None


def test_a_waiting_number_expires_and_no_code_can_confirm_it(app, org, clock):
    profile = _waiting_for_phone(app, org, "+31688880001")
    user = db.session.get(User, profile.user_id)
    with app.test_request_context():
        assert contacts.pending_phone(user) is not None
        for code in ("000000", "123456", "999999"):
            assert contacts.confirm_phone_code(user, code) is None  # no code exists
        clock.shift(timedelta(days=contacts.COORDINATOR_DAYS, seconds=1))
        assert contacts.pending_phone(user) is None
        claim = db.session.scalars(select(ContactClaim)).one()
        assert contacts.confirm_phone_by_coordinator(user, claim.id) is False
    assert user.phone is None


def test_changing_the_phone_number_tells_the_participant_the_coordinator_calls(
        client, login, org, app):
    user = f.make_user("participant", org, locale="en", email="sara@example.org",
                       phone="+31611113333")
    profile = f.make_participant(org, user=user, first_name="Sara")
    f.make_consent(user, purpose="privacy")
    profile_id = profile.id

    login(user)
    response = client.post("/me/details", data=details_data(
        profile, phone="0611114444", email="sara@example.org", share_phone=None,
        current_password=PASSWORD), follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.request.path == "/me"
    assert "Your coordinator will call you to check your new phone number" in page
    assert "Your coordinator will call you on" in page and "+31611114444" in page
    assert _phone_of(profile_id) == "+31611113333"  # the old number stays until the check
