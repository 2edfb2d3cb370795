"""The officers' use cases at acceptance (受理): accept, ask for correction (补正: everything at
once), refuse to accept (不予受理); and accepting by law when no notice came in time.

Each checks that the acting task is the application's current one, moves the status through
``approvals.states``, issues the notice the law requires (``approvals.notices``), queues mail,
writes the audit log and flushes; the caller commits. The review steps, the decision and the
special procedures are in ``approvals.review``.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from approvals import clock, notices, procedure
from approvals import snapshot as spec
from approvals.application_models import (
    Application,
    ApplicationStatus,
    ApplicationTask,
    Opinion,
)
from approvals.errors import ApprovalError
from approvals.permissions import can_act_on
from approvals.procedure_models import CorrectionRequest, DocumentKind
from approvals.states import move
from approvals.validation import label, scrub
from disclosure.catalog.models import StepKind
from portal import audit
from portal.extensions import db

S = ApplicationStatus
TEXT_MAX = 10_000
REASON_MAX = 1_000
ACCEPTANCE_LAW = "《中华人民共和国行政许可法》第三十二条"
DECISION_LAW = "《中华人民共和国行政许可法》第四十二条"


def text(value: str | None, what: str, *, limit: int = TEXT_MAX, required: bool = True) -> str:
    value = scrub(value).strip()
    if required and not value:
        raise ApprovalError(_("Write the %(what)s.", what=what))
    if len(value) > limit:
        raise ApprovalError(_("At most %(max)d characters.", max=limit))
    return value


def acting_task(
    application: Application, officer, task: ApplicationTask | None, kind
) -> ApplicationTask:
    """The task ``officer`` acts through: open, the application's current step, of ``kind``
    (a StepKind or a set of them), at a position the officer holds. Anything else is refused."""
    procedure.lock(application)
    if application.status == S.SUSPENDED:  # the clock stands, and so does the file
        raise ApprovalError(
            _("The application is suspended (special procedure): resume it before acting on it.")
        )
    kinds = {str(k) for k in (kind if isinstance(kind, set | frozenset | tuple) else {kind})}
    if task is None:
        task = next((t for t in procedure.open_tasks(application) if t.step_kind in kinds), None)
        if task is None:
            raise ApprovalError(
                _(
                    "That step is not the application's current step (now: %(current)s): "
                    "only the current step can act.",
                    current=spec.step_label(application.current_step) or application.status.label,
                )
            )
    if task.application_id != application.id:
        raise ApprovalError(_("This application has no open task for that step."))
    db.session.refresh(task)
    if task.status != "open" or task.step_kind != application.current_step:
        raise ApprovalError(
            _("This step is not the application's current step: only the current step can act.")
        )
    if task.step_kind not in kinds:
        raise ApprovalError(_("That action does not belong to this step."))
    if not can_act_on(officer, task):
        raise ApprovalError(_("Only the position responsible for this step can act on it."))
    return task


def _start_review(application: Application, officer) -> ApplicationTask:
    move(application, "start_review", actor=officer)
    first = spec.review_chain(application.spec_snapshot)[0]
    task = procedure.open_task(application, first, actor=officer)
    notices.mail_task(application, task)
    return task


def _accepted(application: Application, officer, *, by_law: bool, reason: str | None):
    """What acceptance does, whoever accepts: the decision clock, the notice, the first task."""
    clock.set_decision_dues(application)
    document = notices.issue(
        application,
        DocumentKind.ACCEPTANCE,
        body=[
            f"您于 {application.received_on.isoformat()} 提交的申请，"
            f"已于 {application.accepted_on.isoformat()} 受理。",
            *([f"受理方式：依法视为受理（{reason}）。"] if by_law else []),
            f"承诺办结日期：{application.decision_due.isoformat()}；"
            f"法定办结期限：{application.statutory_due.isoformat()}"
            "（按工作日计算，听证、检验、检测、专家评审等特别程序所需时间不计算在内）。",
        ],
        legal_basis=ACCEPTANCE_LAW,
        actor=officer,
    )
    notices.mail_applicant(application, "approval_notice", document=document)
    _start_review(application, officer)
    return document


def accept(application: Application, officer, task: ApplicationTask | None = None):
    """受理. The day of acceptance is today — or, after a correction, the day it was complete."""
    task = acting_task(application, officer, task, StepKind.ACCEPTANCE)
    # After a correction the acceptance date is the day it was complete — also when that was
    # the day of receipt itself (complete_on == received_on says nothing then).
    corrected = (
        db.session.scalar(
            sa.select(CorrectionRequest.id)
            .where(
                CorrectionRequest.application_id == application.id,
                CorrectionRequest.answered_at.is_not(None),
            )
            .limit(1)
        )
        is not None
    )
    application.accepted_on = application.complete_on if corrected else procedure.today()
    procedure.finish_task(task, officer, opinion=Opinion.AGREE)
    move(
        application,
        "accept",
        actor=officer,
        accepted_on=application.accepted_on.isoformat(),
        after_correction=corrected,
    )
    audit.record("application.accept", "application", application.id, actor=officer)
    return _accepted(application, officer, by_law=False, reason=None)


def accept_by_law(application: Application) -> None:
    """No correction notice within the acceptance limit: accepted on the day the materials were
    complete (行政许可法第三十二条). Called by the deadline job on a claimed row."""
    days = clock.acceptance_days(application.spec_snapshot)
    reason = _(
        "No correction notice within %(days)d working days (due %(due)s): accepted by law on "
        "the day the materials were received (Administrative Licensing Law, art. 32).",
        days=days,
        due=application.acceptance_due.isoformat(),
    )
    application.accepted_on = application.complete_on
    application.accepted_by_law = True
    application.accepted_by_law_reason = reason
    for task in procedure.open_tasks(application):
        if task.step_kind == str(StepKind.ACCEPTANCE):
            procedure.finish_task(task, None, text=reason)
    move(
        application,
        "accept_by_law",
        body=reason,
        accepted_on=application.accepted_on.isoformat(),
        acceptance_due=application.acceptance_due.isoformat(),
    )
    audit.record("application.accept_by_law", "application", application.id, reason=reason)
    _accepted(application, None, by_law=True, reason=reason)


def request_correction(
    application: Application,
    officer,
    items: list[dict],
    note: str = "",
    task: ApplicationTask | None = None,
) -> CorrectionRequest:
    """补正告知: one notice listing every field and material to correct, each with its reason."""
    task = acting_task(application, officer, task, StepKind.ACCEPTANCE)
    snapshot = application.spec_snapshot
    fields = spec.field_by_key(snapshot)
    material_specs = spec.material_by_key(snapshot)
    note = text(note, _("note"), required=False)
    cleaned, seen, lines = [], set(), []
    for item in items:
        if item.get("field"):
            what, key = "field", item["field"]
            name = label(fields[key]) if key in fields else None
        elif item.get("material"):
            what, key = "material", item["material"]
            name = material_specs[key]["name"] if key in material_specs else None
        else:
            continue
        if name is None:
            raise ApprovalError(_("The application has no field or material “%(key)s”.", key=key))
        if (what, key) in seen:  # listed twice: once is enough
            continue
        reason = scrub(item.get("reason")).strip()
        if not reason:
            raise ApprovalError(_("Say what is wrong with “%(name)s”.", name=name))
        if len(reason) > REASON_MAX:
            raise ApprovalError(_("At most %(max)d characters.", max=REASON_MAX))
        seen.add((what, key))
        cleaned.append({what: key, "name": name, "reason": reason})
        lines.append(f"{name}：{reason}")
    if not cleaned:
        raise ApprovalError(
            _("List everything to correct at once: at least one field or material, with a reason.")
        )
    correction = CorrectionRequest(
        application_id=application.id,
        items=cleaned,
        note=note,
        issued_by_id=getattr(officer, "id", None),
    )
    db.session.add(correction)
    db.session.flush()
    procedure.finish_task(task, officer, text=note or None)
    move(
        application,
        "request_correction",
        actor=officer,
        correction_id=correction.id,
        items=len(cleaned),
    )
    document = notices.issue(
        application,
        DocumentKind.CORRECTION,
        body=[
            f"您于 {application.received_on.isoformat()} 提交的申请材料不齐全或者不符合法定形式。",
            "请一次性补正下列全部内容后重新提交；补正材料齐全之日起重新计算受理期限。",
            *([note] if note else []),
        ],
        items=lines,
        legal_basis=ACCEPTANCE_LAW,
        actor=officer,
    )
    audit.record(
        "application.correction", "application", application.id, actor=officer, items=len(cleaned)
    )
    notices.mail_applicant(application, "approval_notice", document=document)
    return correction


def refuse_to_accept(
    application: Application,
    officer,
    reason: str,
    legal_basis: str,
    apply_instead: str = "",
    task: ApplicationTask | None = None,
):
    """不予受理 with the reason, its legal basis and, where the item is not this department's,
    where to apply instead."""
    task = acting_task(application, officer, task, StepKind.ACCEPTANCE)
    reason = text(reason, _("reason"))
    legal_basis = text(legal_basis, _("legal basis"), limit=2_000)
    apply_instead = text(apply_instead, _("where to apply"), limit=2_000, required=False)
    procedure.finish_task(task, officer, opinion=Opinion.DISAGREE, text=reason)
    procedure.cancel_open_tasks(application)
    application.current_step = None
    move(application, "refuse_to_accept", actor=officer, body=reason, legal_basis=legal_basis)
    document = notices.issue(
        application,
        DocumentKind.REFUSAL_TO_ACCEPT,
        body=[
            f"您于 {application.received_on.isoformat()} 提交的申请，决定不予受理。",
            f"理由：{reason}",
            *([f"请向以下机关申请：{apply_instead}"] if apply_instead else []),
        ],
        legal_basis=legal_basis,
        rights=RIGHTS,
        actor=officer,
    )
    audit.record("application.refuse_to_accept", "application", application.id, actor=officer)
    notices.mail_applicant(application, "approval_notice", document=document)
    return document


RIGHTS = (
    "如不服本决定，可以自收到本决定之日起六十日内依法申请行政复议，"
    "或者在六个月内依法向人民法院提起行政诉讼。"
)
