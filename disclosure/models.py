"""Every model of 政务公开, imported in one place for Alembic and the shell."""

from disclosure.catalog.models import (
    ApplicationForm,
    ApprovalItem,
    FormFormat,
    ItemStatus,
    ProcedureStep,
    StepKind,
)
from disclosure.directory.models import Department, Leader, Position, StaffMember

__all__ = [
    "ApplicationForm",
    "ApprovalItem",
    "Department",
    "FormFormat",
    "ItemStatus",
    "Leader",
    "Position",
    "ProcedureStep",
    "StaffMember",
    "StepKind",
]
