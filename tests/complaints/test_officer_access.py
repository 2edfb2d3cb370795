"""Every officer URL of a complaint against all nine kinds of user: route, record a notification,
the printable letter (the other actions are in test_officer_web.test_permission_matrix)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from complaints import officer
from complaints.models import ComplaintStatus, Notification
from portal.db import utcnow
from portal.extensions import db
from tests.complaints.officer_world import reload

PEOPLE = [
    "holder",
    "deputy",
    "other_officer",
    "supervisor",
    "other_supervisor",
    "admin",
    "complainant",
    "other_citizen",
    "visitor",
]


def person(request, who):
    return None if who == "visitor" else request.getfixturevalue(who)


def expect(response, who, allowed: set[str], sees: set[str], ok: int = 302):
    if who == "visitor":
        assert response.status_code == 302 and "/account/login" in response.location
    elif who in allowed:
        assert response.status_code == ok, response.get_data(as_text=True)
    elif who in sees:
        assert response.status_code == 403
    else:
        assert response.status_code == 404


def as_user(client, user, call):
    if user is not None:
        client.login(user.email)
    response = call()
    client.logout()
    return response


@pytest.mark.parametrize("who", PEOPLE)
def test_route(client, request, make_complaint, complaint_position, department, who):
    user = person(request, who)
    complaint = make_complaint()
    complaint.status = ComplaintStatus.RECEIVED  # found no position
    complaint.position_id = None
    db.session.commit()
    review = next(p for p in department.positions if p.code == "review")
    response = as_user(
        client,
        user,
        lambda: client.post(
            f"/complaints/{complaint.tracking_number}/route", {"route-position": str(review.id)}
        ),
    )
    # Nobody handles an unrouted complaint: its department's supervisors and admins route it.
    expect(response, who, {"supervisor", "admin"}, {"supervisor", "admin", "complainant"})
    routed = reload(complaint).status == ComplaintStatus.ASSIGNED
    assert routed == (who in {"supervisor", "admin"})


HANDLERS = {"holder", "deputy", "admin"}
SEES = {"holder", "deputy", "supervisor", "admin", "complainant"}


@pytest.mark.parametrize("who", PEOPLE)
def test_record_notification(client, request, make_complaint, holder, who):
    user = person(request, who)
    complaint = make_complaint(notification_method="phone")
    officer.answer(complaint, holder, "答复")
    db.session.commit()
    notification = db.session.scalars(sa.select(Notification)).one()
    now = utcnow().astimezone(ZoneInfo("Asia/Shanghai"))
    prefix = f"record-{notification.id}"
    response = as_user(
        client,
        user,
        lambda: client.post(
            f"/complaints/{complaint.tracking_number}/notifications/{notification.id}",
            {
                f"{prefix}-day": now.date().isoformat(),
                f"{prefix}-time": now.strftime("%H:%M"),
                f"{prefix}-how": "电话告知本人",
            },
        ),
    )
    expect(response, who, HANDLERS, SEES)
    notified = reload(complaint).status == ComplaintStatus.NOTIFIED
    assert notified == (who in HANDLERS)


@pytest.mark.parametrize("who", PEOPLE)
def test_letter(client, request, make_complaint, holder, who):
    user = person(request, who)
    complaint = make_complaint(notification_method="letter")
    officer.answer(complaint, holder, "经核实，已整改。")
    db.session.commit()
    response = as_user(
        client, user, lambda: client.get(f"/complaints/{complaint.tracking_number}/letter")
    )
    expect(response, who, HANDLERS, SEES, ok=200)
    if who in HANDLERS:
        assert "临江市江北路 1 号" in response.get_data(as_text=True)
