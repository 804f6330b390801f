"""The step logic, the draft store and registration, called directly."""

from datetime import timedelta

from flask_babel import force_locale, gettext
from sqlalchemy import select

from buddy.extensions import db
from buddy.models import ContactClaim, OutboxMessage, User
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
        registration = services.register_participant(org, draft, "ar", page_url="http://x/me")
    assert (registration.user.email, registration.user.phone) == (None, None)
    mails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.channel == "email"))
    assert [(m.kind, m.recipient, m.user_id, m.locale) for m in mails] == [
        ("contact_attempt", "amal@example.org", owner.id, "tr")]  # no link to the address
    claim = db.session.scalars(select(ContactClaim).where(ContactClaim.kind == "email")).one()
    assert claim.value == "amal@example.org" and claim.user_id == registration.user.id


def test_welcome_mail_follows_the_confirmed_address_in_the_participants_language(
        client, org, hood_id):
    draft = {**COMPLETE, "neighbourhood_id": hood_id, "email": "noor@example.org"}
    with client.application.test_request_context():
        registration = services.register_participant(org, draft, "uk", page_url="http://x/me")
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
