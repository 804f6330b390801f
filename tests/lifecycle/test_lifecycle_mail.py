"""Introductions through a real SMTP server (aiosmtpd), a mail server that is down, header
injection, retries and the development console backend."""

import socket
from datetime import timedelta
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from flask_babel import force_locale, gettext
from sqlalchemy import select

from buddy import clock
from buddy.extensions import db
from buddy.models import Match, OutboxMessage
from buddy.notifications import deliver_pending
from tests import factories as f
from tests.helpers import user_of, waiting


class Collector:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.envelopes.append(envelope)
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server(app, monkeypatch):
    """A real SMTP server on 127.0.0.1 and a free port; the app is pointed at it."""
    handler = Collector()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setitem(app.config, "MAIL_PORT", port)
    try:
        yield handler
    finally:
        controller.stop()


def _messages(handler):
    return [(e, message_from_bytes(e.content, policy=default_policy)) for e in handler.envelopes]


def test_introductions_arrive_in_each_language_with_consented_contact(
        coord, proposal, smtp_server, app):
    participant, volunteer = fresh_people(proposal)
    p_user, v_user = user_of(participant), user_of(volunteer)
    p_email, v_email = p_user.email, v_user.email
    assert coord.post(f"/coordinator/matches/{proposal.id}/approve").status_code == 302
    with app.app_context():
        counts = deliver_pending()
    assert counts == {"sent": 2, "failed": 0, "retry": 0}
    received = {envelope.rcpt_tos[0]: message for envelope, message in _messages(smtp_server)}
    assert set(received) == {p_email, v_email}
    to_participant, to_volunteer = received[p_email], received[v_email]
    assert to_participant["Content-Language"] == "ar" and to_volunteer["Content-Language"] == "nl"
    with app.test_request_context(), force_locale("ar"):
        assert to_participant["Subject"] == gettext("Meet your buddy %(name)s", name="Anne")
    participant_body = to_participant.get_content()
    volunteer_body = to_volunteer.get_content()
    assert v_email in participant_body and "+31622222222" in participant_body
    assert p_email in volunteer_body and "+31611111111" not in volunteer_body
    assert "first-meeting-checklist" in participant_body
    states = set(db.session.scalars(select(OutboxMessage.state)))
    assert states == {"sent"}


def fresh_people(match):
    match = db.session.get(Match, match.id)
    return match.participant, match.volunteer


def test_a_name_cannot_inject_headers(coord, org, smtp_server, app):
    participant = waiting(org, first_name="Fatima\r\nBcc: spy@example.org")
    volunteer = f.make_volunteer(org)
    v_email = user_of(volunteer).email
    match = f.make_match(participant, volunteer)
    coord.post(f"/coordinator/matches/{match.id}/approve")
    with app.app_context():
        deliver_pending()
    envelopes = _messages(smtp_server)
    for envelope, message in envelopes:
        assert message["Bcc"] is None and "spy@example.org" not in envelope.rcpt_tos
        assert "\n" not in message["Subject"] and "\r" not in message["Subject"]
    (to_volunteer,) = [m for e, m in envelopes if e.rcpt_tos == [v_email]]
    assert "Fatima Bcc: spy@example.org" in to_volunteer["Subject"]


def test_the_decision_is_saved_when_the_mail_server_is_down(coord, proposal, app):
    match_id = proposal.id
    assert app.config["MAIL_PORT"] == 1  # nothing listens there
    assert coord.post(f"/coordinator/matches/{match_id}/approve").status_code == 302
    assert db.session.get(Match, match_id).status == "approved"
    with app.app_context():
        counts = deliver_pending()
    assert counts == {"sent": 0, "failed": 0, "retry": 2}
    for message in db.session.scalars(select(OutboxMessage)):
        assert message.state == "pending" and message.attempts == 1
        assert message.last_error.startswith(("ConnectionRefusedError", "OSError"))
        assert message.next_attempt_at > clock.now() + timedelta(seconds=90)
    with app.app_context():
        assert deliver_pending() == {"sent": 0, "failed": 0, "retry": 0}  # backing off


def test_a_message_fails_after_the_last_attempt(app, org):
    message = f.make_outbox(f.make_user("volunteer", org), attempts=5)
    message_id = message.id
    with app.app_context():
        assert deliver_pending() == {"sent": 0, "failed": 1, "retry": 0}
    message = db.session.get(OutboxMessage, message_id)
    assert message.state == "failed" and message.attempts == 6


def test_sent_messages_are_not_sent_again(app, org, smtp_server):
    f.make_outbox(f.make_user("volunteer", org))
    with app.app_context():
        assert deliver_pending()["sent"] == 1
        assert deliver_pending()["sent"] == 0
    assert len(smtp_server.envelopes) == 1


def test_console_backend_prints_to_stderr(app, org, monkeypatch, capsys):
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "console")
    user = f.make_user("volunteer", org)
    f.make_outbox(user, subject="Console check", body="Hallo daar")
    with app.app_context():
        assert deliver_pending()["sent"] == 1
    err = capsys.readouterr().err
    assert "Subject: Console check" in err and user.email in err and "Hallo daar" in err


def test_outbox_page_lists_state_without_bodies(coord, org, app):
    user = f.make_user("volunteer", org)
    f.make_outbox(user, body="SECRET BODY TEXT", state="failed", attempts=6,
                  last_error="ConnectionRefusedError: [Errno 111]")
    page = coord.get("/coordinator/outbox").get_data(as_text=True)
    assert "SECRET BODY TEXT" not in page
    assert "ConnectionRefusedError" in page and "failed" in page and "Try again" in page


def test_retry_a_failed_message(coord, org):
    message = f.make_outbox(f.make_user("volunteer", org), state="failed", attempts=6)
    message_id = message.id
    assert coord.post(f"/coordinator/outbox/{message_id}/retry").status_code == 302
    message = db.session.get(OutboxMessage, message_id)
    assert message.state == "pending" and message.attempts == 0
