"""Export: everything we hold about one person, nothing about anyone else."""

import json

import pytest

from buddy.privacy.services import export_person
from tests import factories as f
from tests.conftest import html_attr


def test_export_of_a_volunteer_holds_their_data(app_ctx, world):
    data = export_person(world.vol_user)
    account = data["account"]
    assert (account["email"], account["phone"], account["role"]) == (
        world.vol_facts.email, world.vol_facts.phone, "volunteer")
    assert account["organisation"]["slug"] == "privacy-org"
    profile = data["volunteer_profile"]
    assert profile["first_name"] == world.vol_facts.name
    assert profile["interests"] == ["cooking", "nature"]  # bitmask 0b101 decoded
    assert profile["availability"] == ["mon-morning"]
    assert profile["support"] == ["language", "work", "study", "business", "parenting_school",
                                  "volunteering", "social"]
    assert profile["neighbourhood"] == "Centrum" and profile["motivation"] == "Ik ben Zoltana."
    assert data["participant_profile"] is None
    assert [c["purpose"] for c in data["consents"]] == ["privacy"]
    assert sorted((m["status"], m["other_first_name"]) for m in data["matches"]) == [
        ("active", "Quirijn"), ("ended", "Sientje"), ("proposed", "Rasmus")]
    assert [m["activity"] for m in data["meeting_logs"]] == ["Zoltana en Quirijn dronken koffie"]
    assert {m["kind"] for m in data["messages"]} == {"introduction", "introduction_volunteer"}
    assert [s["browser"] for s in data["sessions"]] == ["Firefox"]


def test_export_of_a_participant_holds_assessments_and_coordinator_notes(app_ctx, world):
    data = export_person(world.p_user)
    profile = data["participant_profile"]
    assert profile["first_name"] == "Quirijn" and profile["goals"] == ["language", "work"]
    assert profile["barriers"] == ["childcare"] and profile["barrier_note"] == "Kinderopvang nodig"
    assert data["level_assessments"][0]["level"] == "A2"
    assert [m["other_first_name"] for m in data["matches"]] == ["Zoltana"]
    assert [m["activity"] for m in data["meeting_logs"]] == ["Quirijn schreef dit zelf"]


def test_export_holds_nothing_about_others_and_no_secrets(app_ctx, world):
    world.vol_user.recovery_codes = ["deadbeefcafe"]
    world.vol_user.totp_secret = "JBSWY3DPEHPK3PXP"
    text = json.dumps(export_person(world.vol_user), ensure_ascii=False)
    for other in (world.p_facts.email, world.p_facts.phone, "Kinderopvang", "Quirijn schreef",
                  world.coordinator.email, "Hallo Rasmus"):
        assert other not in text, other
    for secret in (world.vol_user.password_hash, "JBSWY3DPEHPK3PXP", "deadbeefcafe"):
        assert secret not in text
    assert '"second_factor_enabled": true' in text


def test_export_is_json_with_iso_dates(app_ctx, world):
    data = export_person(world.p_user)
    assert json.loads(json.dumps(data)) == data
    assert "T" in data["account"]["created_at"] and data["account"]["created_at"].endswith(
        "+00:00")
    assert len(data["level_assessments"][0]["assessed_on"]) == 10


def test_download_is_an_attachment_with_raw_unicode(client, login, org):
    profile = f.make_volunteer(org, first_name="محمد")
    login(profile.user)
    response = client.get("/account/data.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    assert "محمد".encode() in response.data and b"\\u0645" not in response.data
    assert json.loads(response.data)["volunteer_profile"]["first_name"] == "محمد"
    assert response.headers["Cache-Control"] == "no-store"


def test_export_is_rate_limited(app, client, login, org, monkeypatch):
    monkeypatch.setitem(app.config, "EXPORT_LIMIT", "2 per hour")
    login(f.make_volunteer(org).user)
    statuses = [client.get(path).status_code
                for path in ("/account/data.json", "/account/data", "/account/data.json")]
    assert statuses == [200, 200, 429]


def test_readable_page_shows_the_data_in_the_persons_language(client, login, world):
    login(world.p_user)
    page = client.get("/account/data")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert html_attr(page.data, "html", "lang") == "ar"
    assert html_attr(page.data, "html", "dir") == "rtl"
    assert f'<span dir="ltr">{world.p_facts.email}</span>' in text
    assert f'<span dir="ltr">{world.p_facts.phone}</span>' in text
    assert "<bdi>Quirijn</bdi>" in text and "<bdi>Zoltana</bdi>" in text
    assert 'href="/account/data.json"' in text
    assert world.vol_facts.email not in text


@pytest.mark.parametrize("role", ["coordinator", "admin"])
def test_staff_can_see_their_own_data(client, login, role):
    user = f.make_user(role)
    login(user)
    page = client.get("/account/data")
    assert page.status_code == 200 and user.email.encode() in page.data
    assert client.get("/account/data.json").status_code == 200


@pytest.mark.parametrize("path", ["/account/data", "/account/data.json"])
def test_my_data_needs_a_login(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
