"""Every model of 政务公开, imported in one place for Alembic and the shell."""

from disclosure.catalog.models import (
    ApplicationForm,
    ApprovalItem,
    FormFormat,
    ItemStatus,
    ProcedureStep,
    StepKind,
)
from disclosure.catalog.online_models import (
    ApplicantKind,
    FieldType,
    FormField,
    IdentityLevel,
    MaterialSpec,
    OnlineSpec,
)
from disclosure.directory.models import Department, Leader, Position, StaffMember

__all__ = [
    "ApplicantKind",
    "ApplicationForm",
    "ApprovalItem",
    "Department",
    "FieldType",
    "FormField",
    "FormFormat",
    "IdentityLevel",
    "ItemStatus",
    "Leader",
    "MaterialSpec",
    "OnlineSpec",
    "Position",
    "ProcedureStep",
    "StaffMember",
    "StepKind",
]
