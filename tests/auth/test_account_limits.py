"""Per-account limits on both login steps, the short-lived "password passed" state, tokens
voided after a password change, notices to the owner, TOTP secrets encrypted at rest."""

from datetime import timedelta

import pyotp
import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, text

from buddy.auth import services
from buddy.extensions import db, secret_box
from buddy.models import OutboxMessage, Token, User, UserSession
from tests import factories as f
from tests.factories import PASSWORD

WRONG = "not-the-password-at-all"


def _login(client, identifier, password=PASSWORD, ip="192.0.2.1"):
    return client.post("/login", data={"identifier": identifier, "password": password},
                       environ_base={"REMOTE_ADDR": ip})


def _later(clock, start, **delta):
    """Move the app's clock to ``delta`` after ``start``."""
    clock.move_to(start + timedelta(**delta))


# -- the password step ------------------------------------------------------------------------

def test_password_failures_count_per_account_whatever_the_spelling_and_address(client):
    f.make_user("participant", phone="+31612345678", email=None)
    spellings = ["06-1234 5678", "0612345678", "+31 6 12345678", "0031612345678",
                 "06 12 34 56 78"]
    for n, spelling in enumerate(spellings):
        page = _login(client, spelling, WRONG, ip=f"198.51.100.{n}").get_data(as_text=True)
        assert "is not correct" in page
    blocked = _login(client, "0612345678", ip="203.0.113.9")  # right password, new address
    assert blocked.status_code == 200
    assert "Too many wrong attempts. Please wait 1 minute" in blocked.get_data(as_text=True)
    assert db.session.scalar(select(UserSession)) is None


def test_password_back_off_grows_and_ends(client, clock):
    start = clock.now()
    f.make_user("volunteer", email="backoff@example.org")
    for n in range(6):
        _login(client, "Backoff@Example.org ", WRONG, ip=f"198.51.100.{n}")
    # the 6th came while locked: not checked, not counted
    page = _login(client, "backoff@example.org").get_data(as_text=True)
    assert "Please wait 1 minute" in page
    _later(clock, start, minutes=2)
    assert _login(client, "backoff@example.org", WRONG).status_code == 200  # 6th failure
    assert "Please wait 2 minutes" in _login(client, "backoff@example.org").get_data(
        as_text=True)
    _later(clock, start, minutes=5)
    assert _login(client, "backoff@example.org").status_code == 302  # the wait is over


def test_unknown_accounts_are_throttled_the_same_way(client):
    for n in range(5):
        _login(client, "nobody@example.org", WRONG, ip=f"198.51.100.{n}")
    page = _login(client, "NOBODY@example.org", WRONG).get_data(as_text=True)
    assert "Too many wrong attempts. Please wait 1 minute" in page


def test_other_accounts_are_not_affected(client):
    f.make_user("volunteer", email="victim@example.org")
    f.make_user("volunteer", email="bystander@example.org")
    for n in range(5):
        _login(client, "victim@example.org", WRONG, ip=f"198.51.100.{n}")
    assert _login(client, "bystander@example.org").status_code == 302


# -- the code step ----------------------------------------------------------------------------

def test_code_failures_count_per_account_across_addresses(client, app):
    user = f.make_user("coordinator", email="codes@example.org")
    for n in range(5):
        other = app.test_client()
        assert _login(other, "codes@example.org", ip=f"198.51.100.{n}").status_code == 302
        other.post("/login/code", data={"code": "000000"},
                   environ_base={"REMOTE_ADDR": f"198.51.100.{n}"})
    assert _login(client, "codes@example.org", ip="203.0.113.9").status_code == 302
    response = client.post("/login/code", data={"code": pyotp.TOTP(user.totp_secret).now()},
                           environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert response.status_code == 200
    assert "Too many wrong attempts" in response.get_data(as_text=True)


def test_waiting_for_the_code_expires_after_five_minutes(client, clock):
    user = f.make_user("coordinator", email="slow@example.org")
    assert _login(client, "slow@example.org").headers["Location"].endswith("/login/code")
    clock.shift(timedelta(minutes=5, seconds=5))
    response = client.post("/login/code", data={"code": pyotp.TOTP(user.totp_secret).now()})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert db.session.scalar(select(UserSession).where(UserSession.user_id == user.id)) is None


def test_waiting_for_the_code_ends_when_the_password_changes(client):
    user = f.make_user("coordinator", email="changed@example.org")
    assert _login(client, "changed@example.org").headers["Location"].endswith("/login/code")
    db.session.get(User, user.id).password_hash = services.hash_password("another-long-pass")
    db.session.commit()
    response = client.post("/login/code", data={"code": pyotp.TOTP(user.totp_secret).now()})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")


# -- after a password change ------------------------------------------------------------------

def _reset_links(user, count=2):
    return [services.create_token(user, "reset", timedelta(hours=2)) for _ in range(count)]


def test_a_reset_voids_the_other_reset_links_and_tells_the_person(client):
    user = f.make_user("volunteer", email="reset2@example.org", locale="nl")
    first, second = _reset_links(user)
    db.session.commit()
    new = {"password": "a-brand-new-passphrase", "confirm": "a-brand-new-passphrase"}
    assert client.post(f"/reset/{first}", data=new).status_code == 302
    assert client.get(f"/reset/{second}").status_code == 404
    notice = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.user_id == user.id, OutboxMessage.kind == "password_changed")).one()
    assert notice.locale == "nl" and notice.subject == "Je wachtwoord is veranderd"
    assert "reset" not in notice.body  # no link in the notice


def test_a_password_change_voids_reset_links_and_tells_the_person(client, login):
    user = f.make_user("volunteer", email="change2@example.org", locale="ar")
    link = _reset_links(user, 1)[0]
    login(user)
    response = client.post("/account", data={
        "pw-current": PASSWORD, "pw-password": "a-brand-new-passphrase",
        "pw-confirm": "a-brand-new-passphrase"})
    assert response.status_code == 302
    assert client.get(f"/reset/{link}").status_code == 404
    notice = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "password_changed")).one()
    assert notice.recipient == "change2@example.org" and notice.locale == "ar"
    assert "password" not in notice.subject.lower()  # written in Arabic


def test_tokens_are_voided_in_the_database(app_ctx):
    user = f.make_user("volunteer")
    _reset_links(user, 3)
    assert services.void_tokens(user) == 3
    assert all(t.used_at for t in db.session.scalars(select(Token).where(
        Token.user_id == user.id)))


# -- TOTP secrets at rest ---------------------------------------------------------------------

def test_totp_secrets_are_encrypted_at_rest(app_ctx):
    user = f.make_user("coordinator", totp_secret="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    db.session.flush()
    stored = db.session.execute(text("SELECT totp_secret_encrypted FROM users WHERE id = :id"),
                                {"id": user.id}).scalar_one()
    assert "JBSWY3DP" not in stored and stored.startswith("gAAAAA")  # a Fernet token
    key = app_ctx.config.get("TOTP_ENCRYPTION_KEY")
    assert key is None  # tests derive it from SECRET_KEY
    db.session.expire_all()
    assert db.session.get(User, user.id).totp_secret == "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def test_totp_key_rotation_reads_old_secrets(app_ctx):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    try:
        secret_box.configure(old, "unused")
        token = secret_box.encrypt("JBSWY3DPEHPK3PXP")
        secret_box.configure(f"{new},{old}", "unused")
        assert secret_box.decrypt(token) == "JBSWY3DPEHPK3PXP"
        secret_box.configure(new, "unused")
        with pytest.raises(ValueError, match="TOTP_ENCRYPTION_KEY"):
            secret_box.decrypt(token)
    finally:
        secret_box.init_app(app_ctx)


# -- changing e-mail or phone -----------------------------------------------------------------

def test_changing_the_phone_ends_other_sessions_and_tells_the_old_address(client, login):
    from tests.participants.test_own_page import details_data

    org = f.make_org()
    user = f.make_user("participant", org, locale="tr", email="old@example.org",
                       phone="+31611112222")
    profile = f.make_participant(org, user=user)
    f.make_consent(user, purpose="privacy")
    other_record, _secret = f.make_session(user)
    login(user)
    response = client.post("/me/details", data=details_data(
        profile, phone="06 3333 4444", email="old@example.org", share_phone=None,
        current_password=PASSWORD))
    assert response.status_code == 303
    text_message = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "verify_phone")).one()
    code = "".join(ch for ch in text_message.body if ch.isdigit())[:6]
    assert client.post("/me/details/confirm", data={"code": code}).status_code == 303
    db.session.remove()
    assert db.session.get(UserSession, other_record.id).revoked_at is not None
    assert client.get("/me").status_code == 200  # this session goes on
    notice = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "contact_changed")).one()
    assert notice.recipient == "old@example.org" and notice.locale == "tr"
    assert notice.subject == "Giriş bilgileriniz değiştirildi"
