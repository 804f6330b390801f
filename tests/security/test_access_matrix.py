"""Deny by default, walked over the whole URL map.

``EXPECTED`` is the single source of truth: for every endpoint, who may use it. The test
walks every route as anonymous, volunteer, participant, coordinator of organisation A,
coordinator of organisation B and admin, against objects of organisation A, and fails on
anything unexpected: a route missing from the table, a view whose declared roles differ,
an anonymous user who is not sent to the login page, a role that is not refused (403), a
coordinator of another organisation who is not told "not found" (404), or any 5xx.
"""

import re
from datetime import timedelta

import pytest
from sqlalchemy import inspect as sa_inspect

from buddy import clock
from buddy.access import PUBLIC_ENDPOINTS
from buddy.extensions import db
from buddy.models import Base, User
from tests import factories as f

POST_DATA: dict[str, dict] = {}

PUBLIC = "public"
ANY_USER = ("admin", "coordinator", "participant", "volunteer", "partner")
EXPECTED: dict[str, object] = {
    # public pages
    "static": PUBLIC, "main.home": PUBLIC, "main.privacy": PUBLIC, "main.healthz": PUBLIC,
    "main.organisations": PUBLIC, "auth.login": PUBLIC, "auth.mfa": PUBLIC,
    "auth.reset_request": PUBLIC, "auth.reset": PUBLIC, "auth.invite": PUBLIC,
    "auth.verify_email": PUBLIC,
    "toolkit.index": PUBLIC, "toolkit.page": PUBLIC, "toolkit.search": PUBLIC,
    "toolkit.printable": PUBLIC, "volunteers.signup": PUBLIC, "volunteers.restart_signup": PUBLIC,
    "volunteers.signup_done": PUBLIC,
    "volunteers.code_of_conduct": PUBLIC, "participants.start": PUBLIC,
    "partners.landing": PUBLIC, "partners.newcomer": PUBLIC, "partners.school_confirm": PUBLIC,
    "participants.step": PUBLIC, "participants.done": PUBLIC, "privacy.goodbye": PUBLIC,
    # any signed-in user
    "auth.logout": ANY_USER, "auth.account": ANY_USER, "auth.end_other_session": ANY_USER,
    "privacy.my_data": ANY_USER[:4], "privacy.my_data_json": ANY_USER[:4],
    "partners.own_page": ("partner",),
    "privacy.consent": ("participant", "volunteer"),
    "privacy.delete_account": ("participant", "volunteer"),
    # volunteers and participants
    "volunteers.dashboard": ("volunteer",), "volunteers.edit_profile": ("volunteer",),
    "volunteers.pause": ("volunteer",), "volunteers.resume": ("volunteer",),
    "participants.dashboard": ("participant",), "participants.details": ("participant",),
    "participants.confirm_contact": ("participant",),
    "matches.detail": ("participant", "volunteer"), "matches.first_meeting": ("volunteer",),
    "matches.log_meeting": ("volunteer",),
    # administration
    "monitor.all_figures": ("admin",),
}
EXPECTED.update({endpoint: ("admin",) for endpoint in (
    "admin.audit_trail", "admin.coordinator_new", "admin.index", "admin.organisation",
    "admin.organisation_edit", "admin.organisation_new", "admin.user", "admin.user_disable",
    "admin.user_enable", "admin.user_find", "admin.user_invite", "admin.user_logout")})
COORDINATOR_ENDPOINTS = {
    "dashboard": "dashboard outbox retry_message",
    "screening": "volunteers volunteer volunteer_intake volunteer_vog volunteer_training "
                 "volunteer_approve volunteer_reject volunteer_delete",
    "intake": "participants participant_new participant participant_edit participant_invite "
              "participant_export participant_delete participant_withdraw_consent "
              "participant_phone_check",
    "places": "neighbourhoods neighbourhood_new neighbourhood_edit neighbourhood_delete "
              "referrals referral_new referral_edit referral_delete referral_move",
    "matchmaking": "matching preview create_run run_detail proposals approve_selected approve "
                   "reject candidates propose add_rule rules remove_rule waiting",
    "lifecycle": "matches match_detail activate end record_checkin add_level",
    "monitor": "monitor_page exports_page export",
    "partners": "partners partner_new partner_edit partner partner_delete partner_link "
                "partner_pledge partner_contact partner_poster partner_qr pledges_csv "
                "certificate certificate_pdf",
}
EXPECTED.update({f"{blueprint}.{endpoint}": ("coordinator",)
                 for blueprint, names in COORDINATOR_ENDPOINTS.items()
                 for endpoint in names.split()})

# Which URL argument points at which model; every organisation-scoped model must either be
# reachable through one (and then be tested for isolation below) or say why it is not.
ORG_SCOPED_MODELS = {
    "ParticipantProfile": "participant_id", "VolunteerProfile": "volunteer_id",
    "Match": "match_id", "MatchingRun": "run_id", "PairRule": "rule_id",
    "Neighbourhood": "hood_id", "LocalReferral": "referral_id", "OutboxMessage": "message_id",
    "User": "user_id (admin pages only; coordinators have no user pages)",
    "AuditEvent": "not exposed to coordinators (admins browse it)",
    "SignupDraft": "found only by the random key in the browser's own session, per organisation",
    "Partner": "partner_id",
    "PartnerPledge": "no URL of its own: reached through its partner (partner_id)",
}


@pytest.fixture
def world():
    """Two organisations; organisation A has one of everything."""
    org_a, org_b = f.make_org(slug="org-a"), f.make_org(slug="org-b")
    volunteer = f.make_volunteer(org_a, capacity=2, placement_hours=30,  # a pupil, 18+
                                 placement_end_on=clock.today() + timedelta(days=300))
    participant = f.make_participant(org_a)
    f.make_consent(participant.user)
    match = f.make_match(participant, volunteer, status="active", activated_at=clock.now())
    run = f.make_run(org_a)
    other = f.make_participant(org_a, first_name="Other")
    rule = f.make_pair_rule(other, volunteer, kind="forbid")
    _checkin_match = match
    partner = f.make_partner(org_a)
    return {
        "org_a": org_a, "org_b": org_b,
        "users": {
            "volunteer": volunteer.user_id, "participant": participant.user_id,
            "coordinator_a": f.make_user("coordinator", org_a).id,
            "coordinator_b": f.make_user("coordinator", org_b).id,
            "admin": f.make_user("admin").id,
            "partner": f.make_user("partner", org_a, partner_id=partner.id).id,
        },
        "args": {
            "participant_id": participant.id, "volunteer_id": volunteer.id,
            "match_id": match.id, "run_id": run.id, "rule_id": rule.id,
            "checkin_id": f.make_checkin(_checkin_match).id,
            "hood_id": f.make_neighbourhood(org_a, name="Wijk A").id,
            "referral_id": f.make_referral(org_a).id,
            "message_id": f.make_outbox(volunteer.user, state="failed").id,
            "organisation_id": org_a.id, "user_id": volunteer.user_id,
            "session_id": f.make_session(volunteer.user)[0].id,
            "slug": org_a.slug, "step": "name", "token": "not-a-real-token",
            "filename": "css/site.css", "partner_id": partner.id, "year": 2027,
        },
    }


def _url(rule, args: dict) -> str:
    url = rule.rule
    for name in rule.arguments:
        url = re.sub(rf"<(?:\w+:)?{name}>", str(args[name]), url)
    return url


def _request(client, method: str, url: str, data: dict):
    response = client.get(url) if method == "GET" else client.post(url, data=dict(data))
    response.close()
    return response


def _rules(app):
    return sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint, r.rule))


def test_every_endpoint_is_in_the_table(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - set(EXPECTED) == set(), "add new endpoints to EXPECTED"
    assert set(EXPECTED) - endpoints == set(), "remove old endpoints from EXPECTED"


def test_declared_roles_match_the_table(app):
    for endpoint, view in app.view_functions.items():
        expected = EXPECTED[endpoint]
        declared = getattr(view, "allowed_roles", None)
        public = endpoint in PUBLIC_ENDPOINTS or getattr(view, "is_public", False)
        if expected == PUBLIC:
            assert public and declared is None, endpoint
        elif endpoint != "auth.logout":
            assert not public and set(declared) == set(expected), endpoint


def test_every_org_scoped_model_is_covered():
    scoped = {mapper.class_.__name__ for mapper in Base.registry.mappers
              if "organisation_id" in sa_inspect(mapper.class_).columns}
    assert scoped == set(ORG_SCOPED_MODELS), "say how each org-scoped model is isolated"


def _actors(world):
    users = world["users"]
    return [("anonymous", None), ("volunteer", users["volunteer"]),
            ("participant", users["participant"]), ("coordinator_b", users["coordinator_b"]),
            ("admin", users["admin"]), ("partner", users["partner"]),
            ("coordinator", users["coordinator_a"])]


def _role(actor: str) -> str:
    return "coordinator" if actor.startswith("coordinator") else actor


ENDPOINTS = sorted(set(EXPECTED))
# Routes about one's own object: other users with the right role get 404.
OWNED = {
    "auth.end_other_session": ("volunteer",),
    "matches.detail": ("volunteer", "participant"),
    "matches.first_meeting": ("volunteer",),
    "matches.log_meeting": ("volunteer",),
}


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_route_behaves_as_the_table_says(app, login, world, endpoint):
    expected = EXPECTED[endpoint]
    id_args = [arg for arg in ORG_SCOPED_MODELS.values() if arg.endswith("_id")]
    id_args += ["checkin_id"]  # check-ins belong to a match of the organisation
    POST_DATA.update({
        "matchmaking.add_rule": {"volunteer_id": world["args"]["volunteer_id"],
                                 "kind": "forbid"},
        "matchmaking.propose": {"volunteer_id": world["args"]["volunteer_id"]},
    })
    for rule in [r for r in _rules(app) if r.endpoint == endpoint]:
        url = _url(rule, world["args"])
        for method in sorted(rule.methods & {"GET", "POST"}):
            for actor, user in _actors(world):
                client = app.test_client()
                if user is not None:
                    login(db.session.get(User, user), on=client)
                response = _request(client, method, url, POST_DATA.get(endpoint, {}))
                status = response.status_code
                where = f"{method} {url} as {actor}: {status}"
                assert status < 500, where
                if expected == PUBLIC:
                    assert status not in (401, 403), where
                    continue
                if user is None:
                    assert status == 302 and "/login" in response.headers["Location"], where
                elif _role(actor) not in expected:
                    assert status == 403, where
                elif actor == "coordinator_b" and set(rule.arguments) & set(id_args):
                    assert status == 404, where
                elif endpoint in OWNED and actor not in OWNED[endpoint]:
                    assert status == 404, where  # someone else's object
                else:
                    assert status not in (401, 403, 404), where
