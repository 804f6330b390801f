"""Behind a reverse proxy: the real client address, trusted hosts, links from BASE_URL."""

import logging
import re

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import func, select
from werkzeug.middleware.proxy_fix import ProxyFix

from buddy import create_app
from buddy.extensions import db, limiter
from buddy.models import OutboxMessage
from buddy.notifications import absolute_url
from tests import factories as f
from tests.conftest import Client, app_config, fresh_database, migrated_engine

BASE_URL = "https://buddy.example"
PROXY = {"REMOTE_ADDR": "127.0.0.1"}  # every request comes from the proxy


@pytest.fixture(scope="module")
def proxied_database(tmp_path_factory):
    with fresh_database(tmp_path_factory.mktemp("proxy")) as url:
        migrated_engine(url).dispose()
        yield url


@pytest.fixture
def live_app(proxied_database):
    """The app as production runs it: one proxy in front, one trusted host (real commits)."""
    application = create_app(app_config(
        proxied_database, TRUSTED_PROXIES=1, TRUSTED_HOSTS=["buddy.example"], BASE_URL=BASE_URL,
        SERVER_NAME="buddy.example"))  # the test client's default host
    application.test_client_class = Client
    with application.app_context():
        limiter.reset()
    yield application
    db.session.remove()
    application.extensions["db_engine"].dispose()


def _client(app, forwarded_for: str, host: str = "buddy.example"):
    """A client behind the proxy, which sets the X-Forwarded-* headers as nginx does."""
    client = app.test_client()
    client.environ_base.update(PROXY, HTTP_X_FORWARDED_FOR=forwarded_for,
                               HTTP_X_FORWARDED_PROTO="https", HTTP_X_FORWARDED_HOST=host,
                               # over HTTPS, Flask-WTF checks the Referer as browsers send it
                               HTTP_REFERER=f"https://{host}/")
    return client


def _outbox_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(OutboxMessage))


def test_proxy_fix_is_wired_only_when_proxies_are_trusted(database_url):
    assert not isinstance(create_app(app_config(database_url)).wsgi_app, ProxyFix)
    wrapped = create_app(app_config(database_url, TRUSTED_PROXIES=2)).wsgi_app
    assert isinstance(wrapped, ProxyFix)
    assert (wrapped.x_for, wrapped.x_proto, wrapped.x_host) == (2, 2, 2)


def test_login_limit_is_per_client_behind_the_proxy(live_app, caplog):
    caplog.set_level(logging.INFO, logger="buddy")
    with live_app.app_context():
        user = f.make_user("volunteer", email="behind.proxy@example.org")
        user_id = user.id
    first, second = _client(live_app, "203.0.113.5"), _client(live_app, "198.51.100.7")
    codes = [first.post("/login", data={"identifier": "nobody@example.org", "password": "x"}
                        ).status_code for _ in range(11)]
    assert codes[:10] == [200] * 10 and codes[10] == 429
    # A forged X-Forwarded-For is kept by the proxy, which appends the real address.
    first.environ_base["HTTP_X_FORWARDED_FOR"] = "10.0.0.99, 203.0.113.5"
    assert first.post("/login", data={"identifier": "nobody@example.org", "password": "x"}
                      ).status_code == 429
    response = second.post("/login", data={"identifier": "behind.proxy@example.org",
                                           "password": f.PASSWORD})
    assert response.status_code == 302
    assert f"login password ok user={user_id} ip=198.51.100.7" in caplog.text


def test_without_trusted_proxies_forwarded_headers_are_ignored(app, client):
    f.make_user("volunteer", email="no.proxy@example.org")
    codes = [client.post("/login", data={"identifier": "no.proxy@example.org", "password": "x"},
                         headers={"X-Forwarded-For": f"10.9.{i}.1"}).status_code
             for i in range(11)]
    assert codes[10] == 429


def test_an_untrusted_host_gets_400_and_queues_nothing(live_app):
    with live_app.app_context():
        f.make_user("volunteer", email="host.check@example.org")
    before = _outbox_count(live_app)
    evil = _client(live_app, "203.0.113.9", host="evil.example")
    response = evil.post("/reset", data={"email": "host.check@example.org"})
    assert response.status_code == 400 and b"unknown host" in response.data
    assert evil.get("/healthz").status_code == 400
    # Straight to the app, without a proxy header, the Host header is checked the same way.
    direct = live_app.test_client()
    assert direct.post("/reset", data={"email": "host.check@example.org"},
                       base_url="https://evil.example").status_code == 400
    assert _outbox_count(live_app) == before
    assert _client(live_app, "203.0.113.9").get("/healthz").status_code == 200


def test_reset_link_is_built_from_base_url_not_from_the_request(app, client, monkeypatch):
    """Without TRUSTED_HOSTS (development), a forged Host still cannot reach the e-mail."""
    monkeypatch.setitem(app.config, "BASE_URL", BASE_URL + "/")
    f.make_user("volunteer", email="reset.link@example.org")
    with client.session_transaction(base_url="http://evil.example") as session:
        session["csrf_token"] = raw = "r" * 40
    token = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(raw)
    response = client.post("/reset", data={"email": "reset.link@example.org",
                                           "csrf_token": token}, base_url="http://evil.example")
    assert response.status_code == 302
    body = db.session.scalar(select(OutboxMessage.body)
                             .where(OutboxMessage.recipient == "reset.link@example.org"))
    links = re.findall(r"\S+://\S+", body)
    assert links and all(link.startswith(BASE_URL + "/reset/") for link in links)


def test_absolute_url_works_outside_a_request(app_ctx, monkeypatch):
    monkeypatch.setitem(app_ctx.config, "BASE_URL", "https://buddy.example/")
    assert absolute_url("auth.invite", token="abc") == "https://buddy.example/invite/abc"
    assert (absolute_url("toolkit.page", slug="eerste", lang="ar")
            == "https://buddy.example/toolkit/eerste?lang=ar")
