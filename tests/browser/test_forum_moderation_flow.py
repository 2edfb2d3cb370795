"""From a quoted reply to a hidden post, in a real browser, in the default locale (zh):

citizen B quotes citizen A's floor and reports it; the board's moderator (版主), in a browser of
their own, hides it from the report queue with a public reason; a visitor then sees
"已由版主隐藏：<reason>" in its place. axe-core finds no violation on the pages on the way.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from forum import moderation, services
from portal.accounts import services as accounts
from portal.accounts.models import Role
from portal.extensions import db
from tests.browser.conftest import ACTION_TIMEOUT_MS, NAVIGATION_TIMEOUT_MS, _axe_runner, _describe
from tests.forum.xss_world import as_seed

pytestmark = pytest.mark.browser

PASSWORD = "moderation flow password"
SLUG = "flow-board"
A_TEXT = "二号线晚上十点就停运，太早了，买菜都赶不上。"
B_TEXT = "同意楼上，建议延长到十一点。"
REPORT_REASON = "含有对司机的人身攻击"
HIDE_REASON = "人身攻击，请文明发言"


def assert_no_violations(page) -> None:
    """axe-core on the page as it is now: no violation of any impact."""
    page.wait_for_load_state("load")
    violations = _axe_runner().run(page).response["violations"]
    assert not violations, f"axe-core on {page.url}:\n" + "\n".join(map(_describe, violations))


@pytest.fixture(scope="module")
def flow(live_server):
    with live_server.app.app_context(), as_seed():
        admin = accounts.create_user(
            "flow-admin@example.com", "管理员", PASSWORD, roles={Role.ADMIN}
        )
        author = accounts.create_user("flow-a@example.com", "市民甲", PASSWORD)
        accounts.create_user("flow-b@example.com", "市民乙", PASSWORD)
        moderator = accounts.create_user("flow-mod@example.com", "版主丙", PASSWORD)
        board = services.create_board(SLUG, "公共交通", "公交、地铁和出租车。")
        moderation.grant_moderator(board, moderator, admin)
        thread = services.start_thread(board, author, "地铁末班车太早", "大家觉得末班车几点合适？")
        quoted = services.reply(thread, author, A_TEXT)
        db.session.commit()
        return {"thread": thread.id, "post": quoted.id, "floor": quoted.floor}


def log_in(page, email: str) -> None:
    page.goto("/account/login")
    page.get_by_label("电子邮箱", exact=True).fill(email)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="登录", exact=True).click()
    expect(page).not_to_have_url(re.compile(r"/account/login"))


@pytest.fixture
def other_context(browser, live_server):
    """A second browser profile (cookies of its own) for the moderator."""
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
    try:
        yield context
    finally:
        context.close()


def test_quote_report_hide_from_the_queue(page, other_context, browser, live_server, flow):
    thread_path = f"/forum/t/{flow['thread']}"
    floor = flow["floor"]
    floor_link = f"{thread_path}?page=1#floor-{floor}"

    # Citizen B quotes A's floor and replies.
    log_in(page, "flow-b@example.com")
    page.goto(thread_path)
    assert_no_violations(page)
    a_floor = page.locator(f"#floor-{floor}")
    expect(a_floor).to_contain_text(A_TEXT)
    a_floor.get_by_role("link", name=f"引用 #{floor} 楼", exact=True).click()
    expect(page.get_by_role("main")).to_contain_text(f"#{floor}")
    page.get_by_label("正文", exact=True).fill(B_TEXT)
    page.get_by_role("button", name="发表", exact=True).click()

    # B lands on the new floor; its quote links back to A's floor.
    new_floor = floor + 1
    expect(page).to_have_url(re.compile(rf"{re.escape(thread_path)}\?page=1#floor-{new_floor}$"))
    reply = page.locator(f"#floor-{new_floor}")
    expect(reply).to_contain_text(B_TEXT)
    quote = reply.locator("blockquote")
    expect(quote).to_contain_text("市民甲")
    expect(quote).to_contain_text(A_TEXT)
    back = quote.get_by_role("link")
    assert back.get_attribute("href") == floor_link
    back.click()
    expect(page).to_have_url(re.compile(rf"#floor-{floor}$"))
    expect(page.locator(f"#floor-{floor}")).to_be_in_viewport()

    # B reports A's post with a reason.
    page.locator(f"#floor-{floor}").get_by_role("link", name=f"举报 #{floor} 楼").click()
    assert_no_violations(page)
    page.get_by_label("请说明需要版主处理该帖的理由", exact=True).fill(REPORT_REASON)
    page.get_by_role("main").get_by_role("button", name="举报", exact=True).click()
    expect(page).to_have_url(re.compile(rf"#floor-{floor}$"))
    expect(page.get_by_text("感谢举报，版主会处理该帖。")).to_be_visible()

    # The moderator, in a browser of their own, works the board's report queue.
    mod = other_context.new_page()
    log_in(mod, "flow-mod@example.com")
    mod.goto(f"/forum/b/{SLUG}")
    assert_no_violations(mod)
    mod.get_by_role("link", name="本版块被举报的帖子").click()
    expect(mod).to_have_url(re.compile(rf"/forum/b/{SLUG}/reports$"))
    assert_no_violations(mod)
    item = mod.locator("main article").filter(has_text=REPORT_REASON)
    expect(item).to_have_count(1)
    expect(item).to_contain_text("市民乙")
    expect(item).to_contain_text(A_TEXT)
    expect(item.get_by_role("link", name=f"地铁末班车太早 #{floor}")).to_have_attribute(
        "href", floor_link
    )
    item.get_by_label("隐藏理由（公开显示）", exact=True).fill(HIDE_REASON)
    item.get_by_role("button", name=f"隐藏 #{floor} 楼", exact=True).click()

    # Back on the queue: the report is gone.
    expect(mod).to_have_url(re.compile(rf"/forum/b/{SLUG}/reports$"))
    expect(mod.get_by_text("该帖已隐藏。")).to_be_visible()
    expect(mod.locator("main article")).to_have_count(0)
    expect(mod.get_by_role("main")).not_to_contain_text(REPORT_REASON)
    expect(mod.get_by_text("暂无待版主处理的帖子。")).to_be_visible()
    assert_no_violations(mod)

    # A visitor sees the public reason in the post's place, and not the post.
    visitor_context = browser.new_context(base_url=live_server.url)
    try:
        visitor = visitor_context.new_page()
        visitor.goto(thread_path)
        hidden = visitor.locator(f"#floor-{floor}")
        expect(hidden.locator(".notice")).to_have_text(f"已由版主隐藏：{HIDE_REASON}")
        expect(hidden).not_to_contain_text(A_TEXT)
        expect(hidden.get_by_role("link", name=re.compile("引用"))).to_have_count(0)
        assert_no_violations(visitor)
    finally:
        visitor_context.close()
