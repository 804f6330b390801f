"""Extensions, created once and unbound; ``create_app`` binds them."""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import Flask
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf import CSRFProtect
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, scoped_session, sessionmaker


class Database:
    """The engine and a request-scoped session, bound to an app by ``init_app``.

    A small replacement for Flask-SQLAlchemy: tests can rebind ``session`` to a single
    connection inside a rolled-back transaction, and services never commit themselves.
    """

    def __init__(self) -> None:
        self.engine: Engine | None = None
        self._factory = sessionmaker(expire_on_commit=False)
        self.session = scoped_session(self._factory)

    def init_app(self, app: Flask) -> None:
        url = app.config["DATABASE_URL"]
        self.engine = make_engine(url)
        self._factory.configure(bind=self.engine)
        app.extensions["db_engine"] = self.engine

        @app.teardown_appcontext
        def remove_session(exc: BaseException | None) -> None:
            if exc is not None:
                self.session.rollback()
            self.session.remove()

    def bind(self, bind) -> None:
        """Rebind sessions to ``bind`` (an engine or a connection); used by tests."""
        self.session.remove()
        self._factory.configure(bind=bind)


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets foreign keys, WAL, a busy timeout and IMMEDIATE writes."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 15, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)


def _sqlite_on_connect(dbapi_connection, connection_record) -> None:
    # Let SQLAlchemy emit BEGIN itself (see _sqlite_begin) instead of pysqlite.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA secure_delete=ON")  # erased rows are overwritten, not left behind
    cursor.execute("PRAGMA busy_timeout=15000")
    if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "memory":
        cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection) -> None:
    # IMMEDIATE takes the write lock at the start, so concurrent writers queue on the busy
    # timeout instead of failing half-way with "database is locked" on lock upgrade.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


class SecretBox:
    """Encrypts small secrets at rest (TOTP secrets) with Fernet, bound by ``init_app``.

    ``TOTP_ENCRYPTION_KEY`` holds one or more comma-separated Fernet keys: the first encrypts,
    all decrypt (``MultiFernet``), so a key can be rotated. Production requires the setting
    (see ``config``); development and tests derive a key from ``SECRET_KEY``.
    """

    def __init__(self) -> None:
        self._fernet: MultiFernet | None = None

    def init_app(self, app: Flask) -> None:
        self.configure(app.config.get("TOTP_ENCRYPTION_KEY"), app.config["SECRET_KEY"])

    def configure(self, keys: str | None, secret_key: str) -> None:
        """Use the Fernet ``keys`` (comma-separated), or a key derived from ``secret_key``."""
        self._fernet = MultiFernet([Fernet(k.strip()) for k in keys.split(",") if k.strip()]
                                   if keys else [Fernet(derived_fernet_key(secret_key))])

    @property
    def ready(self) -> bool:
        return self._fernet is not None

    def encrypt(self, value: str) -> str:
        return self._box().encrypt(value.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._box().decrypt(token.encode()).decode()
        except InvalidToken as error:
            raise ValueError("a stored secret cannot be decrypted with the configured key; "
                             "check TOTP_ENCRYPTION_KEY") from error

    def _box(self) -> MultiFernet:
        if self._fernet is None:
            raise RuntimeError("SecretBox used before init_app")
        return self._fernet


def derived_fernet_key(secret_key: str) -> bytes:
    """Return a Fernet key derived from ``secret_key`` (development and tests only)."""
    digest = hashlib.sha256(b"inburgergids-totp-encryption:" + secret_key.encode()).digest()
    return base64.urlsafe_b64encode(digest)


def current_session() -> Session:
    """Return the session of this request/app context."""
    return db.session()


def _rate_limit_key() -> str:
    return get_remote_address() or "unknown"


db = Database()
login_manager = LoginManager()
babel = Babel()
csrf = CSRFProtect()
secret_box = SecretBox()
limiter = Limiter(key_func=_rate_limit_key, default_limits=[], headers_enabled=True)
