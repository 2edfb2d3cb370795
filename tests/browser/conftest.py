"""Browser tests: a live Kaimen on 127.0.0.1, Debian's chromium driven by Playwright, axe-core on every page.

These tests run once, on SQLite: they check what a person sees and does, not the database layer,
which the rest of the suite already runs on both backends. Nothing here uses the parametrised
``database_url``/``app`` fixtures of ``tests/conftest.py``; pytest-playwright is not used either.

The browser is *required* when ``CI`` or ``KAIMEN_REQUIRE_BROWSER`` is set; elsewhere a machine
without ``/usr/bin/chromium`` skips these tests with a reason.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from portal import create_app
from portal.extensions import db
from portal.mail.models import OutboundMessage
from tests.conftest import required

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# How long one Playwright action or navigation may wait before the test fails (ms). The live
# server answers in milliseconds; a generous ceiling still keeps a broken test well under 15 s.
ACTION_TIMEOUT_MS = 5_000
NAVIGATION_TIMEOUT_MS = 10_000
# axe-core reports these impacts as failures; "minor" and "moderate" are left to review.
BLOCKING_IMPACTS = frozenset({"serious", "critical"})


# --- the live application ---------------------------------------------------------------------


@dataclass
class LiveServer:
    app: Flask
    server: BaseWSGIServer
    url: str

    def outbox(self, kind: str, recipient: str) -> list[OutboundMessage]:
        """Messages of ``kind`` queued for ``recipient``, oldest first, read in the app's own context."""
        with self.app.app_context():
            rows = db.session.scalars(
                sa.select(OutboundMessage)
                .where(OutboundMessage.kind == kind)
                .order_by(OutboundMessage.id)
            ).all()
            # Detach plain values: the session closes with the app context.
            found = [row for row in rows if recipient in row.recipients]
            for row in found:
                db.session.expunge(row)
            return found


def _live_config(database: Path) -> dict:
    """The settings of ``tests/conftest.py``'s ``_test_config``, on a SQLite file of our own."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
        "RATELIMIT_ENABLED": False,
        "MAIL_SERVER": None,
        "KAIMEN_BASE_URL": "http://127.0.0.1",  # replaced by the server's own address below
        "KAIMEN_MAIL_DOMAIN": "kaimen.test",
        "MAIL_DEFAULT_SENDER": "开门 Kaimen <noreply@kaimen.test>",
        "SERVER_NAME": None,
    }


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    """Kaimen served by Werkzeug on 127.0.0.1:<free port> in a daemon thread, for the whole session."""
    root = tmp_path_factory.mktemp("live")
    app = create_app({**_live_config(root / "kaimen.sqlite3"), "KAIMEN_INSTANCE_PATH": str(root)})
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        db.engine.dispose()

    server = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    # Links in mail must point at this server, so that the "person" can follow them.
    app.config["KAIMEN_BASE_URL"] = url
    thread = threading.Thread(target=server.serve_forever, name="kaimen-live", daemon=True)
    thread.start()
    try:
        yield LiveServer(app=app, server=server, url=url)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        with app.app_context():
            db.engine.dispose()


# --- the browser --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator:
    """One chromium for the session (a fresh context per test keeps tests apart)."""
    if not os.path.exists(CHROMIUM):
        reason = f"{CHROMIUM} is missing (apt-get install chromium fonts-noto-cjk)"
        if required("KAIMEN_REQUIRE_BROWSER"):
            pytest.fail(f"the browser is required here: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()


@pytest.fixture
def context(browser, live_server) -> Iterator:
    """A fresh browser profile (no cookies, no storage) pointed at the live server."""
    # The app's Content-Security-Policy allows no inline script, but axe-core is injected with
    # Playwright's page.evaluate (DevTools protocol), which CSP does not govern: no bypass_csp.
    ctx = browser.new_context(base_url=live_server.url)
    ctx.set_default_timeout(ACTION_TIMEOUT_MS)
    ctx.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def page(context):
    return context.new_page()


# --- accessibility ------------------------------------------------------------------------------

_axe = None


def _axe_runner():
    global _axe
    if _axe is None:
        from axe_playwright_python.sync_playwright import Axe

        _axe = Axe()
    return _axe


def _describe(violation: dict) -> str:
    nodes = "\n".join(
        f"      - {' '.join(map(str, node['target']))}: {node.get('html', '')[:160]}"
        for node in violation["nodes"]
    )
    return (
        f"  [{violation['impact']}] {violation['id']}: {violation['help']}\n"
        f"    {violation.get('helpUrl', '')}\n{nodes}"
    )


def assert_accessible(page) -> None:
    """Run axe-core on the page as it is now; fail on serious or critical violations."""
    page.wait_for_load_state("load")
    results = _axe_runner().run(page)
    blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING_IMPACTS]
    if blocking:
        report = "\n".join(_describe(v) for v in blocking)
        pytest.fail(
            f"axe-core found {len(blocking)} serious/critical violation(s) on {page.url}:\n{report}",
            pytrace=False,
        )


@pytest.fixture
def axe():
    """``axe(page)`` audits the current page; call it after every page load."""
    return assert_accessible
