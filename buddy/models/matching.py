"""Matches and their life: runs, history, rules, check-ins, meetings, level assessments."""

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import clock
from ..vocab import (
    CHECKIN_OUTCOMES,
    END_REASONS,
    GOALS,
    LEVELS,
    MATCH_STATES,
    OPEN_MATCH_STATES,
    PAIR_RULE_KINDS,
)
from .base import Base, OrganisationOwned, enum_check

_OPEN = "status IN (" + ", ".join(f"'{s}'" for s in OPEN_MATCH_STATES) + ")"


class MatchingRun(OrganisationOwned, Base):
    """One saved matching run: its parameters, counts and result."""

    __tablename__ = "matching_runs"

    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    parameters: Mapped[dict] = mapped_column(default=dict)  # weights, min_score, scope
    participants_count: Mapped[int] = mapped_column(default=0)
    volunteers_count: Mapped[int] = mapped_column(default=0)
    proposed_count: Mapped[int] = mapped_column(default=0)
    objective: Mapped[float] = mapped_column(Float, default=0.0)
    duration_ms: Mapped[int] = mapped_column(default=0)


class Match(OrganisationOwned, Base):
    """A pair of one participant and one volunteer, from proposal to end.

    Invariants kept by the database: a participant has at most one open match (partial
    unique index) and a volunteer at most three open matches, one per capacity slot
    (partial unique index on volunteer and slot; services pick a slot below capacity
    while holding the volunteer's row lock). Erasure sets the person references to NULL
    and keeps the match as an anonymous fact for statistics.
    """

    __tablename__ = "matches"
    __table_args__ = (
        enum_check("status", MATCH_STATES),
        enum_check("end_reason", END_REASONS),
        enum_check("goal", GOALS),
        enum_check("level_at_start", LEVELS),
        CheckConstraint("volunteer_slot BETWEEN 1 AND 3", name="slot_range"),
        CheckConstraint("score >= 0 AND score <= 1", name="score_range"),
        CheckConstraint(
            "status != 'ended' OR (ended_at IS NOT NULL AND end_reason IS NOT NULL)",
            name="ended_has_reason",
        ),
        CheckConstraint("version >= 1", name="version_positive"),
        Index(
            "uq_matches_open_participant",
            "participant_id",
            unique=True,
            sqlite_where=text(_OPEN),
            postgresql_where=text(_OPEN),
        ),
        Index(
            "uq_matches_open_volunteer_slot",
            "volunteer_id",
            "volunteer_slot",
            unique=True,
            sqlite_where=text(_OPEN),
            postgresql_where=text(_OPEN),
        ),
    )

    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participant_profiles.id", ondelete="SET NULL"), index=True
    )
    volunteer_id: Mapped[int | None] = mapped_column(
        ForeignKey("volunteer_profiles.id", ondelete="SET NULL"), index=True
    )
    volunteer_slot: Mapped[int] = mapped_column(default=1)
    run_id: Mapped[int | None] = mapped_column(
        ForeignKey("matching_runs.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(10), default="proposed")
    score: Mapped[float] = mapped_column(Float, default=0.0)
    explanation: Mapped[dict] = mapped_column(default=dict)  # structured; templates translate
    goal: Mapped[str | None] = mapped_column(String(20))  # participant's primary goal then
    level_at_start: Mapped[str | None] = mapped_column(String(3))
    waiting_days: Mapped[int] = mapped_column(default=0)  # days waited when proposed
    priority_area: Mapped[bool] = mapped_column(default=False)
    proposed_at: Mapped[datetime] = mapped_column(default=clock.now)
    approved_at: Mapped[datetime | None] = mapped_column()
    activated_at: Mapped[datetime | None] = mapped_column()
    ended_at: Mapped[datetime | None] = mapped_column()
    planned_end_on: Mapped[date | None] = mapped_column()
    end_reason: Mapped[str | None] = mapped_column(String(30))
    end_note: Mapped[str] = mapped_column(Text, default="")
    reject_reason: Mapped[str] = mapped_column(String(300), default="")
    version: Mapped[int] = mapped_column(default=1)

    participant = relationship("ParticipantProfile")
    volunteer = relationship("VolunteerProfile")
    run = relationship(MatchingRun)
    events: Mapped[list["MatchEvent"]] = relationship(
        back_populates="match", order_by="MatchEvent.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_MATCH_STATES


class MatchEvent(Base):
    """One transition in a match's life: who moved it from which status to which, when."""

    __tablename__ = "match_events"
    __table_args__ = (
        enum_check("to_status", MATCH_STATES),
        enum_check("from_status", MATCH_STATES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[int] = mapped_column(ForeignKey("matches.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(10))
    to_status: Mapped[str] = mapped_column(String(10))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=clock.now)
    reason: Mapped[str] = mapped_column(String(300), default="")

    match: Mapped[Match] = relationship(back_populates="events")


class PairRule(OrganisationOwned, Base):
    """A coordinator's rule for the next runs: pin a pair, or forbid it."""

    __tablename__ = "pair_rules"
    __table_args__ = (
        enum_check("kind", PAIR_RULE_KINDS),
        UniqueConstraint("participant_id", "volunteer_id", "kind"),
    )

    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant_profiles.id", ondelete="CASCADE"), index=True
    )
    volunteer_id: Mapped[int] = mapped_column(
        ForeignKey("volunteer_profiles.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class CheckIn(Base):
    """A coordinator check-in on a match, due at the organisation's cadence."""

    __tablename__ = "check_ins"
    __table_args__ = (
        enum_check("outcome", CHECKIN_OUTCOMES),
        UniqueConstraint("match_id", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[int] = mapped_column(ForeignKey("matches.id", ondelete="CASCADE"), index=True)
    due_on: Mapped[date] = mapped_column(index=True)
    done_at: Mapped[datetime | None] = mapped_column()
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    outcome: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")

    match = relationship(Match)


class MeetingLog(Base):
    """A meeting the volunteer logged: when, how long, what they did."""

    __tablename__ = "meeting_logs"
    __table_args__ = (CheckConstraint("minutes BETWEEN 5 AND 600", name="minutes_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[int] = mapped_column(ForeignKey("matches.id", ondelete="CASCADE"), index=True)
    met_on: Mapped[date] = mapped_column()
    minutes: Mapped[int] = mapped_column()
    activity: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class LevelAssessment(Base):
    """A coordinator's assessment of a participant's Dutch level on a date."""

    __tablename__ = "level_assessments"
    __table_args__ = (enum_check("level", LEVELS),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant_profiles.id", ondelete="CASCADE"), index=True
    )
    assessed_on: Mapped[date] = mapped_column()
    level: Mapped[str] = mapped_column(String(3))
    assessed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
