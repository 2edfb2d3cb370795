"""What an application's page shows: the timeline a viewer may see (the applicant's omits internal
entries), the materials, the documents, the tasks, and which actions the viewer has."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from approvals import materials, permissions, procedure
from approvals import snapshot as spec
from approvals.application_models import (
    Application,
    ApplicationEvent,
    ApplicationMaterial,
    ApplicationTask,
    EventKind,
)
from approvals.procedure_models import CorrectionRequest, IssuedDocument, SuspensionKind
from approvals.sealed import shown_values
from approvals.validation import label
from disclosure.directory.models import Position
from portal.extensions import db

EVENT_LABELS = {
    EventKind.DRAFT_SAVED: _l("Draft saved"),
    EventKind.SUBMITTED: _l("Application received (收件)"),
    EventKind.CORRECTION_REQUESTED: _l("Correction requested (补正)"),
    EventKind.RESUBMITTED: _l("Correction submitted"),
    EventKind.ACCEPTED: _l("Accepted (受理)"),
    EventKind.ACCEPTED_BY_LAW: _l("Accepted by law: no notice within the limit"),
    EventKind.NOT_ACCEPTED: _l("Not accepted (不予受理)"),
    EventKind.REVIEW_STARTED: _l("Review started"),
    EventKind.TASK_CREATED: _l("Task created"),
    EventKind.OPINION: _l("Opinion recorded"),
    EventKind.RETURNED: _l("Returned to the previous step"),
    EventKind.TRANSFERRED: _l("Transferred to another position"),
    EventKind.SUSPENDED: _l("Suspended: special procedure"),
    EventKind.RESUMED: _l("Resumed"),
    EventKind.EXTENDED: _l("Time limit extended (延期)"),
    EventKind.DECIDED: _l("Decided"),
    EventKind.DELIVERED: _l("Result delivered (送达)"),
    EventKind.CLOSED: _l("Closed"),
    EventKind.WITHDRAWAL_REQUESTED: _l("Withdrawal requested"),
    EventKind.WITHDRAWN: _l("Withdrawn"),
    EventKind.RATED: _l("Service rated"),
    EventKind.NOTE: _l("Internal note"),
    EventKind.DOCUMENT_ISSUED: _l("Document issued"),
    EventKind.DEADLINE_RECOMPUTED: _l("Due date recomputed"),
    EventKind.REMINDED: _l("Reminder sent"),
    EventKind.ESCALATED: _l("Escalated to the supervisor"),
}


def event_label(kind: EventKind) -> str:
    return str(EVENT_LABELS.get(kind, kind))


def events_for(application: Application, user) -> list[ApplicationEvent]:
    stmt = (
        sa.select(ApplicationEvent)
        .where(ApplicationEvent.application_id == application.id)
        .options(so.joinedload(ApplicationEvent.actor))
        .order_by(ApplicationEvent.id)
    )
    if not permissions.can_see_internal(user, application):
        stmt = stmt.where(ApplicationEvent.internal.is_(False))
    return list(db.session.scalars(stmt))


def documents_of(application: Application) -> list[IssuedDocument]:
    return list(
        db.session.scalars(
            sa.select(IssuedDocument)
            .where(IssuedDocument.application_id == application.id)
            .order_by(IssuedDocument.id)
        )
    )


def tasks_of(application: Application) -> list[ApplicationTask]:
    return list(
        db.session.scalars(
            sa.select(ApplicationTask)
            .where(ApplicationTask.application_id == application.id)
            .options(
                so.joinedload(ApplicationTask.position), so.joinedload(ApplicationTask.completed_by)
            )
            .order_by(ApplicationTask.id)
        )
    )


def task_files(application: Application) -> dict[int, list[ApplicationMaterial]]:
    grouped: dict[int, list[ApplicationMaterial]] = {}
    for row in db.session.scalars(
        sa.select(ApplicationMaterial)
        .where(
            ApplicationMaterial.application_id == application.id,
            ApplicationMaterial.task_id.is_not(None),
        )
        .order_by(ApplicationMaterial.id)
    ):
        grouped.setdefault(row.task_id, []).append(row)
    return grouped


def complaint_url(application: Application, step_kind: str | None) -> str:
    """The complaint form with the item (and the step) chosen — a plain URL: the complaints
    feature is not imported here (its form reads ``item``; ``step`` names the step's kind)."""
    from urllib.parse import urlencode

    query = {"item": application.item_code}
    if step_kind:
        query["step"] = step_kind
    return f"/complaints/new?{urlencode(query)}"


def _positions(application: Application) -> list[Position]:
    """Positions a task may be transferred to: the department's, by its order."""
    return list(
        db.session.scalars(
            sa.select(Position)
            .where(Position.department_id == application.department_id)
            .order_by(Position.sort_order, Position.id)
        )
    )


def page_context(application: Application, user) -> dict:
    internal = permissions.can_see_internal(user, application)
    tasks = tasks_of(application) if internal else []
    current = procedure.current_task(application)
    correction = None
    if application.status == "correction_requested":
        correction = db.session.scalar(
            sa.select(CorrectionRequest)
            .where(CorrectionRequest.application_id == application.id)
            .order_by(CorrectionRequest.id.desc())
            .limit(1)
        )
    snapshot = application.spec_snapshot
    return {
        "application": application,
        "events": events_for(application, user),
        "event_label": event_label,
        "documents": documents_of(application),
        "present": materials.current_materials(application),
        "material_specs": spec.materials(snapshot),
        "fields": spec.fields(snapshot),
        "values": shown_values(
            spec.fields(snapshot),
            application.form_values,
            in_full=permissions.is_applicant(user, application)
            or permissions.handles(user, application),
        ),
        "field_label": label,
        "tasks": tasks,
        "task_files": task_files(application) if internal else {},
        "current_task": current,
        "correction": correction,
        "is_applicant": permissions.is_applicant(user, application),
        "can_see_internal": internal,
        "can_act": permissions.can_act_on(user, current),
        "can_supervise": permissions.can_supervise(user, application),
        "can_withdraw": permissions.can_withdraw(user, application),
        "can_correct": permissions.can_correct(user, application),
        "can_rate": permissions.can_rate(user, application),
        "complaint_url": complaint_url,
        "chain": spec.review_chain(snapshot),
        "suspension_kinds": list(SuspensionKind),
        "transfer_positions": _positions(application) if internal else [],
    }
