"""Directory and catalog objects for tests, built straight from the models."""

from __future__ import annotations

from disclosure.catalog.models import ApprovalItem, ItemStatus, ProcedureStep, StepKind
from disclosure.directory.models import Department, Leader, Position, StaffMember
from portal.db import utcnow
from portal.extensions import db


def make_department(code: str = "lj-sthjj", name: str = "临江市生态环境局") -> Department:
    department = Department(
        code=code,
        full_name=name,
        short_name=name.removeprefix("临江市"),
        address="临江市滨江大道 100 号",
        postcode="399001",
        public_phone="0999-8800 1001",
        supervision_phone="0999-8800 1002",
        functions="负责全市生态环境保护的统一监督管理。",
        email=f"{code}@linjiang.gov.example",
    )
    department.leaders.append(
        Leader(
            name="林清源",
            title="局长",
            portfolio="主持全面工作",
            office_phone="0999-8800 1010",
            email=f"lin@{code}.linjiang.gov.example",
        )
    )
    holder = StaffMember(
        name="周明远", title="审批科科长", duties="负责行政许可审核", office_phone="0999-8800 1020",
        email=f"zhou@{code}.linjiang.gov.example",
    )  # fmt: skip
    deputy = StaffMember(
        name="吴晓岚", title="审批科副科长", duties="协助科长工作", office_phone="0999-8800 1021",
        email=f"wu@{code}.linjiang.gov.example",
    )  # fmt: skip
    department.staff += [holder, deputy]
    for index, (pcode, pname) in enumerate(
        [
            ("window", "受理窗口岗"),
            ("review", "审核岗"),
            ("decision", "审定岗"),
            ("complaints", "投诉受理岗"),
        ]
    ):
        department.positions.append(
            Position(
                code=pcode, name=pname, duties=f"{pname}的职责及权限", holder=holder, deputy=deputy,
                holder_since=utcnow(), sort_order=index,
            )
        )  # fmt: skip
    db.session.add(department)
    db.session.flush()
    return department


def make_item(
    department: Department,
    code: str = "LJ-STHJ-001",
    name: str = "排污许可证核发",
    *,
    published: bool = True,
    major: bool = False,
) -> ApprovalItem:
    positions = {p.code: p for p in department.positions}
    item = ApprovalItem(
        code=code,
        name=name,
        department=department,
        status=ItemStatus.PUBLISHED if published else ItemStatus.DRAFT,
        published_at=utcnow() if published else None,
        is_major=major,
        agency_name="临江市生态环境局行政审批科",
        agency_address="临江市滨江大道 100 号 2 楼",
        agency_phone="0999-8800 1030",
        total_time_limit_days=20,
        eligibility="在本市行政区域内排放污染物的企业事业单位",
        materials="1. 排污许可证申请表\n2. 污染防治设施说明",
        fee_standard="不收费",
        fee_basis="《行政许可法》第五十八条",
        legal_basis="《中华人民共和国环境保护法》第四十五条",
        result="核发《排污许可证》",
    )
    for kind in StepKind:
        position = {
            StepKind.ACCEPTANCE: "window",
            StepKind.DECISION: "decision",
            StepKind.NOTIFICATION: "window",
            StepKind.COMPLAINT: "complaints",
        }.get(kind, "review")
        step = ProcedureStep(
            kind=kind,
            sequence=kind.order,
            standard=f"{kind.value} 标准",
            position=positions[position],
            duties=f"{kind.value} 岗位职责",
            time_limit_days=15 if kind == StepKind.COMPLAINT else 2,
        )
        if kind == StepKind.ACCEPTANCE:
            step.conditions = "申请材料齐全"
            step.consultation_time_limit_days = 5
        if kind == StepKind.COMPLAINT:
            step.complaint_channels = "来信、来电、网上投诉"
            step.complaint_phone = "0999-8800 1099"
            step.notification_method = "电子邮件或电话"
            step.notification_time_limit_days = 3
        item.steps.append(step)
    db.session.add(item)
    db.session.flush()
    return item
