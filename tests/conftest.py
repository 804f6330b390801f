"""Shared fixtures: one migrated database per run, one rolled-back transaction per test.

Markers choose what a test gets (registered in ``pyproject.toml``):
``no_database`` (pure code: no app, no per-test transaction) and ``client_language(code)``
(the ``Accept-Language`` test clients send; ``None`` sends none; default ``en``).

Backend: SQLite by default; set ``TEST_DATABASE_URL`` to a PostgreSQL server URL (for
example ``postgresql://postgres@127.0.0.1:5432/postgres``) and the run creates its own
uniquely named database there, migrates it, and drops it at the end.
"""

import os
import re
import secrets
import threading
import uuid
from contextlib import contextmanager

import pytest
import time_machine
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from buddy import create_app, migrate
from buddy.config import normalise_database_url
from buddy.extensions import db, limiter, make_engine, secret_box

PG_ADMIN_URL = os.environ.get("TEST_DATABASE_URL", "")


def backend() -> str:
    """Return ``postgresql`` or ``sqlite``: the backend this run tests."""
    return "postgresql" if PG_ADMIN_URL.startswith("postgres") else "sqlite"


@contextmanager
def fresh_database(tmp_dir):
    """Create an empty database of this run's backend; drop it afterwards. Yields its URL."""
    if backend() == "sqlite":
        yield f"sqlite:///{tmp_dir / f'buddy-{uuid.uuid4().hex[:8]}.sqlite3'}"
        return
    admin_url = make_url(normalise_database_url(PG_ADMIN_URL))
    name = f"buddy_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def migrated_engine(url: str):
    """Return an engine on ``url`` with the schema migrated to head."""
    engine = make_engine(url)
    migrate.upgrade(engine)
    return engine


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    with fresh_database(tmp_path_factory.mktemp("db")) as url:
        engine = migrated_engine(url)
        engine.dispose()
        yield url


def app_config(database_url: str, **overrides) -> dict:
    """Return the app settings tests use (CSRF stays on)."""
    config = {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-" + "k" * 40,
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": 1,  # nothing listens: tests that need mail start a real SMTP server
        "RATELIMIT_STORAGE_URI": "memory://",
        "BASE_URL": "http://localhost",
        "SERVER_NAME": None,
    }
    config.update(overrides)
    return config


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    instance = tmp_path_factory.mktemp("instance")
    application = create_app(app_config(database_url))
    application.instance_path = str(instance)
    application.test_client_class = Client
    return application


@pytest.fixture
def clock():
    """Hold the app's clock still at the current instant; move it with ``clock.move_to(x)``
    (a datetime, or a date for its Amsterdam noon) or ``clock.shift(timedelta)``.

    Everything in ``buddy`` reads time through ``buddy.clock``, which reads ``datetime.now``:
    time-machine moves that (and ``date.today``/``time.time``) for the whole process.
    """
    from buddy import clock as app_clock

    with time_machine.travel(app_clock.now(), tick=False) as traveller:
        yield Traveller(traveller)


class Traveller:
    """A thin wrapper over time-machine's traveller that also accepts plain dates."""

    def __init__(self, traveller) -> None:
        self._traveller = traveller

    def move_to(self, when) -> None:
        from datetime import date, datetime, time

        from buddy.clock import LOCAL_ZONE

        if isinstance(when, date) and not isinstance(when, datetime):
            when = datetime.combine(when, time(12), LOCAL_ZONE)
        self._traveller.move_to(when)

    def shift(self, delta) -> None:
        self._traveller.shift(delta)

    @staticmethod
    def now():
        from buddy import clock as app_clock

        return app_clock.now()

    @staticmethod
    def today():
        from buddy import clock as app_clock

        return app_clock.today()


pytest_plugins = ["tests.workspace_fixtures"]


def pytest_sessionfinish(session, exitstatus):
    """Stop the in-memory rate-limit storage's expiry timers before the interpreter exits.

    ``limits``' memory storage re-arms a non-daemon ``threading.Timer`` of 10 ms. Under the
    moved-clock pass of ``.ci/run`` (libfaketime 0.9.10), a timed wait never times out
    (Python's ``sem_clockwait`` is not intercepted, so the deadline lies 400 days ahead) and the
    interpreter would wait for those timers forever after the last test. Cancelling wakes
    them without a timeout.
    """
    for thread in threading.enumerate():
        if isinstance(thread, threading.Timer):
            thread.cancel()
_extra_engines: list = []


@pytest.fixture(autouse=True)
def _dispose_engines_of_extra_apps(monkeypatch):
    """Apps a test makes for itself get their own engine: close its connections afterwards,
    so no pooled connection is left for the garbage collector (a ResourceWarning)."""
    from buddy import extensions

    def recording_make_engine(url):
        engine = make_engine(url)
        _extra_engines.append(engine)
        return engine

    monkeypatch.setattr(extensions, "make_engine", recording_make_engine)
    yield
    while _extra_engines:
        _extra_engines.pop().dispose()


@pytest.fixture(autouse=True)
def _transaction(request):
    """Run each test inside a transaction that is rolled back afterwards."""
    if "live_app" in request.fixturenames or request.node.get_closest_marker("no_database"):
        yield
        return
    app = request.getfixturevalue("app")
    db.engine = app.extensions["db_engine"]  # another test may have made its own app
    secret_box.init_app(app)  # ... with its own encryption key
    connection = db.engine.connect()
    outer = connection.begin()
    db._factory.configure(bind=connection, join_transaction_mode="create_savepoint")
    db.session.remove()
    with app.app_context():
        limiter.reset()
    yield
    db.session.remove()
    outer.rollback()
    connection.close()
    db._factory.configure(bind=db.engine, join_transaction_mode="conditional_savepoint")


# Most tests read English messages (the source strings), so their clients ask for English
# unless the test is marked otherwise: the tests of the Dutch default and of the catalogs
# carry ``client_language(None)`` and send no Accept-Language at all.
DEFAULT_CLIENT_LANGUAGE = "en"
_default_language = {"value": DEFAULT_CLIENT_LANGUAGE}


@pytest.fixture(autouse=True)
def _client_language(request):
    marker = request.node.get_closest_marker("client_language")
    _default_language["value"] = marker.args[0] if marker else DEFAULT_CLIENT_LANGUAGE
    yield
    _default_language["value"] = DEFAULT_CLIENT_LANGUAGE


class Client(FlaskClient):
    """A test client that sends a valid CSRF token with every form post (CSRF stays on)
    and, by default, ``Accept-Language: en`` (see ``_client_language``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if _default_language["value"]:
            self.environ_base.setdefault("HTTP_ACCEPT_LANGUAGE", _default_language["value"])

    def csrf_token(self) -> str:
        with self.session_transaction() as session:
            raw = session.setdefault("csrf_token", secrets.token_hex(20))
        serializer = URLSafeTimedSerializer(self.application.secret_key, salt="wtf-csrf-token")
        return serializer.dumps(raw)

    def post(self, *args, csrf: bool = True, **kwargs):
        data = kwargs.get("data")
        if csrf and isinstance(data, dict) and "csrf_token" not in data:
            kwargs["data"] = {**data, "csrf_token": self.csrf_token()}
        elif csrf and data is None and "json" not in kwargs:
            kwargs["data"] = {"csrf_token": self.csrf_token()}
        return super().post(*args, **kwargs)


@pytest.fixture
def app_ctx(app):
    """An app context for calling services directly. Do not make client requests inside it:
    requests would then share its ``g`` (and Flask-Login's cached user)."""
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    app.test_client_class = Client
    return app.test_client()


@pytest.fixture
def login(client):
    """Log ``user`` in on ``client`` (second factor passed) and return the client."""
    from tests.factories import login_as

    def do_login(user, on=None):
        return login_as(on or client, user)

    return do_login


def html_attr(html: bytes | str, tag: str, attr: str) -> str | None:
    """Return the value of ``attr`` on the first ``tag`` element of ``html``."""
    text_ = html.decode() if isinstance(html, bytes) else html
    found = re.search(rf"<{tag}\b[^>]*\b{attr}=\"([^\"]*)\"", text_)
    return found.group(1) if found else None
