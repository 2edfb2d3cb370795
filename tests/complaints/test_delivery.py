"""An answer email that fails or bounces undoes the notification: FAILED, back to ANSWERED with
an event on the timeline, and the officers are asked to tell the complainant another way."""

from __future__ import annotations

import sqlalchemy as sa

from complaints import officer
from complaints.models import (
    ComplaintEvent,
    ComplaintStatus,
    EventKind,
    Notification,
    NotificationStatus,
)
from portal.extensions import db
from portal.mail.dispatch import dispatch_due
from portal.mail.models import OutboundMessage
from portal.mail.signals import outbound_failed
from tests.complaints.officer_world import reload


def answered_by_email(make_complaint, holder):
    complaint = make_complaint(notification_method="email")
    officer.answer(complaint, holder, "经核实，已整改。")
    db.session.commit()
    notification = db.session.scalars(
        sa.select(Notification).where(Notification.complaint_id == complaint.id)
    ).one()
    assert notification.status == NotificationStatus.SENT
    assert complaint.status == ComplaintStatus.NOTIFIED
    return complaint, notification


def failed_events(complaint):
    return list(
        db.session.scalars(
            sa.select(ComplaintEvent).where(
                ComplaintEvent.complaint_id == complaint.id,
                ComplaintEvent.kind == EventKind.NOTIFICATION_FAILED,
            )
        )
    )


def alerts():
    return list(
        db.session.scalars(
            sa.select(OutboundMessage).where(
                OutboundMessage.kind == "complaint_notification_failed"
            )
        )
    )


def announce(app, message_id, reason):
    outbound_failed.send(app, message=db.session.get(OutboundMessage, message_id), reason=reason)
    db.session.commit()


def test_a_bounced_answer_email_undoes_the_notification(
    app, make_complaint, holder, deputy, client, complainant
):
    complaint, notification = answered_by_email(make_complaint, holder)
    announce(app, notification.outbound_message_id, "Bounced (5.1.1): no such user")

    complaint = reload(complaint)
    notification = db.session.get(Notification, notification.id)
    assert notification.status == NotificationStatus.FAILED
    assert "5.1.1" in notification.last_error
    assert complaint.status == ComplaintStatus.ANSWERED
    assert complaint.notified_at is None and complaint.notified_on_time is None
    [event] = failed_events(complaint)
    assert event.internal is False and event.to_status == "answered"
    [alert] = alerts()
    assert alert.recipients == ["holder@linjiang.gov.example"]
    assert alert.cc == ["deputy@linjiang.gov.example"]
    assert complaint.tracking_number in alert.subject
    assert "5.1.1" in alert.body_text and "13800000000" in alert.body_text

    # The failed notification is now the officer's task: they record the phone call.
    officer.record_notification(notification, holder, None, "电话告知本人")
    db.session.commit()
    assert reload(complaint).status == ComplaintStatus.NOTIFIED

    # A second signal for the same message changes nothing.
    announce(app, notification.outbound_message_id, "again")
    assert len(failed_events(complaint)) == 1 and len(alerts()) == 1


def test_other_messages_failing_change_nothing(app, make_complaint, holder):
    complaint, notification = answered_by_email(make_complaint, holder)
    other = db.session.scalars(
        sa.select(OutboundMessage).where(OutboundMessage.kind == "complaint_received")
    ).first()
    announce(app, other.id, "550 no such user")
    complaint = reload(complaint)
    assert complaint.status == ComplaintStatus.NOTIFIED
    assert db.session.get(Notification, notification.id).status == NotificationStatus.SENT
    assert failed_events(complaint) == [] and alerts() == []


def test_a_closed_complaint_keeps_its_status_but_the_officer_is_told(app, make_complaint, holder):
    complaint, notification = answered_by_email(make_complaint, holder)
    officer.close(complaint, holder)
    db.session.commit()
    announce(app, notification.outbound_message_id, "Bounced")
    complaint = reload(complaint)
    assert complaint.status == ComplaintStatus.CLOSED
    assert db.session.get(Notification, notification.id).status == NotificationStatus.FAILED
    [event] = failed_events(complaint)
    assert event.internal is True
    assert len(alerts()) == 1


def test_dispatch_giving_the_answer_email_up_undoes_the_notification(
    app, make_complaint, holder, mail_to_smtp
):
    complaint, notification = answered_by_email(make_complaint, holder)

    async def refuse_for_good(server, session, envelope):
        return "550 5.1.1 mailbox unavailable"

    mail_to_smtp.handle_DATA = refuse_for_good  # a permanent SMTP refusal: no retry
    dispatch_due()
    db.session.expire_all()
    answer_mail = db.session.get(OutboundMessage, notification.outbound_message_id)
    assert answer_mail.status == "failed"
    assert db.session.get(Notification, notification.id).status == NotificationStatus.FAILED
    complaint = reload(complaint)
    assert complaint.status == ComplaintStatus.ANSWERED
    assert len(failed_events(complaint)) == 1
    assert "550" in db.session.get(Notification, notification.id).last_error
    assert len(alerts()) == 1


def test_a_hard_bounce_coming_in_undoes_the_notification(app, make_complaint, holder):
    from portal.mail.inbound.ingest import ingest
    from portal.mail.models import MessageStatus
    from tests.portal.mail_inbound.conftest import eml

    complaint, notification = answered_by_email(make_complaint, holder)
    answer_mail = db.session.get(OutboundMessage, notification.outbound_message_id)
    answer_mail.status = MessageStatus.SENT  # delivered to the next hop; the DSN comes later
    db.session.commit()
    ingest(eml("bounce_hard.eml", msgid=answer_mail.message_id))
    db.session.expire_all()
    notification = db.session.get(Notification, notification.id)
    assert notification.status == NotificationStatus.FAILED
    assert "5.1.1" in notification.last_error
    complaint = reload(complaint)
    assert complaint.status == ComplaintStatus.ANSWERED
    assert len(failed_events(complaint)) == 1 and len(alerts()) == 1
