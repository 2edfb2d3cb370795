"""Every model of the kernel, imported in one place for Alembic and the shell.

Features register their own models when they are loaded (``disclosure.models`` and the like).
"""

from portal.accounts.models import Role, User, UserRole
from portal.audit import AuditEntry
from portal.mail.inbound_models import ImapSeen, InboundDelivery, InboundMessage, InboundOutcome
from portal.mail.models import MessageStatus, OutboundAttachment, OutboundMessage
from portal.search import SearchDocument
from portal.workdays.models import CalendarDay, CalendarYear, DayKind

__all__ = [
    "AuditEntry",
    "CalendarDay",
    "CalendarYear",
    "DayKind",
    "ImapSeen",
    "InboundDelivery",
    "InboundMessage",
    "InboundOutcome",
    "MessageStatus",
    "OutboundAttachment",
    "OutboundMessage",
    "Role",
    "SearchDocument",
    "User",
    "UserRole",
]
