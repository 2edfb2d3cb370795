"""Directory use cases: departments, leaders, staff and positions. They flush and audit, never commit."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import EllipsisType
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from disclosure.catalog.models import ApprovalItem, ProcedureStep
from disclosure.directory.models import Department, Leader, Position, StaffMember
from portal import audit, uploads
from portal.accounts import services as accounts
from portal.db import utcnow
from portal.editing import EditError, Field, assign, clean
from portal.extensions import db


class DirectoryError(EditError):
    """A directory change was refused; the message says why, for the administrator."""


DEPARTMENT_FIELDS = {
    "code": Field(_l("Code"), "code"),
    "full_name": Field(_l("Full name")),
    "short_name": Field(_l("Short name")),
    "address": Field(_l("Address")),
    "postcode": Field(_l("Postcode"), "postcode"),
    "public_phone": Field(_l("Public phone"), "phone"),
    "supervision_phone": Field(_l("Supervision phone"), "phone"),
    "functions": Field(_l("Main functions")),
    "email": Field(_l("Email address"), "email"),
    "sort_order": Field(_l("Order in lists"), "number", required=False),
    "allowed_reply_domains": Field(_l("Mail domains allowed to answer complaints"), required=False),
}
LEADER_FIELDS = {
    "name": Field(_l("Name")),
    "title": Field(_l("Title")),
    "portfolio": Field(_l("Portfolio")),
    "office_phone": Field(_l("Office phone"), "phone"),
    "email": Field(_l("Email address"), "email"),
    "sort_order": Field(_l("Order in lists"), "number", required=False),
}
STAFF_FIELDS = {
    "name": Field(_l("Name")),
    "title": Field(_l("Title")),
    "duties": Field(_l("Duties")),
    "office_phone": Field(_l("Office phone"), "phone"),
    "email": Field(_l("Email address"), "email"),
    "sort_order": Field(_l("Order in lists"), "number", required=False),
}
POSITION_FIELDS = {
    "code": Field(_l("Code"), "code"),
    "name": Field(_l("Name")),
    "duties": Field(_l("Duties and authority")),
    "sort_order": Field(_l("Order in lists"), "number", required=False),
}


def _taken(stmt: sa.Select, exclude_id: int | None) -> bool:
    return db.session.scalar(stmt.limit(1)) not in (None, exclude_id)


# --- departments --------------------------------------------------------------------------------


def create_department(*, actor, **values: Any) -> Department:
    """Add a department (all disclosure fields are required, as the notice asks)."""
    cleaned = clean(Department, DEPARTMENT_FIELDS, values, DirectoryError, creating=True)
    _check_department_code(cleaned["code"], None)
    department = Department()
    changes = assign(department, cleaned)
    db.session.add(department)
    db.session.flush()
    audit.record(
        "directory.department.create", "department", department.id, actor=actor, changes=changes
    )
    return department


def update_department(
    department: Department,
    *,
    actor,
    default_complaint_position: Position | EllipsisType | None = ...,
    **values: Any,
) -> dict[str, list]:
    """Change some fields; returns the changes ``{field: [old, new]}`` (also in the audit log)."""
    cleaned = clean(Department, DEPARTMENT_FIELDS, values, DirectoryError)
    if "code" in cleaned:
        _check_department_code(cleaned["code"], department.id)
    position = default_complaint_position
    if position not in (..., None) and position.department_id != department.id:
        raise DirectoryError(
            _("The default complaint position must be one of this department's positions."),
            "default_complaint_position",
        )
    changes = assign(department, cleaned)
    old = department.default_complaint_position
    if position is not ... and position is not old:
        changes["default_complaint_position"] = [_code(old), _code(position)]
        department.default_complaint_position = position
    if changes:
        db.session.flush()
        audit.record(
            "directory.department.update", "department", department.id, actor=actor, changes=changes
        )
    return changes


def _code(position: Position | None) -> str | None:
    return position.code if position is not None else None


def _check_department_code(code: str, own_id: int | None) -> None:
    if _taken(sa.select(Department.id).where(Department.code == code), own_id):
        raise DirectoryError(
            _("Another department already uses the code %(code)s.", code=code), "code"
        )


def delete_department(department: Department, *, actor) -> None:
    """Remove a department with its leaders, staff and positions, if nothing depends on them."""
    items = db.session.scalar(
        sa.select(sa.func.count()).where(ApprovalItem.department_id == department.id)
    )
    if items:
        raise DirectoryError(
            ngettext(
                "This department accepts %(num)d approval item. Move or remove it first.",
                "This department accepts %(num)d approval items. Move or remove them first.",
                items,
            )
        )
    _refuse_if_steps_use(
        sa.select(Position.id).where(Position.department_id == department.id),
        _("Procedure steps of other departments' items name positions of this department."),
    )
    for leader in department.leaders:
        if leader.photo:
            uploads.delete_after_commit("photos", leader.photo)
    audit.record(
        "directory.department.delete",
        "department",
        department.id,
        actor=actor,
        code=department.code,
        full_name=department.full_name,
    )
    department.default_complaint_position = None
    db.session.flush()
    db.session.delete(department)
    db.session.flush()


def _refuse_if_steps_use(position_ids: sa.Select, message: str) -> None:
    used = db.session.scalar(
        sa.select(sa.func.count()).where(ProcedureStep.position_id.in_(position_ids))
    )
    if used:
        raise DirectoryError(message)


# --- leaders, staff and positions: rows of a department, each unique by one field ------------


@dataclass(frozen=True)
class _Members:
    model: type
    fields: dict
    collection: str  # the department's relationship that lists them
    audit_name: str  # directory.<audit_name>.create / .update
    target: str  # the audit entry's target type
    unique: str  # the field no two of a department's rows share
    taken: Callable[[str], str]  # the refusal when it is taken


LEADERS = _Members(
    Leader,
    LEADER_FIELDS,
    "leaders",
    "leader",
    "leader",
    "name",
    lambda name: _("This department already lists a leader named %(name)s.", name=name),
)
STAFF = _Members(
    StaffMember,
    STAFF_FIELDS,
    "staff",
    "staff",
    "staff_member",
    "email",
    lambda email: _("Another member of this department's staff uses %(email)s.", email=email),
)
POSITIONS = _Members(
    Position,
    POSITION_FIELDS,
    "positions",
    "position",
    "position",
    "code",
    lambda code: _("This department already has a position with the code %(code)s.", code=code),
)


def _check_unique(kind: _Members, department: Department, value: str, own_id: int | None) -> None:
    column = getattr(kind.model, kind.unique)
    stmt = sa.select(kind.model.id).where(
        kind.model.department_id == department.id, column == value
    )
    if _taken(stmt, own_id):
        raise DirectoryError(kind.taken(value), kind.unique)


def _create(kind: _Members, department: Department, actor, values: dict, *, row=None, linked=None):
    """Validate ``values``, add the row to the department, audit it with what was set."""
    cleaned = clean(kind.model, kind.fields, values, DirectoryError, creating=True)
    _check_unique(kind, department, cleaned[kind.unique], None)
    row = row if row is not None else kind.model()
    changes = assign(row, cleaned)
    getattr(department, kind.collection).append(row)
    db.session.flush()
    changes.update(linked or {})
    audit.record(
        f"directory.{kind.audit_name}.create",
        kind.target,
        row.id,
        actor=actor,
        department=department.code,
        changes=changes,
    )
    return row


def _update(kind: _Members, row, actor, values: dict, *, linked=None, **links) -> dict[str, list]:
    """Change some fields (and set ``links`` such as a staff member's account); audit the change."""
    cleaned = clean(kind.model, kind.fields, values, DirectoryError)
    if kind.unique in cleaned:
        _check_unique(kind, row.department, cleaned[kind.unique], row.id)
    changes = assign(row, cleaned)
    changes.update(linked or {})
    for name, value in links.items():
        setattr(row, name, value)
    if changes:
        db.session.flush()
        audit.record(
            f"directory.{kind.audit_name}.update", kind.target, row.id, actor=actor, changes=changes
        )
    return changes


# --- leaders ------------------------------------------------------------------------------------


def create_leader(department: Department, *, actor, **values: Any) -> Leader:
    return _create(LEADERS, department, actor, values)


def update_leader(leader: Leader, *, actor, **values: Any) -> dict[str, list]:
    return _update(LEADERS, leader, actor, values)


def set_leader_photo(leader: Leader, data: bytes, actor) -> str:
    """Store a metadata-free thumbnail of ``data`` as the leader's photo; the old file goes."""
    try:
        uploads.check_size(data, current_app.config["KAIMEN_PHOTO_MAX_BYTES"])
        thumbnail = uploads.make_thumbnail(data)
    except uploads.UploadError as error:
        raise DirectoryError(str(error), "photo") from error
    old = leader.photo
    leader.photo = uploads.store("photos", thumbnail, "jpg")
    if old:
        uploads.delete_after_commit("photos", old)
    db.session.flush()
    audit.record("directory.leader.set_photo", "leader", leader.id, actor=actor, replaced=bool(old))
    return leader.photo


def remove_leader_photo(leader: Leader, actor) -> None:
    if not leader.photo:
        return
    uploads.delete_after_commit("photos", leader.photo)
    leader.photo = None
    db.session.flush()
    audit.record("directory.leader.remove_photo", "leader", leader.id, actor=actor)


def delete_leader(leader: Leader, *, actor) -> None:
    if leader.photo:
        uploads.delete_after_commit("photos", leader.photo)
    audit.record(
        "directory.leader.delete",
        "leader",
        leader.id,
        actor=actor,
        department=leader.department.code,
        name=leader.name,
    )
    leader.department.leaders.remove(leader)
    db.session.flush()


# --- staff --------------------------------------------------------------------------------------


def create_staff(
    department: Department, *, actor, user_email: str | None = None, **values: Any
) -> StaffMember:
    """Add a member of staff, linked to the account with ``user_email`` if one is given."""
    user = _account(user_email)
    linked = {"account": [None, user.email]} if user is not None else {}
    return _create(STAFF, department, actor, values, row=StaffMember(user=user), linked=linked)


def update_staff(
    member: StaffMember, *, actor, user_email: str | EllipsisType | None = ..., **values: Any
) -> dict[str, list]:
    """Change some fields; ``user_email=""`` or ``None`` unlinks the account, ``...`` keeps it."""
    user = _account(user_email) if user_email is not ... else member.user
    linked = {}
    if user is not member.user:
        linked = {"account": [_email(member.user), _email(user)]}
    return _update(STAFF, member, actor, values, linked=linked, user=user)


def _email(user) -> str | None:
    return user.email if user is not None else None


def _account(email: str | None):
    if not email or not email.strip():
        return None
    user = accounts.find_by_email(email)
    if user is None:
        raise DirectoryError(
            _(
                "No account uses the address %(email)s. Create the account first.",
                email=email.strip(),
            ),
            "user_email",
        )
    return user


def delete_staff(member: StaffMember, *, actor) -> None:
    """Remove a member of staff who holds no position (hand the position over first)."""
    held = db.session.scalars(
        sa.select(Position.name).where(
            sa.or_(Position.holder_id == member.id, Position.deputy_id == member.id)
        )
    ).all()
    if held:
        raise DirectoryError(
            _(
                "%(name)s holds or deputises for: %(positions)s. Hand these positions over first.",
                name=member.name,
                positions=_(", ").join(held),
            )
        )
    audit.record(
        "directory.staff.delete",
        "staff_member",
        member.id,
        actor=actor,
        department=member.department.code,
        name=member.name,
    )
    member.department.staff.remove(member)
    db.session.flush()


# --- positions ----------------------------------------------------------------------------------


def create_position(department: Department, *, actor, **values: Any) -> Position:
    return _create(POSITIONS, department, actor, values)


def update_position(position: Position, *, actor, **values: Any) -> dict[str, list]:
    return _update(POSITIONS, position, actor, values)


def hand_over_position(
    position: Position,
    new_holder: StaffMember | None,
    deputy: StaffMember | None,
    actor,
    reason: str | None = None,
) -> bool:
    """Give the position a new holder and deputy (either may be None: vacant, no deputy).

    Both must be staff of the position's department, and not the same person. The holder's
    start date is reset only when the holder changes. Returns False if nothing changed.
    """
    for person, field in ((new_holder, "holder"), (deputy, "deputy")):
        if person is not None and person.department_id != position.department_id:
            raise DirectoryError(
                _("%(name)s is not on the staff of this department.", name=person.name), field
            )
    if new_holder is not None and deputy is not None and new_holder.id == deputy.id:
        raise DirectoryError(_("The holder and the deputy must be different people."), "deputy")
    if new_holder is None and deputy is not None:
        raise DirectoryError(
            _("A vacant position cannot have a deputy: name a holder first."), "deputy"
        )
    old_holder, old_deputy = position.holder, position.deputy
    if old_holder is new_holder and old_deputy is deputy:
        return False
    if old_holder is not new_holder:
        position.holder_since = utcnow() if new_holder is not None else None
    position.holder, position.deputy = new_holder, deputy
    db.session.flush()
    audit.record(
        "directory.position.hand_over",
        "position",
        position.id,
        actor=actor,
        reason=reason or None,
        old_holder=_name(old_holder),
        new_holder=_name(new_holder),
        old_deputy=_name(old_deputy),
        new_deputy=_name(deputy),
    )
    return True


def _name(person: StaffMember | None) -> str | None:
    return person.name if person is not None else None


def delete_position(position: Position, *, actor) -> None:
    """Remove a position no procedure step names."""
    _refuse_if_steps_use(
        sa.select(Position.id).where(Position.id == position.id),
        _("Procedure steps name this position. Give those steps another position first."),
    )
    department = position.department
    if department.default_complaint_position_id == position.id:
        department.default_complaint_position = None
    audit.record(
        "directory.position.delete",
        "position",
        position.id,
        actor=actor,
        department=department.code,
        code=position.code,
    )
    db.session.flush()
    department.positions.remove(position)
    db.session.flush()
