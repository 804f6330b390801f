"""Volunteer and participant profiles: exactly the facts matching needs, no more."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from .. import clock
from ..vocab import (
    AGE_BANDS,
    ALL_SLOTS_MASK,
    COLLEAGUE_PREFS,
    GENDER_PREFS,
    GENDERS,
    GOALS,
    INTERESTS,
    LEVELS,
    PARTICIPANT_STATES,
    ROUTES,
    SCREENING_STATES,
    TARGET_LEVELS,
    VOG_STATES,
    keys_from_mask,
    slot_keys,
)
from .base import Base, enum_check

GOALS_MASK = (1 << len(GOALS)) - 1
INTERESTS_MASK = (1 << len(INTERESTS)) - 1


def _profile_checks():
    """Return the constraints shared by both profile tables."""
    return (
        CheckConstraint(f"availability BETWEEN 0 AND {ALL_SLOTS_MASK}", name="availability_range"),
        CheckConstraint(f"interests BETWEEN 0 AND {INTERESTS_MASK}", name="interests_range"),
        CheckConstraint("radius_km BETWEEN 0 AND 100", name="radius_range"),
        CheckConstraint("in_person OR online", name="some_meeting_mode"),
        enum_check("gender", GENDERS, name="gender_valid"),
    )


class ProfileMixin:
    """Facts both sides share: whose profile in which organisation, name, where, when, what
    they like, which languages."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    neighbourhood_id: Mapped[int] = mapped_column(
        ForeignKey("neighbourhoods.id", ondelete="RESTRICT"), index=True
    )
    first_name: Mapped[str] = mapped_column(String(100))
    gender: Mapped[str | None] = mapped_column(String(1))
    availability: Mapped[int] = mapped_column(Integer, default=0)  # 21-bit weekly slot mask
    interests: Mapped[int] = mapped_column(Integer, default=0)  # bitmask over vocab.INTERESTS
    languages: Mapped[list] = mapped_column(default=list)  # ISO 639 codes
    radius_km: Mapped[int] = mapped_column(default=5)
    in_person: Mapped[bool] = mapped_column(default=True)
    online: Mapped[bool] = mapped_column(default=False)
    share_email: Mapped[bool] = mapped_column(default=False)  # nothing shared unless chosen
    share_phone: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)

    @declared_attr
    def user(cls):
        return relationship("User", foreign_keys=[cls.user_id])

    @declared_attr
    def organisation(cls):
        return relationship("Organisation")

    @declared_attr
    def neighbourhood(cls):
        return relationship("Neighbourhood")

    @property
    def availability_slots(self) -> list[tuple[str, str]]:
        return slot_keys(self.availability)

    @property
    def interest_keys(self) -> list[str]:
        return keys_from_mask(self.interests, INTERESTS)


class VolunteerProfile(ProfileMixin, Base):
    __tablename__ = "volunteer_profiles"
    __table_args__ = (
        *_profile_checks(),
        CheckConstraint("capacity BETWEEN 1 AND 3", name="capacity_range"),
        CheckConstraint("commitment_months BETWEEN 1 AND 36", name="commitment_range"),
        CheckConstraint(f"support BETWEEN 0 AND {GOALS_MASK}", name="support_range"),
        enum_check("screening", SCREENING_STATES),
        enum_check("vog_status", VOG_STATES),
        enum_check("age_band", AGE_BANDS),
        enum_check("colleague_pref", COLLEAGUE_PREFS),
        CheckConstraint("placement_hours IS NULL OR placement_hours BETWEEN 1 AND 500",
                        name="placement_hours_range"),
    )

    age_band: Mapped[str] = mapped_column(String(10))
    language_levels: Mapped[dict] = mapped_column(default=dict)  # code -> basic|good|native
    support: Mapped[int] = mapped_column(Integer, default=0)  # bitmask over vocab.GOALS
    occupation: Mapped[str] = mapped_column(String(120), default="")
    entrepreneur_experience: Mapped[bool] = mapped_column(default=False)
    capacity: Mapped[int] = mapped_column(default=1)
    commitment_months: Mapped[int] = mapped_column(default=12)
    motivation: Mapped[str] = mapped_column(Text, default="")
    screening: Mapped[str] = mapped_column(String(20), default="registered")
    screening_note: Mapped[str] = mapped_column(Text, default="")
    intake_on: Mapped[date | None] = mapped_column()
    vog_status: Mapped[str] = mapped_column(String(20), default="not_requested")
    vog_issued_on: Mapped[date | None] = mapped_column()
    vog_checked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    vog_checked_at: Mapped[datetime | None] = mapped_column()
    training_done_on: Mapped[date | None] = mapped_column()
    screened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    screened_at: Mapped[datetime | None] = mapped_column()
    rejection_reason: Mapped[str] = mapped_column(String(300), default="")
    paused_until: Mapped[date | None] = mapped_column()
    # Where the guide comes from (None: an individual) and, at an employer, whom they guide.
    partner_id: Mapped[int | None] = mapped_column(
        ForeignKey("partners.id", ondelete="SET NULL"), index=True
    )
    colleague_pref: Mapped[str] = mapped_column(String(10), default="either")
    # A pupil on a community-service placement (maatschappelijke stage).
    birth_date: Mapped[date | None] = mapped_column()
    teacher_email: Mapped[str] = mapped_column(String(254), default="")
    placement_hours: Mapped[int | None] = mapped_column()
    placement_end_on: Mapped[date | None] = mapped_column()
    school_confirmed_at: Mapped[datetime | None] = mapped_column()
    certificate_hours: Mapped[float | None] = mapped_column()
    certificate_signed_at: Mapped[datetime | None] = mapped_column()
    certificate_signed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )

    partner = relationship("Partner")

    @property
    def is_pupil(self) -> bool:
        return self.placement_end_on is not None

    @property
    def support_keys(self) -> list[str]:
        return keys_from_mask(self.support, GOALS)


class ParticipantProfile(ProfileMixin, Base):
    __tablename__ = "participant_profiles"
    __table_args__ = (
        *_profile_checks(),
        CheckConstraint(f"goals BETWEEN 0 AND {GOALS_MASK}", name="goals_range"),
        enum_check("dutch_level", LEVELS),
        enum_check("target_level", TARGET_LEVELS),
        enum_check("primary_goal", GOALS),
        enum_check("gender_pref", GENDER_PREFS),
        enum_check("route", ROUTES),
        enum_check("status", PARTICIPANT_STATES),
    )

    dutch_level: Mapped[str] = mapped_column(String(3), default="A0")
    target_level: Mapped[str | None] = mapped_column(String(3))
    route: Mapped[str] = mapped_column(String(20), default="unknown")
    goals: Mapped[int] = mapped_column(Integer, default=0)  # bitmask over vocab.GOALS
    primary_goal: Mapped[str] = mapped_column(String(20), default="language")
    gender_pref: Mapped[str] = mapped_column(String(3), default="any")
    status: Mapped[str] = mapped_column(String(10), default="waiting")
    waiting_since: Mapped[datetime] = mapped_column(default=clock.now)
    rematch_priority: Mapped[bool] = mapped_column(default=False)
    # Coordinator-only, sensitive: never rendered in any volunteer or participant view.
    barriers: Mapped[list] = mapped_column(default=list)
    barrier_note: Mapped[str] = mapped_column(Text, default="")
    registered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    # Works at this employer partner: a colleague guide from there may be matched.
    employer_partner_id: Mapped[int | None] = mapped_column(
        ForeignKey("partners.id", ondelete="SET NULL"), index=True
    )

    employer_partner = relationship("Partner")

    @property
    def goal_keys(self) -> list[str]:
        return keys_from_mask(self.goals, GOALS)
