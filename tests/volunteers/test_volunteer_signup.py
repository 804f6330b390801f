"""Volunteer sign-up: six steps, validation next to each field, Back, the finished
account, the duplicate-address path without enumeration, and names in any script."""

import html
import re

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from buddy.extensions import db
from buddy.models import (
    ConsentRecord,
    OutboxMessage,
    SignupDraft,
    User,
    UserSession,
    VolunteerProfile,
)
from buddy.vocab import GOALS, INTERESTS, mask_from_keys, slot_index
from buddy.volunteers.wizard import DRAFT_KIND
from tests import factories as f
from tests.conftest import html_attr


def field_error(page: bytes, field_id: str) -> str | None:
    """Return the error text shown next to the field with ``field_id``."""
    found = re.search(rf'<p class="field-error" id="{field_id}-error">(.*?)</p>',
                      page.decode(), re.S)
    return html.unescape(found.group(1)).strip() if found else None


def input_value(page: bytes, name: str) -> str | None:
    found = re.search(rf'<input[^>]*\bname="{name}"[^>]*\bvalue="([^"]*)"', page.decode())
    return html.unescape(found.group(1)) if found else None


def checked_values(page: bytes, name: str) -> set[str]:
    return set(re.findall(rf'name="{name}" value="([^"]*)" checked', page.decode()))


def main_part(page: bytes) -> str:
    text = page.decode()
    return text[text.index("<main"):text.index("</main>")]


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# ---------------------------------------------------------------- pages and steps

@pytest.mark.parametrize("path", ["/o/nope/volunteer/signup", "/o/nope/volunteer/signup/about",
                                  "/o/nope/volunteer/welcome", "/o/nope/volunteer/code-of-conduct"])
def test_unknown_organisation_is_404(client, path):
    assert client.get(path).status_code == 404


def test_unknown_step_is_404(client, signup_url):
    assert client.get(signup_url("payment")).status_code == 404


def test_signup_starts_at_the_account_step_with_progress(client, signup_url):
    response = client.get(signup_url())
    assert response.status_code == 302 and response.headers["Location"].endswith("/account")
    page = client.get(signup_url("account"))
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert '<ol class="progress"' in text and 'aria-current="step"' in text
    assert "Step 1 of 6" in text
    assert "<script>" not in text and " style=" not in text


@pytest.mark.parametrize(("lang", "direction"), [("ar", "rtl"), ("nl", "ltr"), ("fa", "rtl")])
def test_signup_page_has_language_and_direction(client, signup_url, lang, direction):
    page = client.get(signup_url("account", lang=lang))
    assert html_attr(page.data, "html", "lang") == lang
    assert html_attr(page.data, "html", "dir") == direction
    assert input_value(page.data, "email") is None or 'dir="ltr"' in page.get_data(as_text=True)


def test_later_steps_cannot_be_skipped(client, signup_url, fill_steps):
    assert client.get(signup_url("interests")).headers["Location"].endswith("/account")
    fill_steps("availability")
    response = client.get(signup_url("agreements"))
    assert response.headers["Location"].endswith("/availability")
    assert client.post(signup_url("agreements"), data={}).headers["Location"].endswith(
        "/availability")


def test_progress_text_names_the_step(client, signup_url, fill_steps):
    fill_steps("about")
    text = client.get(signup_url("about")).get_data(as_text=True)
    assert "Step 2 of 6: About you" in text


def test_code_of_conduct_is_public_and_versioned(client, org, app):
    page = client.get(f"/o/{org.slug}/volunteer/code-of-conduct")
    assert page.status_code == 200
    assert app.config["CODE_OF_CONDUCT_VERSION"].encode() in page.data


def test_signed_in_users_are_sent_to_their_own_page(client, login, org, signup_url):
    login(f.make_volunteer(org).user)
    response = client.get(signup_url("account"))
    assert response.status_code == 302 and response.headers["Location"].endswith("/volunteer")


# ---------------------------------------------------------------- validation per step

@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"email": ""}, "email", "Please fill in your e-mail address."),
    ({"email": "not-an-address"}, "email", "valid e-mail address"),
    ({"email": "a" * 250 + "@example.org"}, "email", "This is too long."),
    ({"password": ""}, "password", "Please choose a password."),
    ({"password": "too short"}, "password", "Use at least 12 characters."),
    ({"password": "111111111111"}, "password", "too common"),
    ({"password": "x" * 129}, "password", "Use at most 128 characters."),
])
def test_account_step_rules(client, signup_url, steps, changes, field, message):
    data = {**steps["account"], **changes}
    response = client.post(signup_url("account", lang="en"), data=data)
    assert response.status_code == 422
    assert message in field_error(response.data, field)
    assert b'class="error-summary"' in response.data
    assert f'href="#{field}"'.encode() in response.data
    if field != "email":
        assert input_value(response.data, "email") == data["email"]


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"first_name": ""}, "first_name", "Please fill in your first name."),
    ({"first_name": "<b>Anne</b>"}, "first_name", "Please write only your name."),
    ({"first_name": "12345"}, "first_name", "Please write only your name."),
    ({"first_name": "x" * 101}, "first_name", "between 1 and 100"),
    ({"age_band": ""}, "age_band", "Please choose your age."),
    ({"gender": "q"}, "gender", "Please choose from the list."),
    ({"nl_level": "basic"}, "nl_level", "Please choose from the list."),
    ({"neighbourhood": "999999"}, "neighbourhood", "Please choose your neighbourhood."),
    ({"radius_km": "0"}, "radius_km", "from 1 to 25"),
    ({"radius_km": "26"}, "radius_km", "from 1 to 25"),
    ({"radius_km": "five"}, "radius_km", "whole number"),
    ({"meeting_modes": []}, "meeting_modes", "at least one way to meet"),
    ({"meeting_modes": ["by_pigeon"]}, "meeting_modes", "Please choose from the list."),
    ({"lang_1": "ar", "level_1": ""}, "level_1", "how well you speak it"),
    ({"lang_1": "", "level_1": "good"}, "lang_1", "Please choose the language."),
    ({"lang_2": "ar", "level_2": "basic"}, "lang_2", "twice"),
    ({"lang_1": "xx"}, "lang_1", "Please choose from the list."),
    ({"level_1": "fluent"}, "level_1", "Please choose from the list."),
])
def test_about_step_rules(client, signup_url, fill_steps, steps, changes, field, message):
    fill_steps("about")
    data = {**steps["about"], **changes}
    response = client.post(signup_url("about", lang="en"), data=data)
    assert response.status_code == 422
    assert message in field_error(response.data, field)
    if field != "first_name":
        assert input_value(response.data, "first_name") == "Anne"


def test_neighbourhood_of_another_organisation_is_refused(client, signup_url, fill_steps,
                                                         steps):
    other = f.make_org()
    foreign = f.make_neighbourhood(other, name="Elders")
    fill_steps("about")
    response = client.post(signup_url("about", lang="en"),
                           data={**steps["about"], "neighbourhood": str(foreign.id)})
    assert response.status_code == 422
    assert "Please choose your neighbourhood." in field_error(response.data, "neighbourhood")


def test_about_step_lists_languages_by_name_in_the_readers_language(client, signup_url,
                                                                   fill_steps):
    fill_steps("about")
    text = client.get(signup_url("about", lang="en")).get_data(as_text=True)
    assert ">Arabic<" in text and ">Tigrinya<" in text and ">Ukrainian<" in text
    assert ">Overvecht<" in text
    text_nl = client.get(signup_url("about", lang="nl")).get_data(as_text=True)
    assert ">Arabisch<" in text_nl


@pytest.mark.parametrize(("data", "message"), [
    ({}, "at least one part of the week"),
    ({"availability": ["mon-night"]}, "Please choose from the list."),
])
def test_availability_step_rules(client, signup_url, fill_steps, data, message):
    fill_steps("availability")
    response = client.post(signup_url("availability", lang="en"), data=data)
    assert response.status_code == 422
    assert message in field_error(response.data, "availability")


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"support": []}, "support", "at least one kind of support"),
    ({"support": ["cooking"]}, "support", "Please choose from the list."),
    ({"interests": ["skydiving"]}, "interests", "Please choose from the list."),
    ({"occupation": "x" * 121}, "occupation", "at most 120 characters"),
    ({"capacity": "4"}, "capacity", "Please choose from the list."),
    ({"commitment_months": "3"}, "commitment_months", "Please choose from the list."),
    ({"entrepreneur": "maybe"}, "entrepreneur", "Please choose from the list."),
])
def test_interests_step_rules(client, signup_url, fill_steps, steps, changes, field, message):
    fill_steps("interests")
    data = {**steps["interests"], **changes}
    response = client.post(signup_url("interests", lang="en"), data=data)
    assert response.status_code == 422
    assert message in field_error(response.data, field)
    if field != "occupation":
        assert input_value(response.data, "occupation") == "Docent"


@pytest.mark.parametrize(("missing", "message"), [
    ("privacy", "agree to the privacy statement"),
    ("conduct", "agree to the code of conduct"),
    ("vog", "agree to the VOG check"),
    ("motivation", "a few words about why"),
])
def test_agreements_are_required(client, signup_url, fill_steps, steps, missing, message):
    fill_steps("agreements")
    data = {k: v for k, v in steps["agreements"].items() if k != missing}
    response = client.post(signup_url("agreements", lang="en"), data=data)
    assert response.status_code == 422
    assert message in field_error(response.data, missing)
    assert count(User) == 0


def test_agreements_link_the_privacy_statement_and_code_of_conduct(client, signup_url,
                                                                  fill_steps, org):
    fill_steps("agreements")
    text = client.get(signup_url("agreements")).get_data(as_text=True)
    assert 'href="/privacy"' in text
    assert f'href="/o/{org.slug}/volunteer/code-of-conduct"' in text


@pytest.mark.parametrize(("step", "field", "value"), [
    ("account", "email", "x" * 20_000 + "@example.org"),
    ("about", "first_name", "ሰ" * 5_000),
    ("about", "radius_km", "9" * 5_000),
    ("interests", "occupation", "Ω" * 10_000),
    ("agreements", "motivation", "long text " * 5_000),
])
def test_over_long_input_gives_a_message_not_an_error(client, signup_url, fill_steps, steps,
                                                      step, field, value):
    fill_steps(step)
    response = client.post(signup_url(step, lang="en"), data={**steps[step], field: value})
    assert response.status_code == 422
    assert field_error(response.data, field)


# ---------------------------------------------------------------- back keeps what was typed

def test_back_keeps_typed_data_without_validating(client, signup_url, fill_steps, steps):
    fill_steps("availability")
    response = client.post(signup_url("availability"),
                           data={"availability": ["tue-morning", "sun-evening"], "back": "1"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/about")
    about = client.get(signup_url("about"))
    assert input_value(about.data, "first_name") == "Anne"
    assert checked_values(about.data, "meeting_modes") == {"in_person", "online"}
    half_done = {**steps["about"], "first_name": "Bea", "radius_km": "far", "back": "1"}
    assert client.post(signup_url("about"), data=half_done).status_code == 302
    again = client.get(signup_url("about"))
    assert input_value(again.data, "first_name") == "Bea"
    assert input_value(again.data, "radius_km") == "far"
    # the step after an unfinished one cannot be reached until it is fixed
    assert client.get(signup_url("availability")).headers["Location"].endswith("/about")
    assert client.post(signup_url("about"), data=steps["about"]).status_code == 302
    grid = client.get(signup_url("availability"))
    assert checked_values(grid.data, "availability") == {"tue-morning", "sun-evening"}


def test_back_to_account_keeps_the_password(client, signup_url, fill_steps, steps):
    fill_steps("about")
    client.post(signup_url("about"), data={"back": "1"})
    page = client.get(signup_url("account", lang="en"))
    assert input_value(page.data, "email") == steps["account"]["email"]
    assert b"Leave this empty to keep it." in page.data
    response = client.post(signup_url("account"), data={"email": "other@example.org"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/about")


def test_only_a_hash_of_the_password_is_kept_and_only_on_the_server(client, signup_url,
                                                                    fill_steps, steps):
    fill_steps("about")
    with client.session_transaction() as session:
        cookie = repr(dict(session))
    (draft,) = db.session.scalars(select(SignupDraft)).all()
    assert steps["account"]["password"] not in repr(draft.data)
    assert draft.data["password_hash"].startswith("$argon2id$")
    for secret in ("argon2", steps["account"]["email"], steps["account"]["password"]):
        assert secret not in cookie
    assert set(dict(session)) >= {f"{DRAFT_KIND}_draft"}


def test_a_long_motivation_is_kept_whole(client, signup_url, fill_steps, steps):
    fill_steps("agreements")
    data = {**steps["agreements"], "motivation": "🙂" * 1000, "back": "1"}
    assert client.post(signup_url("agreements"), data=data).status_code == 302
    db.session.expire_all()
    (draft,) = db.session.scalars(select(SignupDraft)).all()
    assert draft.data["steps"]["agreements"]["motivation"] == "🙂" * 1000


# ---------------------------------------------------------------- finishing

def finish(client, signup_url, steps, lang: str | None = None):
    if lang:
        client.get(signup_url("account", lang=lang))
    for name, data in steps.items():
        response = client.post(signup_url(name), data=data)
        assert response.status_code == 302, (name, response.status_code)
    return response


def test_finished_signup_creates_exactly_the_right_rows(client, app, org, signup_url, steps,
                                                         hood_id):
    response = finish(client, signup_url, steps, lang="ar")
    assert response.headers["Location"].endswith(f"/o/{org.slug}/volunteer/welcome")
    user = f.claimant("new.buddy@example.org")
    assert user.email is None  # counts only once the link sent to it is opened
    assert (count(User), count(VolunteerProfile)) == (1 + 0, 1)
    assert (user.role, user.organisation_id, user.locale) == ("volunteer", org.id, "ar")
    assert user.password_hash.startswith("$argon2id$")
    profile = db.session.scalar(select(VolunteerProfile).where(VolunteerProfile.user_id == user.id))
    assert (profile.first_name, profile.age_band, profile.gender) == ("Anne", "36-50", "f")
    assert profile.languages == ["nl", "ar"]
    assert profile.language_levels == {"nl": "native", "ar": "good"}
    assert (profile.neighbourhood_id, profile.radius_km) == (hood_id, 7)
    assert (profile.in_person, profile.online) == (True, True)
    assert profile.availability == (1 << slot_index("mon", "evening")) | (
        1 << slot_index("sat", "morning"))
    assert profile.interests == mask_from_keys(["cooking", "music"], INTERESTS)
    assert profile.support == mask_from_keys(["language", "work"], GOALS)
    assert (profile.occupation, profile.entrepreneur_experience) == ("Docent", True)
    assert (profile.capacity, profile.commitment_months) == (2, 18)
    assert profile.motivation == "Ik help graag mensen op weg."
    assert (profile.screening, profile.vog_status, profile.paused_until) == (
        "registered", "not_requested", None)
    consents = db.session.scalars(select(ConsentRecord).where(ConsentRecord.user_id == user.id)
                                  .order_by(ConsentRecord.purpose)).all()
    assert [(c.purpose, c.text_version, c.locale, c.method, c.withdrawn_at) for c in consents] == [
        ("code_of_conduct", app.config["CODE_OF_CONDUCT_VERSION"], "ar", "online", None),
        ("privacy", app.config["PRIVACY_VERSION"], "ar", "online", None),
        ("vog_check", app.config["CODE_OF_CONDUCT_VERSION"], "ar", "online", None),
    ]
    mails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.user_id == user.id)).all()
    assert [(m.kind, m.recipient, m.locale) for m in mails] == [
        ("verify_email", "new.buddy@example.org", "ar")]
    assert db.session.scalar(select(func.count()).select_from(UserSession)
                             .where(UserSession.user_id == user.id)) == 0  # not logged in
    assert f.confirm_address(client, "new.buddy@example.org").status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).email == "new.buddy@example.org"
    welcome = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "welcome_volunteer")).one()
    assert (welcome.recipient, welcome.locale) == ("new.buddy@example.org", "ar")
    assert "Anne" in welcome.body and "/volunteer" in welcome.body


def test_finished_signup_logs_in_only_after_the_address_is_confirmed(client, signup_url, steps,
                                                                     org):
    finish(client, signup_url, steps)
    with client.session_transaction() as session:
        assert f"{DRAFT_KIND}_draft" not in session
    assert client.get("/volunteer").status_code == 302  # nobody is logged in by a sign-up
    done = client.get(f"/o/{org.slug}/volunteer/welcome?lang=en")
    assert b"intake" in done.data and b'href="/toolkit/"' in done.data
    login = {"identifier": "new.buddy@example.org", "password": steps["account"]["password"]}
    assert client.post("/login", data=login).status_code == 200  # not yet confirmed
    f.confirm_address(client, "new.buddy@example.org")
    assert client.post("/login", data=login).status_code == 302
    page = client.get("/volunteer")
    assert page.status_code == 200 and b"<bdi>Anne</bdi>" in page.data




def test_taken_address_creates_nothing_and_mails_the_owner(client, app, org, signup_url,
                                                           steps_for):
    fresh = app.test_client()
    normal_done = finish(fresh, signup_url, steps_for("someone.else@example.org"))
    owner = f.make_user("participant", email="taken@example.org", locale="uk")
    users_before = count(User)
    duplicate = steps_for("  TAKEN@Example.org ")
    response = finish(client, signup_url, duplicate)
    assert response.headers["Location"] == normal_done.headers["Location"]
    assert count(User) == users_before and count(VolunteerProfile) == 1
    mails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.user_id == owner.id)).all()
    assert [(m.kind, m.recipient, m.locale) for m in mails] == [
        ("signup_attempt", "taken@example.org", "uk")]
    assert "/reset" in mails[0].body
    assert client.get("/volunteer").status_code == 302  # not logged in as anyone
    with client.session_transaction() as session:
        assert f"{DRAFT_KIND}_draft" not in session
    same_page_for_both = [main_part(c.get(response.headers["Location"] + "?lang=en").data)
                          for c in (client, fresh)]
    assert same_page_for_both[0] == same_page_for_both[1]


def test_taken_address_is_not_revealed_on_the_account_step(client, signup_url, steps):
    f.make_user("volunteer", email="taken@example.org")
    response = client.post(signup_url("account"),
                           data={**steps["account"], "email": "taken@example.org"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/about")


@pytest.mark.parametrize("name", ["A", "محمد", "ሰላም", "O'Brien-Smith", "Zoë & Jo"])
def test_names_in_any_script_are_accepted_and_shown_escaped(client, signup_url, steps, name):
    steps["about"]["first_name"] = name
    finish(client, signup_url, steps)
    profile = db.session.scalar(select(VolunteerProfile))
    assert profile.first_name == name
    f.login_as(client, db.session.get(User, profile.user_id))
    page = client.get("/volunteer").get_data(as_text=True)
    assert f"<bdi>{escape(name)}</bdi>" in page


def test_mass_assignment_is_ignored(client, org, signup_url, steps):
    other = f.make_org()
    extra = {"role": "admin", "organisation_id": str(other.id), "screening": "approved",
             "vog_status": "received", "user_id": "1", "active": "0", "paused_until": "",
             "locale": "xx", "totp_secret": "AAAA"}
    for name in steps:
        steps[name] = {**steps[name], **extra}
    finish(client, signup_url, steps)
    user = db.session.scalar(select(User))
    profile = db.session.scalar(select(VolunteerProfile))
    assert (user.role, user.organisation_id, user.active, user.totp_secret) == (
        "volunteer", org.id, True, None)
    assert (profile.organisation_id, profile.screening, profile.vog_status) == (
        org.id, "registered", "not_requested")


def test_finishing_is_rate_limited_per_address(app, signup_url, steps_for, monkeypatch):
    monkeypatch.setitem(app.config, "SIGNUP_LIMIT", "2 per hour")
    statuses = []
    for n in range(3):
        browser = app.test_client()
        steps = steps_for(f"person{n}@example.org")
        for name, data in steps.items():
            response = browser.post(signup_url(name), data=data)
        statuses.append(response.status_code)
    assert statuses == [302, 302, 429]
    assert count(User) == 2
