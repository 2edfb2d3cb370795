"""The consultation's life with the clock moved: upcoming, open, closed at the closing second by
itself, concluded once the report is out; and the refusal for items that are not major."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from forum import services as forum_services
from forum.consultations import report, services
from forum.consultations.models import Consultation, Mark, Opinion, Stance, State
from forum.models import Post
from portal.extensions import db
from tests.forum.consultations.conftest import CLOSES, OPENS

SECOND = timedelta(seconds=1)


def sql_state(consultation: Consultation, now) -> str:
    return db.session.scalar(
        sa.select(Consultation.state_expr(now)).where(Consultation.id == consultation.id)
    )


def listed(state: State, now) -> list[int]:
    return list(
        db.session.scalars(sa.select(Consultation.id).where(Consultation.state_clause(state, now)))
    )


def assert_state(consultation: Consultation, expected: State, now) -> None:
    assert consultation.state_at(now) == expected
    assert consultation.state == expected  # the clock is at ``now``
    assert sql_state(consultation, now) == expected.value
    for state in State:
        assert (consultation.id in listed(state, now)) == (state == expected)


def test_state_follows_the_clock_and_posting_stops_at_the_closing_second(
    clock, consultation, citizen, english, unheld
):
    assert_state(consultation, State.UPCOMING, OPENS - SECOND)
    with pytest.raises(forum_services.ForumError, match="opens on"):
        services.post_opinion(consultation, citizen, "太早了", Stance.SUPPORT)

    clock.at(OPENS)
    assert_state(consultation, State.OPEN, OPENS)
    services.post_opinion(consultation, citizen, "支持", Stance.SUPPORT, "eligibility")

    clock.at(CLOSES - SECOND)
    assert_state(consultation, State.OPEN, CLOSES - SECOND)
    last = services.post_opinion(consultation, citizen, "最后一秒的建议", Stance.SUGGESTION)
    db.session.commit()
    assert last.floor == 3

    for moment in (CLOSES, CLOSES + SECOND):
        clock.at(moment)
        assert_state(consultation, State.CLOSED, moment)
        with pytest.raises(forum_services.ForumError, match="closed on"):
            services.post_opinion(consultation, citizen, "晚了", Stance.OPPOSE)
        # A plain reply through the forum is refused the same way: the check is the forum's.
        with pytest.raises(forum_services.ForumError, match="closed on"):
            forum_services.reply(consultation.thread, citizen, "晚了")
    db.session.rollback()
    assert consultation.support_count == 1 and consultation.suggestion_count == 1
    assert consultation.thread.post_count == 3

    report.mark_opinions(
        consultation,
        consultation.opened_by,
        [o.post_id for o in db.session.scalars(sa.select(Opinion))],
        Mark.ADOPTED,
        "采纳",
        "全部意见",
    )
    report.save_response(consultation, consultation.opened_by, "感谢参与。")
    report.publish_report(consultation, consultation.opened_by)
    db.session.commit()
    assert_state(consultation, State.CONCLUDED, CLOSES + SECOND)


def test_the_web_form_refuses_after_the_close_and_the_thread_page_says_so(
    clock, client, consultation, citizen, unheld
):
    clock.at(OPENS)
    client.login(citizen.email)
    thread_url = f"/forum/t/{consultation.thread_id}"
    page = client.get(thread_url).get_data(as_text=True)
    assert 'name="stance"' in page and "Open for opinions until" in page

    response = client.post(
        f"/forum/consultations/{consultation.id}/opinion",
        {"stance": "oppose", "topic": "step:review", "source": "审核环节太长"},
    )
    assert response.status_code == 302
    opinion = db.session.scalar(sa.select(Opinion))
    assert (opinion.stance, opinion.topic) == (Stance.OPPOSE, "step:review")

    clock.at(CLOSES)
    response = client.post(
        f"/forum/consultations/{consultation.id}/opinion",
        {"stance": "support", "source": "还想说一句"},
    )
    assert response.status_code == 403
    assert "no more opinions or replies can be posted" in response.get_data(as_text=True)
    page = client.get(thread_url).get_data(as_text=True)
    assert 'name="stance"' not in page
    assert "This consultation closed on" in page
    assert "Quote #2" not in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Post)) == 2


def test_a_stance_is_required_and_no_stance_is_a_plain_reply(
    clock, client, consultation, citizen, unheld
):
    clock.at(OPENS)
    client.login(citizen.email)
    url = f"/forum/consultations/{consultation.id}/opinion"
    response = client.post(url, {"source": "没有选立场"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Choose your stance." in page and "没有选立场" in page  # the text is kept

    assert client.post(url, {"stance": "none", "source": "回复楼上"}).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Opinion)) == 0
    assert consultation.thread.post_count == 2

    response = client.post(url, {"stance": "support", "topic": "nonsense", "source": "x"})
    assert response.status_code == 400
    assert "Choose an element or a step of this item" in response.get_data(as_text=True)


def test_an_item_that_is_not_major_is_refused_with_a_clear_message(
    clock, client, minor_item, admin, english
):
    with pytest.raises(services.ConsultationError, match="is not a major item"):
        services.open_consultation(minor_item, admin, "标题", "摘要", OPENS, CLOSES)

    client.login(admin.email)
    response = client.post(
        "/forum/consultations/new",
        {
            "item": minor_item.code,
            "title": "不该开的征集",
            "summary": "摘要",
            "opens_at": "2026-11-02T10:00",
            "closes_at": "2026-11-09T10:00",
        },
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "is not a major item: only major approval items are opened" in page
    assert "不该开的征集" in page  # the input is kept
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Consultation)) == 0


def test_opening_through_the_web_converts_beijing_time_and_makes_the_thread(
    clock, client, item, admin
):
    client.login(admin.email)
    response = client.post(
        "/forum/consultations/new",
        {
            "item": item.code,
            "title": "关于垃圾焚烧项目的意见征集",
            "summary": "**摘要**",
            "opens_at": "2026-11-02T10:00",
            "closes_at": "2026-11-09T18:30",
        },
    )
    assert response.status_code == 302
    consultation = db.session.scalar(sa.select(Consultation))
    assert consultation.opens_at == OPENS  # 10:00 in Beijing is 02:00 UTC
    assert consultation.closes_at.hour == 10 and consultation.closes_at.minute == 30
    assert consultation.thread.board.slug == "consultations"
    opening = services.opening_post(consultation)
    assert (opening.floor, opening.author_id) == (1, admin.id)
    page = client.get(f"/forum/t/{consultation.thread_id}").get_data(as_text=True)
    assert "Who may apply" in page  # the eight elements
    assert f"/catalog/items/{item.code}" in page


def test_nobody_starts_a_plain_thread_on_the_consultation_board(
    clock, consultation, citizen, english
):
    with pytest.raises(forum_services.ForumError, match="opening a consultation"):
        forum_services.start_thread(consultation.thread.board, citizen, "题目", "内容")
