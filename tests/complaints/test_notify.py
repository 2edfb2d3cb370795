"""Telling the complainant (告知): email and portal by themselves, SMS through a gateway (log-only
and a real HTTP server), phone and letter as tasks for the officer."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa

from complaints import deadlines, officer
from complaints.models import (
    ComplaintStatus,
    Notification,
    NotificationStatus,
)
from portal.extensions import db
from portal.mail.models import OutboundMessage
from portal.sms import HttpGateway, LogGateway, SmsError, gateway
from tests.conftest import free_port


def notification_of(complaint) -> Notification:
    return db.session.scalars(
        sa.select(Notification).where(Notification.complaint_id == complaint.id)
    ).one()


def test_email_goes_out_by_itself(make_complaint, holder):
    complaint = make_complaint(notification_method="email")
    officer.answer(complaint, holder, "经核实，已责令窗口整改。")
    db.session.commit()
    notification = notification_of(complaint)
    assert notification.status == NotificationStatus.SENT
    message = db.session.get(OutboundMessage, notification.outbound_message_id)
    assert message.kind == "complaint_answered"
    assert message.recipients == ["complainant@example.com"]
    assert "经核实，已责令窗口整改。" in message.body_text
    assert complaint.tracking_number in message.subject
    assert complaint.status == ComplaintStatus.NOTIFIED and complaint.notified_on_time is True


def test_portal_notification_is_immediate(make_complaint, holder):
    complaint = make_complaint(notification_method="portal")
    officer.answer(complaint, holder, "答复")
    assert notification_of(complaint).status == NotificationStatus.SENT
    assert complaint.status == ComplaintStatus.NOTIFIED


@pytest.mark.parametrize("method", ["phone", "letter"])
def test_phone_and_letter_become_tasks(make_complaint, holder, method):
    complaint = make_complaint(notification_method=method)
    officer.answer(complaint, holder, "答复")
    notification = notification_of(complaint)
    assert notification.status == NotificationStatus.PENDING
    assert notification.due_on == complaint.notification_due
    assert complaint.status == ComplaintStatus.ANSWERED and complaint.notified_at is None


def send_sms_queue(runner):
    result = runner.invoke(args=["deadlines", "sms"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return result.output


def test_sms_through_the_log_gateway(make_complaint, holder, caplog, runner):
    complaint = make_complaint(notification_method="sms")
    assert isinstance(gateway(), LogGateway)
    officer.answer(complaint, holder, "答复")
    db.session.commit()
    assert notification_of(complaint).status == NotificationStatus.PENDING  # queued
    with caplog.at_level("INFO", logger="kaimen.sms"):
        assert "sent 1" in send_sms_queue(runner)
    notification = notification_of(complaint)
    assert notification.status == NotificationStatus.SENT
    assert notification.gateway_reference.startswith("log-")
    assert any("13800000000" in r.getMessage() for r in caplog.records)
    assert notification.complaint.status == ComplaintStatus.NOTIFIED


class FakeGateway:
    """A real HTTP server on 127.0.0.1 that plays the SMS operator."""

    def __init__(self):
        self.requests: list[tuple[dict, dict]] = []
        self.status = 200
        gateway_self = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                gateway_self.requests.append((dict(self.headers), json.loads(body)))
                payload = json.dumps({"id": f"gw-{len(gateway_self.requests)}"}).encode()
                self.send_response(gateway_self.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def sms_server(app):
    with FakeGateway() as server:
        app.config.update(
            KAIMEN_SMS_BACKEND="http",
            KAIMEN_SMS_URL=server.url,
            KAIMEN_SMS_TOKEN="s3cret",
            KAIMEN_SMS_TIMEOUT=5,
        )
        yield server


def test_sms_is_not_sent_inside_the_answer_transaction(make_complaint, holder, sms_server, runner):
    complaint = make_complaint(notification_method="sms")
    officer.answer(complaint, holder, "答复")
    assert sms_server.requests == []  # nothing leaves before the commit
    db.session.rollback()  # the request failed after the answer: nobody may be told
    send_sms_queue(runner)
    assert sms_server.requests == []
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 0


def test_sms_through_the_http_gateway(make_complaint, holder, sms_server, runner):
    complaint = make_complaint(notification_method="sms")
    officer.answer(complaint, holder, "答复")
    db.session.commit()
    assert sms_server.requests == []
    assert notification_of(complaint).status == NotificationStatus.PENDING
    assert complaint.status == ComplaintStatus.ANSWERED and complaint.notified_at is None

    assert "sent 1" in send_sms_queue(runner)
    headers, body = sms_server.requests[0]
    assert headers["Authorization"] == "Bearer s3cret"
    assert body["to"] == "13800000000"
    assert complaint.tracking_number in body["text"]
    notification = notification_of(complaint)
    assert notification.status == NotificationStatus.SENT
    assert notification.gateway_reference == "gw-1"
    assert notification.complaint.status == ComplaintStatus.NOTIFIED
    # Sent once: the next run has nothing to send.
    send_sms_queue(runner)
    assert len(sms_server.requests) == 1


def test_a_refused_sms_fails_and_the_deadline_job_retries_it(
    make_complaint, holder, sms_server, runner
):
    sms_server.status = 503
    complaint = make_complaint(notification_method="sms")
    officer.answer(complaint, holder, "答复")
    db.session.commit()
    assert "failed 1" in send_sms_queue(runner)
    notification = notification_of(complaint)
    assert notification.status == NotificationStatus.FAILED
    assert "503" in notification.last_error
    assert notification.complaint.status == ComplaintStatus.ANSWERED

    sms_server.status = 200
    result = runner.invoke(args=["deadlines", "run"])
    assert result.exit_code == 0, result.output
    assert "sent 1" in result.output
    db.session.expire_all()
    notification = notification_of(complaint)
    assert notification.status == NotificationStatus.SENT and notification.last_error is None
    assert notification.complaint.status == ComplaintStatus.NOTIFIED
    assert len(sms_server.requests) == 2
    # Once sent, a second run sends nothing more.
    runner.invoke(args=["deadlines", "run"])
    assert len(sms_server.requests) == 2


def test_an_unreachable_gateway_is_an_error(app):
    unused = f"http://127.0.0.1:{free_port()}/sms"
    with pytest.raises(SmsError, match="unreachable"):
        HttpGateway(unused, None, 2).send("138", "hi", reference="TS1")


def test_sending_skips_a_notification_another_run_took(make_complaint, holder, sms_server):
    complaint = make_complaint(notification_method="sms")
    officer.answer(complaint, holder, "答复")
    db.session.commit()
    notification = notification_of(complaint)
    # Another run claimed it first: the row is SENDING, so this run leaves it alone.
    notification.status = NotificationStatus.SENDING
    db.session.commit()
    summary = deadlines.RunSummary()
    deadlines.send_queued_sms(summary)
    assert (summary.sms_sent, summary.sms_failed) == (0, 0)
    assert sms_server.requests == []
