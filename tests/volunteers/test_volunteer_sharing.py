"""Volunteers share nothing unless they choose to, at sign-up and on their profile; the
consent ledger records the choice; the match page and the introductions show only what
each side consented to share."""

import pytest
from sqlalchemy import select

from buddy import clock
from buddy.extensions import db
from buddy.lifecycle import services as match_services
from buddy.models import ConsentRecord, OutboxMessage, User, VolunteerProfile
from buddy.privacy.services import has_live_consent, withdraw_consent
from tests import factories as f
from tests.volunteers.test_volunteer_page import profile_data


def _volunteer_of(email):
    user = f.claimant(email)
    return user, db.session.scalar(select(VolunteerProfile).where(
        VolunteerProfile.user_id == user.id))


def test_signup_shares_nothing_unless_chosen(client, signup_url, fill_steps, steps):
    fill_steps("agreements")
    assert 'name="share_email"' in client.get(signup_url("agreements")).get_data(as_text=True)
    assert client.post(signup_url("agreements"), data=steps["agreements"]).status_code == 302
    user, profile = _volunteer_of("new.buddy@example.org")
    assert (profile.share_email, profile.share_phone) == (False, False)
    assert not has_live_consent(user, "share_contact")


def test_signup_records_the_chosen_sharing_in_the_ledger(client, signup_url, fill_steps,
                                                         steps):
    fill_steps("agreements")
    data = {**steps["agreements"], "share_email": "y"}
    assert client.post(signup_url("agreements"), data=data).status_code == 302
    user, profile = _volunteer_of("new.buddy@example.org")
    assert (profile.share_email, profile.share_phone) == (True, False)
    record = db.session.scalars(select(ConsentRecord).where(
        ConsentRecord.user_id == user.id, ConsentRecord.purpose == "share_contact")).one()
    assert record.withdrawn_at is None and record.text_version


def test_the_profile_changes_sharing_and_the_ledger_follows(client, login, org, hood_id):
    volunteer = f.make_volunteer(org)
    user = db.session.get(User, volunteer.user_id)
    login(user)
    page = client.get("/volunteer/profile").get_data(as_text=True)
    assert 'name="share_email"' in page and 'name="share_phone"' in page
    data = profile_data(hood_id, share_email="y", share_phone="y")
    assert client.post("/volunteer/profile", data=data).status_code == 302
    db.session.expire_all()
    saved = db.session.get(VolunteerProfile, volunteer.id)
    assert (saved.share_email, saved.share_phone) == (True, True)
    assert has_live_consent(user, "share_contact")
    assert client.post("/volunteer/profile", data=profile_data(hood_id)).status_code == 302
    db.session.expire_all()
    saved = db.session.get(VolunteerProfile, volunteer.id)
    assert (saved.share_email, saved.share_phone) == (False, False)
    assert not has_live_consent(user, "share_contact")
    history = db.session.scalars(select(ConsentRecord).where(
        ConsentRecord.user_id == user.id, ConsentRecord.purpose == "share_contact")).all()
    assert len(history) == 1 and history[0].withdrawn_at is not None


def test_a_new_profile_shares_nothing_by_default(org):
    volunteer = f.make_volunteer(org)
    assert (volunteer.share_email, volunteer.share_phone) == (False, False)


# -- what the other side sees ---------------------------------------------------------------

@pytest.fixture
def quiet_pair(org):
    """A match of two people who chose to share nothing."""
    v_user = f.make_user("volunteer", org, email="anne.quiet@example.org",
                         phone="+31622220000", locale="en")
    p_user = f.make_user("participant", org, email="fatima.quiet@example.org",
                         phone="+31611110000", locale="en")
    volunteer = f.make_volunteer(org, user=v_user)
    participant = f.make_participant(org, user=p_user)
    f.make_consent(p_user, purpose="privacy")
    match = f.make_match(participant, volunteer, status="approved", approved_at=clock.now())
    return match, participant, volunteer


def _pages(login, match, participant, volunteer):
    client = login(db.session.get(User, participant.user_id))
    as_participant = client.get(f"/match/{match.id}").get_data(as_text=True)
    client = login(db.session.get(User, volunteer.user_id))
    as_volunteer = client.get(f"/match/{match.id}").get_data(as_text=True)
    return as_participant, as_volunteer


SECRETS = ("anne.quiet@example.org", "+31622220000", "fatima.quiet@example.org",
           "+31611110000")


def test_nothing_consented_nothing_shown_on_either_match_page(login, quiet_pair):
    match, participant, volunteer = quiet_pair
    as_participant, as_volunteer = _pages(login, match, participant, volunteer)
    for page in (as_participant, as_volunteer):
        for secret in SECRETS:
            assert secret not in page


def test_flags_without_a_live_consent_share_nothing(login, quiet_pair):
    match, participant, volunteer = quiet_pair
    volunteer.share_email = participant.share_phone = True  # e.g. old rows: flag, no consent
    db.session.commit()
    as_participant, as_volunteer = _pages(login, match, participant, volunteer)
    assert "anne.quiet@example.org" not in as_participant
    assert "+31611110000" not in as_volunteer


def test_each_side_sees_exactly_what_the_other_consented_to(login, quiet_pair):
    match, participant, volunteer = quiet_pair
    for profile, email, phone in ((volunteer, True, False), (participant, False, True)):
        user = db.session.get(User, profile.user_id)
        f.make_consent(user, purpose="share_contact")
        profile.share_email, profile.share_phone = email, phone
    db.session.commit()
    as_participant, as_volunteer = _pages(login, match, participant, volunteer)
    assert "anne.quiet@example.org" in as_participant and "+31622220000" not in as_participant
    assert "+31611110000" in as_volunteer and "fatima.quiet@example.org" not in as_volunteer
    withdraw_consent(db.session.get(User, volunteer.user_id), "share_contact", actor=None)
    db.session.commit()
    as_participant, _ = _pages(login, match, participant, volunteer)
    assert "anne.quiet@example.org" not in as_participant


def test_introductions_carry_only_consented_details(app_ctx, quiet_pair):
    match, participant, volunteer = quiet_pair
    f.make_consent(db.session.get(User, volunteer.user_id), purpose="share_contact")
    volunteer.share_email = True
    db.session.flush()
    with app_ctx.test_request_context():
        match_services.introduce(match, participant, volunteer)
    db.session.flush()
    messages = {m.recipient: m.body for m in db.session.scalars(select(OutboxMessage))}
    to_participant = messages["fatima.quiet@example.org"]
    to_volunteer = messages["anne.quiet@example.org"]
    assert "anne.quiet@example.org" in to_participant and "+31622220000" not in to_participant
    assert "fatima.quiet@example.org" not in to_volunteer and "+31611110000" not in to_volunteer
