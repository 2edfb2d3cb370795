"""The working-day calendar pages, in a real browser, checked by axe-core."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from portal.accounts import services as accounts
from portal.accounts.models import Role
from portal.extensions import db

pytestmark = pytest.mark.browser


def test_calendar_pages_are_accessible_and_a_day_is_added(page, live_server, axe):
    with live_server.app.app_context():
        accounts.create_user(
            "calendar-admin@example.com",
            "日历管理员",
            "calendar admin password",
            roles={Role.ADMIN},
        )
        db.session.commit()

    page.goto("/account/login")
    page.get_by_label("电子邮箱", exact=True).fill("calendar-admin@example.com")
    page.get_by_label("密码", exact=True).fill("calendar admin password")
    page.get_by_role("button", name="登录").click()
    for path in ["/admin/calendar/", "/admin/calendar/2026", "/admin/calendar/2029"]:
        page.goto(path)
        expect(page.locator("h1")).to_be_visible()
        axe(page)

    # A date in the wrong format: the summary and the field say so, and axe is still content.
    page.goto("/admin/calendar/2029")
    page.locator("#day").evaluate("el => el.type = 'text'")
    page.locator("#day").fill("2029/01/01")
    page.locator("form[action$='/days'] button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()
    axe(page)

    page.locator("#day").evaluate("el => el.type = 'date'")
    page.locator("#day").fill("2029-10-08")
    page.locator("#name").fill("国庆节")
    page.locator("form[action$='/days'] button[type=submit]").click()
    expect(page.get_by_text("国庆节", exact=True).first).to_be_visible()
    axe(page)
