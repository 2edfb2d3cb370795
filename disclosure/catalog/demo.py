"""The catalog's part of ``kaimen demo``: seven departments of the fictitious city of 临江市.

The departments come as submission files (``demo_data/*.yaml``, the published format), loaded by
the same importer an administrator uses; every published item then gets an application form in
PDF and in WORD. Three items offer online application (网上申报); their materials name those
forms as templates, so their files are imported once more after the forms exist. Running it again
changes nothing.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import sqlalchemy as sa
import sqlalchemy.orm as so
import yaml
from PIL import Image, ImageDraw

from disclosure.catalog.models import ApprovalItem, ItemStatus
from disclosure.catalog.sample_forms import make_docx, make_pdf
from disclosure.catalog.services import add_form
from disclosure.catalog.submission import dumps, import_submission
from disclosure.directory.models import Leader, StaffMember
from disclosure.directory.services import set_leader_photo, update_staff
from portal.accounts import services as accounts
from portal.extensions import db

DATA_DIR = Path(__file__).parent / "demo_data"

# The staff member the demo officer account acts as: the holder of the complaint desk
# (投诉受理岗) of 临江市生态环境局, so complaints about its items reach the demo officer.
OFFICER_STAFF_EMAIL = "sunyiming@linjiang.gov.example"
# The staff member the demo supervisor account acts as: the head of the same bureau's approvals
# section, so the demo supervisor sees 临江市生态环境局's complaint queue and its escalations.
SUPERVISOR_STAFF_EMAIL = "shenjiahe@linjiang.gov.example"


def demo_files() -> list[Path]:
    return sorted(DATA_DIR.glob("*.yaml"))


def load_catalog_demo(
    actor=None, *, officer_email: str | None = None, supervisor_email: str | None = None
) -> None:
    """Import the demo departments and items, add their forms, and link the demo staff accounts.

    ``officer_email`` names the account that becomes the user of ``OFFICER_STAFF_EMAIL``'s
    staff record, ``supervisor_email`` that of ``SUPERVISOR_STAFF_EMAIL``'s (nothing is linked
    when one is None or no such account exists).
    """
    # Online offers name the generated application forms as their materials' templates, and
    # forms are not part of the format: the files go in first without their online sections
    # (which leaves any offer as it is), then the forms, then the files whole. Run again, both
    # passes change nothing.
    for path in demo_files():
        _import(without_online(path.read_bytes()), path.name, actor)
    _add_missing_forms(actor)
    for path in demo_files():
        data = path.read_bytes()
        if b"\n  online:" in data:
            _import(data, path.name, actor)
    _add_missing_portraits(actor)
    if officer_email:
        _link_account(OFFICER_STAFF_EMAIL, officer_email, actor)
    if supervisor_email:
        _link_account(SUPERVISOR_STAFF_EMAIL, supervisor_email, actor)


def _import(data: bytes, name: str, actor) -> None:
    report = import_submission(data, name, actor=actor)
    if not report.ok:
        problems = "\n".join(f"  {error}" for error in report.errors)
        raise RuntimeError(f"demo file {name} does not import:\n{problems}")


def without_online(data: bytes) -> bytes:
    """A demo file without its items' ``online`` sections."""
    content = yaml.safe_load(data)
    for entry in content.get("items", []):
        entry.pop("online", None)
    return dumps(content, "yaml").encode("utf-8")


def form_title(item: ApprovalItem) -> str:
    """The form's title: 排污许可证核发 → 排污许可证申请表 (no qualifier in brackets, no final 核发)."""
    name = re.sub(r"（[^）]*）|\([^)]*\)", "", item.name).strip()
    name = name.removesuffix("核发")
    return f"{name}申请表"


def form_lines(item: ApprovalItem) -> list[str]:
    """The body of an application form: who applies, for what, with which materials."""
    blank, short = "＿" * 14, "＿" * 10
    return [
        f"审批事项：{item.name}",
        f"事项编号：{item.code}    受理部门：{item.department.full_name}",
        f"办理机构：{item.agency_name}（{item.agency_phone}）",
        "",
        "一、申请人信息",
        f"申请人（单位）名称：{blank}",
        f"统一社会信用代码或者身份证件号码：{blank}",
        f"法定代表人（负责人）：{short}    联系人：{short}",
        f"联系电话：{blank}    电子邮箱：{blank}",
        f"通讯地址及邮政编码：{blank}{blank}",
        "",
        "二、申请事由及基本情况",
        blank * 3,
        blank * 3,
        "",
        "三、随附材料（请在已提交的材料前打“√”）",
        *(f"□ {line.strip()}" for line in item.materials.splitlines() if line.strip()),
        "",
        "四、申请人承诺",
        "本申请人承诺所填写的内容和提交的材料真实、有效，如有虚假，愿意承担相应的法律责任。",
        "申请人（签章）：＿＿＿＿＿＿＿＿    日期：　　　　年　　月　　日",
        "",
        "以下由受理部门填写",
        "受理编号：＿＿＿＿＿＿＿＿    受理人：＿＿＿＿＿＿    受理日期：　　　　年　　月　　日",
        "",
        f"（演示表格：临江市为虚构城市，本表仅供开门（Kaimen）演示使用。审批总时限 {item.total_time_limit_days} 个工作日。）",
    ]


def portrait(seed: int) -> bytes:
    """A plain drawn silhouette (no real face) for a fictitious leader: head and shoulders."""
    palette = [(70, 110, 150), (120, 90, 140), (60, 130, 110), (150, 100, 70), (90, 100, 120)]
    background = palette[seed % len(palette)]
    image = Image.new("RGB", (240, 320), background)
    draw = ImageDraw.Draw(image)
    draw.ellipse((75, 60, 165, 160), fill=(235, 235, 235))
    draw.ellipse((30, 180, 210, 400), fill=(235, 235, 235))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _add_missing_portraits(actor) -> None:
    leaders = db.session.scalars(
        sa.select(Leader).where(Leader.photo.is_(None)).order_by(Leader.id)
    ).all()
    for leader in leaders:
        set_leader_photo(leader, portrait(leader.id), actor)


def _add_missing_forms(actor) -> None:
    items = db.session.scalars(
        sa.select(ApprovalItem)
        .where(ApprovalItem.status == ItemStatus.PUBLISHED)
        .options(so.selectinload(ApprovalItem.forms), so.joinedload(ApprovalItem.department))
        .order_by(ApprovalItem.code)
    ).all()
    for item in items:
        if item.forms:
            continue
        title = form_title(item)
        lines = form_lines(item)
        add_form(
            item, title=title, filename=f"{title}.pdf", data=make_pdf(title, lines), actor=actor
        )
        add_form(
            item, title=title, filename=f"{title}.docx", data=make_docx(title, lines), actor=actor
        )


def _link_account(staff_email: str, account_email: str, actor) -> None:
    staff = db.session.scalar(sa.select(StaffMember).where(StaffMember.email == staff_email))
    if staff is None or accounts.find_by_email(account_email) is None:
        return
    update_staff(staff, actor=actor, user_email=account_email)
