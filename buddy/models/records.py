"""Consent records, the notification outbox and the audit trail."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .. import clock
from ..vocab import CONSENT_METHODS, CONSENT_PURPOSES, OUTBOX_STATES
from .base import Base, enum_check


class ConsentRecord(Base):
    """Consent given (and maybe withdrawn) for one purpose, text version and language."""

    __tablename__ = "consent_records"
    __table_args__ = (
        enum_check("purpose", CONSENT_PURPOSES),
        enum_check("method", CONSENT_METHODS),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(20))
    text_version: Mapped[str] = mapped_column(String(20))
    locale: Mapped[str] = mapped_column(String(10))
    method: Mapped[str] = mapped_column(String(10), default="online")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    given_at: Mapped[datetime] = mapped_column(default=clock.now)
    withdrawn_at: Mapped[datetime | None] = mapped_column()


class OutboxMessage(Base):
    """An e-mail waiting to be sent (or sent, or failed after retries)."""

    __tablename__ = "outbox"
    __table_args__ = (enum_check("state", OUTBOX_STATES),
                      enum_check("channel", ("email", "sms")))

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(5), default="email", server_default="email")
    recipient: Mapped[str] = mapped_column(String(254))  # an e-mail address or a phone number
    locale: Mapped[str] = mapped_column(String(10))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(String(300), default="")
    next_attempt_at: Mapped[datetime] = mapped_column(default=clock.now)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    sent_at: Mapped[datetime | None] = mapped_column()


class AuditEvent(Base):
    """Who did what to which record, when (UTC). Never personal data in the text."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(60))
    target_type: Mapped[str] = mapped_column(String(40), default="")
    target_id: Mapped[int | None] = mapped_column()
    at: Mapped[datetime] = mapped_column(default=clock.now, index=True)
    details: Mapped[dict] = mapped_column(default=dict)
