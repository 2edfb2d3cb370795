"""The state machine: every legal move works, every other one is refused and changes nothing."""

from __future__ import annotations

import pytest

from complaints.models import ComplaintStatus, EventKind
from complaints.states import TRANSITIONS, IllegalTransition, move
from portal.extensions import db

ALL_MOVES = [(status, name) for status in ComplaintStatus for name in TRANSITIONS]


def test_every_transition_from_every_status(make_complaint):
    complaint = make_complaint()
    refused = 0
    for status, name in ALL_MOVES:
        sources, target, kind = TRANSITIONS[name]
        complaint.status = status
        count = complaint.event_count
        if status in sources:
            event = move(complaint, name)
            assert complaint.status == target
            assert (event.kind, event.from_status, event.to_status) == (kind, status, target)
        else:
            with pytest.raises(IllegalTransition):
                move(complaint, name)
            assert complaint.status == status
            assert complaint.event_count == count
            refused += 1
        db.session.rollback()
    # received→only assign; assigned→transfer/answer; answered→notify;
    # notified→close/reopen/undeliver; closed→reopen: 8 legal moves of 35.
    assert refused == len(ALL_MOVES) - 8


def test_unknown_transition_is_refused(make_complaint):
    complaint = make_complaint()
    with pytest.raises(IllegalTransition):
        move(complaint, "delete")


def test_a_legal_move_is_on_the_timeline(make_complaint):
    complaint = make_complaint()
    assert complaint.status == ComplaintStatus.ASSIGNED
    event = move(complaint, "answer", body_source="x", body_html="<p>x</p>")
    assert event.kind == EventKind.ANSWERED and event.id is not None
