"""Fixtures for tests that need real commits on their own database."""

import pytest

from buddy import create_app
from buddy.extensions import db
from tests.conftest import app_config, fresh_database, migrated_engine


@pytest.fixture
def live_app(tmp_path):
    """An app on a fresh, migrated database of this run's backend (no rollback)."""
    with fresh_database(tmp_path) as url:
        migrated_engine(url).dispose()
        application = create_app(app_config(url))
        yield application
        db.session.remove()
        application.extensions["db_engine"].dispose()
