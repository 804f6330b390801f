"""Unfinished sign-ups, kept on the server between the steps of a wizard."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from .. import clock
from .base import Base, enum_check

DRAFT_KINDS = ("participant", "volunteer")


class SignupDraft(Base):
    """The answers of one sign-up in progress.

    The browser holds only a random key (in the session cookie); the row is found by the
    key's SHA-256, so a database dump does not reveal live keys. ``client`` is a keyed hash
    of the client address, kept only to cap how many drafts one address starts per hour.
    """

    __tablename__ = "signup_drafts"
    __table_args__ = (enum_check("kind", DRAFT_KINDS),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(12))
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    client: Mapped[str] = mapped_column(String(64), index=True)
    data: Mapped[dict] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=clock.now, index=True)
    expires_at: Mapped[datetime] = mapped_column(index=True)
