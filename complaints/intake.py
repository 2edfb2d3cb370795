"""Filing a complaint: validate, number, route, record, audit and queue the two emails.

``file_complaint`` is the one way a complaint comes into being. It flushes and never commits:
the request (or the demo loader, or a test) commits once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _

from complaints import attachments, routing, states
from complaints.attachments import AREA as ATTACHMENT_AREA
from complaints.errors import ComplaintError
from complaints.models import (
    Complaint,
    ComplaintAttachment,
    ComplaintSequence,
    ComplaintStatus,
    EventKind,
    NotificationMethod,
)
from complaints.permissions import can_file
from disclosure.catalog.models import ApprovalItem, ProcedureStep
from disclosure.directory.models import Department, Position
from disclosure.directory.recipients import position_addresses, supervisors_or_administrators
from portal import audit
from portal.db import utcnow
from portal.extensions import db
from portal.mail.outbox import OutboundFile, queue_templated
from portal.mail.tokens import REPLY_MARKER, reply_address
from portal.text import render_markdown
from portal.urls import external_url
from portal.workdays import local_date

SUBJECT_MAX = 200
DETAILS_MAX = 10_000
NAME_MAX = 60
PHONE_MAX = 40
ADDRESS_MAX = 300
NUMBER_ATTEMPTS = 5


def _text(value: str | None, *, required: str | None, limit: int, too_long: str) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ComplaintError(required)
    if len(value) > limit:
        raise ComplaintError(too_long)
    return value


def _email(value: str | None) -> str:
    try:
        return validate_email((value or "").strip(), check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise ComplaintError(
            _("Enter a valid email address for replies, such as name@example.com.")
        ) from error


def _method(value) -> NotificationMethod:
    try:
        return NotificationMethod(value)
    except ValueError as error:
        raise ComplaintError(_("Choose how you want to be told the answer.")) from error


def _subject_of(
    item: ApprovalItem | None, step: ProcedureStep | None, department: Department | None
) -> Department:
    """The department the complaint is about; refuses inconsistent choices."""
    if item is None:
        if step is not None:
            raise ComplaintError(_("Choose the approval item the step belongs to."))
        if department is None:
            raise ComplaintError(
                _("Choose the approval item or the department your complaint is about.")
            )
        return department
    if not item.is_published:
        raise ComplaintError(_("This approval item is not published."))
    if step is not None and step.item_id != item.id:
        raise ComplaintError(_("Choose one of the steps of this approval item."))
    if department is not None and department.id != item.department_id:
        raise ComplaintError(_("This approval item belongs to another department."))
    return item.department


def next_tracking_number(day: date) -> str:
    """``TS<yyyymmdd>-<nnnn>``: the day's next number, from one atomic UPDATE … RETURNING.

    The day's row is inserted the first time; if another transaction inserts it at the same
    moment, the insert fails inside a SAVEPOINT and the UPDATE is tried again.
    """
    table = ComplaintSequence.__table__
    bump = (
        sa.update(table)
        .where(table.c.day == day)
        .values(last=table.c.last + 1)
        .returning(table.c.last)
    )
    for _attempt in range(NUMBER_ATTEMPTS):
        number = db.session.execute(bump).scalar()
        if number is not None:
            return f"TS{day:%Y%m%d}-{number:04d}"
        try:
            with db.session.begin_nested():
                db.session.execute(sa.insert(table).values(day=day, last=1))
        except sa.exc.IntegrityError:
            continue  # someone else made the day's row: bump it
        return f"TS{day:%Y%m%d}-0001"
    raise RuntimeError("could not allocate a complaint tracking number")


def file_complaint(
    complainant,
    *,
    subject: str,
    details: str,
    contact_name: str,
    contact_email: str,
    notification_method: NotificationMethod | str,
    item: ApprovalItem | None = None,
    step: ProcedureStep | None = None,
    department: Department | None = None,
    contact_phone: str = "",
    contact_address: str = "",
    files: Sequence[attachments.Incoming] = (),
    locale: str | None = None,
) -> Complaint:
    """File a complaint for ``complainant`` about ``item`` (and ``step``) or ``department``."""
    if not can_file(complainant):
        raise ComplaintError(_("Verify your email address before you file a complaint."))
    about = _subject_of(item, step, department)
    subject = _text(
        subject,
        required=_("Give your complaint a subject."),
        limit=SUBJECT_MAX,
        too_long=_("A subject has at most %(max)d characters.", max=SUBJECT_MAX),
    )
    details = _text(
        details,
        required=_("Describe what happened."),
        limit=DETAILS_MAX,
        too_long=_("The description has at most %(max)d characters.", max=DETAILS_MAX),
    )
    contact_name = _text(
        contact_name,
        required=_("Give your name, so that the answer can reach you."),
        limit=NAME_MAX,
        too_long=_("A name has at most %(max)d characters.", max=NAME_MAX),
    )
    contact_email = _email(contact_email)
    contact_phone = _text(
        contact_phone,
        required=None,
        limit=PHONE_MAX,
        too_long=_("A phone number has at most %(max)d characters.", max=PHONE_MAX),
    )
    contact_address = _text(
        contact_address,
        required=None,
        limit=ADDRESS_MAX,
        too_long=_("An address has at most %(max)d characters.", max=ADDRESS_MAX),
    )
    method = _method(notification_method)
    if method in {NotificationMethod.SMS, NotificationMethod.PHONE} and not contact_phone:
        raise ComplaintError(_("Give a phone number to be told by SMS or by phone."))
    if method == NotificationMethod.LETTER and not contact_address:
        raise ComplaintError(_("Give a postal address to be told by letter."))
    checked = attachments.check(list(files))

    received_at = utcnow()
    received_on = local_date(received_at)
    complaint_step = routing.complaint_step_of(item)
    position = routing.route(item, complaint_step, about)
    deadline = routing.handling_deadline(received_on, complaint_step)
    complaint = Complaint(
        tracking_number=next_tracking_number(received_on),
        complainant_id=complainant.id,
        item_id=item.id if item is not None else None,
        step_id=step.id if step is not None else None,
        department_id=about.id,
        status=ComplaintStatus.RECEIVED,
        subject=subject,
        details_source=details,
        details_html=render_markdown(details),
        contact_name=contact_name,
        contact_email=contact_email,
        contact_phone=contact_phone,
        contact_address=contact_address,
        notification_method=method,
        locale=locale or complainant.locale or current_app.config["BABEL_DEFAULT_LOCALE"],
        received_at=received_at,
        received_on=received_on,
        handling_due=deadline.date,
        handling_due_provisional=deadline.provisional,
        event_count=0,
    )
    db.session.add(complaint)
    db.session.flush()
    filed = states.add_event(
        complaint,
        EventKind.FILED,
        actor=complainant,
        item=item.code if item is not None else None,
        step=str(step.kind) if step is not None else None,
        department=about.code,
        handling_due=deadline.date.isoformat(),
        handling_due_provisional=deadline.provisional,
    )
    files_saved = attachments.save(complaint, filed, checked, complainant)
    if position is not None:
        _assign(complaint, position)
    audit.record(
        "complaint.file",
        "complaint",
        complaint.id,
        actor=complainant,
        tracking_number=complaint.tracking_number,
        position_id=complaint.position_id,
        attachments=len(files_saved),
    )
    _mail_complainant(complaint, complainant)
    if position is not None:
        mail_officers(complaint, "complaint_assigned_officer", attachments=files_saved)
    else:
        _mail_routers(complaint)
    return complaint


def _mail_routers(complaint: Complaint) -> None:
    """No staffed position was found: ask the department's supervisors (else the
    administrators) to route the complaint by hand."""
    to = supervisors_or_administrators(complaint.department_id)
    if not to:
        return
    queue_templated(
        "complaint_unrouted",
        to=to,
        locale=current_app.config["BABEL_DEFAULT_LOCALE"],
        complaint=complaint,
        link=complaint_link(complaint),
    )


def _assign(complaint: Complaint, position: Position) -> None:
    complaint.position_id = position.id
    complaint.position = position
    states.move(
        complaint,
        "assign",
        actor=None,
        position_id=position.id,
        position=position.name,
        handling_due=complaint.handling_due.isoformat() if complaint.handling_due else None,
    )


def complaint_link(complaint: Complaint) -> str:
    return external_url("complaints.show", tracking_number=complaint.tracking_number)


def _mail_complainant(complaint: Complaint, complainant) -> None:
    """The confirmation goes to the complainant's verified account address."""
    queue_templated(
        "complaint_received",
        to=[complainant.email],
        locale=complaint.locale,
        complaint=complaint,
        link=complaint_link(complaint),
    )


def mail_officers(
    complaint: Complaint,
    template: str,
    *,
    attachments: Sequence[ComplaintAttachment] | None = None,
    **context,
) -> None:
    """Mail the position's holder (cc deputy) about ``complaint`` with ``template``."""
    to, cc = position_addresses(complaint.position)
    if not to:
        return
    if attachments is None:
        attachments = complaint_attachments(complaint)
    queue_templated(
        template,
        to=to,
        cc=cc,
        locale=current_app.config["BABEL_DEFAULT_LOCALE"],
        complaint=complaint,
        attachments=attachments,
        link=complaint_link(complaint),
        # Officers answer by replying (complaints.inbound): the signed address, the marker line
        # above which they write, and the complaint's files attached to the email.
        reply_to=reply_address("complaint", complaint.id),
        reply_marker=REPLY_MARKER,
        files=outbound_files(attachments),
        **context,
    )


def complaint_attachments(complaint: Complaint) -> list[ComplaintAttachment]:
    """Every file of the complaint (filing, follow-ups, answers), oldest first."""
    return list(
        db.session.scalars(
            sa.select(ComplaintAttachment)
            .where(ComplaintAttachment.complaint_id == complaint.id)
            .order_by(ComplaintAttachment.id)
        )
    )


def outbound_files(attachments: Sequence[ComplaintAttachment]) -> list[OutboundFile]:
    """The complaint's files, attached to an email to the officers."""
    return [
        OutboundFile(file.filename, file.content_type, ATTACHMENT_AREA, file.stored_name)
        for file in attachments
    ]
