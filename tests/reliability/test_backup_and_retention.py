"""Backup drill (back up, restore into a fresh database, compare) and retention purge."""

from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from buddy import clock, create_app
from buddy.demo import DEMO_PASSWORD, create_demo
from buddy.extensions import db
from buddy.maintenance import backup, integrity_report, purge_expired, restore, retention_days
from buddy.models import AuditEvent, Match, OutboxMessage, Token, User, UserSession
from tests import factories as f
from tests.conftest import app_config, fresh_database, migrated_engine

pytestmark = pytest.mark.slow


def test_backup_restore_drill(live_app, tmp_path):
    with live_app.app_context():
        create_demo(seed=3)
        db.session.commit()
        original = integrity_report(db.engine)
    archive = backup(live_app.config["DATABASE_URL"], tmp_path / "backup.dump")
    assert archive.stat().st_size > 0
    with fresh_database(tmp_path) as restored_url:
        if not restored_url.startswith("sqlite"):
            migrated_engine(restored_url).dispose()  # pg_restore --clean replaces it
        restore(archive, restored_url)
        restored_app = create_app(app_config(restored_url))
        with restored_app.app_context():
            assert integrity_report(db.engine) == original
            assert original["users"]["rows"] > 100
        client = restored_app.test_client()
        assert client.get("/").status_code == 200
        page = client.get("/login")
        assert page.status_code == 200
        db.session.remove()
        restored_app.extensions["db_engine"].dispose()


def test_backup_and_restore_commands(live_app, tmp_path):
    with live_app.app_context():
        f.make_org(slug="cli-org")
    runner = live_app.test_cli_runner()
    result = runner.invoke(args=["backup", str(tmp_path / "b.dump")])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["restore", "--yes", str(tmp_path / "b.dump")])
    assert result.exit_code == 0, result.output
    assert "integrity check passed" in result.output


def test_restore_of_missing_file_is_a_clear_error(live_app, tmp_path):
    result = CliRunner().invoke(live_app.cli, ["restore", "--yes", str(tmp_path / "none")])
    assert result.exit_code != 0


def test_purge_with_a_moved_clock(app_ctx):
    days = retention_days(app_ctx.config)
    now = clock.now()
    old_participant = f.make_participant(status="withdrawn", first_name="Oudwaarde")
    old_participant.updated_at = now - timedelta(days=days["withdrawn_participant"] + 1)
    fresh_withdrawn = f.make_participant(status="withdrawn")
    match = f.make_match(status="ended", end_note="Privé notitie",
                         ended_at=now - timedelta(days=days["ended_match_personal"] + 1))
    f.make_meeting(match, activity="Samen naar de markt")
    f.make_audit(at=now - timedelta(days=days["audit_event"] + 1))
    f.make_outbox(state="sent", created_at=now - timedelta(days=days["outbox_sent"] + 1))
    f.make_outbox(state="pending", created_at=now - timedelta(days=days["outbox_sent"] + 1))
    f.make_session(last_seen_at=now - timedelta(days=days["session"] + 1))
    f.make_token(expires_at=now - timedelta(days=days["token"] + 1))
    db.session.commit()

    assert purge_expired(now - timedelta(days=2000), days)["withdrawn_participant"] == 0
    counts = purge_expired(now, days)
    db.session.commit()
    assert counts["withdrawn_participant"] == 1
    assert db.session.get(User, old_participant.user_id) is None
    assert db.session.get(User, fresh_withdrawn.user_id) is not None
    assert db.session.get(Match, match.id).end_note == ""
    assert counts["meeting_log_text"] == 1
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0
    states = db.session.scalars(select(OutboxMessage.state)).all()
    assert states == ["pending"]
    assert db.session.scalar(select(func.count()).select_from(UserSession)) == 0
    assert db.session.scalar(select(func.count()).select_from(Token)) == 0


def test_demo_password_is_documented():
    assert DEMO_PASSWORD in Path("README.md").read_text(encoding="utf-8")
