"""Forum tests read messages in English, so that they hold once the Chinese catalogue is filled in."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from forum import trust
from portal.i18n import LANGUAGE_COOKIE


@pytest.fixture
def client(client):
    client.http.set_cookie(LANGUAGE_COOKIE, "en")
    return client


@pytest.fixture
def english(app):
    with force_locale("en"):
        yield


@pytest.fixture(autouse=True)
def new_account_limits():
    """Test accounts are minutes old and post dozens of times a second: outside test_trust.py
    (which overrides this fixture) they post as long-standing members, nothing held or limited."""
    with trust.waived():
        yield
