"""One reset link or one TOTP code used twice at the same moment: exactly one use succeeds.

Real threads, each with its own client, session and connection, on a fresh database (file
SQLite or PostgreSQL) with real commits. On PostgreSQL both requests are held until each has
read the unused token (or the old TOTP counter), so only the row lock can decide; on SQLite
``BEGIN IMMEDIATE`` serialises the two transactions and the second sees the first's use.
"""

import threading
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import func, select

from buddy.auth import services
from buddy.extensions import db
from buddy.models import OutboxMessage, Token, UserSession
from tests import factories as f
from tests.conftest import Client
from tests.factories import PASSWORD
from tests.lifecycle.test_lifecycle_concurrency import _hold_at_barrier

NEW = {"password": "a-brand-new-passphrase", "confirm": "a-brand-new-passphrase"}


def _at_once(clients, path: str, data: dict) -> list:
    """POST ``data`` to ``path`` from every client at the same moment; return the responses."""
    db.session.remove()
    start = threading.Barrier(len(clients), timeout=20)
    responses, errors = [None] * len(clients), []

    def run(i):
        try:
            token = Client.csrf_token(clients[i])
            start.wait()
            responses[i] = clients[i].post(path, data={**data, "csrf_token": token})
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return responses


def _clients(app, count=2):
    app.test_client_class = Client
    return [app.test_client() for _ in range(count)]


@pytest.mark.slow
def test_one_reset_link_used_twice_at_once_sets_one_password(live_app, monkeypatch):  # noqa: F811
    with live_app.app_context():
        user = f.make_user("volunteer", email="race@example.org")
        secret = services.create_token(user, "reset", timedelta(hours=2))
        db.session.commit()
        user_id = user.id
        # both requests read the unused token before either consumes it
        _hold_at_barrier(monkeypatch, services, "use_token", threading.Barrier(2, timeout=10))
        responses = _at_once(_clients(live_app), f"/reset/{secret}", NEW)
        codes = sorted(r.status_code for r in responses)
        assert codes == [302, 404], codes
        assert db.session.scalar(select(func.count(Token.id)).where(
            Token.user_id == user_id, Token.used_at.is_not(None))) == 1
        assert db.session.scalar(select(func.count(OutboxMessage.id)).where(
            OutboxMessage.kind == "password_changed")) == 1


@pytest.mark.slow
def test_one_totp_code_used_twice_at_once_logs_in_once(live_app, monkeypatch):  # noqa: F811
    with live_app.app_context():
        user = f.make_user("coordinator", email="race-code@example.org")
        code = pyotp.TOTP(user.totp_secret).now()
        user_id = user.id
        db.session.commit()
        clients = _clients(live_app)
        for client in clients:
            response = client.post("/login", data={"identifier": "race-code@example.org",
                                                   "password": PASSWORD,
                                                   "csrf_token": Client.csrf_token(client)})
            assert response.headers["Location"].endswith("/login/code")
        _hold_at_barrier(monkeypatch, services, "verify_totp", threading.Barrier(2, timeout=10))
        responses = _at_once(clients, "/login/code", {"code": code})
        codes = sorted(r.status_code for r in responses)
        assert codes == [200, 302], codes
        assert db.session.scalar(select(func.count(UserSession.id)).where(
            UserSession.user_id == user_id)) == 1
