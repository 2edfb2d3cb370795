"""Shared by the administration tests: a department with an item, and small readers of results."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from disclosure.catalog import services as catalog
from disclosure.catalog.models import ApplicationForm, ApprovalItem, ProcedureStep, StepKind
from disclosure.directory.models import Department, Leader, Position, StaffMember
from portal.audit import AuditEntry
from portal.extensions import db
from tests.disclosure.factories import make_department, make_item

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def text(response) -> str:
    return response.get_data(as_text=True)


def audit_entries(action: str) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        )
    )


def edits_recorded() -> int:
    """Audit entries of directory and catalog changes (logins and the like left out)."""
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(AuditEntry)
        .where(
            sa.or_(
                AuditEntry.action.startswith("directory."), AuditEntry.action.startswith("catalog.")
            )
        )
    )


@dataclass
class World:
    department: Department
    item: ApprovalItem
    step: ProcedureStep
    form: ApplicationForm
    leader: Leader
    staff: StaffMember
    position: Position

    def fill(self, path: str) -> str:
        return path.format(
            department=self.department.id,
            item=self.item.id,
            step=self.step.id,
            form=self.form.id,
            leader=self.leader.id,
            staff=self.staff.id,
            position=self.position.id,
        )


def make_world() -> World:
    """A department with leader, staff and positions, a published item with every step and a form."""
    department = make_department()
    item = make_item(department)
    form = catalog.add_form(item, title="申请表", filename="申请表.pdf", data=PDF, actor=None)
    db.session.commit()
    return World(
        department=department,
        item=item,
        step=item.step(StepKind.REVIEW),
        form=form,
        leader=department.leaders[0],
        staff=department.staff[0],
        position=department.positions[0],
    )


@pytest.fixture
def instance(app, tmp_path):
    """Uploaded files go to this test's own folder."""
    app.instance_path = str(tmp_path)
    return tmp_path


@pytest.fixture
def world(app, instance) -> World:
    return make_world()
