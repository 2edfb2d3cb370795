"""网上审批 in a real browser: an applicant declares an identity, applies for an item offered online
with a PDF material, and follows it; the acceptance officer asks for 补正 (one notice: a field and a
material), the applicant corrects exactly that, the officer accepts, the reviewer agrees, the
decider approves; the applicant downloads the decision letter (its text read with pdftotext), a
visitor checks its verification code on the public page and looks the application up by number and
query code — which shows the item and the result, never the applicant's name or ID number.

Every new page is audited on the way, as the person meets it: axe-core (no serious or critical
violation) at 1280 px and at 390 px wide, and at 390 px the page must not scroll sideways. The
audits are collected and reported together at the end, so that one page's defect does not hide
another's; a step of the flow that goes wrong fails at once.

The logged-in people read the site in English (their account's language), so that the selectors do
not depend on translations being edited elsewhere; the visitor first sees the public pages in the
default language (zh), then switches to English.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from playwright.sync_api import expect

from disclosure.catalog.models import StepKind
from disclosure.catalog.online_models import (
    ApplicantKind,
    FieldType,
    FormField,
    IdentityLevel,
    MaterialSpec,
    OnlineSpec,
)
from disclosure.catalog.sample_forms import make_pdf
from disclosure.directory.models import StaffMember
from portal.accounts import services as accounts
from portal.accounts.models import Role
from portal.extensions import db
from tests.browser.conftest import (
    ACTION_TIMEOUT_MS,
    BLOCKING_IMPACTS,
    NAVIGATION_TIMEOUT_MS,
    _axe_runner,
    _describe,
)
from tests.disclosure.factories import make_department, make_item

pytestmark = pytest.mark.browser

PASSWORD = "online approval browser password"
DEPARTMENT = "lj-sp-browser"
ITEM = "LJ-SPB-001"
ITEM_NAME = "排污许可证核发（浏览器）"
REAL_NAME = "张三"
# The same number with a wrong check digit (GB 11643): refused even in a draft.
# Its own ID number: the browser tests share one live database, where the demo may have run.
PERSON_ID = "330108199205180046"
WRONG_ID = PERSON_ID[:-1] + ("4" if PERSON_ID[-1] != "4" else "5")
WIDE, PHONE = {"width": 1280, "height": 900}, {"width": 390, "height": 844}

EMAILS = {
    "applicant": "sp-applicant@example.com",
    "acceptor": "sp-window@linjiang.gov.example",
    "reviewer": "sp-review@linjiang.gov.example",
    "decider": "sp-decision@linjiang.gov.example",
    "supervisor": "sp-boss@linjiang.gov.example",
}


def _staff(department, user, title: str) -> StaffMember:
    staff = StaffMember(
        name=user.display_name, title=title, duties="审批", office_phone="0999-8800 1100",
        email=user.email, user_id=user.id,
    )  # fmt: skip
    department.staff.append(staff)
    return staff


@pytest.fixture(scope="module")
def world(live_server):
    """A department whose window, review and decision positions are held by officers with
    accounts, its supervisor, an item offered online (a text, an ID number, a phone, a choice and a
    required PDF form), and an applicant account that has no identity yet (they declare it)."""
    with live_server.app.app_context():
        users = {}
        for role, email in EMAILS.items():
            roles = {"applicant": set(), "supervisor": {Role.SUPERVISOR}}.get(role, {Role.OFFICER})
            user = accounts.create_user(email, f"网办{role}", PASSWORD, roles=roles, verified=True)
            user.locale = "en"
            users[role] = user
        department = make_department(DEPARTMENT, "临江市网上审批浏览器局")
        positions = {p.code: p for p in department.positions}
        for role, code in [("acceptor", "window"), ("reviewer", "review"), ("decider", "decision")]:
            positions[code].holder = _staff(department, users[role], f"{code}岗")
            positions[code].deputy = None
        _staff(department, users["supervisor"], "审批科科长")
        item = make_item(department, ITEM, ITEM_NAME)
        item.steps = [
            s for s in item.steps if s.kind not in {StepKind.RE_REVIEW, StepKind.COUNTERSIGN}
        ]
        spec = OnlineSpec(
            enabled=True, applicant_kind=ApplicantKind.BOTH, identity_level=IdentityLevel.EMAIL,
            statutory_limit_days=20, promised_limit_days=None, version=1,
        )  # fmt: skip
        spec.fields = [
            FormField(key="company", label_zh="单位名称", label_en="Company name",
                      type=FieldType.TEXT, required=True, max_length=50, sort_order=1),
            FormField(key="legal_id", label_zh="法定代表人身份证号",
                      label_en="Legal representative's ID", type=FieldType.ID_CARD,
                      required=True, sort_order=2),
            FormField(key="phone", label_zh="联系电话", label_en="Phone",
                      type=FieldType.PHONE, required=True, sort_order=3),
            FormField(key="scale", label_zh="规模", label_en="Scale", type=FieldType.CHOICE,
                      required=True, choices=["小型", "中型", "大型"], sort_order=4),
        ]  # fmt: skip
        spec.materials = [
            MaterialSpec(name="排污许可证申请表", required=True, accepted_types=["pdf"],
                         max_bytes=1024 * 1024, note="盖章扫描件", sort_order=1),
        ]  # fmt: skip
        item.online = spec
        db.session.commit()


# --- the audit: axe at two widths, no sideways scrolling on a phone ------------------------------


# The innermost elements that reach past the window's right edge (to name them in a failure).
WIDER_THAN_THE_WINDOW = """() => [...document.querySelectorAll("body *")]
    .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5)
    .filter((el) => ![...el.children].some((c) => c.getBoundingClientRect().right > window.innerWidth + 0.5))
    .slice(0, 5)
    .map((el) => el.outerHTML.slice(0, 160))"""


class Audit:
    """Collects what axe-core and the phone-width check find, page by page."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.pages: list[str] = []

    def __call__(self, page, name: str) -> None:
        page.wait_for_load_state("load")
        self.pages.append(name)
        for size in (WIDE, PHONE):
            page.set_viewport_size(size)
            violations = _axe_runner().run(page).response["violations"]
            blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
            if blocking:
                report = "\n".join(_describe(v) for v in blocking)
                self.problems.append(f"{name} at {size['width']}px ({page.url}):\n{report}")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            culprits = "\n".join(f"      - {c}" for c in page.evaluate(WIDER_THAN_THE_WINDOW))
            self.problems.append(
                f"{name} scrolls sideways by {overflow}px at 390px ({page.url}):\n{culprits}"
            )
        page.set_viewport_size(WIDE)

    def assert_clean(self) -> None:
        assert self.pages, "nothing was audited"
        if self.problems:
            pytest.fail(
                f"{len(self.problems)} problem(s) on {len(self.pages)} audited pages:\n"
                + "\n".join(self.problems),
                pytrace=False,
            )


@pytest.fixture
def people(browser, live_server):
    """One browser context per person, opened on first use, all closed at the end."""
    opened = {}

    def person(who: str):
        if who not in opened:
            context = browser.new_context(base_url=live_server.url, viewport=WIDE)
            context.set_default_timeout(ACTION_TIMEOUT_MS)
            context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
            opened[who] = context.new_page()
            if who in EMAILS:
                log_in(opened[who], EMAILS[who])
        return opened[who]

    yield person
    for page in opened.values():
        page.context.close()


def log_in(page, email: str) -> None:
    """Log in from the (zh) login page; the account's language (en) applies from then on."""
    page.goto("/account/login")
    page.get_by_label("电子邮箱", exact=True).fill(email)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="登录", exact=True).click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def pdf_text(path) -> str:
    return subprocess.run(
        [shutil.which("pdftotext") or "pdftotext", "-enc", "UTF-8", str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


# --- the flow -------------------------------------------------------------------------------------


def test_apply_correct_accept_decide_and_verify_the_letter(people, world, live_server, tmp_path):
    audit = Audit()
    form_pdf = tmp_path / "申请表.pdf"
    form_pdf.write_bytes(make_pdf("排污许可证申请表", ["单位名称：临江市清源环保科技有限公司"]))
    corrected_pdf = tmp_path / "申请表（盖章）.pdf"
    corrected_pdf.write_bytes(make_pdf("排污许可证申请表（盖章）", ["已加盖公章"]))
    not_a_pdf = tmp_path / "申请表.txt"
    not_a_pdf.write_text("这不是 PDF")

    # A visitor sees the public pages in the default language first.
    visitor = people("visitor")
    visitor.goto("/approvals/")
    expect(visitor.get_by_role("link", name=ITEM_NAME, exact=True)).to_be_visible()
    audit(visitor, "list (zh, visitor)")
    visitor.goto("/approvals/verify")
    audit(visitor, "verify form (zh)")
    visitor.goto("/approvals/lookup")
    audit(visitor, "lookup, empty (zh)")

    # The applicant declares an identity: the form, then the declared view with the number masked.
    applicant = people("applicant")
    applicant.goto("/approvals/identity")
    audit(applicant, "identity: declare form")
    applicant.get_by_role("radio", name="A person").check()
    applicant.get_by_label("Real name").fill(REAL_NAME)
    applicant.get_by_label("ID card number").fill(PERSON_ID)
    applicant.get_by_role("button", name="Declare").click()
    expect(applicant.locator(".flash-success")).to_be_visible()
    masked = applicant.locator(".masked-number").inner_text()
    assert masked.startswith(PERSON_ID[:4]) and masked.endswith(PERSON_ID[-4:]) and "*" in masked
    assert PERSON_ID not in applicant.content()
    audit(applicant, "identity: declared view")

    # The list of items, the form; a bad first try shows the errors on their fields.
    applicant.goto("/approvals/")
    audit(applicant, "list (applicant)")
    applicant.get_by_role("link", name=f"Apply — {ITEM_NAME}").click()
    expect(applicant.get_by_role("heading", level=1)).to_contain_text(ITEM_NAME)
    audit(applicant, "apply form")
    applicant.get_by_label("Company name").fill("临江市清源环保科技有限公司")
    applicant.get_by_label("Legal representative's ID").fill(WRONG_ID)
    applicant.get_by_label("Phone").fill("13800000000")
    applicant.get_by_label("Scale").select_option("中型")
    applicant.get_by_label("排污许可证申请表").set_input_files(str(form_pdf))
    applicant.get_by_role("button", name="Save and check before submitting").click()
    legal_id = applicant.get_by_label("Legal representative's ID")
    expect(legal_id).to_have_attribute("aria-invalid", "true")
    expect(legal_id).to_have_accessible_description(re.compile(r"check digit|校验", re.I))
    expect(applicant.locator(".error-summary a[href='#f_legal_id']")).to_be_visible()
    expect(applicant.get_by_label("Company name")).to_have_value("临江市清源环保科技有限公司")
    audit(applicant, "apply form with field errors")

    # A file of the wrong type: its error is on the material.
    legal_id.fill(PERSON_ID)
    applicant.get_by_label("排污许可证申请表").set_input_files(str(not_a_pdf))
    applicant.get_by_role("button", name="Save and check before submitting").click()
    material = applicant.get_by_label("排污许可证申请表")
    expect(material).to_have_attribute("aria-invalid", "true")
    audit(applicant, "apply form with a material error")

    material.set_input_files(str(form_pdf))
    applicant.get_by_role("button", name="Save and check before submitting").click()
    expect(applicant.get_by_role("heading", level=1, name="Check and submit")).to_be_visible()
    summary = applicant.get_by_role("main").inner_text()
    assert "临江市清源环保科技有限公司" in summary and "申请表.pdf" in summary
    audit(applicant, "summary")

    applicant.get_by_role("button", name="Submit the application").click()
    expect(applicant.get_by_role("heading", level=1, name="Application submitted")).to_be_visible()
    number = applicant.locator("#application-number").inner_text()
    query_code = applicant.locator("#query-code").inner_text()
    assert re.fullmatch(r"SP\d{8}-\d{4}", number), number
    assert query_code.strip()
    audit(applicant, "submitted")
    receipts = live_server.outbox("approval_received", EMAILS["applicant"])
    assert any(number in m.body_text for m in receipts)

    applicant.goto("/approvals/mine")
    expect(applicant.get_by_role("link", name=number)).to_be_visible()
    audit(applicant, "my applications")
    applicant.get_by_role("link", name=number).click()
    expect(applicant.locator("#application-number")).to_have_text(number)
    assert applicant.locator(".officer-panel").count() == 0
    audit(applicant, "application as applicant (submitted)")

    # The acceptance officer: queue → application → 补正 of one field and one material.
    acceptor = people("acceptor")
    acceptor.goto("/approvals/queue")
    audit(acceptor, "officer queue")
    acceptor.get_by_role("link", name=number).click()
    expect(acceptor.locator("#application-number")).to_have_text(number)
    panel = acceptor.locator(".officer-panel")
    expect(panel.get_by_role("button", name="Accept (受理)")).to_be_visible()
    assert "申请表.pdf" in acceptor.get_by_role("main").inner_text()
    audit(acceptor, "application as acceptance officer (action forms)")
    panel.get_by_role("checkbox", name="Phone", exact=True).check()
    panel.get_by_role("textbox", name="What is wrong: Phone").fill("号码无法接通，请核对")
    panel.get_by_role("checkbox", name="排污许可证申请表", exact=True).check()
    panel.get_by_role("textbox", name="What is wrong: 排污许可证申请表").fill("缺少公章")
    panel.get_by_role("button", name="Send the correction notice").click()
    expect(acceptor.locator(".flash-success")).to_be_visible()

    # The applicant sees the notice and a form with only what was asked.
    applicant.reload()
    notice = applicant.locator("section", has=applicant.locator("#correction-heading"))
    expect(notice).to_contain_text("号码无法接通")
    expect(notice).to_contain_text("缺少公章")
    audit(applicant, "application as applicant (correction requested)")
    notice.get_by_role("link", name="Correct the application").click()
    expect(
        applicant.get_by_role("heading", level=1, name="Correct the application")
    ).to_be_visible()
    form = applicant.locator("form.stack-form")
    assert form.locator("input:not([type=hidden]), select, textarea").count() == 2
    expect(form.get_by_label("Phone")).to_be_visible()
    expect(form.get_by_label("排污许可证申请表")).to_be_visible()
    assert form.get_by_label("Company name").count() == 0
    audit(applicant, "correction form")
    form.get_by_label("Phone").fill("13900000000")
    form.get_by_label("排污许可证申请表").set_input_files(str(corrected_pdf))
    form.get_by_role("button", name="Submit the correction").click()
    expect(applicant.locator(".flash-success")).to_be_visible()
    expect(applicant.locator("#application-number")).to_have_text(number)

    # The officer accepts; the reviewer agrees; the supervisor sees it running; the decider approves.
    acceptor.reload()
    assert "13900000000" in acceptor.get_by_role("main").inner_text()
    acceptor.locator(".officer-panel").get_by_role("button", name="Accept (受理)").click()
    expect(acceptor.locator(".flash-success")).to_be_visible()

    reviewer = people("reviewer")
    reviewer.goto("/approvals/queue")
    reviewer.get_by_role("link", name=number).click()
    panel = reviewer.locator(".officer-panel")
    expect(panel.get_by_role("button", name="Record the opinion")).to_be_visible()
    audit(reviewer, "application as reviewer (opinion form)")
    panel.get_by_role("radio", name="Agree", exact=True).check()
    panel.get_by_label("Opinion text").fill("材料齐全，符合法定条件")
    panel.get_by_role("button", name="Record the opinion").click()
    expect(reviewer.locator(".flash-success")).to_be_visible()

    supervisor = people("supervisor")
    supervisor.goto(f"/approvals/department/{DEPARTMENT}")
    expect(supervisor.get_by_role("link", name=number)).to_be_visible()
    audit(supervisor, "department page (supervisor)")
    supervisor.get_by_role("link", name=number).click()
    panel = supervisor.locator(".officer-panel")
    expect(panel.get_by_role("button", name="Extend")).to_be_visible()
    assert panel.get_by_role("button", name="Record the decision").count() == 0
    audit(supervisor, "application as supervisor (extension form)")

    decider = people("decider")
    decider.goto("/approvals/queue")
    decider.get_by_role("link", name=number).click()
    panel = decider.locator(".officer-panel")
    expect(panel.get_by_role("button", name="Record the decision")).to_be_visible()
    audit(decider, "application as decider (decision form)")
    panel.get_by_role("radio", name="Approve (准予许可)").check()
    panel.get_by_label("Reasons").fill("申请材料齐全，符合法定条件和标准")
    panel.get_by_label("Legal basis").fill("《中华人民共和国环境保护法》第四十五条")
    panel.get_by_role("button", name="Record the decision").click()
    expect(decider.locator(".flash-success")).to_be_visible()

    # The applicant downloads the decision letter and reads its verification code.
    applicant.reload()
    expect(applicant.locator("#result")).to_have_text(re.compile("approv", re.I))
    letter = applicant.locator("#documents + ul li", has_text="Decision to approve")
    expect(letter).to_have_count(1)
    code = letter.locator("code").inner_text()
    audit(applicant, "application as applicant (decided)")
    with applicant.expect_download() as info:
        letter.get_by_role("link").click()
    saved = tmp_path / "decision.pdf"
    info.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")
    text = pdf_text(saved)
    compact = re.sub(r"\s+", "", text)
    assert "准予" in compact and ITEM_NAME in compact, text
    assert number in compact and REAL_NAME in compact, text
    assert code in text, text
    assert PERSON_ID not in compact  # the letter shows the number masked at most

    # A visitor checks the code on the public page, then looks the application up.
    visitor.get_by_role("button", name="English").click()
    visitor.goto("/approvals/verify")
    visitor.get_by_label("Verification code").fill(code.lower().replace("-", " "))
    visitor.get_by_role("button", name="Check").click()
    expect(visitor.get_by_role("heading", name="Genuine document")).to_be_visible()
    expect(visitor.locator("#current")).to_contain_text("Yes")
    assert ITEM_NAME in visitor.get_by_role("main").inner_text()
    audit(visitor, "verify result")

    visitor.goto("/approvals/lookup")
    visitor.get_by_label("Application number").fill(number)
    visitor.get_by_label("Query code").fill(query_code)
    visitor.get_by_role("button", name="Look up").click()
    expect(visitor.get_by_role("heading", name=number)).to_be_visible()
    found = visitor.get_by_role("main").inner_text()
    assert ITEM_NAME in found and "Approv" in found, found
    for private in [REAL_NAME, "网办applicant", PERSON_ID, PERSON_ID[-4:], "13900000000", masked]:
        assert private not in visitor.content(), f"the lookup shows {private!r}"
    audit(visitor, "lookup with a result")

    # The counter: an officer finds the applicant's account; the number stays masked.
    acceptor.goto("/approvals/identity/counter")
    audit(acceptor, "identity counter")
    acceptor.get_by_label("Account email address").fill(EMAILS["applicant"])
    acceptor.get_by_role("button", name="Find the account").click()
    expect(acceptor.locator(".masked-number")).to_be_visible()
    assert PERSON_ID not in acceptor.content()
    audit(acceptor, "identity counter with an account")

    audit.assert_clean()
