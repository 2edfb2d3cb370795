"""What the complainant does after filing: add information (follow-up) and rate the answer."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _

from complaints import attachments, states
from complaints.errors import ComplaintError
from complaints.intake import mail_officers
from complaints.models import Complaint, ComplaintEvent, EventKind
from complaints.permissions import can_follow_up, can_rate
from portal import audit
from portal.db import utcnow
from portal.text import render_markdown

FOLLOW_UP_MAX = 5_000
COMMENT_MAX = 2_000


def follow_up(
    complaint: Complaint, user, text: str, files: Sequence[attachments.Incoming] = ()
) -> ComplaintEvent:
    """The complainant adds information; the handling position is told by email."""
    if not can_follow_up(user, complaint):
        raise ComplaintError(_("This complaint is closed: it takes no more information."))
    text = (text or "").strip()
    if not text and not files:
        raise ComplaintError(_("Write what you want to add, or attach a file."))
    if len(text) > FOLLOW_UP_MAX:
        raise ComplaintError(_("A follow-up has at most %(max)d characters.", max=FOLLOW_UP_MAX))
    checked = attachments.check(list(files))
    event = states.add_event(
        complaint,
        EventKind.FOLLOW_UP,
        actor=user,
        body_source=text,
        body_html=render_markdown(text) if text else "",
    )
    saved = attachments.save(complaint, event, checked, user)
    audit.record(
        "complaint.follow_up",
        "complaint",
        complaint.id,
        actor=user,
        event_id=event.id,
        attachments=len(saved),
    )
    mail_officers(complaint, "complaint_follow_up_officer", attachments=saved, event=event)
    return event


def rate(complaint: Complaint, user, rating: int, comment: str = "") -> ComplaintEvent:
    """The complainant rates the answer from 1 (poor) to 5 (good); a new rating replaces the old."""
    if not can_rate(user, complaint):
        raise ComplaintError(_("You can rate the answer once the complaint is answered."))
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ComplaintError(_("Choose a rating from 1 to 5."))
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise ComplaintError(_("A comment has at most %(max)d characters.", max=COMMENT_MAX))
    complaint.rating = rating
    complaint.rating_comment = comment or None
    complaint.rated_at = utcnow()
    event = states.add_event(complaint, EventKind.RATED, actor=user, rating=rating)
    if comment:
        event.body_source = comment
        event.body_html = render_markdown(comment)
    audit.record("complaint.rate", "complaint", complaint.id, actor=user, rating=rating)
    return event
