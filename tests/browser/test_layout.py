"""The base layout at phone width and the administrator's pages, as a person meets them."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from portal.accounts import services as accounts
from portal.accounts.models import Role
from portal.extensions import db
from portal.mail.outbox import queue_message

pytestmark = pytest.mark.browser


def test_phone_width_has_no_sideways_scrolling_and_keyboard_reaches_main(browser, live_server, axe):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 360, "height": 740})
    try:
        page = context.new_page()
        for path in ["/", "/account/register", "/account/login"]:
            page.goto(path)
            axe(page)
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at phone width"
            for name in ["论坛", "投诉"]:
                assert (
                    page.get_by_role("navigation", name="主导航")
                    .get_by_role("link", name=name)
                    .is_visible()
                )
        # The first Tab shows the skip link; following it lands in the main content.
        page.goto("/")
        page.keyboard.press("Tab")
        skip = page.get_by_role("link", name="跳转到主要内容")
        expect(skip).to_be_visible()
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main"
    finally:
        context.close()


def test_admin_pages_are_accessible(page, live_server, axe):
    with live_server.app.app_context():
        admin = accounts.create_user(
            "browser-admin@example.com",
            "浏览器管理员",
            "browser admin password",
            roles={Role.ADMIN},
        )
        message = queue_message(
            kind="test", to=["someone@example.com"], subject="测试邮件", body_text="正文"
        )
        db.session.commit()
        admin_id, message_id = admin.id, message.id

    page.goto("/account/login")
    page.get_by_label("电子邮箱", exact=True).fill("browser-admin@example.com")
    page.get_by_label("密码", exact=True).fill("browser admin password")
    page.get_by_role("button", name="登录").click()
    page.get_by_role("link", name="系统管理").click()
    axe(page)
    for path in [
        f"/admin/users/{admin_id}",
        "/admin/users/new",
        "/admin/audit",
        "/admin/mail",
        f"/admin/mail/{message_id}",
    ]:
        page.goto(path)
        expect(page.locator("h1")).to_be_visible()
        axe(page)
