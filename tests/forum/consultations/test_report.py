"""Closing and reporting: the closing mails queued once by the job, the report published with its
mails, the concluded page (chart, report, marks beside the opinions), and versioned revisions."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from forum import watching
from forum.consultations import notify, report, services
from forum.consultations.models import Mark, ReportVersion, Stance
from forum.models import Thread
from portal.audit import AuditEntry
from portal.extensions import db
from portal.mail.models import OutboundMessage
from tests.conftest import make_user
from tests.forum.consultations.conftest import CLOSES, OPENS


def queued(kind: str) -> list[OutboundMessage]:
    return list(
        db.session.scalars(
            sa.select(OutboundMessage)
            .where(OutboundMessage.kind == kind)
            .order_by(OutboundMessage.id)
        )
    )


@pytest.fixture
def discussed(clock, consultation, citizen, unheld):
    """Opinions by two citizens and a reply without a stance; a follower who never posted."""
    clock.at(OPENS)
    second = make_user("second@example.com", name="市民乙")
    follower = make_user("follower@example.com", name="关注者")
    services.post_opinion(consultation, citizen, "支持", Stance.SUPPORT, "eligibility")
    services.post_opinion(consultation, second, "反对", Stance.OPPOSE)
    services.post_opinion(consultation, second, "建议延长", Stance.SUGGESTION, "step:review")
    services.post_opinion(consultation, citizen, "同意楼上", None)
    watching.watch(follower, consultation.thread)
    db.session.commit()
    return consultation


def test_the_closing_job_locks_the_thread_and_mails_each_person_once(
    clock, runner, discussed, admin
):
    result = runner.invoke(args=["forum", "consultations-close"])
    assert result.exit_code == 0 and "closed 0" in result.output  # not closed yet
    assert queued("consultation_closed") == []

    clock.at(CLOSES)
    result = runner.invoke(args=["forum", "consultations-close"])
    assert result.exit_code == 0, result.output
    assert "closed 1" in result.output
    again = runner.invoke(args=["forum", "consultations-close"])
    assert "closed 0" in again.output
    db.session.expire_all()

    mails = queued("consultation_closed")
    recipients = sorted(address for mail in mails for address in mail.recipients)
    # The opener (floor 1), both citizens and the follower; each once, each alone.
    assert recipients == sorted(
        ["admin@example.com", "citizen@example.com", "second@example.com", "follower@example.com"]
    )
    assert all(len(mail.recipients) == 1 for mail in mails)
    assert discussed.title in mails[0].subject
    assert f"/forum/t/{discussed.thread_id}" in mails[0].body_text
    assert db.session.get(Thread, discussed.thread_id).is_locked
    assert discussed.close_notified_at is not None


def test_publishing_the_report_mails_once_and_shows_chart_report_and_marks(
    clock, client, discussed, admin, english
):
    clock.at(CLOSES)
    with pytest.raises(services.ConsultationError, match="Write the overall response"):
        report.publish_report(discussed, admin)
    opinions = {
        o.post.floor: o
        for o in services.opinions_by_post(
            discussed, [p.id for p in discussed_posts(discussed)]
        ).values()
    }
    report.mark_opinions(discussed, admin, [opinions[2].post_id], Mark.ADOPTED, "已采纳资格意见")
    report.save_response(discussed, admin, "感谢参与，<script>alert(1)</script>**结论**如下。")
    with pytest.raises(services.ConsultationError, match="2 opinions are not marked"):
        report.publish_report(discussed, admin)
    report.mark_opinions(
        discussed,
        admin,
        [opinions[3].post_id, opinions[4].post_id],
        Mark.PARTLY,
        "部分采纳：延长审核时限",
        "程序类意见",
    )
    report.publish_report(discussed, admin)
    db.session.commit()
    mails = queued("consultation_report")
    assert len(mails) == 4
    with pytest.raises(services.ConsultationError, match="published already"):
        report.publish_report(discussed, admin)

    page = client.get(f"/forum/t/{discussed.thread_id}").get_data(as_text=True)
    assert "Concluded" in page
    assert "<script>alert(1)</script>" not in page and "<strong>结论</strong>" in page
    # The chart: one row per stance with its number beside the bar.
    assert "Opinions by stance (3 in all)" in page
    assert 'class="bar-support" x="0" y="0" width="300"' in page
    assert "1 (33%)" in page
    # Each opinion's mark beside it, linking to its entry in the report.
    assert page.count('class="badge mark-partly_adopted"') == 3  # two opinions + the report entry
    assert "程序类意见" in page and "已采纳资格意见" in page
    assert 'name="stance"' not in page


def discussed_posts(consultation):
    from forum.models import Post

    return db.session.scalars(sa.select(Post).where(Post.thread_id == consultation.thread_id)).all()


def test_a_published_report_changes_only_as_a_new_audited_version(
    clock, client, discussed, admin, english
):
    clock.at(CLOSES)
    ids = [p.id for p in discussed_posts(discussed) if p.floor in (2, 3, 4)]
    report.mark_opinions(discussed, admin, ids, Mark.NOT_ADOPTED, "不采纳", "全部")
    report.save_response(discussed, admin, "第一版答复")
    report.publish_report(discussed, admin)
    db.session.commit()

    client.login(admin.email)
    url = f"/forum/consultations/{discussed.id}/report/response"
    response = client.post(url, {"response": "悄悄改掉"})
    assert response.status_code == 400
    assert "say why it changes" in response.get_data(as_text=True)
    db.session.refresh(discussed)
    assert discussed.response_source == "第一版答复" and discussed.report_version == 1

    response = client.post(url, {"response": "第二版答复", "revision_reason": "补充数据"})
    assert response.status_code == 302
    response = client.post(
        f"/forum/consultations/{discussed.id}/report/mark",
        {
            "opinion": str(ids[0]),
            "mark": "adopted",
            "reason": "复核后采纳",
            "revision_reason": "复核",
        },
    )
    assert response.status_code == 302
    db.session.refresh(discussed)
    assert discussed.report_version == 3 and discussed.report_revised_at is not None

    versions = db.session.scalars(sa.select(ReportVersion).order_by(ReportVersion.version)).all()
    assert [v.version for v in versions] == [1, 2, 3]
    assert "第一版答复" in versions[0].response_html and versions[1].reason == "补充数据"
    assert versions[0].decisions == [
        {"group": "全部", "mark": "not_adopted", "reason": "不采纳", "floors": [2, 3, 4]}
    ]
    assert {d["mark"] for d in versions[2].decisions} == {"adopted", "not_adopted"}
    audits = db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.action == "consultation.report_revised")
        .order_by(AuditEntry.id)
    ).all()
    assert [(a.data["version"], a.reason) for a in audits] == [(2, "补充数据"), (3, "复核")]

    client.logout()
    thread_page = client.get(f"/forum/t/{discussed.thread_id}").get_data(as_text=True)
    assert "Revised on" in thread_page and "(version 3)" in thread_page
    history = client.get(f"/forum/consultations/{discussed.id}/report/history")
    assert history.status_code == 200
    text = history.get_data(as_text=True)
    assert "第一版答复" in text and "第二版答复" in text and "补充数据" in text
    assert text.index("Version 3") < text.index("Version 1")


def test_recipients_skip_unverified_accounts(clock, consultation, unheld):
    clock.at(OPENS)
    ghost = make_user("ghost@example.com", name="未验证", verified=False)
    watching.watch(ghost, consultation.thread)
    db.session.commit()
    assert [user.email for user in notify.recipients(consultation)] == ["admin@example.com"]
