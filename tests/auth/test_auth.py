"""Logging in and out, second factor, sessions, password reset and change."""

import re
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import func, select

from buddy import clock
from buddy.auth import services
from buddy.extensions import db
from buddy.models import OutboxMessage, Token, User, UserSession
from tests import factories as f

PASSWORD = f.PASSWORD


def _login(client, identifier, password=PASSWORD, **kw):
    return client.post("/login", data={"identifier": identifier, "password": password}, **kw)


def _session_cookie(client):
    cookie = client.get_cookie("buddy_session")
    return cookie.value if cookie else None


def _cookie_text(client) -> str:
    """The decoded contents of the (signed, not encrypted) session cookie."""
    with client.session_transaction() as session:
        return repr(dict(session))


def test_volunteer_logs_in_with_email_and_gets_a_new_session(client):
    user = f.make_user("volunteer", email="anne@example.org")
    client.get("/login")
    before = _session_cookie(client)
    response = _login(client, "  ANNE@example.org ")
    assert response.status_code == 302 and response.headers["Location"].endswith("/volunteer")
    assert _session_cookie(client) != before
    assert db.session.get(User, user.id).last_login_at is not None


def test_participant_logs_in_with_phone_number(client):
    f.make_user("participant", email=None, phone="+31612345678")
    response = _login(client, "06-1234 5678")
    assert response.status_code == 302 and response.headers["Location"].endswith("/me")


@pytest.mark.parametrize("identifier", ["nobody@example.org", "anne@example.org"])
def test_wrong_login_says_the_same_for_unknown_and_known_accounts(client, identifier):
    f.make_user("volunteer", email="anne@example.org")
    response = _login(client, identifier, "wrong password here")
    assert response.status_code == 200
    assert b"niet correct" in response.data or b"not correct" in response.data


def test_password_is_checked_exactly_as_typed(client):
    password = "Éénmaal-Andermaal-汉字-ሰላም-" + "x" * 40
    f.make_user("volunteer", email="exact@example.org",
                password_hash=services.hash_password(password))
    assert _login(client, "exact@example.org", password[:-1]).status_code == 200
    assert _login(client, "exact@example.org", password.upper()).status_code == 200
    assert _login(client, "exact@example.org", password).status_code == 302


def test_password_hash_is_argon2id_with_owasp_parameters():
    hashed = services.hash_password("some long passphrase")
    params = re.match(r"\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$", hashed)
    m, t, p = (int(x) for x in params.groups())
    assert p == 1 and ((t >= 2 and m >= 19 * 1024) or (t == 1 and m >= 46 * 1024))


def test_disabled_account_cannot_log_in(client):
    f.make_user("volunteer", email="off@example.org", active=False)
    assert _login(client, "off@example.org").status_code == 200


def test_login_is_throttled_per_address(client):
    f.make_user("volunteer", email="t@example.org")
    codes = [_login(client, "t@example.org", "wrong wrong wrong").status_code for _ in range(12)]
    assert 429 in codes
    assert codes.index(429) == 10


def test_login_is_throttled_per_account_across_addresses(client):
    f.make_user("volunteer", email="acct@example.org")
    codes = []
    for i in range(22):
        codes.append(_login(client, "acct@example.org", "wrong wrong wrong",
                            environ_base={"REMOTE_ADDR": f"10.0.{i}.1"}).status_code)
    assert codes[-1] == 429 and codes[0] == 200


def test_open_redirect_after_login_is_refused(client):
    f.make_user("volunteer", email="r@example.org")
    client.get("/login?next=//evil.example/x")
    response = client.post("/login?next=//evil.example/x",
                           data={"identifier": "r@example.org", "password": PASSWORD})
    assert "evil" not in response.headers["Location"]


def test_local_next_is_followed_after_login(client):
    f.make_user("volunteer", email="n@example.org")
    response = client.post("/login?next=/account",
                           data={"identifier": "n@example.org", "password": PASSWORD})
    assert response.headers["Location"].endswith("/account")


# --- second factor -----------------------------------------------------------------------

def test_coordinator_needs_a_totp_code(client):
    user = f.make_user("coordinator", email="c@example.org")
    response = _login(client, "c@example.org")
    assert response.headers["Location"].endswith("/login/code")
    assert client.get("/coordinator/").status_code == 302  # not logged in yet
    bad = client.post("/login/code", data={"code": "000000"})
    assert bad.status_code == 200
    code = pyotp.TOTP(user.totp_secret).now()
    good = client.post("/login/code", data={"code": code})
    assert good.status_code == 302 and "/coordinator" in good.headers["Location"]
    record = db.session.scalars(select(UserSession).where(
        UserSession.user_id == user.id)).one()
    assert record.mfa_passed


def test_a_totp_code_cannot_be_used_twice(client, app):
    user = f.make_user("coordinator", email="twice@example.org")
    code = pyotp.TOTP(user.totp_secret).now()
    _login(client, "twice@example.org")
    assert client.post("/login/code", data={"code": code}).status_code == 302
    other = app.test_client()
    other.__class__ = type(client)
    _login(other, "twice@example.org")
    assert other.post("/login/code", data={"code": code}).status_code == 200


def test_staff_without_totp_enrol_on_first_login_and_get_recovery_codes(client):
    user = f.make_user("admin", email="new-admin@example.org", totp_secret=None)
    _login(client, "new-admin@example.org")
    page = client.get("/login/code").get_data(as_text=True)
    secret = re.search(r"<code dir=\"ltr\">([A-Z2-7]{32})</code>", page).group(1)
    assert secret not in _cookie_text(client)  # the secret being set up is encrypted there
    response = client.post("/login/code", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 200  # the codes are in this response, once
    codes = re.findall(r"<li><code>([0-9a-f]{10})</code></li>", response.get_data(as_text=True))
    assert len(codes) == 8
    assert not any(code in _cookie_text(client) for code in codes)  # never in the cookie
    saved = db.session.get(User, user.id)
    assert saved.totp_secret == secret and len(saved.recovery_codes) == 8


def test_recovery_code_works_once(client, app_ctx):
    user = f.make_user("coordinator", email="rc@example.org")
    codes = services.new_recovery_codes(user)
    db.session.commit()
    assert services.use_recovery_code(user, codes[0])
    assert not services.use_recovery_code(user, codes[0])


# --- sessions ------------------------------------------------------------------------------

def test_logout_revokes_the_server_session_and_old_cookie_is_useless(client, app):
    f.make_user("volunteer", email="lo@example.org")
    _login(client, "lo@example.org")
    stolen = _session_cookie(client)
    assert client.get("/account").status_code == 200
    assert client.post("/logout").status_code == 302
    replay = app.test_client()
    replay.set_cookie("buddy_session", stolen)
    assert replay.get("/account").status_code == 302


def test_logout_needs_post(client):
    assert client.get("/logout").status_code == 405


def test_idle_timeout_ends_the_session(client, login):
    user = f.make_user("volunteer")
    login(user)
    record = db.session.scalars(select(UserSession).where(
        UserSession.user_id == user.id)).one()
    record.last_seen_at = clock.now() - timedelta(minutes=31)
    db.session.commit()
    assert client.get("/account").status_code == 302


def test_absolute_timeout_ends_the_session(client, login):
    user = f.make_user("volunteer")
    login(user)
    record = db.session.scalars(select(UserSession).where(
        UserSession.user_id == user.id)).one()
    record.created_at = clock.now() - timedelta(hours=13)
    db.session.commit()
    assert client.get("/account").status_code == 302


def test_password_change_logs_out_other_sessions(client, app, login):
    user = f.make_user("volunteer")
    other = app.test_client()
    other.__class__ = type(client)
    login(user)
    login(user, on=other)
    response = client.post("/account", data={"pw-current": PASSWORD,
                                             "pw-password": "a brand new passphrase",
                                             "pw-confirm": "a brand new passphrase"})
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    assert other.get("/account").status_code == 302


def test_password_change_needs_the_current_password(client, login):
    login(f.make_user("volunteer"))
    response = client.post("/account", data={"pw-current": "not it at all",
                                             "pw-password": "a brand new passphrase",
                                             "pw-confirm": "a brand new passphrase"})
    assert response.status_code == 200


@pytest.mark.parametrize(("password", "ok"), [
    ("x" * 11, False), ("aaaaaaaaaaaaaaa", True), ("password1234", False),
    ("é" * 64, True), ("y" * 129, False),
])
def test_password_rules_length_only_and_not_common(client, login, password, ok):
    user = f.make_user("volunteer")
    login(user)
    response = client.post("/account", data={"pw-current": PASSWORD, "pw-password": password,
                                             "pw-confirm": password})
    assert (response.status_code == 302) is ok


def test_user_can_end_another_of_their_sessions(client, app, login):
    user = f.make_user("volunteer")
    other = app.test_client()
    login(user, on=other)
    login(user)
    sessions = db.session.scalars(select(UserSession).where(
        UserSession.user_id == user.id)).all()
    first = min(sessions, key=lambda s: s.created_at)
    assert client.post(f"/account/sessions/{first.id}/end").status_code == 302
    assert other.get("/account").status_code == 302


def test_cannot_end_someone_elses_session(client, login):
    victim_session, _secret = f.make_session(f.make_user("volunteer"))
    login(f.make_user("volunteer"))
    assert client.post(f"/account/sessions/{victim_session.id}/end").status_code == 404


def test_language_preference_is_saved(client, login):
    user = f.make_user("volunteer")
    login(user)
    client.post("/account", data={"lang-locale": "ti"})
    assert db.session.get(User, user.id).locale == "ti"
    assert b'lang="ti"' in client.get("/account").data


# --- reset -----------------------------------------------------------------------------

def test_reset_sends_a_single_use_link_and_says_the_same_for_unknown(client):
    user = f.make_user("volunteer", email="reset@example.org")
    known = client.post("/reset", data={"email": "reset@example.org"}, follow_redirects=True)
    unknown = client.post("/reset", data={"email": "nobody@example.org"}, follow_redirects=True)
    strip = lambda r: re.sub(rb'value="[^"]*"', b"", r.data)  # noqa: E731
    assert strip(known) == strip(unknown)
    mail = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.user_id == user.id)).one()
    link = re.search(r"http://localhost(/reset/\S+)", mail.body).group(1)
    new = "another long passphrase"
    assert client.post(link, data={"password": new, "confirm": new}).status_code == 302
    assert client.post(link, data={"password": new, "confirm": new}).status_code == 404
    assert _login(client, "reset@example.org", new).status_code == 302


def test_expired_reset_token_is_refused(client):
    _token, secret = f.make_token(purpose="reset", expires_at=clock.now() - timedelta(minutes=1))
    assert client.get(f"/reset/{secret}").status_code == 404


def test_reset_tokens_are_long_and_stored_hashed(app_ctx):
    user = f.make_user("volunteer")
    secret = services.create_token(user, "reset", timedelta(hours=1))
    db.session.commit()
    assert len(secret) >= 22
    stored = db.session.scalars(select(Token).where(Token.user_id == user.id)).one()
    assert secret not in stored.token_hash


def test_reset_revokes_existing_sessions(client, app, login):
    user = f.make_user("volunteer")
    other = app.test_client()
    login(user, on=other)
    _token, secret = f.make_token(user, purpose="reset")
    new = "yet another passphrase"
    client.post(f"/reset/{secret}", data={"password": new, "confirm": new})
    assert other.get("/account").status_code == 302


def test_reset_for_staff_still_asks_the_second_factor(client):
    user = f.make_user("coordinator", email="staff@example.org")
    _token, secret = f.make_token(user, purpose="reset")
    new = "staff new passphrase"
    client.post(f"/reset/{secret}", data={"password": new, "confirm": new})
    response = _login(client, "staff@example.org", new)
    assert response.headers["Location"].endswith("/login/code")


def test_invite_sets_the_first_password(client):
    user = f.make_user("participant", email="inv@example.org", password_hash=None)
    _token, secret = f.make_token(user, purpose="invite")
    new = "my first passphrase"
    response = client.post(f"/invite/{secret}", data={"password": new, "confirm": new})
    assert response.status_code == 302
    assert _login(client, "inv@example.org", new).status_code == 302


def test_a_reset_token_does_not_work_as_invite(client):
    _token, secret = f.make_token(purpose="reset")
    assert client.get(f"/invite/{secret}").status_code == 404


def test_session_cookie_flags(client):
    f.make_user("volunteer", email="ck@example.org")
    response = _login(client, "ck@example.org")
    cookies = response.headers.getlist("Set-Cookie")
    cookie = [h for h in cookies if h.startswith("buddy_session=")][0]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_no_default_accounts_in_a_fresh_database():
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_the_common_password_list_is_large_and_covers_leaked_and_dutch_passwords():
    assert len(services.COMMON_PASSWORDS) >= 3000
    for password in ("iloveyou2024", "qwertyuiop123", "Welkom123456", "wachtwoord123"):
        assert services.is_common_password(password) or len(password) < 12
    assert services.is_common_password("WACHTWOORD123")
    assert not services.is_common_password("mijn fiets staat bij de bieb")
