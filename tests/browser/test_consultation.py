"""An open-door consultation in a real browser, in the default locale (zh): a citizen posts an
opinion with a stance; the forum's trust rules are on (as on the real site), so this new
account's first opinion waits for a moderator: the citizen sees it, a visitor does not until a
moderator approves it; once the closing time has passed, the form is gone and the page says the
consultation is closed. axe-core is clean on the list, the thread and a concluded consultation.

The live server runs in another thread with the real clock, so "the clock passes the close" is
done by moving the consultation's ``closes_at`` into the past in the database (the posting check
and the page compare it with the clock at each request, exactly as when the time really passes).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from forum import held, trust
from forum.consultations import report, services
from forum.consultations.models import Consultation, Mark, Opinion, Stance
from forum.models import Post
from portal.accounts import services as accounts
from portal.accounts.models import Role, User
from portal.db import utcnow
from portal.extensions import db
from tests.disclosure.factories import make_department, make_item

pytestmark = pytest.mark.browser

PASSWORD = "consultation browser password"
OPINION = "建议把受理环节的材料再简化一些。"


@pytest.fixture(scope="module")
def world(live_server):
    with live_server.app.app_context():
        admin = accounts.create_user("kc-admin@example.com", "管理员", PASSWORD, roles={Role.ADMIN})
        accounts.create_user("kc-citizen@example.com", "市民甲", PASSWORD)
        department = make_department("lj-kc-browser", "临江市开门审批测试局")
        now = utcnow()
        open_item = make_item(department, "LJ-KC-001", "公交线路调整审批", major=True)
        done_item = make_item(department, "LJ-KC-002", "垃圾焚烧项目环评审批", major=True)
        open_one = services.open_consultation(
            open_item, admin, "公交线路调整意见征集", "请发表意见。", now, now + timedelta(days=7)
        )
        done = services.open_consultation(
            done_item, admin, "垃圾焚烧项目意见征集", "请阅读材料。", now, now + timedelta(days=7)
        )
        with trust.waived():
            for number, stance in enumerate([Stance.SUPPORT, Stance.OPPOSE, Stance.SUGGESTION]):
                services.post_opinion(done, admin, f"第{number + 1}条意见", stance, "materials")
        done.closes_at = utcnow() - timedelta(seconds=1)
        ids = list(db.session.scalars(sa.select(Opinion.post_id)))
        report.mark_opinions(done, admin, ids, Mark.PARTLY, "部分采纳", "全部意见")
        report.save_response(done, admin, "感谢参与，**结论**如下。")
        report.publish_report(done, admin)
        db.session.commit()
        return {"open": (open_one.id, open_one.thread_id), "done": done.thread_id}


def log_in(page, email: str) -> None:
    page.goto("/account/login")
    page.get_by_label("电子邮箱", exact=True).fill(email)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="登录", exact=True).click()


def test_a_citizen_gives_an_opinion_and_the_form_goes_at_the_close(
    page, browser, live_server, world, axe
):
    consultation_id, thread_id = world["open"]
    page.goto("/forum/consultations/")
    expect(page.locator(f"a[href='/forum/t/{thread_id}']")).to_be_visible()
    axe(page)

    log_in(page, "kc-citizen@example.com")
    page.goto(f"/forum/t/{thread_id}")
    expect(page.locator(".consultation-panel .state-open")).to_be_visible()
    axe(page)
    page.locator("input[name=stance][value=suggestion]").check()
    page.locator("select[name=topic]").select_option("step:acceptance")
    page.locator("textarea[name=source]").fill(OPINION)
    page.locator("#reply-form button[name=submit], #reply-form input[name=submit]").click()
    page.wait_for_url(f"**/forum/t/{thread_id}*#floor-2")
    floor = page.locator("#floor-2")
    assert OPINION in floor.inner_text()
    expect(floor.locator(".stance-suggestion")).to_be_visible()

    # The citizen's first post is held (a new account): a visitor sees neither text nor stance.
    visitor_context = browser.new_context(base_url=live_server.url)
    try:
        visitor = visitor_context.new_page()
        visitor.goto(f"/forum/t/{thread_id}")
        assert OPINION not in visitor.locator("#floor-2").inner_text()
        assert visitor.locator("#floor-2 .stance-suggestion").count() == 0

        with live_server.app.app_context():
            opinion = db.session.scalar(
                sa.select(Opinion).where(Opinion.consultation_id == consultation_id)
            )
            assert (opinion.stance, opinion.topic) == (Stance.SUGGESTION, "step:acceptance")
            post = db.session.get(Post, opinion.post_id)
            assert post.held_at is not None
            admin = db.session.scalar(sa.select(User).where(User.email == "kc-admin@example.com"))
            held.approve_post(post, admin)
            db.session.commit()

        # Approved by a moderator: now everyone reads it, with its stance, and the chart counts it.
        visitor.reload()
        assert OPINION in visitor.locator("#floor-2").inner_text()
        expect(visitor.locator("#floor-2 .stance-suggestion")).to_be_visible()
        axe(visitor)
    finally:
        visitor_context.close()

    with live_server.app.app_context():
        consultation = db.session.get(Consultation, consultation_id)
        assert consultation.suggestion_count == 1
        consultation.closes_at = utcnow() - timedelta(seconds=1)
        db.session.commit()

    page.reload()
    assert page.locator("input[name=stance]").count() == 0
    assert page.locator("textarea[name=source]").count() == 0
    expect(page.locator(".consultation-panel .state-closed")).to_be_visible()
    expect(page.locator("#reply-form .notice")).to_be_visible()
    axe(page)


def test_a_concluded_consultation_shows_the_chart_the_report_and_the_marks(page, world, axe):
    page.goto(f"/forum/t/{world['done']}")
    expect(page.locator(".consultation-panel .state-concluded")).to_be_visible()
    assert page.locator(".stance-chart tbody tr").count() == 3
    expect(page.locator("#report")).to_be_visible()
    expect(page.locator("#floor-2 .mark-partly_adopted")).to_be_visible()
    axe(page)
