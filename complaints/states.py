"""The one state machine a complaint's status moves through; every move is a timeline event.

    received ──assign──▶ assigned ──answer──▶ answered ──notify──▶ notified ──close──▶ closed
                          │  ▲                                        │                 │
                          └──┘ transfer (to another position)         └──reopen──┐  ┌───┘ reopen
                                                                                ▼  ▼
                                                                              assigned

``undeliver`` takes a NOTIFIED complaint back to ANSWERED when its answer email failed or
bounced (``complaints.delivery``). ``transfer`` and ``reopen`` are transitions, not states: a transferred complaint is assigned to
its new position; a reopened one is assigned again and waits for a new answer. Anything else is
refused with ``IllegalTransition``.
"""

from __future__ import annotations

from flask_babel import gettext as _

from complaints.models import Complaint, ComplaintEvent, ComplaintStatus, EventKind
from portal.extensions import db

S = ComplaintStatus

# transition name → (the statuses it may start from, the status it leads to, the event it records)
TRANSITIONS: dict[str, tuple[frozenset[ComplaintStatus], ComplaintStatus, EventKind]] = {
    "assign": (frozenset({S.RECEIVED}), S.ASSIGNED, EventKind.ASSIGNED),
    "transfer": (frozenset({S.ASSIGNED}), S.ASSIGNED, EventKind.TRANSFERRED),
    "answer": (frozenset({S.ASSIGNED}), S.ANSWERED, EventKind.ANSWERED),
    "notify": (frozenset({S.ANSWERED}), S.NOTIFIED, EventKind.NOTIFIED),
    # The answer email failed or bounced: the complainant was not told after all.
    "undeliver": (frozenset({S.NOTIFIED}), S.ANSWERED, EventKind.NOTIFICATION_FAILED),
    "close": (frozenset({S.NOTIFIED}), S.CLOSED, EventKind.CLOSED),
    "reopen": (frozenset({S.NOTIFIED, S.CLOSED}), S.ASSIGNED, EventKind.REOPENED),
}


class IllegalTransition(ValueError):
    """A move the state machine does not allow; the message is meant for the user."""


def allowed(complaint: Complaint, transition: str) -> bool:
    sources, _target, _kind = TRANSITIONS[transition]
    return complaint.status in sources


def add_event(
    complaint: Complaint,
    kind: EventKind,
    *,
    actor=None,
    internal: bool = False,
    body_source: str | None = None,
    body_html: str | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
    **data,
) -> ComplaintEvent:
    """Append an entry to the complaint's timeline (flushed, not committed)."""
    event = ComplaintEvent(
        complaint_id=complaint.id,
        kind=kind,
        actor_id=actor.id if actor is not None else None,
        internal=internal,
        body_source=body_source,
        body_html=body_html,
        from_status=from_status,
        to_status=to_status,
        data=data,
    )
    db.session.add(event)
    complaint.event_count = (complaint.event_count or 0) + 1
    db.session.flush()
    return event


def move(complaint: Complaint, transition: str, *, actor=None, **event_fields) -> ComplaintEvent:
    """Apply a transition or refuse it; records the event with the statuses before and after."""
    if transition not in TRANSITIONS:
        raise IllegalTransition(_("Unknown action."))
    sources, target, kind = TRANSITIONS[transition]
    if complaint.status not in sources:
        raise IllegalTransition(
            _(
                "A complaint that is %(status)s cannot be changed that way.",
                status=complaint.status.label,
            )
        )
    before = complaint.status
    complaint.status = target
    return add_event(
        complaint,
        kind,
        actor=actor,
        from_status=str(before),
        to_status=str(target),
        **event_fields,
    )
