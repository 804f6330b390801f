"""The schema comes only from migrations: head equals the models; every step reverses."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from buddy import migrate
from buddy.extensions import make_engine
from buddy.models import Base
from tests.conftest import fresh_database

pytestmark = [pytest.mark.slow, pytest.mark.client_language(None)]


@pytest.fixture
def empty_engine(tmp_path):
    with fresh_database(tmp_path) as url:
        engine = make_engine(url)
        yield engine
        engine.dispose()


def _revisions(engine) -> list[str]:
    script = ScriptDirectory.from_config(migrate.alembic_config(engine))
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def test_upgrade_head_matches_the_models(empty_engine):
    migrate.upgrade(empty_engine)
    with empty_engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_upgrade_creates_every_model_table_and_partial_indexes(empty_engine):
    migrate.upgrade(empty_engine)
    inspector = inspect(empty_engine)
    assert set(Base.metadata.tables) <= set(inspector.get_table_names())
    index_names = {ix["name"] for ix in inspector.get_indexes("matches")}
    assert {"uq_matches_open_participant", "uq_matches_open_volunteer_slot"} <= index_names


def test_every_revision_downgrades_and_upgrades_again(empty_engine):
    revisions = _revisions(empty_engine)
    assert revisions, "no migration revisions found"
    for revision in revisions:
        migrate.upgrade(empty_engine, revision)
        migrate.downgrade(empty_engine, "-1")
        migrate.upgrade(empty_engine, revision)
    migrate.downgrade(empty_engine, "base")
    assert set(inspect(empty_engine).get_table_names()) <= {"alembic_version"}
    migrate.upgrade(empty_engine, "head")


def test_constraint_names_follow_the_convention(empty_engine):
    migrate.upgrade(empty_engine)
    inspector = inspect(empty_engine)
    for table in Base.metadata.tables:
        for fk in inspector.get_foreign_keys(table):
            assert fk["name"] is None or fk["name"].startswith(f"fk_{table}_")
        for ck in inspector.get_check_constraints(table):
            assert ck["name"].startswith(f"ck_{table}_")


def test_existing_totp_secrets_are_encrypted_by_the_upgrade_and_back(empty_engine, app):
    from sqlalchemy import text

    from buddy.extensions import secret_box

    migrate.upgrade(empty_engine, "d73396e9d581")
    with empty_engine.begin() as conn:
        conn.execute(text("INSERT INTO users (role, email, locale, active, created_at, "
                          "totp_secret) VALUES ('admin', 'a@example.org', 'nl', true, "
                          "'2026-11-30 10:00:00', 'JBSWY3DPEHPK3PXP')"))
    migrate.upgrade(empty_engine, "5e1f0a2b13cd")
    with empty_engine.connect() as conn:
        stored = conn.execute(text("SELECT totp_secret_encrypted FROM users")).scalar_one()
    assert stored != "JBSWY3DPEHPK3PXP" and secret_box.decrypt(stored) == "JBSWY3DPEHPK3PXP"
    migrate.downgrade(empty_engine, "d73396e9d581")
    with empty_engine.connect() as conn:
        assert conn.execute(text("SELECT totp_secret FROM users")).scalar_one() == (
            "JBSWY3DPEHPK3PXP")
