"""Organisations (NGOs, municipalities), their neighbourhoods and local referral lists."""

from datetime import datetime

from sqlalchemy import CheckConstraint, Float, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import clock
from ..vocab import DEFAULT_CHECKIN_DAYS, DEFAULT_WEIGHTS
from .base import Base, OrganisationOwned


class Organisation(Base):
    __tablename__ = "organisations"
    __table_args__ = (
        CheckConstraint("min_score >= 0 AND min_score <= 1", name="min_score_range"),
        CheckConstraint("match_months BETWEEN 1 AND 36", name="match_months_range"),
        CheckConstraint("vog_valid_years BETWEEN 1 AND 10", name="vog_years_range"),
        CheckConstraint("meeting_reminder_days BETWEEN 3 AND 120", name="reminder_days_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(100))
    weights: Mapped[dict] = mapped_column(default=lambda: dict(DEFAULT_WEIGHTS))
    min_score: Mapped[float] = mapped_column(Float, default=0.2)
    checkin_days: Mapped[list] = mapped_column(default=lambda: list(DEFAULT_CHECKIN_DAYS))
    match_months: Mapped[int] = mapped_column(default=12)
    vog_required: Mapped[bool] = mapped_column(default=True)
    vog_valid_years: Mapped[int] = mapped_column(default=3)
    meeting_reminder_days: Mapped[int] = mapped_column(default=21)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    neighbourhoods: Mapped[list["Neighbourhood"]] = relationship(
        back_populates="organisation", order_by="Neighbourhood.name"
    )

    def __repr__(self) -> str:
        return f"<Organisation {self.slug}>"


class Neighbourhood(OrganisationOwned, Base):
    __tablename__ = "neighbourhoods"
    __table_args__ = (
        UniqueConstraint("organisation_id", "name"),
        CheckConstraint("lat BETWEEN -90 AND 90", name="lat_range"),
        CheckConstraint("lon BETWEEN -180 AND 180", name="lon_range"),
    )

    name: Mapped[str] = mapped_column(String(120))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    priority_area: Mapped[bool] = mapped_column(default=False)

    organisation: Mapped[Organisation] = relationship(back_populates="neighbourhoods")


class LocalReferral(OrganisationOwned, Base):
    """An organisation's own referral: where volunteers can send people for what."""

    __tablename__ = "local_referrals"

    name: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(Text)
    contact: Mapped[str] = mapped_column(String(300))
    position: Mapped[int] = mapped_column(default=0)
