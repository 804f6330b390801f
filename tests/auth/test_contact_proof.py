"""Contact details count only once proven by a link or code sent to them; the text-message
gateway is a backend like mail (console in development, refused in production)."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from buddy.auth import contacts
from buddy.config import ConfigError, load_config
from buddy.extensions import db
from buddy.models import ContactClaim, OutboxMessage, User
from buddy.notifications import deliver_pending
from tests import factories as f


def _code_for(phone: str) -> str:
    body = db.session.scalars(select(OutboxMessage.body).where(
        OutboxMessage.recipient == phone, OutboxMessage.kind == "verify_phone")
        .order_by(OutboxMessage.id.desc())).first()
    return re.search(r"\b(\d{6})\b", body).group(1)


def test_the_link_confirms_only_by_the_button_and_only_once(client, app):
    user = f.make_user("participant", email=None)
    with app.test_request_context():
        contacts.claim_contact(user, "email", "new@example.org")
        db.session.commit()
    body = db.session.scalars(select(OutboxMessage.body)).one()
    path = re.search(r"http://[^/]+(/verify/\S+)", body).group(1)
    assert client.get(path).status_code == 200  # a mail scanner opening it changes nothing
    assert db.session.get(User, user.id).email is None
    assert client.post(path, data={}).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).email == "new@example.org"
    assert client.post(path, data={}).status_code == 404  # used


def test_a_phone_code_expires_after_ten_minutes_and_allows_five_tries(app, clock):
    user = f.make_user("participant", phone=None)
    with app.test_request_context():
        contacts.claim_contact(user, "phone", "+31655554444")
        code = _code_for("+31655554444")
        wrong = "000000" if code != "000000" else "111111"
        for _ in range(contacts.MAX_ATTEMPTS):
            assert contacts.confirm_phone_code(user, wrong) is None
        assert contacts.confirm_phone_code(user, code) is None  # too many tries
        contacts.claim_contact(user, "phone", "+31655554444")
        fresh = _code_for("+31655554444")
        clock.shift(timedelta(minutes=10, seconds=1))
        assert contacts.confirm_phone_code(user, fresh) is None  # expired
        assert user.phone is None


def test_a_taken_phone_gets_no_code_and_its_owner_a_notice(app):
    owner = f.make_user("volunteer", phone="+31677778888", locale="so")
    user = f.make_user("participant", phone=None)
    with app.test_request_context():
        contacts.claim_contact(user, "phone", "+31677778888")
        db.session.commit()
    sent = db.session.scalars(select(OutboxMessage)).all()
    assert [(m.kind, m.channel, m.user_id, m.locale) for m in sent] == [
        ("contact_attempt", "sms", owner.id, "so")]
    assert not re.search(r"\d{6}", sent[0].body)
    assert db.session.scalars(select(ContactClaim)).one().user_id == user.id


def test_text_messages_go_through_the_console_backend_in_development(app, capsys):
    user = f.make_user("participant", phone=None)
    with app.test_request_context():
        contacts.claim_contact(user, "phone", "+31611119999")
        db.session.commit()
    code = _code_for("+31611119999")
    app.config["SMS_BACKEND"] = "console"
    with app.app_context():
        assert deliver_pending()["sent"] == 1
    assert "SMS to +31611119999: " in capsys.readouterr().err
    db.session.expire_all()
    stored = db.session.scalars(select(OutboxMessage)).one()
    assert stored.state == "sent" and code not in stored.body  # the code is not kept


def test_production_refuses_the_console_text_backend(tmp_path, monkeypatch):
    from tests.foundation.test_production_settings import SAFE

    for key, value in SAFE.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("DEBUG", raising=False)
    for backend in ("console", "http"):
        monkeypatch.setenv("SMS_BACKEND", backend)
        with pytest.raises(ConfigError, match="SMS_BACKEND"):
            load_config(str(tmp_path))
    monkeypatch.setenv("SMS_GATEWAY_URL", "https://sms.example.org/send")
    assert load_config(str(tmp_path))["SMS_BACKEND"] == "http"
