"""Officers answer by replying to the complaint email (complaints.inbound via portal.mail.inbound)."""

from __future__ import annotations

import sqlalchemy as sa

from complaints.models import (
    ComplaintAttachment,
    ComplaintEvent,
    ComplaintStatus,
    EventKind,
)
from portal.extensions import db
from portal.mail.inbound import pen
from portal.mail.inbound.ingest import ingest
from portal.mail.inbound_models import InboundOutcome
from portal.mail.models import OutboundMessage
from portal.mail.tokens import reply_address
from tests.portal.mail_inbound.conftest import eml


def _reply(complaint, name, sender, **kwargs):
    return ingest(eml(name, to=reply_address("complaint", complaint.id), sender=sender, **kwargs))


def _answers(complaint):
    return list(
        db.session.scalars(
            sa.select(ComplaintEvent).where(
                ComplaintEvent.complaint_id == complaint.id,
                ComplaintEvent.kind == EventKind.ANSWERED,
            )
        )
    )


def test_the_holders_reply_becomes_the_answer_and_the_complainant_is_told(make_complaint, holder):
    complaint = make_complaint()
    inbound = _reply(complaint, "outlook_zh_gb2312_qp.eml", holder.email.upper())
    assert inbound.outcome == InboundOutcome.ACCEPTED, inbound.reason
    db.session.refresh(complaint)
    assert complaint.status == ComplaintStatus.NOTIFIED  # email: told at once
    [answer] = _answers(complaint)
    assert (
        answer.body_source
        == "您好，经核查，该事项已于11月25日办结，请查收。\n\n张三\n杭州市生态环境局"
    )
    assert answer.actor_id == holder.id
    told = db.session.scalars(
        sa.select(OutboundMessage).where(OutboundMessage.kind == "complaint_answered")
    ).all()
    assert [m.recipients for m in told] == [["complainant@example.com"]]


def test_the_deputy_may_answer_with_attachments(make_complaint, deputy):
    complaint = make_complaint()
    inbound = _reply(complaint, "reply_pdf_docx.eml", deputy.email)
    assert inbound.outcome == InboundOutcome.ACCEPTED, inbound.reason
    [answer] = _answers(complaint)
    assert answer.body_source == "请见附件中的处理意见书和整改通知。"
    names = db.session.scalars(
        sa.select(ComplaintAttachment.filename)
        .where(ComplaintAttachment.event_id == answer.id)
        .order_by(ComplaintAttachment.id)
    ).all()
    assert names == ["处理意见书.pdf", "整改通知.docx"]


def test_apple_mail_inline_pdf_is_kept(make_complaint, holder):
    complaint = make_complaint()
    assert _reply(complaint, "apple_mail_inline_pdf.eml", holder.email).outcome == (
        InboundOutcome.ACCEPTED
    )
    [answer] = _answers(complaint)
    assert answer.body_source == "处理决定见附件。"
    assert db.session.scalars(
        sa.select(ComplaintAttachment.filename).where(ComplaintAttachment.event_id == answer.id)
    ).all() == ["处理决定.pdf"]


def test_a_domain_the_department_allows_may_answer(make_complaint, department):
    department.allowed_reply_domains = "hz.gov.cn"
    db.session.commit()
    complaint = make_complaint()
    inbound = _reply(complaint, "gmail_en_wrapped.eml", "colleague@sthjj.hz.gov.cn")
    assert inbound.outcome == InboundOutcome.ACCEPTED, inbound.reason
    assert _answers(complaint)[0].actor_id is None


def test_a_wrong_sender_is_held_and_can_be_released(make_complaint, admin):
    complaint = make_complaint()
    inbound = _reply(complaint, "wrong_sender.eml", "stranger@qq.com")
    assert inbound.outcome == InboundOutcome.HELD
    assert "stranger@qq.com" in inbound.reason and "holder" in inbound.reason
    assert (inbound.suggested_tag, inbound.suggested_object_id) == ("complaint", complaint.id)
    assert _answers(complaint) == []
    pen.release(inbound, "complaint", complaint.id, admin)
    db.session.commit()
    [answer] = _answers(complaint)
    assert answer.body_source == "这个投诉已经处理好了。"


def test_the_token_of_another_complaint_is_held(
    make_complaint, holder, other_officer, other_department
):
    mine = make_complaint()
    theirs = make_complaint()
    theirs.position = other_department.positions[0]  # held by other_officer
    db.session.commit()
    inbound = _reply(theirs, "gmail_zh.eml", holder.email)
    assert inbound.outcome == InboundOutcome.HELD
    assert theirs.tracking_number in inbound.reason
    assert _answers(theirs) == [] and _answers(mine) == []
    # ... while its own officer may answer it.
    assert _reply(theirs, "netease_163.eml", other_officer.email).outcome == (
        InboundOutcome.ACCEPTED
    )


def test_a_tampered_token_answers_nothing(make_complaint, holder):
    complaint = make_complaint()
    good = reply_address("complaint", complaint.id)
    local, domain = good.split("@")
    bad = local[:-2] + ("aa" if not local.endswith("aa") else "bb") + "@" + domain
    inbound = ingest(eml("tampered_token.eml", to=bad, sender=holder.email))
    assert inbound.outcome == InboundOutcome.HELD
    assert inbound.suggested_object_id is None  # a failed token suggests nothing
    assert _answers(complaint) == []


def test_a_second_reply_after_the_answer_is_held(make_complaint, holder):
    complaint = make_complaint()
    assert _reply(complaint, "gmail_zh.eml", holder.email).outcome == InboundOutcome.ACCEPTED
    again = _reply(complaint, "foxmail_gbk_base64.eml", holder.email)
    assert again.outcome == InboundOutcome.HELD
    assert "not waiting for an answer" in again.reason
    duplicate = _reply(complaint, "gmail_zh.eml", holder.email)
    assert duplicate.outcome == InboundOutcome.DUPLICATE
    assert len(_answers(complaint)) == 1


def test_an_attachment_the_complaint_rules_refuse_holds_the_reply(make_complaint, holder, admin):
    complaint = make_complaint()
    raw = eml(
        "reply_pdf_docx.eml", to=reply_address("complaint", complaint.id), sender=holder.email
    )
    raw = raw.replace(b"application/pdf\r\n", b"application/zip\r\n", 1).replace(
        b"%PDF", b"PK\x05\x06"
    )
    raw = raw.replace(b"JVBERi0xLjQK", b"UEsFBgAAAAAA", 1)
    inbound = ingest(raw)
    assert inbound.outcome == InboundOutcome.HELD and "attachments refused" in inbound.reason
    pen.release(inbound, "complaint", complaint.id, admin)
    db.session.commit()
    [answer] = _answers(complaint)
    assert db.session.scalars(
        sa.select(ComplaintAttachment.filename).where(ComplaintAttachment.event_id == answer.id)
    ).all() == ["整改通知.docx"]


def test_an_empty_reply_is_held_and_changes_nothing(make_complaint, holder):
    complaint = make_complaint()
    raw = (
        f"From: {holder.email}\r\nTo: {reply_address('complaint', complaint.id)}\r\n"
        "Subject: Re: x\r\nMessage-ID: <empty-1@linjiang.gov.example>\r\n\r\n\r\n"
    ).encode()
    inbound = ingest(raw)
    assert inbound.outcome == InboundOutcome.HELD
    assert "answer" in inbound.reason
    db.session.refresh(complaint)
    assert complaint.status == ComplaintStatus.ASSIGNED
    assert _answers(complaint) == []


def test_the_reminder_can_be_answered_by_replying(make_complaint, runner, holder):
    from portal.db import utcnow
    from portal.workdays import add_working_days, local_date
    from tests.complaints.officer_world import set_due

    complaint = set_due(make_complaint(), add_working_days(local_date(utcnow()), 1).date)
    assert runner.invoke(args=["deadlines", "run"]).exit_code == 0
    db.session.expire_all()
    [reminder] = db.session.scalars(
        sa.select(OutboundMessage).where(OutboundMessage.kind == "complaint_reminder")
    ).all()
    assert reminder.reply_to == reply_address("complaint", complaint.id)
    assert reminder.body_text.startswith("请在此行以上回复 / Please reply above this line")
    inbound = ingest(eml("foxmail_gbk_base64.eml", to=reminder.reply_to, sender=holder.email))
    assert inbound.outcome == InboundOutcome.ACCEPTED, inbound.reason


def test_an_administrator_sets_the_allowed_domains_on_the_department_page(
    client, admin, department
):
    from disclosure.directory import services as directory

    client.login(admin.email)
    page = client.get(f"/admin/catalog/departments/{department.id}").get_data(as_text=True)
    assert 'name="allowed_reply_domains"' in page
    directory.update_department(department, actor=admin, allowed_reply_domains=" hz.gov.cn ")
    db.session.commit()
    assert department.allowed_reply_domains == "hz.gov.cn"


def test_a_pasted_screenshot_is_kept_and_the_signature_logo_is_not(make_complaint, holder):
    complaint = make_complaint()
    inbound = _reply(complaint, "outlook_related_logo_and_screenshot.eml", holder.email)
    assert inbound.outcome == InboundOutcome.ACCEPTED, inbound.reason
    [answer] = _answers(complaint)
    assert answer.body_source == "现场照片见下图。\n\n张三"
    assert db.session.scalars(
        sa.select(ComplaintAttachment.filename).where(ComplaintAttachment.event_id == answer.id)
    ).all() == ["image002.png"]
