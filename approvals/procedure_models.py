"""The acts of the procedure that are records of their own: the correction notice (补正, listing
everything at once), suspensions (特别程序), extensions (延期) and the documents issued (each
notice the law requires, with its verification code)."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from approvals.application_models import Application
from portal.accounts.models import User
from portal.db import Base, UTCDateTime, str_enum, utcnow

__all__ = [
    "CorrectionRequest",
    "DocumentKind",
    "Extension",
    "IssuedDocument",
    "Reminder",
    "ReminderKind",
    "Suspension",
    "SuspensionKind",
]


class CorrectionRequest(Base):
    """补正告知: one notice naming every field and material to correct, each with a reason.

    ``items`` is a list of ``{"field": key, "reason": …}`` or ``{"material": key, "reason": …}``.
    """

    __tablename__ = "application_corrections"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    application_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    items: so.Mapped[list[dict]] = so.mapped_column(sa.JSON, default=list)
    note: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    issued_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    issued_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    answered_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    application: so.Mapped[Application] = so.relationship()

    @property
    def field_keys(self) -> set[str]:
        return {item["field"] for item in self.items if item.get("field")}

    @property
    def material_keys(self) -> set[str]:
        return {item["material"] for item in self.items if item.get("material")}


class SuspensionKind(enum.StrEnum):
    HEARING = "hearing"  # 听证
    TESTING = "testing"  # 检验、检测、检疫
    EXPERT_REVIEW = "expert_review"  # 专家评审
    OTHER = "other"

    @property
    def label(self) -> str:
        return str(SUSPENSION_LABELS[self])


SUSPENSION_LABELS = {
    SuspensionKind.HEARING: _l("Hearing"),
    SuspensionKind.TESTING: _l("Testing or inspection"),
    SuspensionKind.EXPERT_REVIEW: _l("Expert review"),
    SuspensionKind.OTHER: _l("Other special procedure"),
}


class Suspension(Base):
    """A stop of the clock: its working days (after ``started_on`` up to ``ended_on``) do not count."""

    __tablename__ = "application_suspensions"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    application_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    kind: so.Mapped[SuspensionKind] = so.mapped_column(str_enum(SuspensionKind, 16))
    reason: so.Mapped[str] = so.mapped_column(sa.Text)
    started_on: so.Mapped[date] = so.mapped_column(sa.Date)
    ended_on: so.Mapped[date | None] = so.mapped_column(sa.Date)
    working_days: so.Mapped[int | None] = so.mapped_column()  # counted when it ends
    started_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    ended_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))


class Extension(Base):
    """延期: a supervisor adds at most ``MAX_EXTENSION_DAYS`` working days, with a reason."""

    __tablename__ = "application_extensions"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    application_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    days: so.Mapped[int] = so.mapped_column()
    reason: so.Mapped[str] = so.mapped_column(sa.Text)
    by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    by: so.Mapped[User | None] = so.relationship()


class DocumentKind(enum.StrEnum):
    RECEIPT = "receipt"  # 收件回执
    ACCEPTANCE = "acceptance"  # 受理通知书
    REFUSAL_TO_ACCEPT = "refusal_to_accept"  # 不予受理通知书
    CORRECTION = "correction"  # 补正告知书
    SUSPENSION = "suspension"  # 特别程序告知书
    EXTENSION = "extension"  # 延期告知书
    APPROVAL = "approval"  # 准予许可决定书
    REFUSAL = "refusal"  # 不予许可决定书
    DELIVERY = "delivery"  # 送达回证

    @property
    def label(self) -> str:
        return str(DOCUMENT_LABELS[self])

    @property
    def code(self) -> str:
        return DOCUMENT_CODES[self]


DOCUMENT_LABELS = {
    DocumentKind.RECEIPT: _l("Receipt (收件回执)"),
    DocumentKind.ACCEPTANCE: _l("Acceptance notice (受理通知书)"),
    DocumentKind.REFUSAL_TO_ACCEPT: _l("Notice of refusal to accept (不予受理通知书)"),
    DocumentKind.CORRECTION: _l("Correction notice (补正告知书)"),
    DocumentKind.SUSPENSION: _l("Suspension notice (特别程序告知书)"),
    DocumentKind.EXTENSION: _l("Extension notice (延期告知书)"),
    DocumentKind.APPROVAL: _l("Decision to approve (准予许可决定书)"),
    DocumentKind.REFUSAL: _l("Decision to refuse (不予许可决定书)"),
    DocumentKind.DELIVERY: _l("Proof of delivery (送达回证)"),
}

DOCUMENT_CODES = {
    DocumentKind.RECEIPT: "SJ",
    DocumentKind.ACCEPTANCE: "SL",
    DocumentKind.REFUSAL_TO_ACCEPT: "BSL",
    DocumentKind.CORRECTION: "BZ",
    DocumentKind.SUSPENSION: "TB",
    DocumentKind.EXTENSION: "YQ",
    DocumentKind.APPROVAL: "ZY",
    DocumentKind.REFUSAL: "BY",
    DocumentKind.DELIVERY: "SD",
}


class IssuedDocument(Base):
    """A notice issued as a PDF; anyone can check it by its verification code.

    The PDF is stored as a file (``portal.uploads``, area ``approvals``) with its SHA-256; a later
    document of the same kind (a second correction notice, say) supersedes the earlier one.
    ``public`` holds what the verification page may show: no personal data.
    """

    __tablename__ = "application_documents"
    __table_args__ = (sa.Index("ix_application_documents_application", "application_id", "id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    application_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("applications.id", ondelete="CASCADE")
    )
    kind: so.Mapped[DocumentKind] = so.mapped_column(str_enum(DocumentKind, 24))
    number: so.Mapped[str] = so.mapped_column(sa.String(40), unique=True)
    verification_code: so.Mapped[str] = so.mapped_column(sa.String(32), unique=True)
    sha256: so.Mapped[str] = so.mapped_column(sa.String(64))
    stored_name: so.Mapped[str] = so.mapped_column(sa.String(80), unique=True)
    size: so.Mapped[int] = so.mapped_column()
    public: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)
    issued_on: so.Mapped[date] = so.mapped_column(sa.Date)
    issued_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    issued_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    superseded_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    application: so.Mapped[Application] = so.relationship()

    @property
    def filename(self) -> str:
        return f"{self.number}.pdf"


class ReminderKind(enum.StrEnum):
    DUE_SOON = "due_soon"  # to the task's holder (cc deputy) before its due date
    OVERDUE = "overdue"  # escalation to the department's supervisors


class Reminder(Base):
    """A reminder or escalation about a task, sent once: the unique key makes
    ``kaimen approvals run`` idempotent (a moved due date is a new key)."""

    __tablename__ = "application_reminders"
    __table_args__ = (sa.UniqueConstraint("task_id", "kind", "due_on"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    task_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("application_tasks.id", ondelete="CASCADE")
    )
    kind: so.Mapped[ReminderKind] = so.mapped_column(str_enum(ReminderKind, 16))
    due_on: so.Mapped[date] = so.mapped_column(sa.Date)
    sent_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    recipients: so.Mapped[list[str]] = so.mapped_column(sa.JSON, default=list)
