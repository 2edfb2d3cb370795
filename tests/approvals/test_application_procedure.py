"""Running the procedure: acceptance, correction (only what was asked), refusal to accept, the
review steps in order (only the current step acts), the decision and its letter, delivery,
withdrawal and rating."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from approvals import officer_services, review, services
from approvals.application_models import (
    ApplicationEvent,
    ApplicationStatus,
    ApplicationTask,
    EventKind,
    Result,
    TaskStatus,
)
from approvals.errors import ApprovalError
from approvals.materials import Incoming
from approvals.procedure_models import CorrectionRequest, DocumentKind, IssuedDocument
from approvals.states import IllegalTransition
from disclosure.catalog.models import ProcedureStep, StepKind
from portal.extensions import db
from tests.approvals.application_world import *  # noqa: F403
from tests.approvals.application_world import PDF, at, png, submit

S = ApplicationStatus


def tasks(application) -> list[tuple[str, str]]:
    return [
        (t.step_kind, t.status.value)
        for t in db.session.scalars(
            sa.select(ApplicationTask)
            .where(ApplicationTask.application_id == application.id)
            .order_by(ApplicationTask.id)
        )
    ]


def documents(application) -> list[str]:
    return [
        d.kind.value
        for d in db.session.scalars(
            sa.select(IssuedDocument)
            .where(IssuedDocument.application_id == application.id)
            .order_by(IssuedDocument.id)
        )
    ]


def test_the_whole_way_to_a_rated_result(applicant, item, acceptor, reviewer, decider):
    with at(date(2026, 12, 3)):
        application, _code = submit(applicant, item)
    with at(date(2026, 12, 4)):
        officer_services.accept(application, acceptor)
        db.session.commit()
    assert application.status == S.IN_REVIEW and application.current_step == "review"
    assert application.accepted_on == date(2026, 12, 4)
    # Promised: review 2 + decision 2 = 4 working days; statutory 20.
    assert application.decision_due == date(2026, 12, 10)
    # 20 working days run into 2027, a year the calendar does not know yet: provisional.
    assert application.statutory_due == date(2027, 1, 4)
    assert application.statutory_due_provisional is True
    with at(date(2026, 12, 7)):
        review.record_opinion(application, reviewer, "agree", "符合条件")
        db.session.commit()
    assert application.current_step == "decision"  # 复审 and 会签 are not defined: skipped
    with at(date(2026, 12, 8)):
        review.decide(
            application, decider, "approved", "材料齐全，符合法定条件", "《环境保护法》第四十五条"
        )
        db.session.commit()
    assert application.status == S.DECIDED and application.result == Result.APPROVED
    assert application.delivery_due == date(2026, 12, 22)  # 10 working days
    assert application.current_step == "notification"
    with at(date(2026, 12, 9)):
        review.deliver(application, acceptor, "电子送达", "已通过网站送达")
        db.session.commit()
    assert application.status == S.DELIVERED and application.delivered_on == date(2026, 12, 9)
    services.rate(application, applicant, 5, "很快")
    db.session.commit()
    assert application.status == S.CLOSED and application.rating == 5
    assert tasks(application) == [
        ("acceptance", "done"),
        ("review", "done"),
        ("decision", "done"),
        ("notification", "done"),
    ]
    assert documents(application) == ["receipt", "acceptance", "approval", "delivery"]


def test_all_four_review_steps_run_in_order(
    applicant, item, acceptor, reviewer, decider, department
):
    positions = {p.code: p for p in department.positions}
    for kind in (StepKind.RE_REVIEW, StepKind.COUNTERSIGN):
        item.steps.append(
            ProcedureStep(
                kind=kind, sequence=kind.order, position=positions["review"], time_limit_days=3
            )
        )
    item.steps.sort(key=lambda s: s.sequence)
    db.session.commit()
    application, _code = submit(applicant, item)
    officer_services.accept(application, acceptor)
    seen = [application.current_step]
    for _step in range(3):
        review.record_opinion(application, reviewer, "agree", "同意")
        seen.append(application.current_step)
    assert seen == ["review", "re_review", "countersign", "decision"]
    # Return goes back one step.
    application2, _code = submit(applicant, item)
    officer_services.accept(application2, acceptor)
    review.record_opinion(application2, reviewer, "agree", "同意")
    review.record_opinion(application2, reviewer, "return", "请重新审核")
    assert application2.current_step == "review"


def test_a_decision_on_a_step_that_is_not_the_current_one_is_refused(
    applicant, item, acceptor, reviewer, decider
):
    application, _code = submit(applicant, item)
    officer_services.accept(application, acceptor)
    db.session.commit()
    review_task = db.session.scalar(
        sa.select(ApplicationTask).where(ApplicationTask.step_kind == "review")
    )
    with pytest.raises(ApprovalError, match="does not belong to this step"):
        review.decide(application, decider, "approved", "x", "y", task=review_task)
    db.session.rollback()
    with pytest.raises(ApprovalError, match=r"no open task|not the application's current step"):
        # The decider has no task yet: the review step is current.
        review.decide(application, decider, "approved", "x", "y")
    db.session.rollback()
    review.record_opinion(application, reviewer, "agree", "同意")
    db.session.commit()
    # The review task is done: acting on it again is refused.
    with pytest.raises(ApprovalError, match="not the application's current step"):
        review.record_opinion(application, reviewer, "agree", "再次", task=review_task)
    db.session.rollback()
    assert application.status == S.IN_REVIEW and application.decided_on is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IssuedDocument)) == 2


def test_only_the_position_of_the_step_acts(applicant, item, acceptor, reviewer):
    application, _code = submit(applicant, item)
    with pytest.raises(ApprovalError, match="Only the position responsible"):
        officer_services.accept(application, reviewer)
    db.session.rollback()
    assert application.status == S.SUBMITTED


def test_correction_lists_everything_and_moves_the_acceptance_date(app, applicant, item, acceptor):
    with at(date(2026, 12, 3)):
        application, _code = submit(applicant, item)
    with at(date(2026, 12, 4)):
        correction = officer_services.request_correction(
            application,
            acceptor,
            [
                {"field": "phone", "reason": "电话无法接通"},
                {"material": "m1", "reason": "未盖章"},
            ],
        )
        db.session.commit()
    assert application.status == S.CORRECTION_REQUESTED
    assert [i["name"] for i in correction.items] == ["Phone", "排污许可证申请表"]
    assert documents(application) == ["receipt", "correction"]
    # Changing what was not asked is refused, and nothing is written.
    with at(date(2026, 12, 9)):
        with pytest.raises(ApprovalError, match="does not ask you to change: Company name"):
            services.resubmit(
                application,
                applicant,
                {"phone": "13900000000", "company": "另一家公司"},
                {"m1": Incoming("盖章.pdf", PDF + b"stamped")},
            )
        db.session.rollback()
        with pytest.raises(ApprovalError, match="does not ask you to change: 现场照片"):
            services.resubmit(
                application,
                applicant,
                {"phone": "13900000000"},
                {"m1": Incoming("盖章.pdf", PDF), "m2": Incoming("p.png", png())},
            )
        db.session.rollback()
        with pytest.raises(ApprovalError, match="Upload a corrected file"):
            services.resubmit(application, applicant, {"phone": "13900000000"}, {})
        db.session.rollback()
        assert application.status == S.CORRECTION_REQUESTED
        # Nothing of the refused answers was kept: no file row, no file, no changed value.
        from approvals.application_models import ApplicationMaterial

        assert db.session.scalar(sa.select(sa.func.count(ApplicationMaterial.id))) == 1
        folder = Path(app.instance_path) / "uploads" / "approvals"
        assert len([f for f in folder.iterdir() if f.suffix == ".pdf"]) == 1 + 2  # m1 + 2 notices
        assert application.form_values["phone"] == "13800000000"
        # Unchanged other values may come along (a form posts them back).
        services.resubmit(
            application,
            applicant,
            {"phone": "13900000000", "company": application.form_values["company"]},
            {"m1": Incoming("盖章.pdf", PDF + b"stamped")},
        )
        db.session.commit()
    assert application.status == S.SUBMITTED
    assert application.form_values["phone"] == "13900000000"
    assert application.complete_on == date(2026, 12, 9)
    assert application.acceptance_due == date(2026, 12, 16)
    assert db.session.get(CorrectionRequest, correction.id).answered_at is not None
    with at(date(2026, 12, 11)):
        officer_services.accept(application, acceptor)
        db.session.commit()
    # The acceptance date is the day the correction was complete, not the day of the click.
    assert application.accepted_on == date(2026, 12, 9)


def test_a_correction_needs_items_with_reasons(applicant, item, acceptor):
    application, _code = submit(applicant, item)
    with pytest.raises(ApprovalError, match="at least one field or material"):
        officer_services.request_correction(application, acceptor, [])
    with pytest.raises(ApprovalError, match="Say what is wrong"):
        officer_services.request_correction(application, acceptor, [{"field": "phone"}])
    with pytest.raises(ApprovalError, match="no field or material"):
        officer_services.request_correction(
            application, acceptor, [{"field": "nope", "reason": "x"}]
        )


def test_refusal_to_accept(applicant, item, acceptor):
    application, _code = submit(applicant, item)
    officer_services.refuse_to_accept(
        application,
        acceptor,
        "不属于本机关职权范围",
        "《行政许可法》第三十二条",
        "临江市住房和城乡建设局",
    )
    db.session.commit()
    assert application.status == S.NOT_ACCEPTED
    assert documents(application) == ["receipt", "refusal_to_accept"]
    assert tasks(application) == [("acceptance", "done")]
    with pytest.raises(ApprovalError, match="not the application's current step"):
        officer_services.accept(application, acceptor)
    with pytest.raises(ApprovalError, match="No correction is asked"):
        services.resubmit(application, applicant, {}, {})
    with pytest.raises(IllegalTransition):
        services.withdraw(application, applicant)


def test_withdrawal_before_and_after_acceptance(applicant, item, acceptor, reviewer):
    first, _code = submit(applicant, item)
    assert services.withdraw(first, applicant, "不需要了") is True
    db.session.commit()
    assert first.status == S.WITHDRAWN and tasks(first) == [("acceptance", "cancelled")]
    second, _code = submit(applicant, item)
    officer_services.accept(second, acceptor)
    db.session.commit()
    assert services.withdraw(second, applicant, "改变计划") is False
    db.session.commit()
    assert second.status == S.IN_REVIEW and second.withdrawal_requested_at is not None
    with pytest.raises(ApprovalError, match="already asked"):
        services.withdraw(second, applicant)
    db.session.rollback()
    review.confirm_withdrawal(second, reviewer)
    db.session.commit()
    assert second.status == S.WITHDRAWN


def test_rating_needs_the_result(applicant, item):
    application, _code = submit(applicant, item)
    with pytest.raises(ApprovalError, match="once you have the result"):
        services.rate(application, applicant, 4)
    with pytest.raises(ApprovalError, match="from 1 to 5"):
        services.rate(application, applicant, 9)


def test_internal_notes_and_transfer(applicant, item, acceptor, reviewer, department):
    application, _code = submit(applicant, item)
    review.add_note(application, acceptor, "申请人来电说明情况")
    task = db.session.scalar(sa.select(ApplicationTask))
    review_position = next(p for p in department.positions if p.code == "review")
    new = review.transfer(application, acceptor, task, review_position, "窗口人手不足")
    db.session.commit()
    assert task.status == TaskStatus.TRANSFERRED and new.position_id == review_position.id
    assert new.due_on == task.due_on  # the clock does not restart
    assert review_position.id in application.position_ids
    officer_services.accept(application, reviewer)  # the new position now acts
    kinds = {e.kind: e.internal for e in db.session.scalars(sa.select(ApplicationEvent))}
    assert kinds[EventKind.NOTE] is True and kinds[EventKind.TRANSFERRED] is True


def test_each_document_has_a_unique_code_and_a_later_one_supersedes(applicant, item, acceptor):
    application, _code = submit(applicant, item)
    officer_services.request_correction(
        application, acceptor, [{"field": "phone", "reason": "错误"}]
    )
    services.resubmit(application, applicant, {"phone": "13900000000"}, {})
    officer_services.request_correction(
        application, acceptor, [{"field": "phone", "reason": "仍然错误"}]
    )
    db.session.commit()
    corrections = db.session.scalars(
        sa.select(IssuedDocument)
        .where(IssuedDocument.kind == DocumentKind.CORRECTION)
        .order_by(IssuedDocument.id)
    ).all()
    assert corrections[0].superseded_at is not None and corrections[1].superseded_at is None
    assert corrections[0].number != corrections[1].number
    codes = db.session.scalars(sa.select(IssuedDocument.verification_code)).all()
    assert len(set(codes)) == len(codes) == 3


def test_the_applicant_sees_the_steps_but_not_the_opinions(applicant, item, acceptor, reviewer):
    from approvals.timeline import events_for

    application, _code = submit(applicant, item)
    officer_services.accept(application, acceptor)
    review.record_opinion(application, reviewer, "disagree", "内部意见：建议不予许可")
    db.session.commit()
    mine = events_for(application, applicant)
    step_done = [e for e in mine if e.kind == EventKind.OPINION]
    assert len(step_done) == 1 and step_done[0].step_kind == "review"
    assert all("内部意见" not in (e.body or "") and "disagree" not in str(e.data) for e in mine)
    assert not any(e.internal for e in mine)
    officers = events_for(application, reviewer)
    assert any(e.internal for e in officers)
    task = db.session.scalar(
        sa.select(ApplicationTask).where(ApplicationTask.step_kind == "review")
    )
    assert task.text == "内部意见：建议不予许可" and task.opinion.value == "disagree"


def test_a_document_is_stored_with_its_hash(app, applicant, item):
    import hashlib

    from portal import uploads

    submit(applicant, item)
    receipt = db.session.scalar(sa.select(IssuedDocument))
    data = uploads.path_for("approvals", receipt.stored_name).read_bytes()
    assert data.startswith(b"%PDF") and hashlib.sha256(data).hexdigest() == receipt.sha256
    assert receipt.public == {
        "item_name": item.name,
        "item_code": item.code,
        "department_name": "临江市生态环境局",
        "application_number": receipt.application.number,
    }


def test_a_poor_rating_asks_the_supervisors_to_review(
    applicant, item, acceptor, reviewer, decider, supervisor
):
    from portal.mail.models import OutboundMessage

    application, _code = submit(applicant, item)
    officer_services.accept(application, acceptor)
    review.record_opinion(application, reviewer, "agree", "同意")
    review.decide(application, decider, "approved", "符合", "依据")
    review.deliver(application, acceptor, "电子送达")
    services.rate(application, applicant, 1, "拖延")
    db.session.commit()
    mail = db.session.scalar(
        sa.select(OutboundMessage).where(OutboundMessage.kind == "approval_poor_rating")
    )
    assert mail.recipients == [supervisor.email] and "拖延" in mail.body_text
