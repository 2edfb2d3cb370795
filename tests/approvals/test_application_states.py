"""The state machine: every legal move works, every other one is refused and changes nothing."""

from __future__ import annotations

import pytest

from approvals.application_models import ApplicationStatus
from approvals.states import TRANSITIONS, IllegalTransition, move
from portal.extensions import db
from tests.approvals.application_world import *  # noqa: F403

ALL_MOVES = [(status, name) for status in ApplicationStatus for name in TRANSITIONS]


def test_every_transition_from_every_status(applicant, item):
    application = fill(applicant, item)  # noqa: F405
    legal = 0
    for status, name in ALL_MOVES:
        sources, target, kind = TRANSITIONS[name]
        application.status = status
        application.suspended_from = "in_review" if status == ApplicationStatus.SUSPENDED else None
        count = application.event_count
        if status in sources:
            event = move(application, name)
            expected = target or ApplicationStatus.IN_REVIEW
            assert application.status == expected
            assert (event.kind, event.from_status, event.to_status) == (kind, status, expected)
            legal += 1
        else:
            with pytest.raises(IllegalTransition):
                move(application, name)
            assert application.status == status
            assert application.event_count == count
        db.session.rollback()
    # draft: submit, withdraw; submitted: accept, accept_by_law, request_correction,
    # refuse_to_accept, withdraw; correction_requested: resubmit, withdraw; accepted:
    # start_review, suspend, confirm_withdrawal; in_review: advance, return, suspend, decide,
    # confirm_withdrawal; suspended: resume, confirm_withdrawal; decided: deliver;
    # delivered: close, rate; closed: rate.
    assert legal == 2 + 5 + 2 + 3 + 5 + 2 + 1 + 2 + 1


def test_resume_returns_to_the_status_suspended_from(applicant, item):
    application = fill(applicant, item)  # noqa: F405
    application.status = ApplicationStatus.ACCEPTED
    move(application, "suspend")
    assert application.suspended_from == "accepted"
    move(application, "resume")
    assert application.status == ApplicationStatus.ACCEPTED
    assert application.suspended_from is None


def test_unknown_transition_is_refused(applicant, item):
    application = fill(applicant, item)  # noqa: F405
    with pytest.raises(IllegalTransition):
        move(application, "approve_everything")
