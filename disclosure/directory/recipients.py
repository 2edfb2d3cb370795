"""Who is mailed about a position's or a department's work: the addresses every service that
routes to positions (complaints, online approval) needs, in one place."""

from __future__ import annotations

import sqlalchemy as sa

from disclosure.directory.models import Position, StaffMember
from portal.accounts.models import Role, User, UserRole
from portal.extensions import db


def position_addresses(position: Position | None) -> tuple[list[str], list[str]]:
    """(to, cc): the position's holder, with the deputy in copy (the deputy alone if no holder)."""
    if position is None:
        return [], []
    holder = position.holder.email if position.holder and position.holder.email else None
    deputy = position.deputy.email if position.deputy and position.deputy.email else None
    if holder is None:
        return ([deputy] if deputy else []), []
    return [holder], [deputy] if deputy and deputy.lower() != holder.lower() else []


def department_supervisors(department_id: int) -> list[str]:
    """Email addresses of the supervisors of a department (role + linked staff member)."""
    return list(
        db.session.scalars(
            sa.select(User.email)
            .join(StaffMember, StaffMember.user_id == User.id)
            .join(UserRole, UserRole.user_id == User.id)
            .where(
                StaffMember.department_id == department_id,
                UserRole.role == Role.SUPERVISOR,
                User.is_active.is_(True),
            )
            .distinct()
            .order_by(User.email)
        )
    )


def administrators() -> list[str]:
    """Email addresses of the active administrators (who route what nobody else can)."""
    return list(
        db.session.scalars(
            sa.select(User.email)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == Role.ADMIN, User.is_active.is_(True))
            .order_by(User.email)
        )
    )


def supervisors_or_administrators(department_id: int) -> list[str]:
    """The department's supervisors, else the administrators: who an escalation reaches."""
    return department_supervisors(department_id) or administrators()
