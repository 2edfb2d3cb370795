"""Departments, leaders, staff members and positions (岗位), as the notice asks them disclosed."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.db import Base, UTCDateTime, utcnow


class Department(Base):
    """机构 — a department or directly affiliated unit of the city government."""

    __tablename__ = "departments"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    # Stable key used by the submission format and in URLs ("hz-sthjj").
    code: so.Mapped[str] = so.mapped_column(sa.String(40), unique=True)
    full_name: so.Mapped[str] = so.mapped_column(sa.String(200))
    short_name: so.Mapped[str] = so.mapped_column(sa.String(60))
    address: so.Mapped[str] = so.mapped_column(sa.String(300))
    postcode: so.Mapped[str] = so.mapped_column(sa.String(10))
    public_phone: so.Mapped[str] = so.mapped_column(sa.String(60))
    supervision_phone: so.Mapped[str] = so.mapped_column(sa.String(60))
    functions: so.Mapped[str] = so.mapped_column(sa.Text)
    email: so.Mapped[str] = so.mapped_column(sa.String(254))
    # Where a complaint about the department goes when no item's complaint step names a position.
    default_complaint_position_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey(
            "positions.id",
            ondelete="SET NULL",
            use_alter=True,
            name="fk_departments_default_complaint_position_id_positions",
        )
    )
    sort_order: so.Mapped[int] = so.mapped_column(default=0)
    # Mail domains (space-separated, e.g. "hz.gov.cn") whose staff may answer the department's
    # complaints by email besides the position's holder and deputy.
    allowed_reply_domains: so.Mapped[str] = so.mapped_column(
        sa.String(500), default="", server_default=""
    )
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    leaders: so.Mapped[list[Leader]] = so.relationship(
        back_populates="department",
        cascade="all, delete-orphan",
        order_by="Leader.sort_order, Leader.id",
    )
    staff: so.Mapped[list[StaffMember]] = so.relationship(
        back_populates="department",
        cascade="all, delete-orphan",
        order_by="StaffMember.sort_order, StaffMember.id",
    )
    positions: so.Mapped[list[Position]] = so.relationship(
        back_populates="department",
        cascade="all, delete-orphan",
        order_by="Position.sort_order, Position.id",
        foreign_keys="Position.department_id",
    )
    default_complaint_position: so.Mapped[Position | None] = so.relationship(
        foreign_keys=[default_complaint_position_id], post_update=True
    )

    def __repr__(self) -> str:
        return f"<Department {self.code}>"


class Leader(Base):
    """领导 — a member of a department's leadership, with photo and portfolio (分管范围)."""

    __tablename__ = "leaders"
    __table_args__ = (sa.UniqueConstraint("department_id", "name"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    department_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("departments.id", ondelete="CASCADE"), index=True
    )
    name: so.Mapped[str] = so.mapped_column(sa.String(60))
    title: so.Mapped[str] = so.mapped_column(sa.String(100))
    portfolio: so.Mapped[str] = so.mapped_column(sa.Text)
    office_phone: so.Mapped[str] = so.mapped_column(sa.String(60))
    email: so.Mapped[str] = so.mapped_column(sa.String(254))
    # A generated file name under instance/uploads/photos (a metadata-free JPEG thumbnail).
    photo: so.Mapped[str | None] = so.mapped_column(sa.String(80))
    sort_order: so.Mapped[int] = so.mapped_column(default=0)

    department: so.Mapped[Department] = so.relationship(back_populates="leaders")


class StaffMember(Base):
    """工作人员 — a member of staff; may be linked to the account they log in with."""

    __tablename__ = "staff_members"
    __table_args__ = (sa.UniqueConstraint("department_id", "email"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    department_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("departments.id", ondelete="CASCADE"), index=True
    )
    name: so.Mapped[str] = so.mapped_column(sa.String(60))
    title: so.Mapped[str] = so.mapped_column(sa.String(100))  # 职务（职位）
    duties: so.Mapped[str] = so.mapped_column(sa.Text)
    office_phone: so.Mapped[str] = so.mapped_column(sa.String(60))
    email: so.Mapped[str] = so.mapped_column(sa.String(254))
    user_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    sort_order: so.Mapped[int] = so.mapped_column(default=0)

    department: so.Mapped[Department] = so.relationship(back_populates="staff")
    user = so.relationship("User")


class Position(Base):
    """岗位 — a desk with its duties and authority, held by one staff member (and a deputy).

    Routing targets the position, never a person: holders change, the position stays.
    """

    __tablename__ = "positions"
    __table_args__ = (sa.UniqueConstraint("department_id", "code"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    department_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("departments.id", ondelete="CASCADE"), index=True
    )
    code: so.Mapped[str] = so.mapped_column(sa.String(40))
    name: so.Mapped[str] = so.mapped_column(sa.String(100))
    duties: so.Mapped[str] = so.mapped_column(sa.Text)  # 岗位职责及权限
    holder_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("staff_members.id", ondelete="SET NULL"), index=True
    )
    deputy_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("staff_members.id", ondelete="SET NULL"), index=True
    )
    holder_since: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    sort_order: so.Mapped[int] = so.mapped_column(default=0)

    department: so.Mapped[Department] = so.relationship(
        back_populates="positions", foreign_keys=[department_id]
    )
    holder: so.Mapped[StaffMember | None] = so.relationship(foreign_keys=[holder_id])
    deputy: so.Mapped[StaffMember | None] = so.relationship(foreign_keys=[deputy_id])

    def __repr__(self) -> str:
        return f"<Position {self.code}>"
