"""Monitoring figures: pure functions over plain rows, plus the queries that feed them.

The figure functions take lists of dates, codes and tuples (no ORM, no Flask) so tests can
check them against hand-computed fixtures. ``load_rows`` reads one query per table;
``figures`` turns the rows into every figure of the monitor page. Chart geometry for the
server-rendered SVG charts is computed here too (``bar_chart``, ``line_chart``).
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from statistics import median

from sqlalchemy import select

from .. import clock
from ..extensions import db
from ..models import LevelAssessment, Match, Organisation, ParticipantProfile
from ..vocab import END_REASONS, GOALS, LEVELS

COMPLETED_REASONS = ("completed", "goal_reached")
THRESHOLDS = (30, 60, 90)
MIN_GROUP = 5  # groups smaller than this are hidden in cross-organisation figures


# --- calendar helpers -------------------------------------------------------------------------

def month_start(day: date) -> date:
    return day.replace(day=1)


def shift_months(first_of_month: date, months: int) -> date:
    """Return the first day of the month ``months`` after (or before) ``first_of_month``."""
    index = first_of_month.year * 12 + first_of_month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def last_months(today: date, count: int = 12) -> list[date]:
    """Return the first days of the last ``count`` months, the current month last."""
    current = month_start(today)
    return [shift_months(current, -i) for i in range(count - 1, -1, -1)]


def month_end(first_of_month: date, today: date) -> date:
    """Return the last day of the month, or ``today`` for the current month."""
    return min(shift_months(first_of_month, 1) - timedelta(days=1), today)


# --- figures (pure) ---------------------------------------------------------------------------

def matches_per_month(approved_on: list[date], today: date, months: int = 12
                      ) -> list[tuple[date, int]]:
    """Matches made (approved) per month over the last ``months`` months."""
    counts = Counter(month_start(d) for d in approved_on)
    return [(m, counts.get(m, 0)) for m in last_months(today, months)]


def waiting_periods(waiting_since: date, status: str, left_on: date | None,
                    matches: list[tuple[date, date | None]]) -> list[tuple[date, date | None]]:
    """Spells a participant spent on the waiting list: [start, end) pairs, end None = still.

    ``matches`` are (approved on, ended on or None) of the participant's approved matches.
    A spell ends at an approval; an ended match starts a new spell if the participant was
    matched again later or is waiting now. A spell still open while the participant is no
    longer waiting (withdrawn, paused) ends at ``left_on``.
    """
    spells: list[tuple[date, date | None]] = []
    start: date | None = waiting_since
    ordered = sorted(matches)
    for i, (approved_on, ended_on) in enumerate(ordered):
        if start is not None and approved_on >= start:
            spells.append((start, approved_on))
            start = None
        is_last = i == len(ordered) - 1
        if ended_on is not None and (not is_last or status == "waiting"):
            start = ended_on
    if start is not None:
        spells.append((start, None if status == "waiting" else (left_on or start)))
    return spells


def waiting_list_over_time(spells: list[tuple[date, date | None]], today: date,
                           months: int = 12) -> list[tuple[date, int, float | None]]:
    """At the end of each month: how many were waiting, and their median days waited."""
    out = []
    for first in last_months(today, months):
        end = month_end(first, today)
        waited = [(end - start).days for start, stop in spells
                  if start <= end and (stop is None or stop > end)]
        out.append((first, len(waited), float(median(waited)) if waited else None))
    return out


def matched_within(first_spells: list[tuple[date, date | None]], today: date,
                   thresholds=THRESHOLDS) -> dict[int, tuple[int, int]]:
    """For each threshold N: (matched within N days, joined at least N days ago).

    ``first_spells`` are (joined the waiting list, first approval or None) per participant.
    """
    out = {}
    for days in thresholds:
        cohort = [(start, matched) for start, matched in first_spells
                  if start <= today - timedelta(days=days)]
        quick = sum(1 for start, matched in cohort
                    if matched is not None and (matched - start).days <= days)
        out[days] = (quick, len(cohort))
    return out


def endings(reasons: list[str]) -> dict:
    """Completed versus ended early, with the early reasons counted."""
    counts = Counter(reasons)
    early = {r: counts[r] for r in END_REASONS if r not in COMPLETED_REASONS and counts[r]}
    return {"completed": sum(counts[r] for r in COMPLETED_REASONS),
            "early": sum(early.values()), "by_reason": early}


def level_progress(pairs: list[tuple[str, str]]) -> dict:
    """Dutch level at the start versus the latest assessment: how many rose a level or more."""
    rose = sum(1 for start, latest in pairs if LEVELS.index(latest) > LEVELS.index(start))
    start_counts = Counter(start for start, _latest in pairs)
    latest_counts = Counter(latest for _start, latest in pairs)
    return {"assessed": len(pairs), "rose": rose,
            "share": rose / len(pairs) if pairs else None,
            "start": [(lv, start_counts.get(lv, 0)) for lv in LEVELS],
            "latest": [(lv, latest_counts.get(lv, 0)) for lv in LEVELS]}


def matches_by_goal(goals: list[str | None]) -> list[tuple[str, int]]:
    """Matches made per participant goal, most common first (unknown goals left out)."""
    counts = Counter(g for g in goals if g in GOALS)
    return sorted(counts.items(), key=lambda item: (-item[1], GOALS.index(item[0])))


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


# --- rows from the database (one query per table) --------------------------------------------

@dataclass
class MatchRow:
    participant_id: int | None
    status: str
    approved_on: date | None
    ended_on: date | None
    end_reason: str | None
    goal: str | None
    level_at_start: str | None


@dataclass
class ParticipantRow:
    id: int
    waiting_since: date
    status: str
    updated_on: date


@dataclass
class Rows:
    """Everything one organisation's figures need."""

    matches: list[MatchRow] = field(default_factory=list)
    participants: list[ParticipantRow] = field(default_factory=list)
    assessments: list[tuple[int, date, str]] = field(default_factory=list)


def load_rows(organisation_ids: list[int]) -> dict[int, Rows]:
    """Load the monitor rows of the given organisations: three queries in all."""
    rows = {org_id: Rows() for org_id in organisation_ids}
    for m in db.session.execute(
            select(Match.organisation_id, Match.participant_id, Match.status, Match.approved_at,
                   Match.ended_at, Match.end_reason, Match.goal, Match.level_at_start)
            .where(Match.organisation_id.in_(organisation_ids))):
        rows[m.organisation_id].matches.append(MatchRow(
            m.participant_id, m.status,
            clock.local_date(m.approved_at) if m.approved_at else None,
            clock.local_date(m.ended_at) if m.ended_at else None,
            m.end_reason, m.goal, m.level_at_start))
    for p in db.session.execute(
            select(ParticipantProfile.organisation_id, ParticipantProfile.id,
                   ParticipantProfile.waiting_since, ParticipantProfile.status,
                   ParticipantProfile.updated_at)
            .where(ParticipantProfile.organisation_id.in_(organisation_ids))):
        rows[p.organisation_id].participants.append(ParticipantRow(
            p.id, clock.local_date(p.waiting_since), p.status, clock.local_date(p.updated_at)))
    for a in db.session.execute(
            select(ParticipantProfile.organisation_id, LevelAssessment.participant_id,
                   LevelAssessment.assessed_on, LevelAssessment.level)
            .join(ParticipantProfile, ParticipantProfile.id == LevelAssessment.participant_id)
            .where(ParticipantProfile.organisation_id.in_(organisation_ids))
            .order_by(LevelAssessment.assessed_on, LevelAssessment.id)):
        rows[a.organisation_id].assessments.append((a.participant_id, a.assessed_on, a.level))
    return rows


# --- from rows to figures ---------------------------------------------------------------------

def _made(matches: list[MatchRow]) -> list[MatchRow]:
    return [m for m in matches if m.approved_on is not None and m.status != "rejected"]


def start_and_latest_levels(rows: Rows) -> list[tuple[str, str]]:
    """(level at the start of the first match, latest assessment since then) per participant."""
    first_match: dict[int, MatchRow] = {}
    for m in sorted(_made(rows.matches), key=lambda m: m.approved_on):
        if m.participant_id is not None and m.level_at_start:
            first_match.setdefault(m.participant_id, m)
    latest: dict[int, str] = {}
    for participant_id, assessed_on, level in rows.assessments:  # oldest first
        match = first_match.get(participant_id)
        if match is not None and assessed_on > match.approved_on:
            latest[participant_id] = level
    return [(first_match[pid].level_at_start, level) for pid, level in latest.items()]


def participant_spells(rows: Rows) -> tuple[list, list]:
    """(all waiting spells, first spell per participant as (joined, first approval))."""
    approvals: dict[int, list[tuple[date, date | None]]] = defaultdict(list)
    for m in _made(rows.matches):
        if m.participant_id is not None:
            approvals[m.participant_id].append((m.approved_on, m.ended_on))
    spells, first = [], []
    for p in rows.participants:
        mine = approvals.get(p.id, [])
        spells += waiting_periods(p.waiting_since, p.status, p.updated_on, mine)
        later = sorted(a for a, _e in mine if a >= p.waiting_since)
        first.append((p.waiting_since, later[0] if later else None))
    return spells, first


def figures(rows: Rows, today: date) -> dict:
    """Every figure of the monitor page for one organisation."""
    made = _made(rows.matches)
    spells, first = participant_spells(rows)
    statuses = Counter(m.status for m in rows.matches)
    return {
        "per_month": matches_per_month([m.approved_on for m in made], today),
        "waiting": waiting_list_over_time(spells, today),
        "waiting_now": sum(1 for s, e in spells if e is None),
        "within": matched_within(first, today),
        "active": statuses.get("active", 0),
        "approved": statuses.get("approved", 0),
        "proposed": statuses.get("proposed", 0),
        "endings": endings([m.end_reason for m in made if m.status == "ended" and m.end_reason]),
        "levels": level_progress(start_and_latest_levels(rows)),
        "goals": matches_by_goal([m.goal for m in made]),
        "made_total": len(made),
    }


def organisation_figures(organisation_id: int, today: date) -> dict:
    """The figures of one organisation (three queries)."""
    return figures(load_rows([organisation_id])[organisation_id], today)


# --- across organisations (admin): aggregates with small groups hidden ------------------------

def suppress(count: int) -> int | None:
    """Return ``count``, or None when the group is smaller than ``MIN_GROUP``."""
    return count if count >= MIN_GROUP else None


def suppressed_share(part: int, whole: int) -> float | None:
    """A share, hidden when either the group or the part is too small to publish."""
    if whole < MIN_GROUP or part < MIN_GROUP and part != 0:
        return None
    return part / whole


def overview(figs: dict) -> dict:
    """The cross-organisation summary of one organisation's figures, small groups hidden."""
    within90 = figs["within"][90]
    levels = figs["levels"]
    made_12 = sum(n for _m, n in figs["per_month"])
    current_wait = figs["waiting"][-1][2] if figs["waiting"] else None
    waiting_now = figs["waiting_now"]
    return {
        "waiting": suppress(waiting_now),
        "median_wait": current_wait if waiting_now >= MIN_GROUP else None,
        "made_12_months": suppress(made_12),
        "active": suppress(figs["active"]),
        "within_90": suppressed_share(*within90),
        "completed": suppress(figs["endings"]["completed"]),
        "ended_early": suppress(figs["endings"]["early"]),
        "level_rose": suppressed_share(levels["rose"], levels["assessed"]),
    }


def all_organisations(today: date) -> list[tuple[Organisation, dict]]:
    """Every organisation with its suppressed summary (four queries in all)."""
    organisations = list(db.session.scalars(select(Organisation).order_by(Organisation.name)))
    rows = load_rows([o.id for o in organisations])
    return [(o, overview(figures(rows[o.id], today))) for o in organisations]


# --- chart geometry (pure) --------------------------------------------------------------------

@dataclass
class Bar:
    label: object
    value: float
    x: float
    y: float
    width: float
    height: float


@dataclass
class Chart:
    """Coordinates for an SVG chart in a ``width`` x ``height`` view box."""

    width: int
    height: int
    top: float  # the value at the top of the plot area
    ticks: list[tuple[float, float]]  # (value, y)
    bars: list[Bar] = field(default_factory=list)
    points: str = ""  # polyline points "x,y x,y"
    dots: list[Bar] = field(default_factory=list)
    baseline: float = 0.0
    left: float = 0.0


def nice_step(value: float) -> float:
    """Round a step up to 1, 2 or 5 times a power of ten (at least 1: counts are whole)."""
    if value <= 1:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return float(step * magnitude)
    return float(10 * magnitude)


def nice_top(value: float, ticks: int = 4) -> float:
    """The top of the value axis: ``ticks`` whole, round steps that reach ``value``."""
    step = nice_step(value / ticks)
    return step * max(1, -(-value // step))


def _frame(values: list[float], width: int, height: int) -> tuple[float, float, float, list]:
    left, bottom, top_pad = 36.0, height - 28.0, 8.0
    top = nice_top(max(values, default=0))
    step = nice_step(max(values, default=0) / 4)
    count = int(round(top / step))
    ticks = [(step * i, bottom - (bottom - top_pad) * step * i / top) for i in range(count + 1)]
    return left, bottom, top, ticks


def bar_chart(items: list[tuple[object, float]], width: int = 600, height: int = 220) -> Chart:
    """Vertical bars, one per (label, value), scaled to a rounded maximum."""
    left, bottom, top, ticks = _frame([v for _l, v in items], width, height)
    slot = (width - left - 8) / max(len(items), 1)
    bars = []
    for i, (label, value) in enumerate(items):
        bar_height = (bottom - 8) * value / top
        bars.append(Bar(label, value, round(left + i * slot + slot * 0.15, 1),
                        round(bottom - bar_height, 1), round(slot * 0.7, 1),
                        round(bar_height, 1)))
    return Chart(width, height, top, ticks, bars=bars, baseline=bottom, left=left)


def line_chart(items: list[tuple[object, float]], width: int = 600, height: int = 220) -> Chart:
    """A line through (label, value) points with a dot at each point."""
    left, bottom, top, ticks = _frame([v for _l, v in items], width, height)
    step = (width - left - 16) / max(len(items) - 1, 1)
    dots = []
    for i, (label, value) in enumerate(items):
        x = round(left + 8 + i * step, 1)
        y = round(bottom - (bottom - 8) * value / top, 1)
        dots.append(Bar(label, value, x, y, 0, 0))
    points = " ".join(f"{d.x},{d.y}" for d in dots)
    return Chart(width, height, top, ticks, points=points, dots=dots, baseline=bottom, left=left)


def hbar_rows(items: list[tuple[object, float]], total: float | None = None,
              width: float = 100.0) -> list[tuple[object, float, float]]:
    """(label, value, length 0..width) for horizontal bars relative to ``total`` or the max."""
    scale = total if total else max((v for _l, v in items), default=0)
    return [(label, value, round(width * value / scale, 1) if scale else 0.0)
            for label, value in items]


def charts(figs: dict) -> dict:
    """Geometry of every chart on the monitor page."""
    within = [(days, quick / cohort if cohort else 0.0) for days, (quick, cohort)
              in figs["within"].items()]
    endings_rows = [("completed", figs["endings"]["completed"]),
                    *figs["endings"]["by_reason"].items()]
    return {
        "per_month": bar_chart(figs["per_month"]),
        "waiting": line_chart([(m, n) for m, n, _median in figs["waiting"]]),
        "within": hbar_rows(within, total=1.0),
        "endings": hbar_rows(endings_rows),
        "goals": hbar_rows(figs["goals"]),
    }
