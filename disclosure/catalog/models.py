"""Approval items with their eight disclosure elements, procedure steps and application forms."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from disclosure.catalog.online_models import OnlineSpec
from disclosure.directory.models import Department, Position
from portal.db import Base, UTCDateTime, str_enum, utcnow


class StepKind(enum.StrEnum):
    """The seven kinds of procedure step, in the order the notice gives them."""

    ACCEPTANCE = "acceptance"  # 受理
    REVIEW = "review"  # 审核
    RE_REVIEW = "re_review"  # 复审
    COUNTERSIGN = "countersign"  # 会签
    DECISION = "decision"  # 审定
    NOTIFICATION = "notification"  # 告知
    COMPLAINT = "complaint"  # 投诉

    @property
    def order(self) -> int:
        return list(StepKind).index(self)

    @property
    def label(self) -> str:
        return str(STEP_LABELS[self])


STEP_LABELS = {
    StepKind.ACCEPTANCE: _l("Acceptance"),
    StepKind.REVIEW: _l("Review"),
    StepKind.RE_REVIEW: _l("Re-review"),
    StepKind.COUNTERSIGN: _l("Countersignature"),
    StepKind.DECISION: _l("Decision"),
    StepKind.NOTIFICATION: _l("Notification"),
    StepKind.COMPLAINT: _l("Complaint"),
}


class ItemStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class FormFormat(enum.StrEnum):
    WORD = "word"
    PDF = "pdf"


class ApprovalItem(Base):
    """审批事项 — an approval item as disclosed to the public, with the eight elements."""

    __tablename__ = "approval_items"
    __table_args__ = (sa.Index("ix_approval_items_department_status", "department_id", "status"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    code: so.Mapped[str] = so.mapped_column(sa.String(60), unique=True)  # 审批项目编号
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    department_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("departments.id", ondelete="RESTRICT")
    )  # 受理部门
    status: so.Mapped[ItemStatus] = so.mapped_column(
        str_enum(ItemStatus, 16), default=ItemStatus.DRAFT
    )
    is_major: so.Mapped[bool] = so.mapped_column(default=False)  # 重大事项: open to consultation
    # The eight elements.
    agency_name: so.Mapped[str] = so.mapped_column(sa.String(200))  # 办理机构 全称
    agency_address: so.Mapped[str] = so.mapped_column(sa.String(300))  # 地址
    agency_phone: so.Mapped[str] = so.mapped_column(sa.String(60))  # 电话
    total_time_limit_days: so.Mapped[int]  # 办理时限 / 审批总时限, working days
    eligibility: so.Mapped[str] = so.mapped_column(sa.Text)  # 申办对象资格
    materials: so.Mapped[str] = so.mapped_column(sa.Text)  # 申办材料
    fee_standard: so.Mapped[str] = so.mapped_column(sa.Text)  # 收费标准
    fee_basis: so.Mapped[str] = so.mapped_column(sa.Text)  # 审批收费依据
    legal_basis: so.Mapped[str] = so.mapped_column(sa.Text)  # 审批项目依据 / 办理依据
    result: so.Mapped[str] = so.mapped_column(sa.Text)  # 办理结果
    published_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    department: so.Mapped[Department] = so.relationship()
    steps: so.Mapped[list[ProcedureStep]] = so.relationship(
        back_populates="item",
        cascade="all, delete-orphan",
        order_by="ProcedureStep.sequence",
    )
    # What it offers online (网上申报), if anything: disclosure.catalog.online_models.
    online: so.Mapped[OnlineSpec | None] = so.relationship(
        cascade="all, delete-orphan", uselist=False, passive_deletes=True
    )
    forms: so.Mapped[list[ApplicationForm]] = so.relationship(
        back_populates="item",
        cascade="all, delete-orphan",
        order_by="ApplicationForm.sort_order, ApplicationForm.id",
    )

    @property
    def is_published(self) -> bool:
        return self.status == ItemStatus.PUBLISHED

    def step(self, kind: StepKind) -> ProcedureStep | None:
        return next((step for step in self.steps if step.kind == kind), None)

    def __repr__(self) -> str:
        return f"<ApprovalItem {self.code}>"


class ProcedureStep(Base):
    """审批程序 — one step of an item's procedure, with its standard, position and time limit."""

    __tablename__ = "procedure_steps"
    __table_args__ = (sa.UniqueConstraint("item_id", "kind"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    item_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("approval_items.id", ondelete="CASCADE"), index=True
    )
    kind: so.Mapped[StepKind] = so.mapped_column(str_enum(StepKind, 16))
    sequence: so.Mapped[int]  # the kind's place in the canonical order
    standard: so.Mapped[str] = so.mapped_column(sa.Text, default="")  # 标准
    conditions: so.Mapped[str] = so.mapped_column(sa.Text, default="")  # 条件 (acceptance)
    position_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("positions.id", ondelete="RESTRICT"), index=True
    )  # 本岗位责任人
    duties: so.Mapped[str] = so.mapped_column(sa.Text, default="")  # 岗位职责及权限
    time_limit_days: so.Mapped[int]  # 办理时限, working days
    # Acceptance only: 需征求相关行政主管部门意见的办理时限.
    consultation_time_limit_days: so.Mapped[int | None]
    # Complaint only: 投诉途径及方式、电话; 告知方式及时限.
    complaint_channels: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    complaint_phone: so.Mapped[str] = so.mapped_column(sa.String(60), default="")
    notification_method: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    notification_time_limit_days: so.Mapped[int | None]

    item: so.Mapped[ApprovalItem] = so.relationship(back_populates="steps")
    position: so.Mapped[Position | None] = so.relationship()

    @property
    def shown_duties(self) -> str:
        return self.duties or (self.position.duties if self.position else "")


class ApplicationForm(Base):
    """申报表格 — an application form published for download as WORD or PDF."""

    __tablename__ = "application_forms"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    item_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("approval_items.id", ondelete="CASCADE"), index=True
    )
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    format: so.Mapped[FormFormat] = so.mapped_column(str_enum(FormFormat, 8))
    filename: so.Mapped[str] = so.mapped_column(sa.String(200))  # offered to the downloader
    stored_name: so.Mapped[str] = so.mapped_column(sa.String(80), unique=True)  # generated
    content_type: so.Mapped[str] = so.mapped_column(sa.String(120))
    size: so.Mapped[int]
    sha256: so.Mapped[str] = so.mapped_column(sa.String(64))
    sort_order: so.Mapped[int] = so.mapped_column(default=0)
    uploaded_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    item: so.Mapped[ApprovalItem] = so.relationship(back_populates="forms")
