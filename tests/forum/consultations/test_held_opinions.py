"""A new account's first opinion waits for a moderator (forum.trust): it counts in the stance
chart, and must be marked, only once approved; a rejected one never counts. An opinion counts
once however often an edit holds it again; hiding and restoring move the chart; the report waits
for held opinions; hidden and held text reaches no official's CSV or marks page."""

from __future__ import annotations

import re

import pytest

from forum import bans, held, moderation
from forum import services as forum_services
from forum.consultations import report, services
from forum.consultations.models import Opinion, Stance
from portal.extensions import db
from tests.conftest import make_user
from tests.forum.consultations.conftest import CLOSES, OPENS


@pytest.fixture
def new_account_limits():
    """The trust rules apply here (tests/forum/conftest.py waives them elsewhere)."""
    yield


def test_a_held_opinion_counts_once_approved(clock, client, consultation, admin, english):
    clock.at(OPENS)
    newcomer = make_user("new@example.com", name="新人")
    other = make_user("other@example.com", name="另一个新人")
    first = services.post_opinion(consultation, newcomer, "我的第一条意见", Stance.OPPOSE)
    rejected = services.post_opinion(consultation, other, "广告", Stance.SUPPORT)
    db.session.commit()
    assert first.held_at is not None and rejected.held_at is not None
    assert consultation.opinion_count == 0

    page = client.get(f"/forum/t/{consultation.thread_id}").get_data(as_text=True)
    assert "stance-oppose" not in page  # nothing of a held post shows to the public

    held.approve_post(first, admin)
    held.reject_post(rejected, admin, "广告")
    db.session.commit()
    assert (consultation.oppose_count, consultation.support_count) == (1, 0)

    clock.at(CLOSES)
    assert report.unmarked_count(consultation) == 1  # the rejected one needs no mark


def shown_opinion(consultation, admin, email: str, text: str, stance=Stance.SUPPORT):
    """A new account's opinion (held: its first post), approved by a moderator."""
    author = make_user(email, name=email.split("@")[0])
    post = services.post_opinion(consultation, author, text, stance)
    assert post.held_at is not None
    held.approve_post(post, admin)
    db.session.commit()
    return post


def test_an_opinion_held_again_by_an_edit_counts_once(clock, consultation, admin):
    clock.at(OPENS)
    post = shown_opinion(consultation, admin, "new@example.com", "我反对", Stance.OPPOSE)
    assert consultation.oppose_count == 1

    # Still untrusted: an edit that brings a link waits for a moderator again.
    forum_services.edit_post(post, post.author, "我反对，详见 https://example.org/why")
    db.session.commit()
    assert post.held_at is not None
    held.approve_post(post, admin)
    db.session.commit()
    assert consultation.oppose_count == 1
    assert db.session.get(Opinion, post.id).counted


def chart_total(client, consultation) -> int:
    """The total in the public stance chart's caption."""
    page = client.get(f"/forum/t/{consultation.thread_id}").get_data(as_text=True)
    return int(re.search(r"Opinions by stance \((\d+) in all\)", page).group(1))


def test_hiding_and_restoring_an_opinion_moves_the_chart(
    clock, client, consultation, admin, english
):
    clock.at(OPENS)
    kept = shown_opinion(consultation, admin, "a@example.com", "支持一", Stance.SUPPORT)
    post = shown_opinion(consultation, admin, "b@example.com", "支持二", Stance.SUPPORT)
    assert consultation.support_count == 2

    moderation.hide_post(post, admin, "人身攻击")
    db.session.commit()
    assert consultation.support_count == 1
    assert chart_total(client, consultation) == 1
    clock.at(CLOSES)
    assert report.unmarked_count(consultation) == consultation.opinion_count == 1

    moderation.restore_post(post, admin, "误删")
    db.session.commit()
    assert consultation.support_count == 2
    assert chart_total(client, consultation) == 2

    # An opinion held again by an edit and then rejected leaves the chart too.
    clock.at(OPENS)
    forum_services.edit_post(kept, kept.author, "见 https://example.org")
    held.reject_post(kept, admin, "广告链接")
    db.session.commit()
    assert consultation.support_count == 1


def test_the_report_waits_for_held_opinions_and_a_concluded_one_approves_none(
    clock, client, consultation, admin, english
):
    clock.at(OPENS)
    waiting = services.post_opinion(
        consultation, make_user("new@example.com", name="新人"), "还在等审核", Stance.OPPOSE
    )
    db.session.commit()
    clock.at(CLOSES)
    report.save_response(consultation, admin, "感谢参与。")
    db.session.commit()
    assert report.unmarked_count(consultation) == 0

    with pytest.raises(forum_services.ForumError, match="1 opinions await a moderator"):
        report.publish_report(consultation, admin)
    db.session.rollback()
    client.login(admin.email)
    page = client.get(f"/forum/consultations/{consultation.id}/report").get_data(as_text=True)
    assert "1 opinion awaits a moderator" in page
    response = client.post(f"/forum/consultations/{consultation.id}/report/publish", {})
    assert response.status_code == 400
    assert consultation.report_published_at is None

    held.reject_post(waiting, admin, "广告")
    report.publish_report(consultation, admin)
    db.session.commit()

    # Put back after publication, the rejected post is still held: approving it now would
    # change a concluded consultation without a new version of the report.
    moderation.restore_post(waiting, admin, "")
    db.session.commit()
    with pytest.raises(forum_services.ForumError, match="report of this consultation is published"):
        held.approve_post(waiting, admin)
    db.session.rollback()
    assert waiting.held_at is not None
    assert consultation.opinion_count == 0 and consultation.report_version == 1


def test_hidden_and_held_opinions_are_not_in_the_csv_or_on_the_marks_page(
    clock, client, consultation, admin
):
    clock.at(OPENS)
    shown_opinion(consultation, admin, "a@example.com", "公开的意见")
    hidden = shown_opinion(consultation, admin, "b@example.com", "被隐藏的意见")
    moderation.hide_post(hidden, admin, "泄露个人信息")
    rejected = services.post_opinion(
        consultation, make_user("c@example.com", name="c"), "被拒绝的意见", Stance.OPPOSE
    )
    held.reject_post(rejected, admin, "广告")
    services.post_opinion(
        consultation, make_user("d@example.com", name="d"), "等待审核的意见", Stance.OPPOSE
    )
    db.session.commit()
    clock.at(CLOSES)

    client.login(admin.email)
    exported = client.get(f"/forum/consultations/{consultation.id}/opinions.csv")
    marks = client.get(f"/forum/consultations/{consultation.id}/report")
    for response in (exported, marks):
        text = response.get_data(as_text=True)
        assert response.status_code == 200 and "公开的意见" in text
        for secret in ("被隐藏的意见", "被拒绝的意见", "等待审核的意见"):
            assert secret not in text


def test_a_held_opinion_is_announced_as_held_and_a_ban_answers_403(
    clock, client, consultation, admin, english
):
    clock.at(OPENS)
    newcomer = make_user("new@example.com", name="新人")
    client.login(newcomer.email)
    url = f"/forum/consultations/{consultation.id}/opinion"
    response = client.post(url, {"stance": "support", "source": "第一条意见"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your opinion waits for a moderator&#39;s approval." in page
    assert "Your opinion is posted." not in page

    bans.ban(newcomer, consultation.thread.board, admin, "7d", "刷屏")
    db.session.commit()
    response = client.post(url, {"stance": "oppose", "source": "被封禁后再发"})
    assert response.status_code == 403
    assert "刷屏" in response.get_data(as_text=True)
    assert consultation.thread.post_count == 2
