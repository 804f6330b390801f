"""Declarative base, naming convention and column types shared by every model."""

from datetime import UTC, datetime

from sqlalchemy import JSON, CheckConstraint, DateTime, ForeignKey, MetaData, String, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from ..extensions import secret_box

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """A timestamp stored as naive UTC and always returned timezone-aware (UTC).

    SQLite has no time zones; storing naive UTC everywhere keeps both backends identical.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware UTC")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=UTC)


class EncryptedString(TypeDecorator):
    """A short secret stored encrypted (Fernet, see ``extensions.SecretBox``) and read back
    in plain text; the key comes from the environment, never from the database."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else secret_box.encrypt(value)

    def process_result_value(self, value, dialect):
        return None if value is None else secret_box.decrypt(value)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), dict: JSON(), list: JSON(), str: String()}


def enum_check(column: str, values, name: str | None = None) -> CheckConstraint:
    """Return a CHECK constraint limiting ``column`` to ``values`` (portable across backends)."""
    quoted = ", ".join(f"'{v}'" for v in values)
    return CheckConstraint(f"{column} IN ({quoted})", name=name or f"{column}_valid")


class OrganisationOwned:
    """A row of one organisation: its id and the organisation, deleted with it (and scoped
    to it on every page: see ``buddy.access``)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
