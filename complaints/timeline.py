"""What a complaint's page shows of its history: the events a viewer may see, in order, labelled."""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from complaints.attachments import visible_attachments
from complaints.models import Complaint, ComplaintAttachment, ComplaintEvent, EventKind
from complaints.permissions import can_see_internal
from portal.extensions import db

EVENT_LABELS = {
    EventKind.FILED: _l("Complaint filed"),
    EventKind.ASSIGNED: _l("Sent to the responsible position"),
    EventKind.TRANSFERRED: _l("Transferred to another position"),
    EventKind.FOLLOW_UP: _l("Information added by the complainant"),
    EventKind.NOTE: _l("Internal note"),
    EventKind.ANSWERED: _l("Answered"),
    EventKind.NOTIFICATION_SENT: _l("Answer sent to the complainant"),
    EventKind.NOTIFICATION_RECORDED: _l("Notification recorded"),
    EventKind.NOTIFIED: _l("Complainant notified"),
    EventKind.NOTIFICATION_FAILED: _l("The answer could not be delivered"),
    EventKind.CLOSED: _l("Closed"),
    EventKind.REOPENED: _l("Reopened"),
    EventKind.RATED: _l("Answer rated"),
    EventKind.DEADLINE_RECOMPUTED: _l("Deadline recomputed"),
    EventKind.REMINDED: _l("Reminder sent"),
    EventKind.ESCALATED: _l("Escalated to the supervisor"),
}


def event_label(kind: EventKind) -> str:
    return str(EVENT_LABELS.get(kind, kind))


def events_for(complaint: Complaint, user) -> list[ComplaintEvent]:
    """The timeline this user may see: internal entries only for those who handle or oversee it."""
    stmt = (
        sa.select(ComplaintEvent)
        .where(ComplaintEvent.complaint_id == complaint.id)
        .options(so.joinedload(ComplaintEvent.actor))
        .order_by(ComplaintEvent.id)
    )
    if not can_see_internal(user, complaint):
        stmt = stmt.where(ComplaintEvent.internal.is_(False))

    return list(db.session.scalars(stmt))


def attachments_by_event(complaint: Complaint, user) -> dict[int | None, list[ComplaintAttachment]]:
    grouped: dict[int | None, list[ComplaintAttachment]] = defaultdict(list)
    for attachment in visible_attachments(complaint, user):
        grouped[attachment.event_id].append(attachment)
    return grouped
