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
from portal.mail.inbound_models import ImapSeen, InboundDelivery, InboundMessage, InboundOutcome
from portal.mail.models import MessageStatus, OutboundAttachment, OutboundMessage
from portal.search import SearchDocument
from portal.workdays.models import CalendarDay, CalendarYear, DayKind

__all__ = [
    "ApplicationForm",
    "ApprovalItem",
    "AuditEntry",
    "CalendarDay",
    "CalendarYear",
    "DayKind",
    "Department",
    "FormFormat",
    "ImapSeen",
    "InboundDelivery",
    "InboundMessage",
    "InboundOutcome",
    "ItemStatus",
    "Leader",
    "MessageStatus",
    "OutboundAttachment",
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
