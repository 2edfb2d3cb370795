"""The one state machine an application's status moves through; every move is a timeline event.

    draft ──submit──▶ submitted (收件) ──accept / accept_by_law──▶ accepted (受理) ──start_review──▶ in_review
                        │  ▲    │  └──refuse_to_accept──▶ not_accepted               │ advance / return
                        │  │    └──withdraw──▶ withdrawn                              ▼ (next / previous step)
          request_correction  resubmit                                           in_review ──decide──▶ decided
                        ▼  │                                                                  │ deliver
                  correction_requested ──withdraw──▶ withdrawn                                ▼
                                                                        delivered ──close / rate──▶ closed

``suspend`` stops the clock of a running application (accepted, in review) and ``resume`` takes it
back to the status it was suspended from (``Application.suspended_from``). ``withdraw`` is at once
before acceptance; after it the applicant asks and an officer confirms (``confirm_withdrawal``).
``advance`` (to the next defined step of 审核, 复审, 会签, 审定) and ``return`` (to the previous
one) stay in review. Anything else is refused with ``IllegalTransition``.
"""

from __future__ import annotations

from flask_babel import gettext as _

from approvals.application_models import (
    Application,
    ApplicationEvent,
    ApplicationStatus,
    EventKind,
)
from approvals.errors import ApprovalError
from portal.extensions import db

S = ApplicationStatus
RUNNING = frozenset({S.ACCEPTED, S.IN_REVIEW})
BEFORE_ACCEPTANCE = frozenset({S.DRAFT, S.SUBMITTED, S.CORRECTION_REQUESTED})

# transition name → (the statuses it may start from, the status it leads to — None: the status
# the application was suspended from —, the event it records)
TRANSITIONS: dict[str, tuple[frozenset[ApplicationStatus], ApplicationStatus | None, EventKind]] = {
    "submit": (frozenset({S.DRAFT}), S.SUBMITTED, EventKind.SUBMITTED),
    "accept": (frozenset({S.SUBMITTED}), S.ACCEPTED, EventKind.ACCEPTED),
    "accept_by_law": (frozenset({S.SUBMITTED}), S.ACCEPTED, EventKind.ACCEPTED_BY_LAW),
    "request_correction": (
        frozenset({S.SUBMITTED}),
        S.CORRECTION_REQUESTED,
        EventKind.CORRECTION_REQUESTED,
    ),
    "resubmit": (frozenset({S.CORRECTION_REQUESTED}), S.SUBMITTED, EventKind.RESUBMITTED),
    "refuse_to_accept": (frozenset({S.SUBMITTED}), S.NOT_ACCEPTED, EventKind.NOT_ACCEPTED),
    "withdraw": (BEFORE_ACCEPTANCE, S.WITHDRAWN, EventKind.WITHDRAWN),
    "confirm_withdrawal": (RUNNING | {S.SUSPENDED}, S.WITHDRAWN, EventKind.WITHDRAWN),
    "start_review": (frozenset({S.ACCEPTED}), S.IN_REVIEW, EventKind.REVIEW_STARTED),
    "advance": (frozenset({S.IN_REVIEW}), S.IN_REVIEW, EventKind.OPINION),
    "return": (frozenset({S.IN_REVIEW}), S.IN_REVIEW, EventKind.RETURNED),
    "suspend": (RUNNING, S.SUSPENDED, EventKind.SUSPENDED),
    "resume": (frozenset({S.SUSPENDED}), None, EventKind.RESUMED),
    "decide": (frozenset({S.IN_REVIEW}), S.DECIDED, EventKind.DECIDED),
    "deliver": (frozenset({S.DECIDED}), S.DELIVERED, EventKind.DELIVERED),
    "close": (frozenset({S.DELIVERED}), S.CLOSED, EventKind.CLOSED),
    "rate": (frozenset({S.DELIVERED, S.CLOSED}), S.CLOSED, EventKind.RATED),
}


class IllegalTransition(ApprovalError):
    """A move the state machine does not allow; the message is meant for the user (an
    ``ApprovalError``, so that every view shows it as a refusal, not a server error)."""


def allowed(application: Application, transition: str) -> bool:
    sources, _target, _kind = TRANSITIONS[transition]
    return application.status in sources


def add_event(
    application: Application,
    kind: EventKind,
    *,
    actor=None,
    internal: bool = False,
    body: str | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
    step_kind: str | None = None,
    **data,
) -> ApplicationEvent:
    """Append an entry to the application's timeline (flushed, not committed)."""
    event = ApplicationEvent(
        application_id=application.id,
        kind=kind,
        actor_id=getattr(actor, "id", None),
        internal=internal,
        body=body,
        from_status=from_status,
        to_status=to_status,
        step_kind=step_kind,
        data=data,
    )
    db.session.add(event)
    application.event_count = (application.event_count or 0) + 1
    db.session.flush()
    return event


def move(application: Application, transition: str, *, actor=None, **event_fields):
    """Apply a transition or refuse it; records the event with the statuses before and after."""
    if transition not in TRANSITIONS:
        raise IllegalTransition(_("Unknown action."))
    sources, target, kind = TRANSITIONS[transition]
    if application.status not in sources:
        raise IllegalTransition(
            _(
                "An application that is “%(status)s” cannot be changed that way.",
                status=application.status.label,
            )
        )
    before = application.status
    if target is None:  # resume: back to where the suspension interrupted it
        target = ApplicationStatus(application.suspended_from or S.IN_REVIEW)
        application.suspended_from = None
    if target == S.SUSPENDED:
        application.suspended_from = str(before)
    application.status = target
    return add_event(
        application,
        kind,
        actor=actor,
        from_status=str(before),
        to_status=str(target),
        **event_fields,
    )
