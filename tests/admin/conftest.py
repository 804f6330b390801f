"""Fixtures for the administration pages: an administrator, signed in."""

import pytest

from tests import factories as f


@pytest.fixture
def admin_user():
    return f.make_user("admin", locale="en")  # English pages: stable assertions


@pytest.fixture
def admin(client, login, admin_user):
    """The test client, signed in as an administrator."""
    return login(admin_user)
