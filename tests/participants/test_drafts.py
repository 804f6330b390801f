"""Sign-up drafts in the database: both wizards keep answers on the server, expire by the
app's clock, are capped per client address, and leave nothing personal in any cookie."""

import json
from datetime import timedelta

from sqlalchemy import func, select

from buddy import drafts
from buddy.extensions import db
from buddy.models import SignupDraft
from tests import factories as f
from tests.participants.conftest import STRONG_PASSWORD, answer, join_url, valid_answers
from tests.volunteers.conftest import PASSWORD, valid_steps

PERSONAL = ("Amal", "amal@example.org", "612345678", "Anne", "new.buddy@example.org",
            "Docent", "Ik help graag", STRONG_PASSWORD, PASSWORD, "argon2")


def count_drafts() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(SignupDraft.id)))


def decoded_cookies(app, response) -> list[str]:
    """Decode every cookie ``response`` sets, as anyone holding the device could."""
    serializer = app.session_interface.get_signing_serializer(app)
    decoded = []
    for header in response.headers.getlist("Set-Cookie"):
        value = header.split(";", 1)[0].split("=", 1)[1]
        if header.startswith(app.config["SESSION_COOKIE_NAME"] + "=") and value:
            decoded.append(json.dumps(serializer.loads(value), ensure_ascii=False))
        else:
            decoded.append(value)
    return decoded


def volunteer_url(org, step: str | None = None) -> str:
    return f"/o/{org.slug}/volunteer/signup" + (f"/{step}" if step else "")


def test_no_cookie_set_during_either_wizard_holds_personal_data(app, client, org, hood_id):
    responses = [client.get(join_url(org.slug, "name"))]
    for step, data in valid_answers(hood_id).items():
        responses.append(answer(client, org.slug, step, data))
        responses.append(client.get(join_url(org.slug, step)))
    volunteer = app.test_client()
    for step, data in valid_steps(hood_id).items():
        responses.append(volunteer.get(volunteer_url(org, step)))
        responses.append(volunteer.post(volunteer_url(org, step), data=data))
    cookies = [c for r in responses for c in decoded_cookies(app, r)]
    assert cookies, "the wizards set a session cookie"
    for cookie in cookies:
        for secret in PERSONAL:
            assert secret.lower() not in cookie.lower(), secret


def test_both_wizards_keep_their_answers_in_the_database(app, client, org, hood_id):
    answer(client, org.slug, "name", {"first_name": "Amal"})
    volunteer = app.test_client()
    volunteer.post(volunteer_url(org, "account"), data=valid_steps(hood_id)["account"])
    kept = {d.kind: d.data for d in db.session.scalars(select(SignupDraft))}
    assert kept["participant"]["first_name"] == "Amal"
    assert kept["volunteer"]["steps"]["account"]["email"] == "new.buddy@example.org"
    assert kept["volunteer"]["password_hash"].startswith("$argon2id$")


def test_a_draft_expires_by_the_clock_and_is_purged(app, client, org, hood_id, clock):
    answer(client, org.slug, "name", {"first_name": "Amal"})
    clock.shift(timedelta(hours=drafts.DRAFT_HOURS - 1))
    assert 'value="Amal"' in client.get(join_url(org.slug, "name")).get_data(as_text=True)
    answer(client, org.slug, "name", {"first_name": "Amal"})  # a change keeps it alive
    clock.shift(timedelta(hours=drafts.DRAFT_HOURS - 1))
    assert count_drafts() == 1
    assert app.test_cli_runner().invoke(args=["purge-expired"]).exit_code == 0
    assert count_drafts() == 1
    clock.shift(timedelta(hours=2))
    assert "Amal" not in client.get(join_url(org.slug, "name")).get_data(as_text=True)
    result = app.test_cli_runner().invoke(args=["purge-expired"])
    assert "signup_draft=1" in result.output and count_drafts() == 0


def test_drafts_per_client_address_are_capped_per_hour(app, org, hood_id, clock, monkeypatch):
    monkeypatch.setitem(app.config, "SIGNUP_DRAFTS_PER_HOUR", 3)
    for _ in range(3):
        assert answer(app.test_client(), org.slug, "name", {"first_name": "A"}).status_code == 303
    refused = answer(app.test_client(), org.slug, "name", {"first_name": "A"})
    assert refused.status_code == 429
    volunteer = app.test_client().post(volunteer_url(org, "account"),
                                       data=valid_steps(hood_id)["account"])
    assert volunteer.status_code == 429
    other_address = app.test_client()
    other_address.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    assert answer(other_address, org.slug, "name", {"first_name": "A"}).status_code == 303
    assert count_drafts() == 4
    clock.shift(timedelta(minutes=61))
    assert answer(app.test_client(), org.slug, "name", {"first_name": "A"}).status_code == 303


def test_a_started_draft_keeps_working_when_the_cap_is_reached(app, client, org, monkeypatch):
    monkeypatch.setitem(app.config, "SIGNUP_DRAFTS_PER_HOUR", 1)
    assert answer(client, org.slug, "name", {"first_name": "Amal"}).status_code == 303
    assert answer(client, org.slug, "contact", {"phone": "0612345678"}).status_code == 303
    assert count_drafts() == 1


def test_a_new_volunteer_on_a_shared_device_does_not_see_the_previous_answers(app, client,
                                                                             org, hood_id):
    steps = valid_steps(hood_id)
    client.post(volunteer_url(org, "account"), data=steps["account"])
    client.post(volunteer_url(org, "about"), data=steps["about"])
    page = client.get(volunteer_url(org, "about")).get_data(as_text=True)
    assert 'value="Anne"' in page and "restart" in page
    response = client.post(volunteer_url(org, "restart"))
    assert response.status_code == 303
    assert count_drafts() == 0
    page = client.get(volunteer_url(org, "account")).get_data(as_text=True)
    assert "new.buddy@example.org" not in page


def test_a_participant_draft_of_another_organisation_is_not_shown(client, org, hood_id):
    answer(client, org.slug, "name", {"first_name": "Amal"})
    other = f.make_org(slug="elders")
    f.make_neighbourhood(other)
    page = client.get(join_url(other.slug, "name")).get_data(as_text=True)
    assert "Amal" not in page


def test_a_forged_or_unknown_draft_key_loads_nothing(client, org):
    for key in ("x" * 43, "", 42, ["a"], "y" * 500):
        with client.session_transaction() as session:
            session["participant_draft"] = key
        assert client.get(join_url(org.slug, "name")).status_code == 200
