"""The public catalog and directory, as a visitor reads them."""

from __future__ import annotations

import re

import pytest

from disclosure.catalog.models import ApplicationForm, FormFormat, StepKind
from portal import uploads
from portal.extensions import db
from tests.disclosure.factories import make_department, make_item

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def department(app):
    department = make_department()
    db.session.commit()
    return department


@pytest.fixture
def item(department):
    item = make_item(department)
    db.session.commit()
    return item


def attach_pdf(item, title="排污许可证申请表") -> ApplicationForm:
    stored = uploads.store("forms", PDF, "pdf")
    form = ApplicationForm(
        item=item, title=title, format=FormFormat.PDF, filename=f"{title}.pdf", stored_name=stored,
        content_type="application/pdf", size=len(PDF), sha256="0" * 64,
    )  # fmt: skip
    db.session.add(form)
    db.session.commit()
    return form


def text(response) -> str:
    return response.get_data(as_text=True)


def test_department_page_shows_everything_the_notice_lists(client, department):
    page = text(client.get(f"/directory/{department.code}"))
    for value in [
        department.full_name, department.address, department.postcode, department.public_phone,
        department.supervision_phone, department.functions, department.email,
        "林清源", "局长", "主持全面工作", "0999-8800 1010",  # a leader
        "周明远", "审批科科长", "负责行政许可审核", "0999-8800 1020",  # staff
        "投诉受理岗", "投诉受理岗的职责及权限",  # a position, its duties
    ]:  # fmt: skip
        assert value in page, value
    # Each position names who holds it now and the deputy.
    row = re.search(r'id="position-complaints">(.*?)</tr>', page, re.S).group(1)
    assert "周明远" in row and "吴晓岚" in row


def test_directory_lists_departments(client, department):
    page = text(client.get("/directory/"))
    assert department.full_name in page and department.supervision_phone in page
    assert client.get("/directory/no-such-department").status_code == 404


def test_item_page_shows_the_eight_elements_and_every_step_field(client, item):
    page = text(client.get(f"/catalog/items/{item.code}"))
    for value in [
        item.name, item.code, "临江市生态环境局",
        item.agency_name, item.agency_address, item.agency_phone,  # 1 handling agency
        "20",  # 2 time limit
        item.eligibility,  # 3
        "排污许可证申请表", "污染防治设施说明",  # 4 materials
        item.fee_standard, item.fee_basis,  # 5
        item.legal_basis,  # 6
        item.result,  # 8
        "申请材料齐全",  # acceptance conditions
        "来信、来电、网上投诉", "0999-8800 1099", "电子邮件或电话",  # complaint step
    ]:  # fmt: skip
        assert value in page, value
    procedure = re.search(r'<table class="data-table procedure">(.*?)</table>', page, re.S).group(1)
    for step in item.steps:
        row = re.search(rf'id="step-{step.kind.value}">(.*?)</tr>', procedure, re.S).group(1)
        assert step.kind.label in row
        assert step.standard in row and step.duties in row and step.position.name in row
        assert "工作日" in row
    acceptance = re.search(r'id="step-acceptance">(.*?)</tr>', procedure, re.S).group(1)
    assert "5 个工作日" in acceptance  # consultation time limit
    complaint = re.search(r'id="step-complaint">(.*?)</tr>', procedure, re.S).group(1)
    assert "15 个工作日" in complaint and "3 个工作日" in complaint
    order = [m for m in re.findall(r'id="step-(\w+)"', procedure)]
    assert order == [kind.value for kind in StepKind]


def test_item_page_leads_to_a_complaint_and_for_major_items_to_consultation(client, department):
    ordinary = make_item(department, "LJ-STHJ-001", "排污许可证核发")
    major = make_item(department, "LJ-STHJ-002", "垃圾焚烧发电项目环境影响评价文件审批", major=True)
    db.session.commit()
    ordinary_page = text(client.get(f"/catalog/items/{ordinary.code}"))
    assert f"/complaints/new?item={ordinary.code}" in ordinary_page
    assert "/forum/consultations/?item=" not in ordinary_page
    major_page = text(client.get(f"/catalog/items/{major.code}"))
    assert f"/complaints/new?item={major.code}" in major_page
    assert f"/forum/consultations/?item={major.code}" in major_page


def test_drafts_are_invisible_to_the_public_but_shown_to_admins(client, department, admin):
    draft = make_item(department, "LJ-STHJ-009", "尚未发布的事项", published=False)
    db.session.commit()
    form = attach_pdf(draft, "草稿表格")
    assert client.get(f"/catalog/items/{draft.code}").status_code == 404
    assert "尚未发布的事项" not in text(client.get("/catalog/"))
    assert "尚未发布的事项" not in text(client.get("/catalog/?q=尚未发布"))
    assert "尚未发布的事项" not in text(client.get(f"/directory/{department.code}"))
    assert client.get(f"/catalog/forms/{form.id}").status_code == 404
    client.login(admin.email)
    page = text(client.get(f"/catalog/items/{draft.code}"))
    assert "尚未发布的事项" in page and 'class="notice"' in page


def test_form_download_is_an_attachment_of_the_right_type(client, item):
    form = attach_pdf(item)
    page = text(client.get(f"/catalog/items/{item.code}"))
    assert f"/catalog/forms/{form.id}" in page and "PDF" in page
    response = client.get(f"/catalog/forms/{form.id}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''%E6%8E%92%E6%B1%A1" in disposition  # 排污… in RFC 5987 form
    assert response.data == PDF
    assert client.get("/catalog/forms/999999").status_code == 404


@pytest.mark.parametrize(
    "query", ["排污", "污", "排污许可", "许可证核发", "lj-sthj-001", "LJ-STHJ-001"]
)
def test_search_finds_an_item_by_chinese_substring_or_code(client, department, query):
    make_item(department, "LJ-STHJ-001", "排污许可证核发")
    unrelated = make_item(department, "LJ-STHJ-002", "建设项目竣工验收备案")
    unrelated.materials = "竣工验收报告"
    unrelated.result = "出具备案回执"
    unrelated.eligibility = "建设单位"
    db.session.commit()
    page = text(client.get("/catalog/", query_string={"q": query}))
    assert "排污许可证核发" in page, query
    assert "建设项目竣工验收备案" not in page


def test_search_by_text_of_the_elements_and_filter_by_department(client, department):
    other = make_department("lj-jtysj", "临江市交通运输局")
    make_item(department, "LJ-STHJ-001", "排污许可证核发")
    make_item(other, "LJ-JTYS-001", "道路运输经营许可")
    db.session.commit()
    # "防治" appears only in the materials of both items.
    both = text(client.get("/catalog/", query_string={"q": "防治"}))
    assert "排污许可证核发" in both and "道路运输经营许可" in both
    only = text(client.get("/catalog/", query_string={"q": "防治", "department": other.code}))
    assert "道路运输经营许可" in only and "排污许可证核发" not in only
    listing = text(client.get("/catalog/", query_string={"department": other.code}))
    assert "道路运输经营许可" in listing and "排污许可证核发" not in listing


def test_catalog_pages_by_code(client, department):
    for n in range(65):
        make_item(department, f"LJ-T-{n:03d}", f"事项{n:03d}")
    db.session.commit()
    first = text(client.get("/catalog/"))
    assert "事项000" in first and "事项030" not in first
    nxt = re.search(r'rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    second = text(client.get(nxt))
    assert "事项030" in second and "事项029" not in second


def test_item_page_query_count_does_not_grow_with_steps_and_forms(
    client, department, count_queries
):
    item = make_item(department)
    db.session.commit()
    with count_queries() as few:
        client.get(f"/catalog/items/{item.code}")
    for n in range(5):
        attach_pdf(item, f"表格{n}")
    with count_queries() as many:
        client.get(f"/catalog/items/{item.code}")
    assert many.count == few.count


def test_an_unflushed_change_is_indexed_at_commit(client, department):
    item = make_item(department, "LJ-STHJ-001", "排污许可证核发")
    db.session.commit()
    item.name = "危险废物经营许可证核发"  # changed but not flushed before the commit
    db.session.commit()
    page = text(client.get("/catalog/", query_string={"q": "危险废物"}))
    assert "危险废物经营许可证核发" in page
