"""The outbox: mail is written with the change it reports and delivered once over real SMTP."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.db import utcnow
from portal.extensions import db
from portal.mail.dispatch import dispatch_due
from portal.mail.models import MessageStatus, OutboundMessage
from portal.mail.outbox import queue_message
from tests.conftest import free_port


def queue(n: int = 1, **overrides) -> list[OutboundMessage]:
    rows = [
        queue_message(
            kind="test",
            to=[f"reader{i}@example.com"],
            subject=overrides.get("subject", f"投诉受理通知 {i}"),
            body_text=overrides.get("body_text", "您的投诉已受理，办理时限为十五个工作日。"),
            body_html=overrides.get("body_html"),
        )
        for i in range(n)
    ]
    db.session.commit()
    return rows


def statuses() -> dict[str, int]:
    rows = db.session.execute(
        sa.select(OutboundMessage.status, sa.func.count()).group_by(OutboundMessage.status)
    ).all()
    return {status.value: count for status, count in rows}


def test_mail_is_delivered_utf8_base64_with_our_message_id(app, mail_to_smtp):
    [row] = queue(body_html="<p>您的投诉已受理</p>")
    report = dispatch_due()
    assert report.sent == 1
    [received] = mail_to_smtp.received
    assert received.rcpt_tos == ["reader0@example.com"]
    message = received.message
    assert message["Subject"] == "投诉受理通知 0"
    assert message["Message-ID"] == row.message_id
    assert message["Message-ID"].endswith("@kaimen.test>")
    assert message["From"] == "开门 Kaimen <noreply@kaimen.test>"
    parts = [part for part in message.walk() if part.get_content_maintype() == "text"]
    assert {part.get_content_type() for part in parts} == {"text/plain", "text/html"}
    for part in parts:
        assert part.get_content_charset() == "utf-8"
        assert part["Content-Transfer-Encoding"] == "base64"
    assert "办理时限为十五个工作日" in message.get_body(("plain",)).get_content()

    db.session.expire_all()
    sent = db.session.get(OutboundMessage, row.id)
    assert sent.status == MessageStatus.SENT and sent.attempts == 1 and sent.sent_at


def test_nothing_is_sent_twice(app, mail_to_smtp):
    queue(3)
    assert dispatch_due().sent == 3
    assert dispatch_due().sent == 0
    assert len(mail_to_smtp.received) == 3


def test_rolled_back_change_sends_nothing(app, mail_to_smtp):
    queue_message(kind="test", to=["x@example.com"], subject="s", body_text="b")
    db.session.rollback()
    assert dispatch_due().sent == 0
    assert mail_to_smtp.received == []


def test_without_smtp_server_mail_waits_in_the_outbox(app):
    queue(2)
    report = dispatch_due()
    assert report.not_configured and report.waiting == 2
    assert statuses() == {"queued": 2}


def test_server_down_keeps_the_row_with_its_error_and_a_later_run_sends_it(app, smtp_server):
    [row] = queue()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2)
    report = dispatch_due()
    assert report.retrying == 1 and report.sent == 0
    db.session.expire_all()
    waiting = db.session.get(OutboundMessage, row.id)
    assert waiting.status == MessageStatus.QUEUED
    assert waiting.attempts == 1
    assert "ConnectionRefusedError" in waiting.last_error
    # Backed off: not due again right away.
    assert waiting.next_attempt_at > utcnow() + timedelta(seconds=30)
    assert dispatch_due().sent == 0

    # The server is back, and the backoff has passed.
    app.config.update(MAIL_PORT=smtp_server.port)
    waiting.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert dispatch_due().sent == 1
    db.session.expire_all()
    assert db.session.get(OutboundMessage, row.id).status == MessageStatus.SENT
    assert len(smtp_server.received) == 1


def test_backoff_doubles_and_gives_up_after_the_last_attempt(app, mail_to_smtp):
    mail_to_smtp.refuse = True  # 451: a temporary failure
    app.config["MAIL_MAX_ATTEMPTS"] = 3
    [row] = queue()
    delays = []
    for _ in range(3):
        before = utcnow()
        dispatch_due()
        db.session.expire_all()
        current = db.session.get(OutboundMessage, row.id)
        if current.status == MessageStatus.QUEUED:
            delays.append((current.next_attempt_at - before).total_seconds())
            current.next_attempt_at = utcnow() - timedelta(seconds=1)
            db.session.commit()
    assert current.status == MessageStatus.FAILED
    assert current.attempts == 3
    assert "451" in current.last_error
    assert delays[0] == pytest.approx(60, abs=5) and delays[1] == pytest.approx(120, abs=5)


def test_a_crashed_dispatchers_rows_are_picked_up_after_the_lease(app, mail_to_smtp):
    [row] = queue()
    row.status = MessageStatus.SENDING
    row.lease_token = "dead-dispatcher"
    row.lease_until = utcnow() + timedelta(minutes=5)
    db.session.commit()
    assert dispatch_due().sent == 0  # still leased to someone else
    row.lease_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert dispatch_due().sent == 1


def test_two_dispatchers_at_once_deliver_each_message_exactly_once(app, mail_to_smtp):
    rows = queue(60)
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def run():
        try:
            with app.app_context():
                start.wait()
                while dispatch_due(limit=5).sent:
                    pass
                db.session.remove()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    received_ids = [item.message["Message-ID"] for item in mail_to_smtp.received]
    assert sorted(received_ids) == sorted(row.message_id for row in rows)
    assert len(set(received_ids)) == 60
    assert statuses() == {"sent": 60}


def test_cli_send_reports_and_delivers(app, runner, mail_to_smtp):
    queue(2)
    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 0, result.output
    assert "sent 2" in result.output
    assert len(mail_to_smtp.received) == 2


def test_cli_send_without_server_says_mail_waits(app, runner):
    queue(1)
    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 0
    assert "1 message(s) wait in the outbox" in result.output


def test_cli_send_loop_keeps_delivering_until_stopped(app, runner, mail_to_smtp):
    import os
    import signal

    queue(1)

    def later():
        with app.app_context():
            queue_message(kind="test", to=["late@example.com"], subject="稍后", body_text="b")
            db.session.commit()
            db.session.remove()

    timers = [
        threading.Timer(0.5, later),
        threading.Timer(2.0, os.kill, (os.getpid(), signal.SIGTERM)),
    ]
    for timer in timers:
        timer.start()
    result = runner.invoke(args=["mail", "send", "--loop", "--interval", "0.2"])
    for timer in timers:
        timer.join()
    assert result.exit_code == 0, result.output
    assert sorted(r.rcpt_tos[0] for r in mail_to_smtp.received) == [
        "late@example.com",
        "reader0@example.com",
    ]


def test_a_silent_server_times_out_instead_of_hanging(app):
    """A server that accepts the connection but never greets: the dispatcher gives up in time."""
    import socket
    import time

    [row] = queue()
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        app.config.update(
            MAIL_SERVER="127.0.0.1", MAIL_PORT=silent.getsockname()[1], MAIL_TIMEOUT=0.5
        )
        started = time.monotonic()
        report = dispatch_due()
        elapsed = time.monotonic() - started
    assert report.retrying == 1
    assert elapsed < 5
    db.session.expire_all()
    assert "timed out" in db.session.get(OutboundMessage, row.id).last_error
