"""The ``http`` text-message backend against a real gateway on 127.0.0.1: the outbox posts
``{"to", "text"}`` with the bearer token, marks the text sent, and backs off and retries like
mail when the gateway fails."""

import json
import re
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from buddy import clock as app_clock
from buddy.auth import contacts
from buddy.extensions import db
from buddy.models import OutboxMessage
from buddy.notifications import deliver_pending
from tests import factories as f

TOKEN = "gateway-token-" + "x" * 20


class Gateway:
    """A small SMS gateway: records each request and answers with the next queued status."""

    def __init__(self):
        self.received: list[dict] = []
        self.statuses: list[int] = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server name
                length = int(self.headers.get("Content-Length", "0"))
                gateway.received.append({
                    "path": self.path, "authorization": self.headers.get("Authorization"),
                    "content_type": self.headers.get("Content-Type"),
                    "json": json.loads(self.rfile.read(length))})
                status = gateway.statuses.pop(0) if gateway.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/send"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        if not self.thread.is_alive():
            return
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def gateway(app, monkeypatch):
    server = Gateway()
    monkeypatch.setitem(app.config, "SMS_BACKEND", "http")
    monkeypatch.setitem(app.config, "SMS_GATEWAY_URL", server.url)
    monkeypatch.setitem(app.config, "SMS_GATEWAY_TOKEN", TOKEN)
    yield server
    server.close()


def _claim_phone(app, phone: str):
    user = f.make_user("participant", phone=None, locale="tr")
    with app.test_request_context():
        contacts.claim_contact(user, "phone", phone)
        db.session.commit()
    return user


def _deliver(app) -> dict:
    with app.app_context():
        return deliver_pending()


def _message() -> OutboxMessage:
    db.session.expire_all()
    return db.session.scalars(select(OutboxMessage)).one()


def test_the_gateway_gets_the_number_and_text_with_the_token(app, gateway):
    user = _claim_phone(app, "+31633334444")
    assert _deliver(app) == {"sent": 1, "failed": 0, "retry": 0}
    [request] = gateway.received
    assert request["path"] == "/send"
    assert request["authorization"] == f"Bearer {TOKEN}"
    assert request["content_type"] == "application/json"
    assert set(request["json"]) == {"to", "text"}
    assert request["json"]["to"] == "+31633334444"
    code = re.search(r"\b(\d{6})\b", request["json"]["text"]).group(1)
    message = _message()
    assert (message.state, message.channel, message.attempts) == ("sent", "sms", 1)
    assert message.sent_at is not None and message.last_error == ""
    assert code not in message.body  # the stored copy keeps no code
    with app.test_request_context():  # the code the gateway delivered confirms the number
        assert contacts.confirm_phone_code(db.session.merge(user), code) is not None
        db.session.commit()
    assert _deliver(app)["sent"] == 0 and len(gateway.received) == 1  # sent once


def test_a_failing_gateway_is_retried_with_back_off_until_it_answers(app, gateway, clock):
    _claim_phone(app, "+31633335555")
    gateway.statuses = [503, 500]
    assert _deliver(app) == {"sent": 0, "failed": 0, "retry": 1}
    message = _message()
    assert (message.state, message.attempts) == ("pending", 1)
    assert "503" in message.last_error
    assert message.next_attempt_at == app_clock.now() + timedelta(minutes=2)
    assert _deliver(app) == {"sent": 0, "failed": 0, "retry": 0}  # backing off
    clock.shift(timedelta(minutes=2))
    assert _deliver(app) == {"sent": 0, "failed": 0, "retry": 1}
    message = _message()
    assert message.attempts == 2 and "500" in message.last_error
    assert message.next_attempt_at == app_clock.now() + timedelta(minutes=4)  # doubled
    clock.shift(timedelta(minutes=4))
    assert _deliver(app) == {"sent": 1, "failed": 0, "retry": 0}
    assert [r["json"]["to"] for r in gateway.received] == ["+31633335555"] * 3
    message = _message()
    assert (message.state, message.attempts, message.last_error) == ("sent", 3, "")


def test_a_gateway_that_keeps_failing_marks_the_text_failed(app, gateway, clock):
    _claim_phone(app, "+31633336666")
    attempts = app.config["MAIL_MAX_ATTEMPTS"]
    gateway.statuses = [502] * attempts
    for attempt in range(1, attempts + 1):
        expected = "failed" if attempt == attempts else "retry"
        assert _deliver(app)[expected] == 1
        clock.shift(timedelta(minutes=2 ** attempt))
    message = _message()
    assert (message.state, message.attempts, message.body) == ("failed", attempts, "")
    assert len(gateway.received) == attempts
    assert _deliver(app) == {"sent": 0, "failed": 0, "retry": 0}


def test_an_unreachable_gateway_is_retried(app, gateway):
    gateway.close()  # nothing listens on its port any more
    _claim_phone(app, "+31633337777")
    assert _deliver(app) == {"sent": 0, "failed": 0, "retry": 1}
    message = _message()
    assert message.state == "pending" and message.last_error.startswith("URLError")
