"""With the forum's trust rules on: two overlapping runs of the closing job queue each mail once;
an officer (not a forum moderator, not a trusted account) edits the summary, with a link and
after the close, without it being held or refused; a consultation's thread never changes board,
and its window holds on whatever board it is."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from forum import moderation, trust
from forum import services as forum_services
from forum.consultations import notify, services
from forum.consultations.models import Stance
from forum.models import Thread
from portal.accounts.models import Role
from portal.extensions import db
from tests.conftest import make_user
from tests.forum.consultations.conftest import CLOSES, OPENS, open_on
from tests.forum.consultations.test_permissions import link_officer
from tests.forum.consultations.test_report import queued
from tests.forum.helpers import make_board


@pytest.fixture
def new_account_limits():
    """The trust rules apply here (tests/forum/conftest.py waives them elsewhere)."""
    yield


def test_two_overlapping_closing_runs_queue_each_mail_once(app, clock, consultation, citizen):
    clock.at(OPENS)
    with trust.waived():
        services.post_opinion(consultation, citizen, "支持", Stance.SUPPORT)
    db.session.commit()
    clock.at(CLOSES)

    first_run = notify.due()  # the first run has read the closed consultation…
    with app.app_context():  # …when a second run, in its own session, announces and commits
        second = notify.close_due()
        db.session.commit()
    first = [consultation.id for consultation in first_run if notify.announce(consultation)]
    db.session.commit()

    # SQLite: both read it, the first run's claim finds it taken. PostgreSQL: the second run
    # skips the row the first has locked. Either way exactly one run announced it.
    assert first + second == [consultation.id]
    recipients = sorted(a for mail in queued("consultation_closed") for a in mail.recipients)
    assert recipients == ["admin@example.com", "citizen@example.com"]
    assert db.session.get(Thread, consultation.thread_id).is_locked


def test_the_closing_job_skips_a_consultation_whose_thread_is_deleted(
    clock, runner, consultation, admin
):
    moderation.delete_thread(consultation.thread, admin, "重复发布")
    db.session.commit()
    clock.at(CLOSES)
    result = runner.invoke(args=["forum", "consultations-close"])
    assert result.exit_code == 0 and "closed 0" in result.output
    assert queued("consultation_closed") == []


@pytest.fixture
def officer_of(department):
    officer = make_user("own@example.com", name="本局经办人", roles={Role.OFFICER})
    link_officer(officer, department)
    return officer


def test_an_officer_edits_the_summary_with_a_link_and_after_the_close(
    clock, client, item, admin, officer_of, english
):
    consultation = open_on(item, admin)
    assert not trust.is_trusted(officer_of)  # a new account, no forum moderator
    client.login(officer_of.email)
    url = f"/forum/consultations/{consultation.id}/edit"
    form = {
        "item": item.code,
        "title": "【意见征集】垃圾焚烧发电项目",
        "summary": "环评报告全文见 https://example.gov.cn/eia.pdf",
        "opens_at": "2026-11-02T10:00",
        "closes_at": "2026-11-09T09:00",
    }
    assert client.post(url, form).status_code == 302
    opening = services.opening_post(consultation)
    assert opening.held_at is None and opening.edit_count == 1
    client.logout()
    page = client.get(f"/forum/t/{consultation.thread_id}").get_data(as_text=True)
    assert "https://example.gov.cn/eia.pdf" in page
    assert "awaiting moderator approval" not in page

    clock.at(CLOSES)
    assert notify.close_due() == [consultation.id]
    db.session.commit()
    assert consultation.thread.is_locked
    client.login(officer_of.email)
    response = client.post(url, form | {"summary": "补充：听证会纪要已上传。"})
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.refresh(opening)
    assert opening.source == "补充：听证会纪要已上传。" and opening.edit_count == 2


def test_a_consultation_thread_is_not_moved_and_nothing_moves_in(
    clock, consultation, admin, citizen, english
):
    city = make_board("city", "城市建设")
    with pytest.raises(forum_services.ForumError, match="cannot be moved"):
        moderation.move_thread(consultation.thread, city, admin, "放错版块")
    db.session.rollback()
    assert consultation.thread.board.slug == services.BOARD_SLUG

    with trust.waived():
        plain = forum_services.start_thread(city, citizen, "公交线路", "加密班次")
    db.session.commit()
    with pytest.raises(forum_services.ForumError, match="opening a consultation"):
        moderation.move_thread(plain, consultation.thread.board, admin, "移到征集版")


def test_the_window_and_the_panel_hold_on_whatever_board_the_thread_is(
    clock, client, consultation, citizen, english
):
    city = make_board("city", "城市建设")
    # A thread moved before moving was refused.
    db.session.execute(
        sa.update(Thread).where(Thread.id == consultation.thread_id).values(board_id=city.id)
    )
    db.session.commit()
    db.session.expire_all()
    clock.at(CLOSES)
    with trust.waived(), pytest.raises(forum_services.ForumError, match="closed on"):
        forum_services.reply(consultation.thread, citizen, "晚了")
    page = client.get(f"/forum/t/{consultation.thread_id}").get_data(as_text=True)
    assert "consultation-panel" in page and "This consultation closed on" in page
