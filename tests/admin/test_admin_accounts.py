"""Administration: coordinators, invitations, disabling accounts and ending sessions."""

import re

import pytest
from sqlalchemy import select

from buddy.extensions import db
from buddy.models import AuditEvent, Organisation, OutboxMessage, Token, User, UserSession
from tests import factories as f


def _secret(text: str) -> str:
    return re.search(r"/invite/([A-Za-z0-9_-]+)", text).group(1)


def test_create_coordinator_and_e_mail_the_invitation(admin, admin_user):
    org = f.make_org()
    response = admin.post(f"/admin/organisations/{org.id}/coordinators", data={
        "email": " Nieuwe.Coordinator@Example.org ", "locale": "en", "delivery": "email"})
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "nieuwe.coordinator@example.org"))
    assert (user.role, user.organisation_id, user.password_hash) == ("coordinator", org.id, None)
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.user_id == user.id))
    assert message.kind == "invitation" and message.locale == "en"
    assert "An administrator made a coordinator account for you" in message.body
    assert db.session.scalar(select(Token.purpose).where(Token.user_id == user.id)) == "invite"
    actions = db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.target_id == user.id, AuditEvent.target_type == "User")).all()
    assert set(actions) == {"coordinator.created", "coordinator.invited"}


def test_create_coordinator_and_show_the_link_once(admin, app):
    org = f.make_org()
    response = admin.post(f"/admin/organisations/{org.id}/coordinators", data={
        "email": "coordinator@zeist.example", "locale": "nl", "delivery": "show"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "We show it only once" in page
    assert db.session.scalar(select(OutboxMessage.id)) is None
    secret = _secret(page)
    guest = app.test_client()
    assert guest.get(f"/invite/{secret}").status_code == 200
    assert secret not in admin.get(f"/admin/organisations/{org.id}").get_data(as_text=True)


@pytest.mark.parametrize(("data", "message"), [
    ({"email": "geen-adres"}, "This is not a valid e-mail address."),
    ({"email": ""}, "Please fill in the e-mail address."),
    ({"email": "x@example.org", "locale": "xx"}, "Please choose a language."),
    ({"email": "x@example.org", "delivery": "fax"}, "Please choose one."),
])
def test_create_coordinator_validation(admin, data, message):
    org = f.make_org()
    response = admin.post(f"/admin/organisations/{org.id}/coordinators",
                          data={"locale": "nl", "delivery": "email", **data})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_create_coordinator_refuses_a_taken_address(admin):
    org = f.make_org()
    f.make_user("volunteer", org, email="bezet@example.org")
    response = admin.post(f"/admin/organisations/{org.id}/coordinators", data={
        "email": "BEZET@example.org", "locale": "nl", "delivery": "email"})
    assert response.status_code == 422
    assert "already used by another account" in response.get_data(as_text=True)


def test_resend_invitation_replaces_the_old_link(admin, app):
    org = f.make_org()
    user = f.make_user("coordinator", org, password_hash=None)
    first = _secret(admin.post(f"/admin/users/{user.id}/invite",
                               data={"delivery": "show"}).get_data(as_text=True))
    second = _secret(admin.post(f"/admin/users/{user.id}/invite",
                                data={"delivery": "show"}).get_data(as_text=True))
    assert app.test_client().get(f"/invite/{first}").status_code == 404
    assert app.test_client().get(f"/invite/{second}").status_code == 200


def test_no_invitation_for_someone_who_has_a_password(admin):
    user = f.make_user("coordinator", f.make_org())
    response = admin.post(f"/admin/users/{user.id}/invite", data={"delivery": "show"})
    assert response.status_code == 302
    assert db.session.scalar(select(Token.id)) is None


def test_disabling_a_user_makes_their_old_session_useless(app, login, admin_user):
    org = f.make_org()
    volunteer = f.make_volunteer(org)
    user = db.session.get(User, volunteer.user_id)
    user_client = login(user, on=app.test_client())
    assert user_client.get("/volunteer").status_code == 200
    admin_client = login(admin_user, on=app.test_client())
    response = admin_client.post(f"/admin/users/{volunteer.user_id}/disable")
    assert response.status_code == 302
    saved = db.session.get(User, volunteer.user_id)
    assert saved.active is False
    assert db.session.scalar(select(UserSession.id).where(
        UserSession.user_id == saved.id, UserSession.revoked_at.is_(None))) is None
    again = user_client.get("/volunteer")
    assert again.status_code == 302 and "/login" in again.headers["Location"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.disabled"))
    assert event.details == {"sessions_ended": 1} and event.organisation_id == org.id


def test_a_disabled_user_cannot_log_in_and_can_be_enabled(app, admin, admin_user):
    from tests.factories import PASSWORD

    user = f.make_user("volunteer", f.make_org(), active=False)
    f.make_volunteer(db.session.get(User, user.id).organisation, user=user)
    guest = app.test_client()
    refused = guest.post("/login", data={"identifier": user.email, "password": PASSWORD})
    assert refused.status_code == 200 and "/volunteer" not in refused.headers.get("Location", "")
    assert admin.post(f"/admin/users/{user.id}/enable").status_code == 302
    assert db.session.get(User, user.id).active is True
    allowed = guest.post("/login", data={"identifier": user.email, "password": PASSWORD})
    assert allowed.status_code == 302


def test_log_out_all_sessions(app, login, admin_user):
    coordinator = f.make_user("coordinator", f.make_org())
    first = login(coordinator, on=app.test_client())
    second = login(coordinator, on=app.test_client())
    admin_client = login(admin_user, on=app.test_client())
    response = admin_client.post(f"/admin/users/{coordinator.id}/logout")
    assert response.status_code == 302
    assert "All sessions of this account are ended: 2." in admin_client.get(
        response.headers["Location"]).get_data(as_text=True)
    for client in (first, second):
        assert client.get("/coordinator/volunteers").status_code == 302
    assert db.session.get(User, coordinator.id).active is True


def test_an_admin_cannot_disable_themselves(admin, admin_user):
    response = admin.post(f"/admin/users/{admin_user.id}/disable")
    assert response.status_code == 302
    assert db.session.get(User, admin_user.id).active is True


def test_account_actions_are_post_only(admin):
    user_id = f.make_user("volunteer", f.make_org()).id
    for action in ("disable", "enable", "logout", "invite"):
        assert admin.get(f"/admin/users/{user_id}/{action}").status_code == 405


def test_find_an_account_and_see_no_profile_data(admin):
    org = f.make_org(name="Zoekorganisatie")
    participant = f.make_participant(org, first_name="Verborgen", phone="+31611122233",
                                     barrier_note="Geheim")
    response = admin.post("/admin/users/find", data={"identifier": "06 111 222 33"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/users/{participant.user_id}")
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "Participant" in page and "Zoekorganisatie" in page
    for personal in ("Verborgen", "+31611122233", "Geheim", "@example.org"):
        assert personal not in page
    missing = admin.post("/admin/users/find", data={"identifier": "niemand@example.org"})
    assert missing.status_code == 422
    assert "No account logs in with this." in missing.get_data(as_text=True)


def test_lookup_keeps_the_identifier_out_of_the_url(admin):
    user = f.make_user("coordinator", f.make_org(), email="coordinator@a.example")
    response = admin.post("/admin/users/find", data={"identifier": user.email})
    assert "coordinator@a.example" not in response.headers["Location"]


def test_admin_pages_never_lead_to_participant_pages(admin):
    org_id = f.make_org().id
    participant = f.make_participant(db.session.get(Organisation, org_id))
    assert admin.get(f"/coordinator/participants/{participant.id}").status_code == 403
    assert admin.get("/coordinator/participants").status_code == 403
    page = admin.get(f"/admin/organisations/{org_id}").get_data(as_text=True)
    assert "/coordinator/" not in page
