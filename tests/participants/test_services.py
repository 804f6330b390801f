"""The step logic, the draft store and registration, called directly."""

from datetime import timedelta

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select

from buddy.errors import ActionRefused
from buddy.extensions import db
from buddy.models import ConsentRecord, ContactClaim, OutboxMessage, User
from buddy.participants import services
from buddy.vocab import ALL_SLOTS_MASK, GOALS, mask_from_keys
from tests import factories as f

COMPLETE = {
    "first_name": "Amal", "phone": "+31612345678", "email": None, "share_phone": True,
    "share_email": False, "neighbourhood_id": 7, "availability": 5, "interests": 0,
    "dutch_level": "A0", "goals": 0b11, "primary_goal": "work", "languages": ["ar"],
    "gender_pref": "any", "password_choice": "skipped",
}


# -- step logic ----------------------------------------------------------------------------------

def test_first_unanswered_walks_the_steps_in_order():
    assert services.first_unanswered({}, [7]) == "name"
    assert services.first_unanswered({"first_name": "A"}, [7]) == "contact"
    assert services.first_unanswered(COMPLETE, [7]) == "consent"
    assert services.first_unanswered(COMPLETE, [8]) == "neighbourhood"  # no longer there
    assert services.first_unanswered({**COMPLETE, "availability": ALL_SLOTS_MASK + 1},
                                     [7]) == "times"


def test_main_goal_is_asked_only_with_several_goals():
    assert "main-goal" in services.steps_for({"goals": 0b11})
    assert "main-goal" not in services.steps_for({"goals": 0b100})
    assert services.may_open("main-goal", COMPLETE, [7])
    assert not services.may_open("main-goal", {**COMPLETE, "goals": 0b1}, [7])
    assert services.step_after("goals", {"goals": 0b1}) == "languages"
    assert services.step_before("languages", {"goals": 0b11}) == "main-goal"
    assert services.step_before("name", {}) is None
    assert services.step_after("consent", {}) is None


def test_changing_goals_keeps_the_primary_goal_only_if_still_chosen():
    draft = {"goals": 0b11, "primary_goal": "work"}
    one = services.apply_answers(draft, "goals", {"goals": mask_from_keys(["study"],
                                                                           GOALS)})
    assert one["primary_goal"] == "study"
    other = services.apply_answers(draft, "goals", {"goals": mask_from_keys(
        ["study", "social"], GOALS)})
    assert "primary_goal" not in other
    kept = services.apply_answers(draft, "goals", {"goals": mask_from_keys(
        ["work", "social"], GOALS)})
    assert kept["primary_goal"] == "work"


def test_the_password_is_hashed_kept_or_dropped():
    chosen = services.apply_answers({}, "password", {"password_choice": "set",
                                                     "password": "een lange zin hier"})
    assert chosen["password_hash"].startswith("$argon2id$") and "password" not in chosen
    kept = services.apply_answers(chosen, "password", {"password_choice": "keep"})
    assert kept["password_hash"] == chosen["password_hash"]
    assert kept["password_choice"] == "set"
    skipped = services.apply_answers(chosen, "password", {"password_choice": "skipped"})
    assert "password_hash" not in skipped


def test_language_names_in_their_own_script_and_the_readers(app_ctx):
    names = services.spoken_language_names("nl")
    assert (names["ar"].native, names["ar"].local, names["ar"].direction) == (
        "العربية", "Arabisch", "rtl")
    assert (names["prs"].native, names["prs"].local, names["prs"].direction) == (
        "دری", "Dari", "rtl")
    assert (names["ti"].native, names["ti"].direction) == ("ትግርኛ", "ltr")
    assert services.spoken_language_names("ar")["nl"].local == "الهولندية"


# -- registration ---------------------------------------------------------------------------------

def test_a_taken_address_is_claimed_but_can_never_be_confirmed(app_ctx, org, hood_id):
    owner = f.make_user("participant", org, email="amal@example.org", locale="tr")
    draft = {**COMPLETE, "neighbourhood_id": hood_id, "email": "amal@example.org",
             "share_email": True}
    with app_ctx.test_request_context():
        registration = services.sign_up(org, draft, "ar", page_url="http://x/me")
    assert (registration.user.email, registration.user.phone) == (None, None)
    mails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.channel == "email"))
    assert [(m.kind, m.recipient, m.user_id, m.locale) for m in mails] == [
        ("contact_attempt", "amal@example.org", owner.id, "tr")]  # no link to the address
    claim = db.session.scalars(select(ContactClaim).where(ContactClaim.kind == "email")).one()
    assert claim.value == "amal@example.org" and claim.user_id == registration.user.id


def test_a_contact_in_use_is_left_out_or_refused_as_asked(app_ctx):
    """The one decision both registrations share: the sign-up leaves it out, intake refuses."""
    assert services.contact_to_store("a@example.org", "+31612345678", ["phone"],
                                     services.LEAVE_OUT) == ("a@example.org", None)
    assert services.contact_to_store("a@example.org", None, [],
                                     services.REFUSE) == ("a@example.org", None)
    with app_ctx.test_request_context(), pytest.raises(ActionRefused, match="al gebruikt"):
        services.contact_to_store("a@example.org", None, ["email"], services.REFUSE)


def test_one_registration_serves_self_sign_up_and_intake(app_ctx, org, hood_id):
    coordinator = f.make_user("coordinator", org)
    values = {**services._profile_values({**COMPLETE, "neighbourhood_id": hood_id}),
              "share_email": False, "share_phone": True}
    at_intake = services.register_participant(
        org, services.NewAccount(email=None, phone="+31687654321", locale="ti"), values,
        method="verbal", if_contact_in_use=services.REFUSE, actor=coordinator)
    consents = db.session.scalars(select(ConsentRecord).where(
        ConsentRecord.user_id == at_intake.user.id).order_by(ConsentRecord.purpose)).all()
    assert [(c.purpose, c.method, c.actor_id) for c in consents] == [
        ("privacy", "verbal", coordinator.id), ("share_contact", "verbal", coordinator.id)]
    assert at_intake.profile.registered_by_id == coordinator.id
    assert (at_intake.profile.share_email, at_intake.profile.share_phone) == (False, True)
    with app_ctx.test_request_context(), pytest.raises(ActionRefused):  # again, at intake
        services.register_participant(
            org, services.NewAccount(email=None, phone="+31687654321", locale="ti"), values,
            method="verbal", if_contact_in_use=services.REFUSE, actor=coordinator)
    online = services.register_participant(  # ... and left out at sign-up
        org, services.NewAccount(email=None, phone="+31687654321", locale="ar"), values,
        method="online", if_contact_in_use=services.LEAVE_OUT)
    assert online.contact_in_use == ["phone"] and online.user.phone is None
    assert online.profile.share_phone is False and online.profile.registered_by_id is None
    assert {c.method for c in db.session.scalars(select(ConsentRecord).where(
        ConsentRecord.user_id == online.user.id))} == {"online"}


def test_an_address_taken_at_the_last_moment_is_refused_at_intake(app_ctx, org, hood_id,
                                                                   monkeypatch):
    f.make_user("participant", org, email="amal@example.org")
    monkeypatch.setattr(services, "contact_in_use", lambda *args, **kwargs: [])
    values = services._profile_values({**COMPLETE, "neighbourhood_id": hood_id})
    with app_ctx.test_request_context(), pytest.raises(ActionRefused):
        services.register_participant(
            org, services.NewAccount(email="amal@example.org", phone=None, locale="nl"),
            values, method="verbal", if_contact_in_use=services.REFUSE,
            actor=f.make_user("coordinator", org))


def test_welcome_mail_follows_the_confirmed_address_in_the_participants_language(
        client, org, hood_id):
    draft = {**COMPLETE, "neighbourhood_id": hood_id, "email": "noor@example.org"}
    with client.application.test_request_context():
        registration = services.sign_up(org, draft, "uk", page_url="http://x/me")
        user_id = registration.user.id
        db.session.commit()
    proof = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.channel == "email")).one()
    assert (proof.locale, proof.kind, proof.recipient) == ("uk", "verify_email",
                                                           "noor@example.org")
    assert f.confirm_address(client, "noor@example.org").status_code == 302
    mail = db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.user_id == user_id, OutboxMessage.kind == "welcome_participant"))
    assert mail.locale == "uk" and mail.recipient == "noor@example.org"
    assert "Amal" in mail.body and org.name in mail.body
    assert "/me" not in mail.body  # no password: nothing to log in to
    with client.application.test_request_context(), force_locale("uk"):
        assert gettext("Hello %(name)s,", name="Amal").rstrip(",!") in mail.body
    assert "coordinator will help you" not in mail.body  # not the English source


def test_overview_counts_whole_days_on_the_waiting_list(app_ctx, org):
    profile = f.make_participant(org)
    later = profile.waiting_since + timedelta(days=3, hours=23)
    summary = services.overview(db.session.get(User, profile.user_id), now=later)
    assert summary.days_waiting == 3 and summary.buddy_name is None
    assert summary.neighbourhood == "Centrum"
