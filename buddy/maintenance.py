"""Backups, restores and retention: the jobs that keep data safe and keep it no longer
than needed. Called from ``flask backup``, ``flask restore`` and ``flask purge-expired``."""

import hashlib
import shutil
import sqlite3
import subprocess  # noqa: S404 - runs pg_dump/pg_restore with fixed arguments, no shell
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.engine import Engine, make_url

from .extensions import db
from .models import (
    AuditEvent,
    Base,
    CheckIn,
    LoginThrottle,
    Match,
    MatchEvent,
    MeetingLog,
    OutboxMessage,
    ParticipantProfile,
    Token,
    User,
    UserSession,
    VolunteerProfile,
)
from .vocab import OPEN_MATCH_STATES


class BackupError(RuntimeError):
    """A backup or restore could not be made; the message says why."""


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up.")
    return Path(database)


def _pg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def backup(url: str, target: Path) -> Path:
    """Write a consistent backup of the database at ``url`` to ``target``.

    SQLite: the online backup API (safe while the app runs). PostgreSQL: ``pg_dump`` in
    its custom format.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    if url.startswith("sqlite"):
        source = sqlite3.connect(_sqlite_path(url))
        dest = sqlite3.connect(target)
        try:
            with dest:
                source.backup(dest)
        finally:
            dest.close()
            source.close()
        return target
    _run([_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={target}", _pg_dsn(url)])
    return target


def restore(source: Path, url: str) -> None:
    """Restore the backup at ``source`` into the (empty or disposable) database at ``url``."""
    if not source.exists():
        raise BackupError(f"No backup file at {source}.")
    if url.startswith("sqlite"):
        backup_db = sqlite3.connect(source)
        dest = sqlite3.connect(_sqlite_path(url))
        try:
            with dest:
                backup_db.backup(dest)
        finally:
            dest.close()
            backup_db.close()
        return
    _run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--exit-on-error",
          f"--dbname={_pg_dsn(url)}", str(source)])


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed; install the PostgreSQL client tools.")
    return path


def _run(args: list[str]) -> None:
    result = subprocess.run(args, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed: {result.stderr.strip()[:500]}")


def integrity_report(engine: Engine) -> dict[str, dict]:
    """Return per table the row count and a content hash (rows ordered by primary key)."""
    report = {}
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            status = conn.exec_driver_sql("PRAGMA integrity_check").scalar()
            if status != "ok":
                raise BackupError(f"SQLite integrity check failed: {status}")
        for table in Base.metadata.sorted_tables:
            order = [c for c in table.primary_key.columns]
            rows = conn.execute(select(table).order_by(*order)).all()
            digest = hashlib.sha256()
            for row in rows:
                digest.update(repr(tuple(row)).encode())
            report[table.name] = {"rows": len(rows), "sha256": digest.hexdigest()}
    return report


def retention_days(config: dict) -> dict[str, int]:
    """Return the retention period per data category (days), see docs/privacy.md."""
    return dict(config["RETENTION_DAYS"])


def purge_expired(now: datetime, days: dict[str, int]) -> dict[str, int]:
    """Delete or anonymise what is past its retention period; return counts per category."""
    from . import drafts
    from .privacy.services import ERASED, erase_person

    counts: dict[str, int] = {}
    withdrawn_before = now - timedelta(days=days["withdrawn_participant"])
    stale = db.session.scalars(
        select(User).join(ParticipantProfile, ParticipantProfile.user_id == User.id)
        .where(ParticipantProfile.status == "withdrawn",
               ParticipantProfile.updated_at < withdrawn_before)
    ).all()
    for user in stale:
        erase_person(user, actor=None)
    counts["withdrawn_participant"] = len(stale)
    for category, volunteers in _expired_volunteers(now, days).items():
        for user in volunteers:
            erase_person(user, actor=None)
        counts[category] = len(volunteers)

    ended_before = now - timedelta(days=days["ended_match_personal"])
    old_matches = select(Match.id).where(Match.status.in_(("ended", "rejected")),
                                         func.coalesce(Match.ended_at, Match.proposed_at)
                                         < ended_before)
    counts["ended_match_notes"] = db.session.execute(
        update(Match).where(Match.id.in_(old_matches),
                            (Match.end_note != "") | (Match.reject_reason != ""))
        .values(end_note="", reject_reason="")).rowcount
    counts["meeting_log_text"] = db.session.execute(
        update(MeetingLog).where(MeetingLog.match_id.in_(old_matches), MeetingLog.activity != "")
        .values(activity="")).rowcount
    counts["checkin_notes"] = db.session.execute(
        update(CheckIn).where(CheckIn.match_id.in_(old_matches), CheckIn.note != "")
        .values(note="")).rowcount
    counts["match_event_reasons"] = db.session.execute(
        update(MatchEvent).where(MatchEvent.match_id.in_(old_matches), MatchEvent.reason != "",
                                 MatchEvent.reason != ERASED)
        .values(reason="")).rowcount
    counts["audit_details"] = _clear_old_audit_details(
        now - timedelta(days=days["audit_details"]))
    counts["audit_event"] = db.session.execute(delete(AuditEvent).where(
        AuditEvent.at < now - timedelta(days=days["audit_event"]))).rowcount
    counts["outbox_body"] = db.session.execute(update(OutboxMessage).where(
        OutboxMessage.state.in_(("sent", "failed")), OutboxMessage.body != "",
        OutboxMessage.created_at < now - timedelta(days=days["outbox_body"]))
        .values(body="")).rowcount
    counts["login_throttle"] = db.session.execute(delete(LoginThrottle).where(
        LoginThrottle.last_failure_at < now - timedelta(days=days["login_throttle"]))).rowcount
    counts["outbox"] = db.session.execute(delete(OutboxMessage).where(
        OutboxMessage.state.in_(("sent", "failed")),
        OutboxMessage.created_at < now - timedelta(days=days["outbox_sent"]))).rowcount
    session_cutoff = now - timedelta(days=days["session"])
    counts["session"] = db.session.execute(delete(UserSession).where(
        (UserSession.revoked_at < session_cutoff) | (UserSession.last_seen_at < session_cutoff)
    )).rowcount
    counts["token"] = db.session.execute(delete(Token).where(
        Token.expires_at < now - timedelta(days=days["token"]))).rowcount
    counts["signup_draft"] = drafts.purge_expired(now)
    db.session.flush()
    return counts


def _expired_volunteers(now: datetime, days: dict[str, int]) -> dict[str, list[User]]:
    """Return the volunteers to erase per category: rejected at screening, paused without
    end (consent withdrawn), and long inactive (no login, no change, no open match)."""
    from .privacy.services import CONSENT_PAUSE_UNTIL

    def users(*conditions) -> list[User]:
        return list(db.session.scalars(
            select(User).join(VolunteerProfile, VolunteerProfile.user_id == User.id)
            .where(*conditions)).all())

    inactive_before = now - timedelta(days=days["inactive_volunteer"])
    open_match = select(Match.id).where(Match.volunteer_id == VolunteerProfile.id,
                                        Match.status.in_(OPEN_MATCH_STATES)).exists()
    found = {
        "rejected_volunteer": users(
            VolunteerProfile.screening == "rejected",
            VolunteerProfile.updated_at < now - timedelta(days=days["rejected_volunteer"])),
        "paused_volunteer": users(
            VolunteerProfile.paused_until == CONSENT_PAUSE_UNTIL,
            VolunteerProfile.updated_at < now - timedelta(days=days["paused_volunteer"])),
        "inactive_volunteer": users(
            func.coalesce(User.last_login_at, User.created_at) < inactive_before,
            VolunteerProfile.updated_at < inactive_before, ~open_match),
    }
    seen: set[int] = set()
    for category, people in found.items():  # each person once, in the first category
        found[category] = [u for u in people if u.id not in seen]
        seen.update(u.id for u in people)
    return found


def _clear_old_audit_details(before: datetime) -> int:
    """Blank the details of audit events older than ``before`` (the event itself stays)."""
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.at < before)).all()
    cleared = 0
    for event in events:
        if event.details:
            event.details = {}
            cleared += 1
    return cleared


def database_reachable(engine: Engine) -> bool:
    """Return True if a trivial query succeeds."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means "not reachable" here
        return False
    return True

