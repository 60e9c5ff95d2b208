"""Fixtures for the page tests: a verified account, and one at its code step."""

import pytest

from tests.pages.support import flow_verification, login_password, make_user


@pytest.fixture
def user(db):
    return make_user()


@pytest.fixture
def at_code_step(client, user):
    """A user past the password, with a code on its way to their number."""
    response = login_password(client)
    assert response.status_code == 302
    return flow_verification(client)
