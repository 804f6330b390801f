"""Tenant isolation and roles: another organisation's records are missing (404), other roles
are refused (403) and anonymous visitors are sent to the login page."""

import pytest
from sqlalchemy import select

from buddy.extensions import db
from buddy.models import (
    AuditEvent,
    LocalReferral,
    Neighbourhood,
    ParticipantProfile,
    VolunteerProfile,
)
from tests import factories as f

ID_ARGS = {"volunteer_id": "volunteer", "participant_id": "participant", "hood_id": "hood",
           "referral_id": "referral"}
POST_DATA = {
    "reject-reason": "x", "intake-held_on": "2026-01-01", "vog-status": "requested",
    "training-done_on": "2026-01-01", "confirm": "y", "purpose": "privacy", "direction": "up",
    "name": "Nieuw", "lat": "52", "lon": "5", "contact": "x",
}


PEOPLE_BLUEPRINTS = ("screening", "intake", "places")


def _rules(app, blueprint: str):
    """Rules of ``blueprint``; "people" stands for screening, intake and places together."""
    names = PEOPLE_BLUEPRINTS if blueprint == "people" else (blueprint,)
    return sorted((r for r in app.url_map.iter_rules() if r.endpoint.split(".")[0] in names),
                  key=lambda r: r.rule)


def _methods(rule):
    return sorted(rule.methods & {"GET", "POST"})


@pytest.fixture
def org_a_records():
    org = f.make_org()
    volunteer = f.make_volunteer(org, first_name="Alfa-vrijwilliger")
    participant = f.make_participant(org, first_name="Alfa-deelnemer")
    f.make_consent(db.session.get(ParticipantProfile, participant.id).user)
    return {
        "org": org,
        "volunteer": volunteer.id,
        "participant": participant.id,
        "hood": f.make_neighbourhood(org, name="Alfa-wijk").id,
        "referral": f.make_referral(org, name="Alfa-verwijzing").id,
    }


def test_every_people_url_with_an_id_is_404_for_another_organisation(app, client, login,
                                                                      org_a_records):
    login(f.make_user("coordinator", f.make_org()))
    checked = 0
    for rule in _rules(app, "people"):
        args = {name: org_a_records[ID_ARGS[name]] for name in rule.arguments}
        if not args:
            continue
        url = rule.rule
        for name, value in args.items():
            url = url.replace(f"<int:{name}>", str(value))
        for method in _methods(rule):
            response = (client.get(url) if method == "GET"
                        else client.post(url, data=dict(POST_DATA)))
            assert response.status_code == 404, (method, url, response.status_code)
            checked += 1
    assert checked >= 20
    assert db.session.get(VolunteerProfile, org_a_records["volunteer"]).screening == "approved"
    assert db.session.get(ParticipantProfile, org_a_records["participant"]) is not None
    assert db.session.get(Neighbourhood, org_a_records["hood"]).name == "Alfa-wijk"
    assert db.session.get(LocalReferral, org_a_records["referral"]).name == "Alfa-verwijzing"
    assert db.session.scalar(select(AuditEvent.id).where(
        AuditEvent.organisation_id == org_a_records["org"].id)) is None


@pytest.mark.parametrize("url", [
    "/coordinator/volunteers", "/coordinator/volunteers?q=Alfa",
    "/coordinator/volunteers?vog=renewal", "/coordinator/participants",
    "/coordinator/participants?q=Alfa", "/coordinator/neighbourhoods", "/coordinator/referrals",
    "/coordinator/participants/new",
])
def test_lists_never_show_another_organisations_rows(client, login, org_a_records, url):
    org_b = f.make_org()
    f.make_volunteer(org_b, first_name="Bravo-vrijwilliger")
    login(f.make_user("coordinator", org_b))
    page = client.get(url).get_data(as_text=True)
    assert "Alfa-" not in page


def test_another_organisations_neighbourhood_cannot_be_chosen_at_intake(client, login,
                                                                        org_a_records):
    org_b = f.make_org()
    login(f.make_user("coordinator", org_b))
    response = client.post("/coordinator/participants/new", data={
        "first_name": "Test", "neighbourhood": str(org_a_records["hood"]),
        "availability": ["mon-morning"], "languages": ["en"], "dutch_level": "A1",
        "primary_goal": "work", "gender_pref": "any", "route": "unknown", "locale": "nl",
        "radius_km": "5", "in_person": "y", "consent_verbal": "y"})
    assert response.status_code == 422
    assert db.session.scalar(select(ParticipantProfile.id).where(
        ParticipantProfile.first_name == "Test")) is None


def _sample_url(rule) -> str:
    url = rule.rule
    for name in rule.arguments:
        url = url.replace(f"<int:{name}>", "1")
    return url


@pytest.mark.parametrize("role", ["volunteer", "participant", "admin"])
def test_other_roles_get_403_on_every_coordinator_people_url(app, client, login, role):
    org = f.make_org()
    user = f.make_user(role, org if role != "admin" else None)
    if role == "volunteer":
        f.make_volunteer(org, user=user)
    elif role == "participant":
        f.make_participant(org, user=user)
    login(user)
    for rule in _rules(app, "people"):
        for method in _methods(rule):
            url = _sample_url(rule)
            response = client.get(url) if method == "GET" else client.post(url, data={})
            assert response.status_code == 403, (role, method, url)


@pytest.mark.parametrize("role", ["volunteer", "participant", "coordinator"])
def test_other_roles_get_403_on_every_admin_url(app, client, login, role):
    user = f.make_user(role, f.make_org())
    login(user)
    for rule in _rules(app, "admin"):
        for method in _methods(rule):
            url = _sample_url(rule)
            response = client.get(url) if method == "GET" else client.post(url, data={})
            assert response.status_code == 403, (role, method, url)


@pytest.mark.parametrize("blueprint", ["people", "admin"])
def test_anonymous_visitors_are_sent_to_login(app, client, blueprint):
    for rule in _rules(app, blueprint):
        for method in _methods(rule):
            url = _sample_url(rule)
            response = client.get(url) if method == "GET" else client.post(url, data={})
            assert response.status_code == 302, (method, url)
            assert "/login" in response.headers["Location"]
