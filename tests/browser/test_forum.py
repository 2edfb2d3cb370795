"""The forum's pages as a visitor meets them: boards, a board, a long thread; axe-core clean."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from portal.demo import ensure_demo_accounts
from portal.extensions import db

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def demo_forum(live_server):
    with live_server.app.app_context():
        ensure_demo_accounts("browser demo password")
        for loader in live_server.app.extensions["kaimen"].demo_loaders:
            loader()
        db.session.commit()
    return live_server


def test_boards_board_and_thread_pages_are_accessible(page, demo_forum, axe):
    page.goto("/forum/")
    axe(page)
    page.locator("main table a").first.click()
    axe(page)
    page.locator("main table tbody a").first.click()
    expect(page.locator("#floor-1")).to_be_visible()
    assert "楼主" in page.locator("#floor-1").inner_text()
    axe(page)
