"""Complaint fixtures: a department whose complaint position has a holder and a deputy with
accounts, a supervisor of the department, an item whose complaint step names that position, and
``make_complaint`` that files through the intake service (shared with the officer-side tests)."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from disclosure.directory.models import Department, Position, StaffMember
from portal.accounts.models import Role
from portal.db import utcnow
from portal.extensions import db
from tests.conftest import make_user
from tests.disclosure.factories import make_department, make_item


@pytest.fixture(autouse=True)
def english(app):
    """Messages in English: the services' refusals are matched on their English text."""
    with force_locale("en"):
        yield


def make_english_user(email: str, **kwargs):
    """An account that reads the portal in English (its pages and its mail)."""
    user = make_user(email, **kwargs)
    user.locale = "en"
    db.session.commit()
    return user


def link_staff(department: Department, user, title: str = "科员") -> StaffMember:
    """A staff member of ``department`` whose portal account is ``user``."""
    staff = StaffMember(
        name=user.display_name,
        title=title,
        duties="处理投诉",
        office_phone="0999-8800 1100",
        email=user.email,
        user_id=user.id,
    )
    department.staff.append(staff)
    db.session.flush()
    return staff


@pytest.fixture
def department(app) -> Department:
    dept = make_department()
    db.session.commit()
    return dept


@pytest.fixture
def holder(department):
    return make_english_user("holder@linjiang.gov.example", name="投诉岗周", roles={Role.OFFICER})


@pytest.fixture
def deputy(department):
    return make_english_user("deputy@linjiang.gov.example", name="投诉岗吴", roles={Role.OFFICER})


@pytest.fixture
def complaint_position(department, holder, deputy) -> Position:
    """The department's 投诉受理岗: held by ``holder``, deputised by ``deputy``; also the
    department's default complaint position."""
    position = next(p for p in department.positions if p.code == "complaints")
    position.holder = link_staff(department, holder, "投诉受理岗")
    position.deputy = link_staff(department, deputy, "投诉受理岗副")
    position.holder_since = utcnow()
    department.default_complaint_position = position
    db.session.commit()
    return position


@pytest.fixture
def supervisor(department):
    user = make_english_user(
        "supervisor@linjiang.gov.example", name="督查员", roles={Role.SUPERVISOR}
    )
    link_staff(department, user, "督查科科长")
    db.session.commit()
    return user


@pytest.fixture
def item(department, complaint_position):
    """Not a major item; its complaint step: ``complaint_position``, 5 working days to handle,
    3 to notify."""
    approval_item = make_item(department, major=False)
    step = complaint_step(approval_item)
    step.position = complaint_position
    step.time_limit_days = 5
    step.notification_time_limit_days = 3
    db.session.commit()
    return approval_item


def complaint_step(approval_item):
    from disclosure.catalog.models import StepKind

    return next(s for s in approval_item.steps if s.kind == StepKind.COMPLAINT)


@pytest.fixture
def complainant(app):
    return make_english_user("complainant@example.com", name="投诉人甲")


@pytest.fixture
def other_citizen(app):
    return make_english_user("other@example.com", name="市民乙")


@pytest.fixture
def other_department(app):
    dept = make_department("lj-zjj", "临江市住房和城乡建设局")
    db.session.commit()
    return dept


@pytest.fixture
def other_officer(other_department):
    """Holds a position, but in another department."""
    user = make_english_user(
        "officer@zjj.linjiang.gov.example", name="他局经办人", roles={Role.OFFICER}
    )
    position = other_department.positions[0]
    position.holder = link_staff(other_department, user)
    db.session.commit()
    return user


@pytest.fixture
def other_supervisor(other_department):
    user = make_user(
        "supervisor@zjj.linjiang.gov.example", name="他局督查", roles={Role.SUPERVISOR}
    )
    link_staff(other_department, user)
    db.session.commit()
    return user


COMPLAINT_DEFAULTS = {
    "subject": "窗口拒收申请材料",
    "details": "2026 年 11 月 20 日到窗口递交材料，工作人员**未说明理由**拒收。",
    "contact_name": "投诉人甲",
    "contact_email": "complainant@example.com",
    "contact_phone": "13800000000",
    "contact_address": "临江市江北路 1 号",
    "notification_method": "email",
}


@pytest.fixture
def make_complaint(item, complainant):
    """``make_complaint(**overrides)`` files a complaint about ``item`` (no step chosen) through
    ``complaints.intake.file_complaint`` and commits; overrides go to the service."""
    from complaints.intake import file_complaint

    def make(**overrides):
        arguments = {"complainant": complainant, "item": item, **COMPLAINT_DEFAULTS, **overrides}
        complaint = file_complaint(**arguments)
        db.session.commit()
        return complaint

    return make
