"""An online application (网上申报) and what hangs on it: its materials, its tasks (one per step
reached, at the step's position), its timeline.

Due dates are calendar dates in Asia/Shanghai, computed by ``approvals.clock`` and stored; every
recomputation is an event. The status moves only through ``approvals.states``. The application
keeps a copy of the item's online spec and procedure as they were when it was filed
(``spec_snapshot``): later edits of the item never change a running application.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from approvals.sealed import SealedJSON
from disclosure.catalog.models import ApprovalItem
from disclosure.directory.models import Department, Position
from portal.accounts.models import User
from portal.db import Base, UTCDateTime, str_enum, utcnow

__all__ = [
    "Application",
    "ApplicationEvent",
    "ApplicationMaterial",
    "ApplicationSequence",
    "ApplicationStatus",
    "ApplicationTask",
    "EventKind",
    "Opinion",
    "Result",
    "TaskStatus",
]


class ApplicationStatus(enum.StrEnum):
    DRAFT = "draft"  # being filled in; no number yet
    SUBMITTED = "submitted"  # 收件: received, waiting for acceptance
    CORRECTION_REQUESTED = "correction_requested"  # 补正: the applicant is to correct
    NOT_ACCEPTED = "not_accepted"  # 不予受理
    ACCEPTED = "accepted"  # 受理: the decision clock runs
    IN_REVIEW = "in_review"  # 审核, 复审, 会签, 审定 in order
    SUSPENDED = "suspended"  # 特别程序: hearing, testing, expert review — the clock stops
    DECIDED = "decided"  # approved or refused; to be delivered
    DELIVERED = "delivered"  # 告知/送达
    CLOSED = "closed"  # rated, or closed after delivery
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])

    @property
    def is_final(self) -> bool:
        return self in FINAL_STATUSES


STATUS_LABELS = {
    ApplicationStatus.DRAFT: _l("Draft"),
    ApplicationStatus.SUBMITTED: _l("Received, waiting for acceptance"),
    ApplicationStatus.CORRECTION_REQUESTED: _l("Correction requested"),
    ApplicationStatus.NOT_ACCEPTED: _l("Not accepted"),
    ApplicationStatus.ACCEPTED: _l("Accepted"),
    ApplicationStatus.IN_REVIEW: _l("In review"),
    ApplicationStatus.SUSPENDED: _l("Suspended"),
    ApplicationStatus.DECIDED: _l("Decided"),
    ApplicationStatus.DELIVERED: _l("Result delivered"),
    ApplicationStatus.CLOSED: _l("Closed"),
    ApplicationStatus.WITHDRAWN: _l("Withdrawn"),
}

FINAL_STATUSES = frozenset(
    {
        ApplicationStatus.NOT_ACCEPTED,
        ApplicationStatus.DELIVERED,
        ApplicationStatus.CLOSED,
        ApplicationStatus.WITHDRAWN,
    }
)


class Result(enum.StrEnum):
    APPROVED = "approved"  # 准予
    REFUSED = "refused"  # 不予

    @property
    def label(self) -> str:
        return str(
            _l("Approved (准予许可)") if self == Result.APPROVED else _l("Refused (不予许可)")
        )


class TaskStatus(enum.StrEnum):
    OPEN = "open"
    DONE = "done"
    TRANSFERRED = "transferred"  # handed to another position: a new task carries on
    CANCELLED = "cancelled"  # the application was withdrawn or not accepted meanwhile


class Opinion(enum.StrEnum):
    AGREE = "agree"
    DISAGREE = "disagree"
    RETURN = "return"  # back to the previous step

    @property
    def label(self) -> str:
        return str(OPINION_LABELS[self])


OPINION_LABELS = {
    Opinion.AGREE: _l("Agree"),
    Opinion.DISAGREE: _l("Disagree"),
    Opinion.RETURN: _l("Return to the previous step"),
}


class EventKind(enum.StrEnum):
    DRAFT_SAVED = "draft_saved"
    SUBMITTED = "submitted"
    CORRECTION_REQUESTED = "correction_requested"
    RESUBMITTED = "resubmitted"
    ACCEPTED = "accepted"
    ACCEPTED_BY_LAW = "accepted_by_law"
    NOT_ACCEPTED = "not_accepted"
    REVIEW_STARTED = "review_started"
    TASK_CREATED = "task_created"
    OPINION = "opinion"
    RETURNED = "returned"
    TRANSFERRED = "transferred"
    SUSPENDED = "suspended"
    RESUMED = "resumed"
    EXTENDED = "extended"
    DECIDED = "decided"
    DELIVERED = "delivered"
    CLOSED = "closed"
    WITHDRAWAL_REQUESTED = "withdrawal_requested"
    WITHDRAWN = "withdrawn"
    RATED = "rated"
    NOTE = "note"  # internal: never shown to the applicant
    DOCUMENT_ISSUED = "document_issued"
    DEADLINE_RECOMPUTED = "deadline_recomputed"
    REMINDED = "reminded"  # internal: a task's position was reminded of its due date
    ESCALATED = "escalated"  # a task past its due date, told to the department's supervisors


class Application(Base):
    """One application for one item, from draft to result; its number is what the applicant quotes."""

    __tablename__ = "applications"
    __table_args__ = (
        # "My applications", newest first.
        sa.Index("ix_applications_applicant", "applicant_id", "id"),
        # The deadline job: received applications by acceptance due date, running ones by decision.
        sa.Index("ix_applications_acceptance_due", "status", "acceptance_due"),
        sa.Index("ix_applications_decision_due", "status", "decision_due"),
        # The supervisor's page: a department's running applications by ``next_due`` (keyset-paged
        # on ``(next_due, id)`` within each status; see ``approvals.lists``).
        sa.Index("ix_applications_department", "department_id", "status", "next_due", "id"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    number: so.Mapped[str | None] = so.mapped_column(sa.String(20), unique=True)  # SP20261203-0001
    # The query code (查询码) is shown once; only its keyed hash is kept.
    query_code_hash: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    applicant_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    # Who applied, as it was at submission: no raw ID or credit-code number, only a masked one.
    identity_kind: so.Mapped[str | None] = so.mapped_column(sa.String(16))  # person | company
    identity_name: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    identity_masked_number: so.Mapped[str | None] = so.mapped_column(sa.String(40))

    item_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("approval_items.id", ondelete="RESTRICT"), index=True
    )
    department_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("departments.id"))
    # The online spec and procedure the application was filed under, and the spec's version.
    spec_snapshot: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)
    spec_version: so.Mapped[int] = so.mapped_column(default=1)
    # Sealed: encrypted in the database, a plain dict here (approvals.sealed).
    form_values: so.Mapped[dict] = so.mapped_column(SealedJSON, default=dict)
    status: so.Mapped[ApplicationStatus] = so.mapped_column(
        str_enum(ApplicationStatus, 24), default=ApplicationStatus.DRAFT
    )
    # The status a suspension interrupted (resuming returns to it).
    suspended_from: so.Mapped[str | None] = so.mapped_column(sa.String(24))
    current_step: so.Mapped[str | None] = so.mapped_column(sa.String(16))  # a StepKind value
    # Every position a task of the application was at: its officers may see the whole file.
    position_ids: so.Mapped[list[int]] = so.mapped_column(sa.JSON, default=list)
    locale: so.Mapped[str] = so.mapped_column(sa.String(16), default="zh_Hans_CN")

    submitted_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    received_on: so.Mapped[date | None] = so.mapped_column(sa.Date)  # 收件日, Shanghai
    # The day the materials became complete: the receipt day, or the day a correction was.
    complete_on: so.Mapped[date | None] = so.mapped_column(sa.Date)
    accepted_on: so.Mapped[date | None] = so.mapped_column(sa.Date)
    accepted_by_law: so.Mapped[bool] = so.mapped_column(default=False)
    accepted_by_law_reason: so.Mapped[str | None] = so.mapped_column(sa.Text)

    # The clock (working days; provisional past the known calendar).
    acceptance_due: so.Mapped[date | None] = so.mapped_column(sa.Date)
    acceptance_due_provisional: so.Mapped[bool] = so.mapped_column(default=False)
    decision_due: so.Mapped[date | None] = so.mapped_column(sa.Date)  # 承诺时限
    decision_due_provisional: so.Mapped[bool] = so.mapped_column(default=False)
    statutory_due: so.Mapped[date | None] = so.mapped_column(sa.Date)  # 法定时限
    statutory_due_provisional: so.Mapped[bool] = so.mapped_column(default=False)
    # The date the application waits on: ``acceptance_due`` until accepted, then ``decision_due``.
    # Kept by ``_keep_next_due`` on every ORM insert and update (a Core write must set it too), so
    # that the department page sorts and pages on an indexed column, not on an expression.
    next_due: so.Mapped[date | None] = so.mapped_column(sa.Date)
    suspended_days: so.Mapped[int] = so.mapped_column(default=0)  # working days not counted
    extension_days: so.Mapped[int] = so.mapped_column(default=0)

    decided_on: so.Mapped[date | None] = so.mapped_column(sa.Date)
    result: so.Mapped[Result | None] = so.mapped_column(str_enum(Result, 16))
    delivery_due: so.Mapped[date | None] = so.mapped_column(sa.Date)
    delivery_due_provisional: so.Mapped[bool] = so.mapped_column(default=False)
    delivered_on: so.Mapped[date | None] = so.mapped_column(sa.Date)
    withdrawal_requested_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    withdrawal_reason: so.Mapped[str | None] = so.mapped_column(sa.Text)
    closed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    # 好差评: 1 (poor) … 5 (good).
    rating: so.Mapped[int | None] = so.mapped_column()
    rating_comment: so.Mapped[str | None] = so.mapped_column(sa.Text)
    rated_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    event_count: so.Mapped[int] = so.mapped_column(default=0)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    applicant: so.Mapped[User] = so.relationship()
    item: so.Mapped[ApprovalItem] = so.relationship()
    department: so.Mapped[Department] = so.relationship()

    @property
    def item_name(self) -> str:
        return self.spec_snapshot.get("name") or ""

    @property
    def item_code(self) -> str:
        return self.spec_snapshot.get("code") or ""

    def __repr__(self) -> str:
        return f"<Application {self.number or self.id} {self.status}>"


@sa.event.listens_for(Application, "before_insert")
@sa.event.listens_for(Application, "before_update")
def _keep_next_due(_mapper, _connection, application: Application) -> None:
    application.next_due = application.decision_due or application.acceptance_due


class ApplicationSequence(Base):
    """The day's last application number, handed out by an atomic UPDATE … RETURNING."""

    __tablename__ = "application_sequences"

    day: so.Mapped[date] = so.mapped_column(sa.Date, primary_key=True)
    last: so.Mapped[int] = so.mapped_column(default=0)


class ApplicationTask(Base):
    """One step reached: a task for the step's position, due in the step's limit."""

    __tablename__ = "application_tasks"
    __table_args__ = (
        # The officer's queue: open tasks of a position by due date.
        sa.Index("ix_application_tasks_queue", "position_id", "status", "due_on", "id"),
        sa.Index("ix_application_tasks_application", "application_id", "id"),
        sa.Index("ix_application_tasks_due", "status", "due_on"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    application_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("applications.id", ondelete="CASCADE")
    )
    step_kind: so.Mapped[str] = so.mapped_column(sa.String(16))  # a StepKind value
    position_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("positions.id", ondelete="RESTRICT")
    )
    # The staff member holding the position when the task was created.
    holder_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("staff_members.id", ondelete="SET NULL")
    )
    started_on: so.Mapped[date] = so.mapped_column(sa.Date)
    limit_days: so.Mapped[int] = so.mapped_column(default=0)
    extra_days: so.Mapped[int] = so.mapped_column(default=0)  # suspension days added
    due_on: so.Mapped[date | None] = so.mapped_column(sa.Date)
    due_provisional: so.Mapped[bool] = so.mapped_column(default=False)
    status: so.Mapped[TaskStatus] = so.mapped_column(
        str_enum(TaskStatus, 16), default=TaskStatus.OPEN
    )
    opinion: so.Mapped[Opinion | None] = so.mapped_column(str_enum(Opinion, 16))
    text: so.Mapped[str | None] = so.mapped_column(sa.Text)
    completed_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    completed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    application: so.Mapped[Application] = so.relationship()
    position: so.Mapped[Position | None] = so.relationship()
    completed_by: so.Mapped[User | None] = so.relationship()


class ApplicationMaterial(Base):
    """A file of an application: a material (per the spec's list) or an officer's file of a task.

    A material replaced during correction is kept, marked ``replaced_at``; the current one of a
    material is the one not replaced.
    """

    __tablename__ = "application_materials"
    __table_args__ = (sa.Index("ix_application_materials_application", "application_id", "id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    application_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("applications.id", ondelete="CASCADE")
    )
    # The material's key in the snapshot's list ("m1", "m2", …); None for a task's file.
    material_key: so.Mapped[str | None] = so.mapped_column(sa.String(20))
    task_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("application_tasks.id", ondelete="SET NULL"), index=True
    )
    filename: so.Mapped[str] = so.mapped_column(sa.String(200))
    stored_name: so.Mapped[str] = so.mapped_column(sa.String(80), unique=True)
    content_type: so.Mapped[str] = so.mapped_column(sa.String(120))
    size: so.Mapped[int] = so.mapped_column()
    sha256: so.Mapped[str] = so.mapped_column(sa.String(64))
    uploaded_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    uploaded_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    replaced_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    application: so.Mapped[Application] = so.relationship()


class ApplicationEvent(Base):
    """One entry of the timeline. ``internal`` entries are never shown to the applicant."""

    __tablename__ = "application_events"
    __table_args__ = (sa.Index("ix_application_events_timeline", "application_id", "id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    application_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("applications.id", ondelete="CASCADE")
    )
    kind: so.Mapped[EventKind] = so.mapped_column(str_enum(EventKind, 32))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    actor_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    internal: so.Mapped[bool] = so.mapped_column(default=False)
    from_status: so.Mapped[str | None] = so.mapped_column(sa.String(24))
    to_status: so.Mapped[str | None] = so.mapped_column(sa.String(24))
    step_kind: so.Mapped[str | None] = so.mapped_column(sa.String(16))
    body: so.Mapped[str | None] = so.mapped_column(sa.Text)  # plain text, escaped when shown
    data: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)

    application: so.Mapped[Application] = so.relationship()
    actor: so.Mapped[User | None] = so.relationship()
