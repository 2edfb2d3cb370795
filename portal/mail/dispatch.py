"""Delivering the outbox over SMTP: claim due rows, send each once, retry failures with backoff.

Dispatchers may run on several hosts at once. A dispatcher *claims* a batch of due rows by
moving them to ``sending`` with a lease in one atomic UPDATE (on PostgreSQL the candidate rows are
picked with ``FOR UPDATE SKIP LOCKED``, so concurrent dispatchers never wait on or take each
other's rows; SQLite serialises writers, so the UPDATE alone is atomic). Rows whose lease ran out
— a dispatcher died mid-batch — become claimable again.
"""

from __future__ import annotations

import logging
import smtplib
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import flask_mail
import sqlalchemy as sa
from flask import current_app

from portal import uploads
from portal.db import utcnow
from portal.extensions import db
from portal.mail.models import MessageStatus, OutboundMessage
from portal.mail.signals import outbound_failed

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=15)
MAX_BACKOFF = timedelta(hours=6)


@dataclass
class DispatchReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    waiting: int = 0
    not_configured: bool = False
    errors: list[str] = field(default_factory=list)


class _TimedConnection(flask_mail.Connection):
    """Flask-Mail's connection, with the connect/read timeout Flask-Mail does not offer."""

    def configure_host(self):
        config = current_app.config
        smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
        host = smtp_class(
            config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"]
        )
        if config["MAIL_USE_TLS"]:
            host.starttls()
        if config["MAIL_USERNAME"] and config["MAIL_PASSWORD"]:
            host.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        return host


def backoff(attempts: int) -> timedelta:
    """Delay before the next try after ``attempts`` failed ones: base, 2×base, 4×base … capped."""
    base = timedelta(seconds=current_app.config["MAIL_RETRY_BASE_SECONDS"])
    return min(base * (2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def _claim(now: datetime, limit: int) -> tuple[str, list[int]]:
    """Move up to ``limit`` due rows to ``sending`` under a fresh lease; return its token and the ids."""
    table = OutboundMessage.__table__
    due = sa.or_(
        sa.and_(table.c.status == MessageStatus.QUEUED.value, table.c.next_attempt_at <= now),
        sa.and_(table.c.status == MessageStatus.SENDING.value, table.c.lease_until < now),
    )
    candidates = sa.select(table.c.id).where(due).order_by(table.c.id).limit(limit)
    if db.engine.dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    token = uuid.uuid4().hex
    stmt = (
        sa.update(table)
        .where(table.c.id.in_(candidates.scalar_subquery()), due)
        .values(status=MessageStatus.SENDING.value, lease_until=now + LEASE, lease_token=token)
        .returning(table.c.id)
    )
    ids = sorted(db.session.execute(stmt).scalars())
    db.session.commit()
    return token, ids


def _build(row: OutboundMessage) -> flask_mail.Message:
    message = flask_mail.Message(
        subject=row.subject,
        recipients=row.recipients,
        cc=row.cc or None,
        body=row.body_text,
        html=row.body_html,
        sender=row.sender,
        reply_to=row.reply_to,
        extra_headers=row.headers or None,
        charset="utf-8",
    )
    message.msgId = row.message_id
    for attachment in row.attachments:
        data = uploads.path_for(attachment.area, attachment.stored_name).read_bytes()
        message.attach(attachment.filename, attachment.content_type, data)
    return message


def _is_permanent(error: Exception) -> bool:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    return False


def _settle(row: OutboundMessage, token: str, error: Exception | None, report: DispatchReport):
    db.session.refresh(row)
    if row.status != MessageStatus.SENDING or row.lease_token != token:
        return  # our lease ran out and another dispatcher took the row over
    now = utcnow()
    row.attempts += 1
    row.lease_until = None
    row.lease_token = None
    if error is None:
        row.status = MessageStatus.SENT
        row.sent_at = now
        row.last_error = None
        report.sent += 1
    else:
        row.last_error = f"{type(error).__name__}: {error}"[:2000]
        if _is_permanent(error) or row.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
            row.status = MessageStatus.FAILED
            report.failed += 1
            _announce_failure(row)
        else:
            row.status = MessageStatus.QUEUED
            row.next_attempt_at = now + backoff(row.attempts)
            report.retrying += 1
        report.errors.append(f"#{row.id}: {row.last_error}")
    db.session.commit()


def _announce_failure(row: OutboundMessage) -> None:
    """Send ``outbound_failed`` in a savepoint: a failing listener must not undo the FAILED."""
    try:
        with db.session.begin_nested():
            outbound_failed.send(
                current_app._get_current_object(), message=row, reason=row.last_error or ""
            )
    except Exception:
        log.exception("a listener of outbound_failed failed for outbound message #%s", row.id)


def dispatch_due(limit: int | None = None) -> DispatchReport:
    """Send every due message once. Safe to run in several processes at the same time."""
    report = DispatchReport()
    if not current_app.config.get("MAIL_SERVER"):
        report.not_configured = True
        report.waiting = db.session.scalar(
            sa.select(sa.func.count()).where(OutboundMessage.status == MessageStatus.QUEUED)
        )
        return report
    limit = limit or current_app.config["MAIL_BATCH_SIZE"]
    while True:
        token, ids = _claim(utcnow(), limit)
        if not ids:
            return report
        connection = None
        try:
            connection = _TimedConnection(current_app.extensions["mail"])
            connection.host = connection.configure_host()
        except (OSError, smtplib.SMTPException) as error:
            # The server is unreachable: every claimed row goes back with the error and a backoff.
            for row_id in ids:
                _settle(db.session.get(OutboundMessage, row_id), token, error, report)
            return report
        try:
            for row_id in ids:
                row = db.session.get(OutboundMessage, row_id)
                try:
                    connection.send(_build(row))
                except (OSError, smtplib.SMTPException) as error:
                    _settle(row, token, error, report)
                else:
                    _settle(row, token, None, report)
        finally:
            try:
                connection.host.quit()
            except (OSError, smtplib.SMTPException):
                connection.host.close()
        if len(ids) < limit:
            return report
