"""CSV exports of matches and of the waiting list: pseudonymised, spreadsheet-safe, audited.

People appear under a pseudonym made with HMAC-SHA256 and a key that is new for every
export: within one file the same person always has the same pseudonym (so rows can be
grouped), but two files cannot be linked. First names only on explicit request.
"""

import csv
import hashlib
import hmac
import io
import secrets
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from .. import audit, clock
from ..extensions import db
from ..matchmaking import services
from ..models import Match, MeetingLog

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")


def safe_cell(value) -> str:
    """Return ``value`` as text that a spreadsheet will not run as a formula."""
    if value is None:
        return ""
    text = value.isoformat() if isinstance(value, date) else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class Pseudonymiser:
    """Stable pseudonyms within one export, unlinkable between exports."""

    def __init__(self, key: bytes | None = None):
        self._key = key or secrets.token_bytes(32)

    def __call__(self, kind: str, object_id: int | None) -> str:
        if object_id is None:
            return ""
        digest = hmac.new(self._key, f"{kind}:{object_id}".encode(), hashlib.sha256)
        return f"{kind[0].upper()}-{digest.hexdigest()[:10].upper()}"


def to_csv(header: list[str], rows: list[list]) -> str:
    """Return UTF-8 CSV text with a byte-order mark (Excel reads the encoding from it)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return BOM + buffer.getvalue()


def _person(pseudonym, kind: str, profile, object_id, with_names: bool) -> str:
    if with_names and profile is not None:
        return profile.first_name
    return pseudonym(kind, object_id)


def matches_csv(organisation_id: int, with_names: bool = False) -> tuple[str, int]:
    """Return the organisation's matches as CSV text, and the number of rows."""
    matches = db.session.scalars(
        select(Match).where(Match.organisation_id == organisation_id)
        .options(selectinload(Match.participant), selectinload(Match.volunteer))
        .order_by(Match.proposed_at, Match.id)).all()
    meetings = dict(db.session.execute(
        select(MeetingLog.match_id, func.count(MeetingLog.id))
        .join(Match, Match.id == MeetingLog.match_id)
        .where(Match.organisation_id == organisation_id).group_by(MeetingLog.match_id)).all())
    pseudonym = Pseudonymiser()
    header = ["match", "status", "participant", "volunteer", "score", "goal", "level_at_start",
              "waiting_days", "priority_area", "proposed_on", "approved_on", "activated_on",
              "planned_end_on", "ended_on", "end_reason", "meetings"]
    rows = [[
        pseudonym("match", m.id), m.status,
        _person(pseudonym, "participant", m.participant, m.participant_id, with_names),
        _person(pseudonym, "volunteer", m.volunteer, m.volunteer_id, with_names),
        f"{m.score:.3f}", m.goal, m.level_at_start, m.waiting_days,
        "yes" if m.priority_area else "no", _day(m.proposed_at), _day(m.approved_at),
        _day(m.activated_at), m.planned_end_on, _day(m.ended_at), m.end_reason,
        meetings.get(m.id, 0),
    ] for m in matches]
    return to_csv(header, rows), len(rows)


def waiting_csv(organisation_id: int, with_names: bool = False) -> tuple[str, int]:
    """Return the organisation's waiting list as CSV text, and the number of rows."""
    waiting = services.list_waiting(organisation_id)
    pseudonym = Pseudonymiser()
    header = ["participant", "neighbourhood", "priority_area", "dutch_level", "primary_goal",
              "goals", "languages", "waiting_since", "waiting_days", "rematch_priority"]
    rows = [[
        _person(pseudonym, "participant", p, p.id, with_names),
        p.neighbourhood.name if p.neighbourhood else "",
        "yes" if p.neighbourhood and p.neighbourhood.priority_area else "no",
        p.dutch_level, p.primary_goal, " ".join(p.goal_keys), " ".join(p.languages or []),
        _day(p.waiting_since), days, "yes" if p.rematch_priority else "no",
    ] for p, days in waiting]
    return to_csv(header, rows), len(rows)


def _day(moment) -> str:
    return clock.local_date(moment).isoformat() if moment else ""


def export(kind: str, organisation_id: int, with_names: bool) -> tuple[str, str]:
    """Build an export (``matches`` or ``waiting``), audit it; return (filename, text)."""
    build = matches_csv if kind == "matches" else waiting_csv
    text, count = build(organisation_id, with_names)
    audit.record(f"export.{kind}", None, organisation_id=organisation_id, rows=count,
                 first_names=with_names)
    return f"{kind}-{clock.today().isoformat()}.csv", text
