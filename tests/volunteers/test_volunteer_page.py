"""The volunteer's own page, editing the profile, pausing and resuming."""

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from buddy import clock
from buddy.extensions import db
from buddy.models import AuditEvent, VolunteerProfile
from buddy.privacy.services import CONSENT_PAUSE_UNTIL
from buddy.vocab import GOALS, keys_from_mask, slot_index
from buddy.volunteers.forms import add_months
from tests import factories as f
from tests.conftest import html_attr


def field_error(page: bytes, field_id: str) -> str | None:
    found = re.search(rf'<p class="field-error" id="{field_id}-error">(.*?)</p>',
                      page.decode(), re.S)
    return html.unescape(found.group(1)).strip() if found else None


def input_value(page: bytes, name: str) -> str | None:
    found = re.search(rf'<input[^>]*\bname="{name}"[^>]*\bvalue="([^"]*)"', page.decode())
    return html.unescape(found.group(1)) if found else None


@pytest.fixture
def volunteer(org):
    return f.make_volunteer(org, first_name="Anne", screening="registered",
                            vog_status="not_requested", vog_issued_on=None)


def profile_data(hood_id: int, **changes) -> dict:
    data = {
        "first_name": "Annemarie", "age_band": "51-65", "gender": "", "nl_level": "good",
        "lang_1": "tr", "level_1": "basic", "neighbourhood": str(hood_id), "radius_km": "12",
        "meeting_modes": ["online"], "availability": ["wed-afternoon"],
        "interests": ["history"], "support": ["study"], "occupation": "Bibliothecaris",
        "entrepreneur": "no", "capacity": "3", "commitment_months": "6",
        "motivation": "Ik wil mijn stad delen.",
    }
    return {**data, **changes}


# ---------------------------------------------------------------- access

@pytest.mark.parametrize("path", ["/volunteer", "/volunteer/profile", "/volunteer/pause"])
def test_own_pages_need_a_login(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("path", ["/volunteer", "/volunteer/profile", "/volunteer/pause"])
def test_own_pages_are_for_volunteers_only(client, login, path):
    login(f.make_participant().user)
    assert client.get(path).status_code == 403


def test_resume_is_post_only(client, login, volunteer):
    login(volunteer.user)
    assert client.get("/volunteer/resume").status_code == 405


def test_volunteer_without_profile_sees_a_notice(client, login, org):
    login(f.make_user("volunteer", org))
    page = client.get("/volunteer?lang=en")
    assert page.status_code == 200 and b"cannot find your volunteer profile" in page.data
    assert client.get("/volunteer/profile").status_code == 404


# ---------------------------------------------------------------- dashboard

@pytest.mark.parametrize(("screening", "words"), [
    ("registered", b"intake talk"),
    ("intake_done", b"certificate of conduct (VOG)"),
    ("vog_received", b"training"),
    ("approved", b"You are approved"),
    ("rejected", b"We cannot match you"),
])
def test_dashboard_explains_the_screening_state(client, login, org, screening, words):
    profile = f.make_volunteer(org, screening=screening)
    login(profile.user)
    page = client.get("/volunteer?lang=en")
    assert page.status_code == 200 and words in page.data


@pytest.mark.parametrize("lang", ["ar", "nl"])
def test_dashboard_language_and_direction(client, login, volunteer, lang):
    login(volunteer.user)
    page = client.get(f"/volunteer?lang={lang}")
    assert html_attr(page.data, "html", "lang") == lang
    assert html_attr(page.data, "html", "dir") == ("rtl" if lang == "ar" else "ltr")


def test_dashboard_lists_own_matches_with_first_names_only(client, login, org, volunteer):
    active = f.make_match(f.make_participant(org, first_name="محمد", barrier_note="Geheim X9",
                                             barriers=["health"]), volunteer, status="active")
    ended = f.make_match(f.make_participant(org, first_name="Olena"), volunteer, status="ended")
    proposed = f.make_match(f.make_participant(org, first_name="Yonas"), volunteer,
                            volunteer_slot=2)
    rejected = f.make_match(f.make_participant(org, first_name="Verborgen"), volunteer,
                            status="rejected")
    others = f.make_match(f.make_participant(org, first_name="Nietvanmij"),
                          f.make_volunteer(org), status="active")
    login(volunteer.user)
    page = client.get("/volunteer?lang=en").get_data(as_text=True)
    for match, name in ((active, "محمد"), (ended, "Olena"), (proposed, "Yonas")):
        assert f"<bdi>{name}</bdi>" in page
        assert f'href="/match/{match.id}"' in page
    assert page.index("محمد") < page.index("Yonas") < page.index("Olena")  # open ones first
    assert "Verborgen" not in page and f"/match/{rejected.id}" not in page
    assert "Nietvanmij" not in page and f"/match/{others.id}" not in page
    assert "Geheim X9" not in page and "Health" not in page


def test_dashboard_links_to_everything_the_volunteer_can_do(client, login, volunteer):
    login(volunteer.user)
    page = client.get("/volunteer").get_data(as_text=True)
    for href in ("/volunteer/profile", "/volunteer/pause", "/toolkit/", "/account",
                 "/account/data", "/account/consent", "/account/delete"):
        assert f'href="{href}"' in page


# ---------------------------------------------------------------- edit profile

def test_profile_form_is_filled_with_the_saved_profile(client, login, volunteer):
    login(volunteer.user)
    page = client.get("/volunteer/profile")
    assert page.status_code == 200
    assert input_value(page.data, "first_name") == "Anne"
    assert 'value="mon-morning" checked' in page.get_data(as_text=True)
    assert "email" not in re.findall(r'name="(\w+)"', page.get_data(as_text=True))


def test_profile_is_saved(client, login, volunteer, hood_id):
    login(volunteer.user)
    response = client.post("/volunteer/profile", data=profile_data(hood_id))
    assert response.status_code == 302 and response.headers["Location"].endswith("/volunteer")
    saved = db.session.get(VolunteerProfile, volunteer.id)
    assert (saved.first_name, saved.age_band, saved.gender) == ("Annemarie", "51-65", None)
    assert saved.language_levels == {"nl": "good", "tr": "basic"}
    assert (saved.radius_km, saved.in_person, saved.online) == (12, False, True)
    assert saved.availability == 1 << slot_index("wed", "afternoon")
    assert keys_from_mask(saved.support, GOALS) == ["study"]
    assert (saved.capacity, saved.commitment_months) == (3, 6)
    assert saved.motivation == "Ik wil mijn stad delen."


def test_invalid_profile_keeps_what_was_typed(client, login, volunteer, hood_id):
    login(volunteer.user)
    data = profile_data(hood_id, radius_km="99", first_name="Bea <x>", motivation="m" * 1001)
    response = client.post("/volunteer/profile?lang=en", data=data)
    assert response.status_code == 422
    assert "from 1 to 25" in field_error(response.data, "radius_km")
    assert "only your name" in field_error(response.data, "first_name")
    assert "at most 1000" in field_error(response.data, "motivation")
    assert input_value(response.data, "first_name") == "Bea <x>"
    assert input_value(response.data, "occupation") == "Bibliothecaris"
    assert db.session.get(VolunteerProfile, volunteer.id).first_name == "Anne"


def test_profile_mass_assignment_is_ignored(client, login, volunteer, hood_id):
    other = f.make_org()
    login(volunteer.user)
    data = profile_data(hood_id, screening="approved", organisation_id=str(other.id),
                        user_id="1", vog_status="received", paused_until="2099-01-01",
                        screening_note="Top", role="admin")
    assert client.post("/volunteer/profile", data=data).status_code == 302
    saved = db.session.get(VolunteerProfile, volunteer.id)
    assert (saved.screening, saved.organisation_id, saved.user_id) == (
        "registered", volunteer.organisation_id, volunteer.user_id)
    assert (saved.vog_status, saved.paused_until, saved.screening_note) == (
        "not_requested", None, "")


def test_profile_refuses_a_neighbourhood_of_another_organisation(client, login, volunteer):
    foreign = f.make_neighbourhood(f.make_org())
    login(volunteer.user)
    response = client.post("/volunteer/profile", data=profile_data(foreign.id))
    assert response.status_code == 422


# ---------------------------------------------------------------- pause and resume

def test_pause_until_a_date_with_a_reason(client, login, volunteer):
    login(volunteer.user)
    until = clock.today() + timedelta(days=20)
    response = client.post("/volunteer/pause", data={"until": until.isoformat(),
                                                     "reason": "holiday"})
    assert response.status_code == 302
    assert db.session.get(VolunteerProfile, volunteer.id).paused_until == until
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "volunteer.paused"))
    assert event.target_id == volunteer.id
    assert event.details == {"reason": "holiday", "until": until.isoformat()}
    page = client.get("/volunteer?lang=en").get_data(as_text=True)
    assert "You are paused until" in page and 'action="/volunteer/resume"' in page


@pytest.mark.parametrize(("until", "reason", "field", "message"), [
    (lambda: clock.today().isoformat(), "busy", "until", "from tomorrow"),
    (lambda: (add_months(clock.today(), 6) + timedelta(days=1)).isoformat(), "busy", "until",
     "six months"),
    (lambda: "31-12-2026", "busy", "until", "like 2026-12-31"),
    (lambda: "", "busy", "until", "like 2026-12-31"),
    (lambda: (clock.today() + timedelta(days=3)).isoformat(), "", "reason", "choose a reason"),
    (lambda: (clock.today() + timedelta(days=3)).isoformat(), "bored", "reason", "choose a reason"),
])
def test_pause_rules(client, login, volunteer, until, reason, field, message):
    login(volunteer.user)
    response = client.post("/volunteer/pause?lang=en",
                           data={"until": until(), "reason": reason})
    assert response.status_code == 422
    assert message in field_error(response.data, field)
    assert db.session.get(VolunteerProfile, volunteer.id).paused_until is None


def test_pause_accepts_the_last_day_of_six_months(client, login, volunteer):
    login(volunteer.user)
    last = add_months(clock.today(), 6)
    assert client.post("/volunteer/pause", data={"until": last.isoformat(),
                                                 "reason": "other"}).status_code == 302


def test_resume_ends_the_pause(client, login, org):
    profile = f.make_volunteer(org, paused_until=clock.today() + timedelta(days=30))
    login(profile.user)
    assert client.post("/volunteer/resume").status_code == 302
    assert db.session.get(VolunteerProfile, profile.id).paused_until is None


def test_resume_does_not_undo_withdrawn_consent(client, login, org):
    profile = f.make_volunteer(org, paused_until=CONSENT_PAUSE_UNTIL)
    login(profile.user)
    client.post("/volunteer/resume")
    assert db.session.get(VolunteerProfile, profile.id).paused_until == CONSENT_PAUSE_UNTIL
    page = client.get("/volunteer?lang=en").get_data(as_text=True)
    assert "withdrew your consent" in page and 'href="/account/consent"' in page


@pytest.mark.parametrize(("start", "months", "expected"), [
    ("2026-01-31", 1, "2026-02-28"), ("2026-08-31", 6, "2027-02-28"),
    ("2028-08-31", 6, "2029-02-28"), ("2027-08-29", 6, "2028-02-29"),
    ("2026-12-15", 6, "2027-06-15"),
])
def test_add_months_clamps_to_the_end_of_the_month(start, months, expected):
    from datetime import date

    assert add_months(date.fromisoformat(start), months) == date.fromisoformat(expected)
