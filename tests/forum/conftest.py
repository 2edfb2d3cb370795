"""Forum tests read messages in English, so that they hold once the Chinese catalogue is filled in."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from portal.i18n import LANGUAGE_COOKIE


@pytest.fixture
def client(client):
    client.http.set_cookie(LANGUAGE_COOKIE, "en")
    return client


@pytest.fixture
def english(app):
    with force_locale("en"):
        yield
