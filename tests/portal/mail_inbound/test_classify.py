"""Auto-replies, read receipts, bounces and loops: recorded, never treated as answers."""

from __future__ import annotations

import pytest

from portal.accounts.models import Role
from portal.extensions import db
from portal.mail.inbound.ingest import ingest
from portal.mail.inbound_models import InboundOutcome
from portal.mail.models import MessageStatus, OutboundMessage
from portal.mail.outbox import queue_message
from tests.conftest import make_user
from tests.portal.mail_inbound.conftest import eml


def test_an_auto_reply_to_the_reply_address_is_ignored(probe):
    inbound = ingest(eml("auto_reply.eml"))
    assert inbound.outcome == InboundOutcome.AUTO_REPLY
    assert "Auto-Submitted" in inbound.reason
    assert inbound.text == "我正在休假，11月30日返回。"
    assert inbound.subject == "自动回复: [TS20261120-0001] 新投诉"
    assert probe.calls == []


@pytest.mark.parametrize(
    "subject", ["自动回复: 投诉", "Automatic reply: complaint", "Out of Office: x", "不在办公室：x"]
)
def test_auto_reply_subjects_without_headers(probe, subject):
    from email.header import Header

    raw = eml("gmail_zh.eml").replace(
        b"Subject: ", b"Subject: " + Header(subject, "utf-8").encode().encode() + b"\r\nX-Old: ", 1
    )
    assert ingest(raw).outcome == InboundOutcome.AUTO_REPLY
    assert probe.calls == []


@pytest.mark.parametrize(
    "header", ["X-Autoreply: yes", "X-Autorespond: 1", "Precedence: auto_reply", "Precedence: bulk"]
)
def test_auto_reply_headers(probe, header):
    raw = header.encode() + b"\r\n" + eml("gmail_zh.eml")
    assert ingest(raw).outcome == InboundOutcome.AUTO_REPLY


def test_auto_submitted_no_is_an_ordinary_reply(probe):
    raw = b"Auto-Submitted: no\r\n" + eml("gmail_zh.eml")
    assert ingest(raw).outcome == InboundOutcome.ACCEPTED


def test_a_read_receipt_is_ignored(probe):
    inbound = ingest(eml("read_receipt.eml"))
    assert inbound.outcome == InboundOutcome.READ_RECEIPT
    assert inbound.text == "Your message was read."
    assert probe.calls == []


def test_mail_from_ourselves_is_a_loop(probe):
    inbound = ingest(eml("gmail_zh.eml", sender="noreply@kaimen.test"))
    assert inbound.outcome == InboundOutcome.LOOP
    raw = b"X-Kaimen-Loop: kaimen.test\r\n" + eml("gmail_zh.eml")
    assert ingest(raw).outcome == InboundOutcome.LOOP
    assert probe.calls == []


def _outbound() -> OutboundMessage:
    message = queue_message(
        kind="complaint_assigned_officer",
        to=["gone.officer@hz.gov.cn"],
        subject="[TS20261120-0001] New complaint",
        body_text="…",
    )
    message.status = MessageStatus.SENT
    db.session.commit()
    return message


def test_a_hard_bounce_fails_the_message_and_alerts_administrators(app, probe):
    make_user("admin@example.com", roles={Role.ADMIN})
    make_user("citizen@example.com")
    outbound = _outbound()
    inbound = ingest(eml("bounce_hard.eml", msgid=outbound.message_id))
    assert inbound.outcome == InboundOutcome.BOUNCE_PERMANENT
    assert inbound.outbound_message_id == outbound.id
    assert inbound.text == "This is the mail system at host mx.hz.gov.cn."
    db.session.refresh(outbound)
    assert outbound.status == MessageStatus.FAILED
    assert "5.1.1" in outbound.last_error and "gone.officer@hz.gov.cn" in outbound.last_error
    alerts = db.session.query(OutboundMessage).filter_by(kind="inbound_bounce_alert").all()
    assert [a.recipients for a in alerts] == [["admin@example.com"]]
    assert "gone.officer@hz.gov.cn" in alerts[0].subject
    assert "gone.officer@hz.gov.cn" in alerts[0].body_text
    assert f"/admin/mail/{outbound.id}" in alerts[0].body_text
    assert probe.calls == []


def test_a_delayed_bounce_is_only_a_warning(app, probe):
    make_user("admin@example.com", roles={Role.ADMIN})
    outbound = _outbound()
    inbound = ingest(eml("bounce_delay.eml", msgid=outbound.message_id))
    assert inbound.outcome == InboundOutcome.BOUNCE_DELAY
    assert "4.4.7" in inbound.reason
    assert inbound.outbound_message_id == outbound.id
    assert inbound.text == "This is the mail system at host mx.hz.gov.cn."
    db.session.refresh(outbound)
    assert outbound.status == MessageStatus.SENT
    assert db.session.query(OutboundMessage).filter_by(kind="inbound_bounce_alert").count() == 0


def test_a_bounce_of_unknown_mail_is_still_recorded(app, probe):
    inbound = ingest(eml("bounce_hard.eml", msgid="<not-ours@elsewhere>"))
    assert inbound.outcome == InboundOutcome.BOUNCE_PERMANENT
    assert inbound.outbound_message_id is None
