"""The approvals tests read English messages: their browser has chosen English (accounts without a
language of their own would otherwise get the site's default, Chinese)."""

from __future__ import annotations

import pytest

from portal.i18n import LANGUAGE_COOKIE


@pytest.fixture(autouse=True)
def english_pages(request):
    if "client" in request.fixturenames:
        request.getfixturevalue("client").http.set_cookie(LANGUAGE_COOKIE, "en")
