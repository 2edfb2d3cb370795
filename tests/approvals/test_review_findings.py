"""Defects found in review of the online approval package, each pinned by a test that failed on
the code before its fix."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from approvals import identity_services, officer_services, review, services
from approvals.application_models import (
    Application,
    ApplicationEvent,
    ApplicationStatus,
    ApplicationTask,
    EventKind,
    TaskStatus,
)
from disclosure.directory.models import Position, StaffMember
from portal.extensions import db
from portal.mail.models import OutboundMessage
from tests.approvals.application_world import *  # noqa: F403
from tests.approvals.application_world import PDF, at, submit, walk_to_decision

S = ApplicationStatus


def _url(application) -> str:
    return f"/approvals/applications/{application.number}"


def _stored_files(app) -> set[str]:
    folder = Path(app.instance_path) / "uploads" / "approvals"
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


# --- a move the state machine refuses is a 400 with its message, never a 500 ----------------------


def test_no_decision_while_the_clock_is_stopped(
    client, applicant, item, acceptor, reviewer, decider
):
    application, _code = submit(applicant, item)
    walk_to_decision(application, acceptor, reviewer)
    review.suspend(application, decider, "testing", "检测")
    db.session.commit()
    client.login(decider.email)
    response = client.post(
        f"{_url(application)}/decide",
        {"result": "approved", "reasons": "符合", "legal_basis": "依据"},
    )
    assert response.status_code == 400
    assert "suspended" in response.get_data(as_text=True)
    again = client.post(f"{_url(application)}/suspend", {"kind": "testing", "reason": "再次"})
    assert again.status_code == 400
    assert db.session.get(Application, application.id).status == S.SUSPENDED


def test_no_opinion_while_suspended_and_its_files_do_not_stay(
    app, client, applicant, item, acceptor, reviewer
):
    application, _code = submit(applicant, item)
    officer_services.accept(application, acceptor)
    db.session.commit()
    review.suspend(application, reviewer, "expert_review", "专家评审")
    db.session.commit()
    before = _stored_files(app)
    client.login(reviewer.email)
    response = client.post(
        f"{_url(application)}/opinion",
        {"opinion": "agree", "text": "同意", "files": (io.BytesIO(PDF), "意见.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert _stored_files(app) == before
    task = procedure_task(application)
    assert task.status == TaskStatus.OPEN and task.step_kind == "review"


def procedure_task(application) -> ApplicationTask:
    return db.session.scalar(
        sa.select(ApplicationTask)
        .where(ApplicationTask.application_id == application.id)
        .order_by(ApplicationTask.id.desc())
        .limit(1)
    )


def test_a_withdrawal_asked_before_the_decision_cannot_be_confirmed_after_it(
    client, applicant, item, acceptor, reviewer, decider
):
    application, _code = submit(applicant, item)
    walk_to_decision(application, acceptor, reviewer)
    services.withdraw(application, applicant, "不需要了")
    db.session.commit()
    review.decide(application, decider, "approved", "符合", "依据")
    db.session.commit()
    client.login(acceptor.email)  # the notification step's position
    response = client.post(f"{_url(application)}/confirm-withdrawal")
    assert response.status_code == 400
    assert db.session.get(Application, application.id).status == S.DECIDED


# --- hostile ids ----------------------------------------------------------------------------------


def test_a_transfer_with_a_position_id_that_is_no_id(client, applicant, item, acceptor):
    application, _code = submit(applicant, item)
    client.login(acceptor.email)
    for posted in ("²", "9" * 30, "-1", "1e3"):
        response = client.post(
            f"{_url(application)}/transfer", {"position_id": posted, "reason": "人手不足"}
        )
        assert response.status_code == 400, posted


def test_a_task_is_not_transferred_out_of_the_department(
    client, applicant, item, acceptor, other_officer
):
    application, _code = submit(applicant, item)
    elsewhere = db.session.scalar(
        sa.select(Position)
        .join(StaffMember, Position.holder_id == StaffMember.id)
        .where(StaffMember.user_id == other_officer.id)
    )
    assert elsewhere.department_id != application.department_id
    client.login(acceptor.email)
    response = client.post(
        f"{_url(application)}/transfer", {"position_id": str(elsewhere.id), "reason": "转他局"}
    )
    assert response.status_code == 400
    client.logout()
    client.login(other_officer.email)
    assert client.get(_url(application)).status_code == 404


def test_ids_too_large_for_the_database_are_not_found(client, applicant, item, acceptor):
    application, _code = submit(applicant, item)
    huge = "9" * 30
    client.login(applicant.email)
    for url in (
        f"{_url(application)}/files/{huge}",
        f"{_url(application)}/documents/{huge}.pdf",
        f"/approvals/drafts/{huge}",
        f"/approvals/drafts/{huge}/files/1",
    ):
        assert client.get(url).status_code == 404, url
    client.logout()
    client.login(acceptor.email)
    response = client.post(f"/approvals/identity/counter/{huge}/check", {"id_number": "x"})
    assert response.status_code == 404


# --- text: what PostgreSQL refuses (NUL) and other control characters are not stored --------------


def test_control_characters_are_removed_from_officers_and_applicants_text(
    client, applicant, item, acceptor
):
    application, _code = submit(applicant, item)
    client.login(acceptor.email)
    assert client.post(f"{_url(application)}/note", {"body": "来\x00电\x07"}).status_code == 302
    client.logout()
    client.login(applicant.email)
    response = client.post(f"{_url(application)}/withdraw", {"reason": "不\x00要\x1b了"})
    assert response.status_code == 302
    bodies = db.session.scalars(
        sa.select(ApplicationEvent.body).where(
            ApplicationEvent.kind.in_([EventKind.NOTE, EventKind.WITHDRAWN])
        )
    ).all()
    assert sorted(bodies) == ["不要了", "来电"]


def test_control_characters_are_removed_from_a_declared_name(app):
    declaration = identity_services.validate_declaration("person", "张\x00三", "110101199003070011")
    assert declaration.real_name == "张三"


# --- the clock ------------------------------------------------------------------------------------


def test_a_correction_on_the_day_of_receipt_still_dates_the_acceptance(applicant, item, acceptor):
    with at(date(2026, 12, 1)):
        application, _code = submit(applicant, item)
        officer_services.request_correction(
            application, acceptor, [{"field": "phone", "reason": "号码有误"}]
        )
        db.session.commit()
        services.resubmit(application, applicant, {"phone": "13900000000"})
        db.session.commit()
    with at(date(2026, 12, 4)):
        officer_services.accept(application, acceptor)
        db.session.commit()
    # The acceptance date is the day the correction was complete (行政许可法第三十二条).
    assert application.accepted_on == date(2026, 12, 1)


# --- the form: numbers and dates as the form says, nothing Python merely parses ------------------


def test_numbers_and_dates_are_refused_unless_written_plainly(client, applicant, item):
    client.login(applicant.email)
    for key, value in (
        ("output", "1_000"),
        ("output", "infinity"),
        ("output", "١٢"),
        ("start", "2026-W49-4"),
        ("start", "20261203"),
    ):
        response = client.post(f"/approvals/apply/{item.code}", {f"f_{key}": value})
        assert response.status_code == 400, value
    assert client.post(f"/approvals/apply/{item.code}", {"f_output": "1,200.5"}).status_code == 302


# --- rating ---------------------------------------------------------------------------------------


def test_rating_poorly_again_does_not_mail_the_supervisors_again(
    client, applicant, item, acceptor, reviewer, decider, supervisor
):
    application, _code = submit(applicant, item)
    walk_to_decision(application, acceptor, reviewer)
    review.decide(application, decider, "approved", "符合", "依据")
    review.deliver(application, acceptor, "电子送达")
    db.session.commit()
    client.login(applicant.email)
    for rating in ("1", "2", "1"):
        assert client.post(f"{_url(application)}/rate", {"rating": rating}).status_code == 302
    mails = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(OutboundMessage)
        .where(OutboundMessage.kind == "approval_poor_rating")
    )
    assert mails == 1
    assert db.session.get(Application, application.id).rating == 1
