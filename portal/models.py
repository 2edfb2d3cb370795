"""Every model of the kernel, imported in one place for Alembic and the shell."""

from portal.accounts.models import Role, User, UserRole
from portal.audit import AuditEntry
from portal.mail.models import MessageStatus, OutboundMessage

__all__ = ["AuditEntry", "MessageStatus", "OutboundMessage", "Role", "User", "UserRole"]
