"""After acceptance: the opinions of 审核, 复审, 会签 in order, the decision (审定), delivery
(告知/送达), suspension and resumption (特别程序), extension (延期), transfer of a task, internal
notes and the officer's confirmation of a withdrawal. Same rules as ``approvals.officer_services``:
only the current step's task at its position acts; flush, never commit.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from approvals import clock, materials, notices, procedure
from approvals import snapshot as spec
from approvals.application_models import (
    Application,
    ApplicationStatus,
    ApplicationTask,
    EventKind,
    Opinion,
    Result,
    TaskStatus,
)
from approvals.errors import ApprovalError
from approvals.officer_services import DECISION_LAW, RIGHTS, acting_task, text
from approvals.permissions import can_act_on, can_supervise, can_transfer
from approvals.procedure_models import DocumentKind, Extension, Suspension, SuspensionKind
from approvals.states import add_event, move
from disclosure.catalog.models import StepKind
from disclosure.directory.models import Position
from portal import audit
from portal.db import utcnow
from portal.extensions import db

S = ApplicationStatus
OPINION_KINDS = frozenset(
    {str(StepKind.REVIEW), str(StepKind.RE_REVIEW), str(StepKind.COUNTERSIGN)}
)


def record_opinion(
    application: Application,
    officer,
    opinion: Opinion | str,
    text_: str,
    *,
    task: ApplicationTask | None = None,
    files: list[materials.Incoming] = (),
) -> ApplicationTask:
    """审核 / 复审 / 会签: agree or disagree (the file goes on to the next step) or return it to the
    previous step. Returns the task that now carries the file."""
    try:
        opinion = Opinion(opinion)
    except ValueError as error:
        raise ApprovalError(_("Choose agree, disagree or return.")) from error
    task = acting_task(application, officer, task, OPINION_KINDS)
    body = text(text_, _("opinion"))
    checked = [materials.check_one(None, f) for f in files]
    snapshot = application.spec_snapshot
    if opinion == Opinion.RETURN:
        target = spec.previous_step(snapshot, task.step_kind)
        if target is None:
            raise ApprovalError(_("This is the first review step: there is no step to return to."))
        transition = "return"
    else:
        target = spec.next_step(snapshot, task.step_kind)
        transition = "advance"
    materials.save(application, checked, officer, task_id=task.id)
    procedure.finish_task(task, officer, opinion=opinion, text=body)
    # On the applicant's timeline the step is done; the opinion's text stays with the task
    # (officers only).
    move(
        application,
        transition,
        actor=officer,
        step_kind=task.step_kind,
        task_id=task.id,
        to_step=target["kind"],
    )
    following = procedure.open_task(application, target, actor=officer)
    audit.record(
        "application.opinion",
        "application",
        application.id,
        actor=officer,
        step=task.step_kind,
        opinion=str(opinion),
    )
    notices.mail_task(application, following)
    return following


def decide(
    application: Application,
    officer,
    result: Result | str,
    reasons: str,
    legal_basis: str,
    rights: str = "",
    *,
    task: ApplicationTask | None = None,
):
    """审定: approve (准予) or refuse (不予) with reasons, legal basis and — for a refusal — the
    rights of review and appeal; the decision letter; the delivery clock (10 working days)."""
    try:
        result = Result(result)
    except ValueError as error:
        raise ApprovalError(_("Choose to approve or to refuse.")) from error
    task = acting_task(application, officer, task, StepKind.DECISION)
    reasons = text(reasons, _("reasons"))
    legal_basis = text(legal_basis, _("legal basis"), limit=2_000)
    rights = text(rights, _("rights"), limit=2_000, required=False) or RIGHTS
    day = procedure.today()
    procedure.finish_task(
        task,
        officer,
        opinion=Opinion.AGREE if result == Result.APPROVED else Opinion.DISAGREE,
        text=reasons,
    )
    application.decided_on = day
    application.result = result
    clock.set_delivery_due(application)
    move(
        application,
        "decide",
        actor=officer,
        body=reasons,
        result=str(result),
        decided_on=day.isoformat(),
        delivery_due=application.delivery_due.isoformat(),
        on_time=application.decision_due is None or day <= application.decision_due,
    )
    approved = result == Result.APPROVED
    document = notices.issue(
        application,
        DocumentKind.APPROVAL if approved else DocumentKind.REFUSAL,
        body=[
            f"你（单位）于 {application.received_on.isoformat()} 提出的申请，"
            f"本机关于 {application.accepted_on.isoformat()} 受理。经审查，"
            + ("决定准予许可。" if approved else "决定不予许可。"),
            f"理由：{reasons}",
        ],
        legal_basis=legal_basis or DECISION_LAW,
        rights="" if approved else rights,
        actor=officer,
    )
    snapshot = application.spec_snapshot
    notification = spec.step(snapshot, StepKind.NOTIFICATION) or {
        "kind": str(StepKind.NOTIFICATION),
        "position_id": task.position_id,
    }
    following = procedure.open_task(
        application,
        {**notification, "kind": str(StepKind.NOTIFICATION)},
        start=day,
        limit_days=clock.DELIVERY_DAYS,
        actor=officer,
    )
    audit.record(
        "application.decide", "application", application.id, actor=officer, result=str(result)
    )
    notices.mail_applicant(application, "approval_notice", document=document)
    notices.mail_task(application, following)
    return document


def deliver(
    application: Application,
    officer,
    method: str,
    detail: str = "",
    *,
    task: ApplicationTask | None = None,
):
    """告知/送达: record how and when the decision reached the applicant; proof of delivery."""
    task = acting_task(application, officer, task, StepKind.NOTIFICATION)
    method = text(method, _("delivery method"), limit=200)
    detail = text(detail, _("detail"), limit=2_000, required=False)
    day = procedure.today()
    procedure.finish_task(task, officer, text=detail or method)
    application.delivered_on = day
    application.current_step = None
    move(
        application,
        "deliver",
        actor=officer,
        method=method,
        delivered_on=day.isoformat(),
        on_time=application.delivery_due is None or day <= application.delivery_due,
    )
    document = notices.issue(
        application,
        DocumentKind.DELIVERY,
        body=[f"送达方式：{method}", f"送达日期：{day.isoformat()}", *([detail] if detail else [])],
        items=[f"{'准予' if application.result == Result.APPROVED else '不予'}许可决定书"],
        actor=officer,
    )
    audit.record("application.deliver", "application", application.id, actor=officer)
    notices.mail_applicant(application, "approval_notice", document=document)
    return document


# --- the clock's special procedures -------------------------------------------------------------


def _running_task_or_supervisor(application: Application, officer) -> None:
    if can_supervise(officer, application):
        return
    task = procedure.current_task(application)
    if not can_act_on(officer, task):
        raise ApprovalError(_("Only the position handling the current step can do that."))


def suspend(application: Application, officer, kind: SuspensionKind | str, reason: str):
    """Stop the clock for a hearing, testing, expert review …; the applicant is told in writing."""
    try:
        kind = SuspensionKind(kind)
    except ValueError as error:
        raise ApprovalError(_("Choose the kind of special procedure.")) from error
    procedure.lock(application)
    _running_task_or_supervisor(application, officer)
    reason = text(reason, _("reason"))
    day = procedure.today()
    suspension = Suspension(
        application_id=application.id,
        kind=kind,
        reason=reason,
        started_on=day,
        started_by_id=getattr(officer, "id", None),
    )
    db.session.add(suspension)
    move(application, "suspend", actor=officer, body=reason, suspension=str(kind))
    db.session.flush()
    document = notices.issue(
        application,
        DocumentKind.SUSPENSION,
        body=[
            f"因{kind.label}，自 {day.isoformat()} 起中止计算办理期限；所需时间不计算在期限内。",
            f"理由：{reason}",
        ],
        legal_basis="《中华人民共和国行政许可法》第四十五条",
        actor=officer,
    )
    audit.record("application.suspend", "application", application.id, actor=officer)
    notices.mail_applicant(application, "approval_notice", document=document)
    return suspension


def resume(application: Application, officer) -> int:
    """End the suspension: its working days move every running due date; returns how many."""
    procedure.lock(application)
    _running_task_or_supervisor(application, officer)
    suspension = db.session.scalar(
        sa.select(Suspension)
        .where(Suspension.application_id == application.id, Suspension.ended_on.is_(None))
        .order_by(Suspension.id.desc())
        .limit(1)
    )
    if suspension is None or application.status != S.SUSPENDED:
        raise ApprovalError(_("This application is not suspended."))
    day = procedure.today()
    days = clock.working_days_between(suspension.started_on, day)
    suspension.ended_on = day
    suspension.working_days = days
    suspension.ended_by_id = getattr(officer, "id", None)
    application.suspended_days = (application.suspended_days or 0) + days
    if application.accepted_on is not None:
        clock.set_decision_dues(application)
    for task in procedure.open_tasks(application):
        task.extra_days = (task.extra_days or 0) + days
        clock.set_task_due(task)
    move(
        application,
        "resume",
        actor=officer,
        days=days,
        decision_due=application.decision_due.isoformat() if application.decision_due else None,
        statutory_due=application.statutory_due.isoformat() if application.statutory_due else None,
    )
    audit.record("application.resume", "application", application.id, actor=officer, days=days)
    return days


def extend(application: Application, supervisor, days: int, reason: str) -> Extension:
    """延期: a supervisor adds at most 10 working days in all (行政许可法第四十二条)."""
    procedure.lock(application)
    if not can_supervise(supervisor, application):
        raise ApprovalError(_("Only a supervisor of the department can extend the time limit."))
    if application.status not in {S.ACCEPTED, S.IN_REVIEW, S.SUSPENDED}:
        raise ApprovalError(_("Only a running application's time limit can be extended."))
    if not isinstance(days, int) or days < 1:
        raise ApprovalError(_("Extend by at least one working day."))
    room = clock.MAX_EXTENSION_DAYS - (application.extension_days or 0)
    if days > room:
        raise ApprovalError(
            _(
                "The law allows at most %(max)d working days of extension; %(room)d are left.",
                max=clock.MAX_EXTENSION_DAYS,
                room=max(room, 0),
            )
        )
    reason = text(reason, _("reason"))
    extension = Extension(
        application_id=application.id, days=days, reason=reason, by_id=supervisor.id
    )
    db.session.add(extension)
    old = (application.decision_due, application.statutory_due)
    application.extension_days = (application.extension_days or 0) + days
    clock.set_decision_dues(application)
    add_event(
        application,
        EventKind.EXTENDED,
        actor=supervisor,
        body=reason,
        days=days,
        old_decision_due=old[0].isoformat() if old[0] else None,
        decision_due=application.decision_due.isoformat(),
        statutory_due=application.statutory_due.isoformat(),
    )
    document = notices.issue(
        application,
        DocumentKind.EXTENSION,
        body=[
            f"因{reason}，办理期限延长 {days} 个工作日。",
            f"承诺办结日期延至 {application.decision_due.isoformat()}，"
            f"法定办结期限延至 {application.statutory_due.isoformat()}。",
        ],
        legal_basis=DECISION_LAW,
        actor=supervisor,
    )
    audit.record("application.extend", "application", application.id, actor=supervisor, days=days)
    notices.mail_applicant(application, "approval_notice", document=document)
    return extension


# --- the file between desks ---------------------------------------------------------------------


def transfer(
    application: Application, officer, task: ApplicationTask, position: Position, reason: str
) -> ApplicationTask:
    """Hand an open task to another position; its due date stays (the applicant's clock does not
    restart because the file moved between desks)."""
    procedure.lock(application)
    db.session.refresh(task)
    if task.status != TaskStatus.OPEN or task.application_id != application.id:
        raise ApprovalError(_("Only an open task can be transferred."))
    if not can_transfer(officer, application, task):
        raise ApprovalError(_("Only the position handling this step can transfer it."))
    if position is None or position.id == task.position_id:
        raise ApprovalError(_("Choose another position."))
    if position.department_id != application.department_id:
        # The file (personal data included) stays in the department handling it.
        raise ApprovalError(_("Choose a position of the department handling the application."))
    reason = text(reason, _("reason"), limit=1_000)
    task.status = TaskStatus.TRANSFERRED
    task.text = reason
    task.completed_by_id = officer.id
    task.completed_at = utcnow()
    new = ApplicationTask(
        application_id=application.id,
        step_kind=task.step_kind,
        position_id=position.id,
        holder_id=position.holder_id,
        started_on=task.started_on,
        limit_days=task.limit_days,
        extra_days=task.extra_days,
        due_on=task.due_on,
        due_provisional=task.due_provisional,
        status=TaskStatus.OPEN,
    )
    db.session.add(new)
    db.session.flush()
    procedure.remember_position(application, position.id)
    add_event(
        application,
        EventKind.TRANSFERRED,
        actor=officer,
        internal=True,
        body=reason,
        step_kind=task.step_kind,
        from_position_id=task.position_id,
        position_id=position.id,
        position=position.name,
        task_id=new.id,
    )
    audit.record(
        "application.transfer",
        "application",
        application.id,
        actor=officer,
        reason=reason,
        position_id=position.id,
    )
    notices.mail_task(application, new)
    return new


def add_note(application: Application, actor, body: str):
    """An internal note: on the timeline for officers, never shown to the applicant."""
    body = text(body, _("note"))
    event = add_event(application, EventKind.NOTE, actor=actor, internal=True, body=body)
    audit.record("application.note", "application", application.id, actor=actor)
    return event


def confirm_withdrawal(application: Application, officer) -> None:
    """The applicant asked to withdraw after acceptance: an officer of the current step (or a
    supervisor) confirms it."""
    procedure.lock(application)
    if application.withdrawal_requested_at is None:
        raise ApprovalError(_("The applicant has not asked to withdraw."))
    _running_task_or_supervisor(application, officer)
    move(application, "confirm_withdrawal", actor=officer, body=application.withdrawal_reason)
    procedure.cancel_open_tasks(application)
    application.current_step = None
    application.closed_at = utcnow()
    audit.record("application.withdrawn", "application", application.id, actor=officer)
    notices.mail_applicant(application, "approval_notice")
