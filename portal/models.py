"""Every model of the kernel, imported in one place for Alembic and the shell."""

from portal.accounts.models import Role, User, UserRole
from portal.audit import AuditEntry
from portal.catalog.models import (
    ApplicationForm,
    ApprovalItem,
    FormFormat,
    ItemStatus,
    ProcedureStep,
    StepKind,
)
from portal.directory.models import Department, Leader, Position, StaffMember
from portal.mail.models import MessageStatus, OutboundMessage
from portal.search import SearchDocument

__all__ = [
    "ApplicationForm",
    "ApprovalItem",
    "AuditEntry",
    "Department",
    "FormFormat",
    "ItemStatus",
    "Leader",
    "MessageStatus",
    "OutboundMessage",
    "Position",
    "ProcedureStep",
    "Role",
    "SearchDocument",
    "StaffMember",
    "StepKind",
    "User",
    "UserRole",
]
