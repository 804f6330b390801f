"""Accounts, server-side sessions and single-use tokens."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import clock
from ..i18n import DEFAULT_LOCALE
from ..vocab import ROLES
from .base import Base, EncryptedString, enum_check


class User(UserMixin, Base):
    """Anyone with a record: admin, coordinator, volunteer or participant.

    A participant registered by a coordinator may have neither e-mail, phone nor password
    until they accept an invitation.
    """

    __tablename__ = "users"
    __table_args__ = (enum_check("role", ROLES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    locale: Mapped[str] = mapped_column(String(10), default=DEFAULT_LOCALE)
    active: Mapped[bool] = mapped_column(default=True)
    # Encrypted at rest (Fernet, key from the environment); read and written in plain text.
    totp_secret: Mapped[str | None] = mapped_column("totp_secret_encrypted",
                                                    EncryptedString(255))
    totp_last_counter: Mapped[int | None] = mapped_column()
    recovery_codes: Mapped[list | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    last_login_at: Mapped[datetime | None] = mapped_column()
    # Role "partner": the partner whose aggregate figures this contact may see.
    partner_id: Mapped[int | None] = mapped_column(
        ForeignKey("partners.id", ondelete="CASCADE"), index=True
    )

    organisation = relationship("Organisation")
    partner = relationship("Partner", foreign_keys=[partner_id])
    sessions: Mapped[list["UserSession"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )

    # Flask-Login: the id kept in the signed cookie is the server-side session id.
    _session_id = None  # set by the login service; not a column

    def get_id(self) -> str | None:
        return self._session_id

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_staff(self) -> bool:
        return self.role in ("admin", "coordinator")

    @property
    def needs_second_factor(self) -> bool:
        """Staff and partner contacts log in with a second factor."""
        return self.is_staff or self.role == "partner"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class UserSession(Base):
    """A login session kept on the server, so it can be listed, timed out and revoked."""

    __tablename__ = "user_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the cookie token
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    last_seen_at: Mapped[datetime] = mapped_column(default=clock.now)
    revoked_at: Mapped[datetime | None] = mapped_column()
    mfa_passed: Mapped[bool] = mapped_column(default=False)
    user_agent: Mapped[str] = mapped_column(String(200), default="")

    user: Mapped[User] = relationship(back_populates="sessions")


class Token(Base):
    """A single-use, expiring token (password reset, invitation). Only its hash is stored."""

    __tablename__ = "tokens"
    __table_args__ = (enum_check("purpose", ("reset", "invite")), UniqueConstraint("token_hash"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(10))
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column()


class LoginThrottle(Base):
    """Failed attempts on one account (or one normalised unknown identifier) at one login
    step, with the back-off they earned; counted whatever address the attempts come from."""

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of step + account
    failures: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column()
    last_failure_at: Mapped[datetime] = mapped_column(default=clock.now, index=True)


class ContactClaim(Base):
    """An e-mail address or phone number someone wants on their account, waiting for the
    code or link sent to it. Only a confirmed claim reaches ``users.email``/``users.phone``,
    so nobody can squat another person's address and no answer reveals who has one."""

    __tablename__ = "contact_claims"
    __table_args__ = (enum_check("kind", ("email", "phone")),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    value: Mapped[str] = mapped_column(String(254))
    secret_hash: Mapped[str] = mapped_column(String(64), index=True)  # of the code or link
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    expires_at: Mapped[datetime] = mapped_column()
    confirmed_at: Mapped[datetime | None] = mapped_column()
