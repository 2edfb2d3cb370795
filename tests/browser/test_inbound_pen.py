"""The holding pen pages, in a real browser, checked by axe-core; a held reply is released."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from portal.accounts import services as accounts
from portal.accounts.models import Role
from portal.extensions import db
from portal.mail.inbound.ingest import ingest
from tests.portal.mail_inbound.conftest import eml

pytestmark = pytest.mark.browser


def test_holding_pen_pages_are_accessible_and_a_message_is_discarded(page, live_server, axe):
    with live_server.app.app_context():
        accounts.create_user(
            "pen-admin@example.com", "收件管理员", "pen admin password", roles={Role.ADMIN}
        )
        db.session.commit()
        held = ingest(eml("no_token.eml")).id
        auto_reply = ingest(eml("auto_reply.eml")).id  # listed under "All" with a release button

    page.goto("/account/login")
    page.get_by_label("电子邮箱", exact=True).fill("pen-admin@example.com")
    page.get_by_label("密码", exact=True).fill("pen admin password")
    page.get_by_role("button", name="登录").click()
    paths = ["/admin/inbound/", "/admin/inbound/all", f"/admin/inbound/{held}"]
    for path in [*paths, f"/admin/inbound/{auto_reply}"]:
        page.goto(path)
        expect(page.locator("h1")).to_be_visible()
        axe(page)

    page.goto("/admin/inbound/all")
    expect(page.locator(f"form[action$='/{auto_reply}/release'] button")).to_be_visible()
    page.goto(f"/admin/inbound/{held}")
    expect(page.get_by_text("已办结。").first).to_be_visible()
    page.locator("form[action$='/discard'] button[type=submit]").click()
    axe(page)
    page.goto(f"/admin/inbound/{held}")
    assert page.locator("form[action$='/discard']").count() == 0
