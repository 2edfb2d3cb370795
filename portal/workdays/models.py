"""The administrator's calendar: override days (holidays, 调休 make-up working days) and official years."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from portal.db import Base, UTCDateTime, str_enum, utcnow


class DayKind(enum.StrEnum):
    HOLIDAY = "holiday"
    WORKDAY = "workday"

    @property
    def label(self) -> str:
        return str(DAY_KIND_LABELS[self])


DAY_KIND_LABELS = {
    DayKind.HOLIDAY: _l("Holiday (day off)"),
    DayKind.WORKDAY: _l("Make-up working day (调休)"),
}


class CalendarDay(Base):
    """One date whose status an administrator has set, beating the package and the rules."""

    __tablename__ = "calendar_days"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    # Unique, hence indexed: the range lookups of the working-day arithmetic use it.
    day: so.Mapped[date] = so.mapped_column(sa.Date, unique=True)
    kind: so.Mapped[DayKind] = so.mapped_column(str_enum(DayKind, 16))
    # "国庆节", "国庆节调休上班".
    name: so.Mapped[str] = so.mapped_column(sa.String(100), default="")
    created_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    created_by = so.relationship("User")

    @property
    def is_working_day(self) -> bool:
        return self.kind is DayKind.WORKDAY


class CalendarYear(Base):
    """A year whose days an administrator has entered completely from the State Council notice."""

    __tablename__ = "calendar_years"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    year: so.Mapped[int] = so.mapped_column(unique=True)
    official: so.Mapped[bool] = so.mapped_column(default=False)
    marked_official_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    marked_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # The notice the days come from: "国办发明电〔2026〕x号".
    source: so.Mapped[str] = so.mapped_column(sa.String(200), default="")

    marked_by = so.relationship("User")
