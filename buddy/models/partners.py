"""Partners of an organisation (employers, schools, associations), their pledges, and the
school's confirmation of a pupil volunteer."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import clock
from ..vocab import PARTNER_KINDS
from .base import Base, OrganisationOwned, enum_check


class Partner(OrganisationOwned, Base):
    """An employer, school, association or other partner that brings in guides."""

    __tablename__ = "partners"
    __table_args__ = (enum_check("kind", PARTNER_KINDS), UniqueConstraint("link_token"))

    kind: Mapped[str] = mapped_column(String(12))
    name: Mapped[str] = mapped_column(String(200))
    contact_name: Mapped[str] = mapped_column(String(120))
    contact_email: Mapped[str] = mapped_column(String(254))
    contact_phone: Mapped[str] = mapped_column(String(20), default="")
    # The random part of the partner's own sign-up link; a new one makes old posters invalid.
    link_token: Mapped[str] = mapped_column(String(43))
    link_expires_on: Mapped[date | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    organisation = relationship("Organisation")
    pledges: Mapped[list["PartnerPledge"]] = relationship(
        back_populates="partner", order_by="PartnerPledge.year",
        cascade="all, delete-orphan", passive_deletes=True)

    def link_open(self, on: date) -> bool:
        """Return True if the sign-up link still works on ``on``."""
        return self.link_expires_on is None or on <= self.link_expires_on


class PartnerPledge(OrganisationOwned, Base):
    """A partner's commitment: so many new guides in a calendar year."""

    __tablename__ = "partner_pledges"
    __table_args__ = (
        UniqueConstraint("partner_id", "year"),
        CheckConstraint("guides BETWEEN 1 AND 10000", name="guides_range"),
        CheckConstraint("year BETWEEN 2000 AND 2100", name="year_range"),
    )

    partner_id: Mapped[int] = mapped_column(
        ForeignKey("partners.id", ondelete="CASCADE"), index=True
    )
    year: Mapped[int] = mapped_column()
    guides: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    partner: Mapped[Partner] = relationship(back_populates="pledges")


class SchoolConfirmation(Base):
    """A single-use, expiring link for a school to confirm a pupil's placement (hash only)."""

    __tablename__ = "school_confirmations"
    __table_args__ = (UniqueConstraint("token_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(
        ForeignKey("volunteer_profiles.id", ondelete="CASCADE"), index=True
    )
    partner_id: Mapped[int] = mapped_column(
        ForeignKey("partners.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column()
