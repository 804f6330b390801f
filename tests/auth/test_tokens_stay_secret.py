"""Reset and invitation links stay secret: the stored outbox copy loses the link once sent,
logged paths mask the token, and production refuses the console mail backend."""

import logging
import re

from sqlalchemy import select

from buddy.extensions import db
from buddy.models import OutboxMessage
from buddy.notifications import deliver_pending
from buddy.security import mask_tokens
from tests import factories as f
from tests.lifecycle.test_lifecycle_mail import _messages, smtp_server  # noqa: F401

LINK = re.compile(r"http://\S+/reset/([A-Za-z0-9_-]{20,})")


def test_a_sent_reset_mail_keeps_no_link_in_the_outbox(client, app, smtp_server):  # noqa: F811
    f.make_user("volunteer", email="secret@example.org")
    assert client.post("/reset", data={"email": "secret@example.org"}).status_code == 302
    stored = db.session.scalars(select(OutboxMessage)).one()
    token = LINK.search(stored.body).group(1)  # waiting to be sent: the link is there
    with app.app_context():
        assert deliver_pending()["sent"] == 1
    (_envelope, message), = _messages(smtp_server)
    assert token in message.get_content()  # the person got the working link
    db.session.expire_all()
    stored = db.session.scalars(select(OutboxMessage)).one()
    assert stored.state == "sent" and token not in stored.body
    assert "/reset/***" in stored.body


def test_a_failed_mail_keeps_no_link_either(client, app):
    f.make_user("volunteer", email="down@example.org")
    client.post("/reset", data={"email": "down@example.org"})
    app.config["MAIL_MAX_ATTEMPTS"], old = 1, app.config["MAIL_MAX_ATTEMPTS"]
    try:
        with app.app_context():
            assert deliver_pending()["failed"] == 1  # nothing listens on port 1
    finally:
        app.config["MAIL_MAX_ATTEMPTS"] = old
    db.session.expire_all()
    stored = db.session.scalars(select(OutboxMessage)).one()
    assert stored.state == "failed" and not LINK.search(stored.body)


def test_error_logs_mask_the_token_in_the_path(database_url, caplog):
    from buddy import create_app
    from tests.conftest import app_config

    app = create_app(app_config(database_url))
    secret = "Zx9" * 12

    @app.route("/reset-boom/<string:token>")
    def _reset_boom(token):  # pragma: no cover - only raises
        raise RuntimeError("boom")

    _reset_boom.is_public = True
    with caplog.at_level(logging.ERROR):
        assert app.test_client().get(f"/reset-boom/{secret}").status_code == 500
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "/reset-boom/***" in logged and secret not in logged


def test_csrf_failures_on_a_reset_link_log_no_token(client, caplog):
    secret = "Qw7" * 12
    with caplog.at_level(logging.WARNING):
        client.post(f"/reset/{secret}", data={"password": "x"}, csrf=False)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "CSRF" in logged and secret not in logged and "/reset/***" in logged


def test_mask_tokens_covers_every_link_kind():
    text = "go to https://x.nl/invite/abc_DEF-123 or /reset/zzz?x=1 and /verify/tok#top"
    assert mask_tokens(text) == (
        "go to https://x.nl/invite/*** or /reset/***?x=1 and /verify/***#top")
