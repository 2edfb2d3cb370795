"""End to end: filed on the web → the officer's email reaches SMTP → the officer replies the way a
mail client does (quoting the message, to its Reply-To) → ingest → the answer is on the complaint
→ the complainant's notification reaches SMTP."""

from __future__ import annotations

import io
from email.message import EmailMessage
from email.utils import make_msgid

import sqlalchemy as sa

from complaints.models import Complaint, ComplaintStatus
from portal.extensions import db
from portal.mail.dispatch import dispatch_due
from portal.mail.inbound.ingest import ingest
from portal.mail.inbound_models import InboundOutcome
from portal.mail.tokens import REPLY_MARKER, parse_reply_address
from tests.complaints.files import PDF

ANSWER = "经核查，窗口工作人员未履行一次性告知义务，已责令整改并向您致歉。\n请于工作日到3号窗口重新递交材料。"


def _outlook_reply(original: EmailMessage, sender: str) -> bytes:
    """What Outlook (zh) sends: the answer on top, then the header block and the quoted text."""
    quoted = original.get_body(("plain",)).get_content()
    reply = EmailMessage()
    reply["From"] = f"投诉岗周 <{sender}>"
    reply["To"] = original["Reply-To"]
    reply["Subject"] = f"答复: {original['Subject']}"
    reply["Message-ID"] = make_msgid(domain="linjiang.gov.example")
    reply["In-Reply-To"] = original["Message-ID"]
    reply["References"] = original["Message-ID"]
    reply.set_content(
        f"{ANSWER}\n\n"
        f"发件人: {original['From']}\n发送时间: 2026年11月26日 10:00\n"
        f"收件人: {original['To']}\n主题: {original['Subject']}\n\n{quoted}",
        charset="gb18030",
    )
    reply.add_attachment(PDF, maintype="application", subtype="pdf", filename="整改通知书.pdf")
    return reply.as_bytes()


def test_complaint_answered_by_replying_to_the_email(
    client, item, complainant, complaint_position, holder, mail_to_smtp
):
    client.login(complainant.email)
    response = client.post(
        f"/complaints/new?item={item.code}",
        {
            "subject": "窗口拒收申请材料",
            "details": "11 月 20 日递交材料被拒收。",
            "contact_name": "投诉人甲",
            "contact_email": "complainant@example.com",
            "contact_phone": "13800000000",
            "contact_address": "",
            "notification_method": "email",
            "step": "",
            "attachments": [(io.BytesIO(PDF), "证据.pdf")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    complaint = db.session.scalar(sa.select(Complaint))
    assert dispatch_due().sent == 2
    [to_officer] = [r.message for r in mail_to_smtp.received if holder.email in r.rcpt_tos]
    assert complaint.tracking_number in to_officer["Subject"]
    assert parse_reply_address(to_officer["Reply-To"]).object_id == complaint.id
    assert to_officer.get_body(("plain",)).get_content().startswith(REPLY_MARKER)
    assert [a.get_filename() for a in to_officer.iter_attachments()] == ["证据.pdf"]
    # Machine-made (RFC 3834): out-of-office replies must not answer it. A person's reply does
    # not carry the header over, so it is still taken for an answer.
    assert to_officer["Auto-Submitted"] == "auto-generated"

    reply = _outlook_reply(to_officer, holder.email)
    assert b"Auto-Submitted" not in reply
    inbound = ingest(reply)
    db.session.commit()
    assert inbound.outcome == InboundOutcome.ACCEPTED, inbound.reason
    assert inbound.text == ANSWER
    db.session.refresh(complaint)
    assert complaint.status == ComplaintStatus.NOTIFIED

    page = client.get(f"/complaints/{complaint.tracking_number}").get_data(as_text=True)
    assert "已责令整改并向您致歉" in page and "整改通知书.pdf" in page
    assert "发送时间" not in page  # the quoted history was cut off

    mail_to_smtp.received.clear()
    assert dispatch_due().sent == 1
    [told] = mail_to_smtp.received
    assert told.rcpt_tos == ["complainant@example.com"]
    assert "已责令整改并向您致歉" in told.message.get_body(("plain",)).get_content()
