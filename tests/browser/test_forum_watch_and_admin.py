"""In a real browser, in the default locale (zh): watching a thread and unsubscribing from the
digest email; an administrator's boards page, a post's edit history and the paged report queue.
axe-core finds no serious violation on any of these pages."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from forum import moderation, services
from forum.trust import waived
from forum.watching import unsubscribe_token
from portal.accounts import services as accounts
from portal.accounts.models import Role
from portal.extensions import db

pytestmark = pytest.mark.browser

PASSWORD = "watch and admin password"


@pytest.fixture(scope="module")
def seeded(live_server):
    with live_server.app.app_context(), waived():
        admin = accounts.create_user("wa-admin@example.com", "管理员", PASSWORD, roles={Role.ADMIN})
        author = accounts.create_user("wa-author@example.com", "楼主甲", PASSWORD)
        reader = accounts.create_user("wa-reader@example.com", "读者乙", PASSWORD)
        board = services.create_board("wa-board", "市政建议", "道路与公园。", actor=admin)
        thread = services.start_thread(board, author, "路灯太暗", "晚上看不清路。")
        post = services.reply(thread, reader, "同意，建议换成LED。")
        services.edit_post(post, reader, "同意，建议换成节能LED灯。")
        moderation.report_post(post, author, "与主题无关")
        db.session.commit()
        return {
            "thread": thread.id,
            "post": post.id,
            "unsubscribe": f"/forum/unsubscribe/{unsubscribe_token(author.id, thread.id)}",
        }


def log_in(page, email: str) -> None:
    page.goto("/account/login")
    page.get_by_label("电子邮箱", exact=True).fill(email)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="登录", exact=True).click()
    expect(page).not_to_have_url(re.compile(r"/account/login"))


def test_a_reader_watches_a_thread_and_the_author_unsubscribes(page, seeded, axe):
    log_in(page, "wa-reader@example.com")
    page.goto(f"/forum/t/{seeded['thread']}")
    axe(page)
    # The reader replied, so they watch the thread already; they stop, then watch again.
    stop = page.locator("form.watch-form button")
    stop.click()
    page.locator("form.watch-form button").click()
    expect(page.locator("form.watch-form")).to_have_attribute("action", re.compile("/unwatch$"))
    axe(page)

    page.context.clear_cookies()  # the link in the email works without logging in
    page.goto(seeded["unsubscribe"])
    axe(page)
    page.get_by_role("main").get_by_role("button").click()
    expect(page.get_by_role("status")).to_contain_text("路灯太暗")
    axe(page)


def test_an_administrator_s_boards_history_and_queue_pages(page, seeded, axe):
    log_in(page, "wa-admin@example.com")
    page.goto("/forum/")
    page.locator('a[href="/forum/admin/boards"]').click()
    axe(page)
    page.locator('a[href="/forum/admin/boards/wa-board/edit"]').click()
    axe(page)
    page.get_by_role("main").get_by_role("button").click()  # saved unchanged
    expect(page).to_have_url(re.compile(r"/forum/admin/boards$"))

    page.goto(f"/forum/t/{seeded['thread']}")
    page.locator(f'a[href="/forum/p/{seeded["post"]}/revisions"]').click()
    expect(page.get_by_role("main")).to_contain_text("同意，建议换成LED。")
    axe(page)

    page.goto("/forum/reports")
    expect(page.get_by_role("main")).to_contain_text("与主题无关")
    axe(page)
