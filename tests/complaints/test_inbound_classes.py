"""Wrapped mail reaching a complaint: the files kept on the answer, with their exact bytes."""

from __future__ import annotations

import sqlalchemy as sa

from complaints.models import ComplaintAttachment, ComplaintEvent, EventKind
from portal import uploads
from portal.extensions import db
from portal.mail.inbound import pen
from portal.mail.inbound.ingest import ingest
from portal.mail.inbound_models import InboundOutcome
from portal.mail.tokens import reply_address
from tests.portal.mail_inbound.conftest import eml
from tests.portal.mail_inbound.make_class_fixtures import INNER, PDF


def _reply(complaint, name, sender):
    return ingest(
        eml(f"classes/{name}", to=reply_address("complaint", complaint.id), sender=sender)
    )


def _answer(complaint):
    return db.session.scalar(
        sa.select(ComplaintEvent).where(
            ComplaintEvent.complaint_id == complaint.id, ComplaintEvent.kind == EventKind.ANSWERED
        )
    )


def _files(complaint):
    rows = db.session.scalars(
        sa.select(ComplaintAttachment)
        .where(ComplaintAttachment.complaint_id == complaint.id)
        .order_by(ComplaintAttachment.id)
    )
    return [
        (
            row.filename,
            row.content_type,
            uploads.path_for("complaints", row.stored_name).read_bytes(),
        )
        for row in rows
    ]


def test_a_signed_outlook_answer_keeps_its_pdf_and_not_the_signature(make_complaint, holder):
    complaint = make_complaint()
    inbound = _reply(complaint, "smime_outlook_x_pkcs7_pdf.eml", holder.email)
    assert inbound.outcome == InboundOutcome.ACCEPTED, inbound.reason
    assert _answer(complaint).body_source == "附件为处理意见书，请查收。\n\n李四"
    assert _files(complaint) == [("处理意见书.pdf", "application/pdf", PDF)]
    assert inbound.signature_status == "verified"


def test_files_inside_winmail_dat_become_the_answers_files(make_complaint, holder):
    complaint = make_complaint()
    inbound = _reply(complaint, "tnef_body_only.eml", holder.email)
    assert inbound.outcome == InboundOutcome.ACCEPTED, inbound.reason
    assert _answer(complaint).body_source == "经复核，投诉事项属实，已责令整改。\n\n王五"
    assert _files(complaint) == [("复核意见.pdf", "application/pdf", PDF)]


def test_a_damaged_winmail_dat_does_not_stop_the_answer(make_complaint, holder):
    complaint = make_complaint()
    inbound = _reply(complaint, "tnef_damaged.eml", holder.email)
    assert inbound.outcome == InboundOutcome.ACCEPTED, inbound.reason
    assert _answer(complaint).body_source == "整改报告见附件。\n\n王五"
    assert _files(complaint) == []
    codes = [entry["code"] for entry in inbound.reason_codes]
    assert codes == ["complaint_answered_left_out", "tnef_damaged"]
    assert "winmail.dat: damaged" in inbound.reason


def test_a_forwarded_message_is_kept_as_eml_named_by_subject_and_sender(make_complaint, holder):
    complaint = make_complaint()
    inbound = _reply(complaint, "forward_attached_rfc822.eml", holder.email)
    assert inbound.outcome == InboundOutcome.ACCEPTED, inbound.reason
    assert _answer(complaint).body_source == "法制科的复函见附件，请查收。"
    assert _files(complaint) == [
        ("关于排污许可的复函 (法制科 fazhi@hz.gov.cn).eml", "message/rfc822", INNER.encode())
    ]


def test_an_inline_forward_without_a_note_is_held_and_released_as_the_forwarded_text(
    make_complaint, holder, admin
):
    complaint = make_complaint()
    inbound = _reply(complaint, "forward_inline_outlook_zh.eml", holder.email)
    assert inbound.outcome == InboundOutcome.HELD
    assert inbound.suggested_object_id == complaint.id
    assert _answer(complaint) is None
    pen.release(inbound, "complaint", complaint.id, admin)
    assert _answer(complaint).body_source == "经研究，同意补办排污许可，请于12月10日前到窗口办理。"


def test_an_encrypted_answer_is_held(make_complaint, holder):
    complaint = make_complaint()
    inbound = _reply(complaint, "pgp_mime_encrypted.eml", holder.email)
    assert inbound.outcome == InboundOutcome.HELD and "encrypted" in inbound.reason
    assert _answer(complaint) is None
