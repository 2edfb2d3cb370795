"""Mail that failed: bounce alerts never loop, forged reports mail nobody, features are told.

``portal.mail.signals.outbound_failed`` fires once when the dispatcher gives a message up for good
and once when a permanent bounce names a message we sent.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.accounts.models import Role
from portal.extensions import db
from portal.mail.dispatch import dispatch_due
from portal.mail.inbound.ingest import ingest
from portal.mail.inbound_models import InboundMessage, InboundOutcome
from portal.mail.models import MessageStatus, OutboundMessage
from portal.mail.outbox import queue_message
from portal.mail.signals import outbound_failed
from tests.conftest import make_user
from tests.portal.mail_inbound.conftest import eml

ALERT = "inbound_bounce_alert"


@pytest.fixture
def failures(app):
    """Every outbound_failed sent during the test: (sender, message id, status then, reason)."""
    seen = []

    def listener(sender, *, message, reason):
        seen.append((sender, message.id, message.status, reason))

    outbound_failed.connect(listener)
    try:
        yield seen
    finally:
        outbound_failed.disconnect(listener)


def _sent(kind="complaint_new", to="gone.officer@hz.gov.cn") -> OutboundMessage:
    message = queue_message(kind=kind, to=[to], subject="[TS20261120-0001] 新投诉", body_text="…")
    message.status = MessageStatus.SENT
    db.session.commit()
    return message


def _bounce(outbound_message_id: str, n: int = 1) -> bytes:
    raw = eml("bounce_hard.eml", msgid=outbound_message_id)
    return raw.replace(b"<bounce-failed@mx.hz.gov.cn>", f"<bounce-{n}@mx.hz.gov.cn>".encode())


def _alerts() -> list[OutboundMessage]:
    return list(db.session.scalars(sa.select(OutboundMessage).where(OutboundMessage.kind == ALERT)))


def test_a_hard_bounce_announces_the_failure_once(app, probe, failures):
    make_user("admin@example.com", roles={Role.ADMIN})
    outbound = _sent()
    inbound = ingest(_bounce(outbound.message_id))
    assert inbound.outcome == InboundOutcome.BOUNCE_PERMANENT
    assert len(failures) == 1
    sender, message_id, status, reason = failures[0]
    assert sender is app
    assert (message_id, status) == (outbound.id, MessageStatus.FAILED)
    assert "5.1.1" in reason and "gone.officer@hz.gov.cn" in reason
    assert len(_alerts()) == 1


def test_repeated_bounces_for_one_message_alert_and_announce_once(app, probe, failures):
    make_user("admin@example.com", roles={Role.ADMIN})
    outbound = _sent()
    first = ingest(_bounce(outbound.message_id, 1))
    second = ingest(_bounce(outbound.message_id, 2))
    third = ingest(_bounce(outbound.message_id, 3))
    assert [m.outcome for m in (first, second, third)] == [InboundOutcome.BOUNCE_PERMANENT] * 3
    assert {m.outbound_message_id for m in (first, second, third)} == {outbound.id}
    assert "no new alert" in second.reason and f"#{first.id}" in second.reason
    assert len(_alerts()) == 1
    assert [f[1] for f in failures] == [outbound.id]


def test_a_bounced_bounce_alert_raises_no_new_alert(app, probe, failures):
    make_user("admin@example.com", roles={Role.ADMIN})
    make_user("broken.admin@example.com", roles={Role.ADMIN})
    outbound = _sent()
    ingest(_bounce(outbound.message_id, 1))
    [alert] = _alerts()
    alert.status = MessageStatus.SENT
    db.session.commit()
    # The broken administrator's server bounces the alert: that must not alert again (a loop).
    inbound = ingest(_bounce(alert.message_id, 2))
    assert inbound.outcome == InboundOutcome.BOUNCE_PERMANENT
    assert inbound.outbound_message_id == alert.id
    assert "bounce alert" in inbound.reason
    assert [a.id for a in _alerts()] == [alert.id]
    db.session.refresh(alert)
    assert alert.status == MessageStatus.FAILED


def test_a_forged_report_naming_no_message_of_ours_mails_nobody(app, probe, failures):
    make_user("admin@example.com", roles={Role.ADMIN})
    _sent()
    inbound = ingest(_bounce("<never-sent@kaimen.test>"))
    assert inbound.outcome == InboundOutcome.BOUNCE_PERMANENT
    assert inbound.outbound_message_id is None
    assert "no message we sent" in inbound.reason
    assert _alerts() == []
    assert failures == []
    no_id = eml("bounce_hard.eml", msgid="")  # the returned headers carry no Message-ID
    assert ingest(no_id).outcome == InboundOutcome.BOUNCE_PERMANENT
    assert _alerts() == [] and failures == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(InboundMessage)) == 2


def test_a_permanent_smtp_refusal_announces_the_failure_once(app, mail_to_smtp, failures):
    async def handle_RCPT(server, session, envelope, address, rcpt_options):
        return "550 5.1.1 <gone.officer@hz.gov.cn>: Recipient address rejected"

    mail_to_smtp.handle_RCPT = handle_RCPT
    outbound = queue_message(
        kind="complaint_new", to=["gone.officer@hz.gov.cn"], subject="新投诉", body_text="…"
    )
    db.session.commit()
    report = dispatch_due()
    assert report.failed == 1
    db.session.expire_all()
    row = db.session.get(OutboundMessage, outbound.id)
    assert row.status == MessageStatus.FAILED and row.attempts == 1
    assert len(failures) == 1
    sender, message_id, status, reason = failures[0]
    assert sender is app
    assert (message_id, status) == (outbound.id, MessageStatus.FAILED)
    assert "550" in reason
    assert dispatch_due().failed == 0  # given up for good: not tried, not announced again
    assert len(failures) == 1
    assert mail_to_smtp.received == []


def test_a_temporary_refusal_is_not_a_failure_until_the_last_attempt(app, mail_to_smtp, failures):
    mail_to_smtp.refuse = True  # 451
    queue_message(kind="complaint_new", to=["a@hz.gov.cn"], subject="x", body_text="…")
    db.session.commit()
    assert dispatch_due().retrying == 1
    assert failures == []


def test_a_failing_listener_does_not_undo_the_failure(app, mail_to_smtp):
    async def handle_RCPT(server, session, envelope, address, rcpt_options):
        return "550 5.1.1 unknown"

    def broken(sender, **kwargs):
        raise RuntimeError("listener bug")

    mail_to_smtp.handle_RCPT = handle_RCPT
    outbound = queue_message(kind="k", to=["gone@hz.gov.cn"], subject="x", body_text="…")
    db.session.commit()
    outbound_failed.connect(broken)
    try:
        assert dispatch_due().failed == 1
    finally:
        outbound_failed.disconnect(broken)
    db.session.expire_all()
    assert db.session.get(OutboundMessage, outbound.id).status == MessageStatus.FAILED


def test_our_mail_says_it_is_automatic_unless_the_caller_says_otherwise(app, mail_to_smtp):
    queue_message(kind="a", to=["x@hz.gov.cn"], subject="a", body_text="…")
    queue_message(
        kind="b", to=["y@hz.gov.cn"], subject="b", body_text="…", headers={"auto-submitted": "no"}
    )
    db.session.commit()
    assert dispatch_due().sent == 2
    by_subject = {m["Subject"]: m for m in mail_to_smtp.messages()}
    assert by_subject["a"].get_all("Auto-Submitted") == ["auto-generated"]
    assert by_subject["b"].get_all("Auto-Submitted") == ["no"]
    # Our own mail coming back (an auto-forward, a misconfigured alias) is a loop, not an answer.
    raw = mail_to_smtp.received[0].raw
    assert ingest(raw).outcome == InboundOutcome.LOOP
