"""The officer's actions on the web: the permission matrix, refusals, internal notes, the letter."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from complaints import officer
from complaints.models import ComplaintStatus, Notification
from portal.db import utcnow
from portal.extensions import db
from tests.complaints.officer_world import english, reload

PEOPLE = [
    "holder",
    "deputy",
    "other_officer",
    "supervisor",
    "other_supervisor",
    "admin",
    "complainant",
    "visitor",
]
# action → who may do it; everyone else who can see the complaint gets 403, others 404.
ALLOWED = {
    "answer": {"holder", "deputy", "admin"},
    "note": {"holder", "deputy", "supervisor", "admin"},
    "transfer": {"holder", "deputy", "supervisor", "admin"},
    "close": {"holder", "deputy", "admin"},
    "reopen": {"holder", "deputy", "supervisor", "admin"},
}
SEES = {"holder", "deputy", "supervisor", "admin", "complainant"}


def prepare(make_complaint, holder, action, department):
    """A complaint in a status where ``action`` is legal, and the form to post."""
    if action in {"close", "reopen"}:
        complaint = make_complaint(notification_method="portal")
        officer.answer(complaint, holder, "答复")
        db.session.commit()
    else:
        complaint = make_complaint()
    review = next(p for p in department.positions if p.code == "review")
    data = {
        "answer": {"answer-source": "已核实并整改。"},
        "note": {"note-source": "内部备注"},
        "transfer": {"transfer-position": str(review.id), "transfer-reason": "属审核岗"},
        "close": {"close-reason": ""},
        "reopen": {"reopen-reason": "答复不完整"},
    }[action]
    return complaint, data


@pytest.mark.parametrize("who", PEOPLE)
def test_permission_matrix(client, request, make_complaint, holder, department, who):
    person = None if who == "visitor" else request.getfixturevalue(who)
    for action in ALLOWED:
        complaint, data = prepare(make_complaint, holder, action, department)
        if person is not None:
            client.login(person.email)
        response = client.post(f"/complaints/{complaint.tracking_number}/{action}", data)
        client.logout()
        if who == "visitor":
            assert response.status_code == 302 and "/account/login" in response.location
        elif who in ALLOWED[action]:
            assert response.status_code == 302, (action, response.get_data(as_text=True))
            assert response.location.endswith(f"/complaints/{complaint.tracking_number}")
        elif who in SEES:
            assert response.status_code == 403, action
        else:
            assert response.status_code == 404, action


def test_answer_without_csrf_is_refused(client, make_complaint, holder):
    complaint = make_complaint()
    client.login(holder.email)
    response = client.post(
        f"/complaints/{complaint.tracking_number}/answer", {"answer-source": "x"}, csrf=False
    )
    assert response.status_code == 400
    assert reload(complaint).status == ComplaintStatus.ASSIGNED


def test_an_illegal_move_is_explained(client, make_complaint, holder):
    complaint = make_complaint()
    english(client).login(holder.email)
    response = client.post(f"/complaints/{complaint.tracking_number}/close", {})
    assert response.status_code == 409
    assert "cannot be changed that way" in response.get_data(as_text=True)
    assert reload(complaint).status == ComplaintStatus.ASSIGNED


def test_an_empty_answer_is_refused_with_the_form_again(client, make_complaint, holder):
    complaint = make_complaint()
    english(client).login(holder.email)
    response = client.post(
        f"/complaints/{complaint.tracking_number}/answer", {"answer-source": "  "}
    )
    assert response.status_code == 400
    assert 'id="answer-source"' in response.get_data(as_text=True)
    assert reload(complaint).status == ComplaintStatus.ASSIGNED


def test_internal_notes_are_hidden_from_the_complainant(
    client, make_complaint, deputy, complainant, supervisor
):
    complaint = make_complaint()
    client.login(deputy.email)
    client.post(f"/complaints/{complaint.tracking_number}/note", {"note-source": "窗口人员已约谈"})
    client.logout()
    client.login(supervisor.email)
    assert "窗口人员已约谈" in client.get(f"/complaints/{complaint.tracking_number}").get_data(
        as_text=True
    )
    client.logout()
    client.login(complainant.email)
    page = client.get(f"/complaints/{complaint.tracking_number}").get_data(as_text=True)
    assert "窗口人员已约谈" not in page
    assert 'action="/complaints/' + complaint.tracking_number + '/note"' not in page


def test_officer_panel_offers_what_the_viewer_may_do(client, make_complaint, holder, supervisor):
    complaint = make_complaint()
    english(client).login(holder.email)
    page = client.get(f"/complaints/{complaint.tracking_number}").get_data(as_text=True)
    assert "/answer" in page and "/transfer" in page and "/note" in page
    client.logout()
    client.login(supervisor.email)
    page = client.get(f"/complaints/{complaint.tracking_number}").get_data(as_text=True)
    assert "/answer" not in page and "/transfer" in page and "/note" in page


def test_phone_task_recorded_on_the_web(client, make_complaint, holder):
    complaint = make_complaint(notification_method="phone")
    officer.answer(complaint, holder, "答复")
    db.session.commit()
    notification = db.session.scalars(sa.select(Notification)).one()
    english(client).login(holder.email)
    page = client.get(f"/complaints/{complaint.tracking_number}").get_data(as_text=True)
    assert "13800000000" in page and f"record-{notification.id}-how" in page
    now = utcnow().astimezone(ZoneInfo("Asia/Shanghai"))
    response = client.post(
        f"/complaints/{complaint.tracking_number}/notifications/{notification.id}",
        {
            f"record-{notification.id}-day": now.date().isoformat(),
            f"record-{notification.id}-time": now.strftime("%H:%M"),
            f"record-{notification.id}-how": "电话告知本人，已理解答复",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    complaint = reload(complaint)
    assert complaint.status == ComplaintStatus.NOTIFIED
    # Told today, Beijing time; due in 3 working days: on time.
    assert complaint.notified_on_time is True
    page = client.get(f"/complaints/{complaint.tracking_number}").get_data(as_text=True)
    assert "notified on time" in page


def test_the_printable_letter(client, make_complaint, holder, complainant, other_officer):
    complaint = make_complaint(notification_method="letter")
    officer.answer(complaint, holder, "经核实，**已整改**。")
    db.session.commit()
    url = f"/complaints/{complaint.tracking_number}/letter"
    english(client).login(holder.email)
    response = client.get(url)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<strong>已整改</strong>" in page and "临江市江北路 1 号" in page
    assert 'class="letter"' in page and "style=" not in page.split("<main", 1)[1]
    client.logout()
    client.login(complainant.email)
    assert client.get(url).status_code == 403
    client.logout()
    client.login(other_officer.email)
    assert client.get(url).status_code == 404


def test_a_supervisor_routes_a_received_complaint(client, make_complaint, supervisor, department):
    complaint = make_complaint()
    complaint.status = ComplaintStatus.RECEIVED
    complaint.position_id = None
    db.session.commit()
    review = next(p for p in department.positions if p.code == "review")
    client.login(supervisor.email)
    response = client.post(
        f"/complaints/{complaint.tracking_number}/route", {"route-position": str(review.id)}
    )
    assert response.status_code == 302
    complaint = reload(complaint)
    assert complaint.status == ComplaintStatus.ASSIGNED and complaint.position_id == review.id


def test_answer_with_an_attachment(client, make_complaint, holder, complainant):
    from io import BytesIO

    from complaints.models import ComplaintAttachment
    from tests.complaints.files import PDF

    complaint = make_complaint(notification_method="portal")
    client.login(holder.email)
    response = client.post(
        f"/complaints/{complaint.tracking_number}/answer",
        {"answer-source": "见附件。", "answer-attachments": (BytesIO(PDF), "整改通知书.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    [attachment] = db.session.scalars(sa.select(ComplaintAttachment)).all()
    assert attachment.filename == "整改通知书.pdf" and attachment.event_id is not None
    client.logout()
    client.login(complainant.email)
    page = client.get(f"/complaints/{complaint.tracking_number}").get_data(as_text=True)
    assert "整改通知书.pdf" in page and "见附件。" in page


def test_transfer_to_another_department_moves_it_between_queues(
    client, make_complaint, holder, other_officer, other_department
):
    complaint = make_complaint()
    target = other_department.positions[0]
    client.login(holder.email)
    response = client.post(
        f"/complaints/{complaint.tracking_number}/transfer",
        {"transfer-position": str(target.id), "transfer-reason": "属住建局职责"},
    )
    assert response.status_code == 302
    assert complaint.tracking_number not in client.get("/complaints/queue").get_data(as_text=True)
    # The former holder no longer handles it: its page is closed to them now.
    assert client.get(f"/complaints/{complaint.tracking_number}").status_code == 404
    client.logout()
    client.login(other_officer.email)
    assert complaint.tracking_number in client.get("/complaints/queue").get_data(as_text=True)
