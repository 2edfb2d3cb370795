"""The online approval's part of ``kaimen demo``: applicants with identities and applications in
the states each role should meet at once.

- The demo citizen has a person's identity, confirmed at the counter by the demo officer, and
  applications to 教师资格认定 (LJ-JY-002): one waiting for the citizen's correction (补正), one
  decided and delivered with its decision letter, and a draft.
- Companies (accounts of fictitious 经办人 who do not log in) apply for 排污许可证核发
  (LJ-STHJ-001) at 临江市生态环境局, whose acceptance window the demo officer deputises and whose
  decision position the demo supervisor holds: one waits for acceptance (the officer's queue), one
  waits for the decision (the supervisor's), one is in review; and for 食品经营许可 (LJ-SCJG-001).
- The staff holding the steps' positions of these items get officer accounts (no password is
  printed: they exist so that the procedure can run), as real staff would.

Running it again adds nothing: nothing is filed once the citizen has an application.
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
import sqlalchemy.orm as so

from approvals import identity_confirmations, identity_services, officer_services, review, services
from approvals.application_models import Application
from approvals.materials import Incoming
from disclosure.catalog.models import ApprovalItem
from disclosure.catalog.sample_forms import make_pdf
from disclosure.directory.models import Position, StaffMember
from portal.accounts import services as accounts
from portal.accounts.models import Role, User
from portal.demo import DEMO_DOMAIN
from portal.extensions import db

CITIZEN_EMAIL = f"citizen@{DEMO_DOMAIN}"
OFFICER_EMAIL = f"officer@{DEMO_DOMAIN}"
# The demo citizen's declared identity (fictitious; the check digit is right).
CITIZEN_ID = "330106198507150013"
CITIZEN_NAME = "张三"

# Fictitious companies and the people acting for them: (login, person, their ID, company, code).
COMPANIES = [
    ("qingyuan", "李建国", "440304199912310023", "临江市清源环保科技有限公司", "91330106MA2B00001Y"),
    ("jiangbin", "王晓梅", "110101199003070011", "临江江滨食品有限公司", "91330100799655058B"),
    ("hongqiao", "陈立新", "330106198001010013", "临江虹桥化工有限公司", "9144030071526726XG"),
]  # fmt: skip


def _pdf(title: str) -> Incoming:
    return Incoming(f"{title}.pdf", make_pdf(title, [f"{title}（演示材料）"]))


def _item(code: str) -> ApprovalItem | None:
    return db.session.scalar(
        sa.select(ApprovalItem)
        .where(ApprovalItem.code == code)
        .options(so.selectinload(ApprovalItem.steps))
    )


def _staff_account(staff: StaffMember) -> User:
    """The account a position's holder works with (made with an unknown password if missing)."""
    if staff.user is not None:
        return staff.user
    user = accounts.find_by_email(staff.email)
    if user is None:
        user = accounts.create_user(
            staff.email, staff.name, secrets.token_urlsafe(18), roles={Role.OFFICER}
        )
    staff.user = user
    db.session.flush()
    return user


def _staff_accounts(item: ApprovalItem) -> None:
    for step in item.steps:
        position = step.position
        if position is None:
            continue
        for staff in (position.holder, position.deputy):
            if staff is not None:
                _staff_account(staff)


def _holder(item: ApprovalItem, kind: str) -> User:
    position: Position = next(step.position for step in item.steps if step.kind == kind)
    return _staff_account(position.holder)


def _person(user: User, number: str, name: str, *, confirmer: User | None) -> None:
    if identity_services.identity_for(user) is None:
        identity_services.declare(
            user, identity_services.validate_declaration("person", name, number)
        )
    identity = identity_services.identity_for(user)
    if confirmer is not None and identity.counter_confirmed_at is None:
        identity_confirmations.confirm_at_counter(
            identity, confirmer, number, note="演示：窗口核验身份证原件"
        )


def _company(login: str, person: str, number: str, company: str, code: str, confirmer) -> User:
    email = f"{login}@{DEMO_DOMAIN}"
    user = accounts.find_by_email(email)
    if user is None:
        user = accounts.create_user(email, f"{person}（{company}）", secrets.token_urlsafe(18))
    if identity_services.identity_for(user) is None:
        declaration = identity_services.validate_declaration(
            "company", person, number, company, code
        )
        identity_services.declare(user, declaration)
    identity = identity_services.identity_for(user)
    if confirmer is not None and identity.counter_confirmed_at is None:
        identity_confirmations.confirm_at_counter(identity, confirmer, number, code)
    return user


def _values(item: ApprovalItem, given: dict) -> dict:
    """``given`` plus a plausible value for every other field of the item's form."""
    values = dict(given)
    for field in item.online.fields:
        if field.key in values:
            continue
        if field.type == "choice":
            values[field.key] = field.choices[0]
        elif field.type == "number":
            values[field.key] = str(int(field.min_value or 0) + 1)
        elif field.type == "date":
            values[field.key] = "2027-01-04"
        elif field.type == "phone":
            values[field.key] = "13800000000"
        elif field.type == "email":
            values[field.key] = "demo@example.com"
        elif field.type == "id_card":
            values[field.key] = CITIZEN_ID
        elif field.type == "credit_code":
            values[field.key] = COMPANIES[0][4]
        else:
            values[field.key] = "演示填写内容"
    return values


def _apply(user: User, item: ApprovalItem, given: dict, *, submit: bool = True) -> Application:
    files = {
        f"m{index}": _pdf(material.name)
        for index, material in enumerate(item.online.materials, start=1)
        if "pdf" in material.accepted_types
    }
    application = services.save_draft(user, item, _values(item, given), files)
    if submit:
        services.submit(application, user)
    return application


def load_approvals_demo() -> None:
    citizen = accounts.find_by_email(CITIZEN_EMAIL)
    officer = accounts.find_by_email(OFFICER_EMAIL)
    if citizen is None:
        return
    if db.session.scalar(sa.select(Application.id).where(Application.applicant_id == citizen.id)):
        return
    teachers, permits, food = _item("LJ-JY-002"), _item("LJ-STHJ-001"), _item("LJ-SCJG-001")
    if not all(item is not None and item.online is not None for item in (teachers, permits, food)):
        return
    for item in (teachers, permits, food):
        _staff_accounts(item)
    _person(citizen, CITIZEN_ID, CITIZEN_NAME, confirmer=officer)

    # The citizen: a correction asked of them, a delivered approval, a draft.
    waiting = _apply(citizen, teachers, {})
    officer_services.request_correction(
        waiting,
        _holder(teachers, "acceptance"),
        [
            {"material": "m1", "reason": "申请表未签名，请签名后重新扫描上传"},
            {"field": teachers.online.fields[0].key, "reason": "与身份证上的姓名不一致"},
        ],
        note="请一次性补正以上全部内容。",
    )
    approved = _apply(citizen, teachers, {})
    _walk_to_decision(approved, teachers)
    review.decide(
        approved,
        _holder(teachers, "decision"),
        "approved",
        "申请人符合教师资格认定条件，材料齐全。",
        teachers.legal_basis,
    )
    review.deliver(approved, _holder(teachers, "notification"), "portal", "演示：在门户查看")
    village = _item("LJ-ZRZY-003")
    if village is not None and village.online is not None:
        _apply(citizen, village, {}, submit=False)

    # Companies: one for the officer to accept, one for the supervisor to decide, one in review.
    acting = [_company(*company, confirmer=officer) for company in COMPANIES]
    _apply(acting[0], permits, {"unit_name": COMPANIES[0][3], "credit_code": COMPANIES[0][4]})
    deciding = _apply(
        acting[2], permits, {"unit_name": COMPANIES[2][3], "credit_code": COMPANIES[2][4]}
    )
    _walk_to_decision(deciding, permits)
    in_review = _apply(acting[1], food, {"business_name": COMPANIES[1][3]})
    officer_services.accept(in_review, _holder(food, "acceptance"))
    db.session.flush()


def _walk_to_decision(application: Application, item: ApprovalItem) -> None:
    """Accept, then an agreeing opinion at every review step up to the decision."""
    officer_services.accept(application, _holder(item, "acceptance"))
    for kind in ("review", "re_review", "countersign"):
        if any(step.kind == kind for step in item.steps):
            review.record_opinion(application, _holder(item, kind), "agree", "材料齐全，符合条件。")


def demo_summary() -> str:
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Application))
    return (
        f"Online approval holds {count} applications: the citizen has a confirmed identity, a "
        "correction to answer and a decision letter; the officer accepts at 临江市生态环境局's "
        "window and the supervisor decides there."
    )
