"""Shared helpers of the identity tests."""

from __future__ import annotations

import sqlalchemy as sa

from approvals import identity_services as services
from portal.audit import AuditEntry
from portal.extensions import db

PERSON_ID = "330106198507150013"
AGENT_ID = "440304199912310023"
CREDIT_CODE = "91330106MA2B00001Y"


def declare_person(user, number: str = PERSON_ID, name: str = "张三"):
    identity = services.declare(user, services.validate_declaration("person", name, number))
    db.session.commit()
    return identity


def declare_company(user, code: str = CREDIT_CODE, agent: str = AGENT_ID):
    declaration = services.validate_declaration(
        "company", "李四", agent, "杭州开门科技有限公司", code
    )
    identity = services.declare(user, declaration)
    db.session.commit()
    return identity


def audit_actions(subject_id: int | None = None) -> list[str]:
    stmt = sa.select(AuditEntry.action).where(AuditEntry.subject_type == "applicant_identity")
    if subject_id is not None:
        stmt = stmt.where(AuditEntry.subject_id == subject_id)
    return list(db.session.scalars(stmt.order_by(AuditEntry.id)))


def all_row_values(tables: list[str]) -> list[object]:
    """Every value of every row of the tables, as the database returns it."""
    values: list[object] = []
    for table in tables:
        for row in db.session.execute(sa.text(f"SELECT * FROM {table}")):
            values.extend(row)
    return values


def contains(values: list[object], needle: str) -> bool:
    raw = needle.encode()
    for value in values:
        if isinstance(value, memoryview):
            value = value.tobytes()
        if isinstance(value, bytes) and raw in value:
            return True
        if value is not None and not isinstance(value, bytes) and needle in str(value):
            return True
    return False
