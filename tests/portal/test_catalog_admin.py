"""Administrators edit the directory and the catalog on the web; nobody else can."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from portal import uploads
from portal.accounts.models import Role
from portal.audit import AuditEntry
from portal.catalog import services as catalog
from portal.catalog.models import ApplicationForm, ApprovalItem, ItemStatus, ProcedureStep, StepKind
from portal.directory.models import Department, StaffMember
from portal.extensions import db
from tests.catalog_factories import make_department, make_item
from tests.conftest import make_user
from tests.portal.admin_world import PDF, World, audit_entries, edits_recorded, make_world, text
from tests.portal.test_uploads import docx, png


@pytest.fixture
def instance(app, tmp_path):
    """Uploaded files go to this test's own folder."""
    app.instance_path = str(tmp_path)
    return tmp_path


@pytest.fixture
def world(app, instance) -> World:
    return make_world()


PAGES = [
    "/admin/catalog/",
    "/admin/catalog/items",
    "/admin/catalog/items/new",
    "/admin/catalog/items/{item}",
    "/admin/catalog/items/{item}/steps",
    "/admin/catalog/items/{item}/steps/new",
    "/admin/catalog/steps/{step}",
    "/admin/catalog/items/{item}/forms",
    "/admin/catalog/import",
    "/admin/catalog/departments",
    "/admin/catalog/departments/new",
    "/admin/catalog/departments/{department}",
    "/admin/catalog/departments/{department}/leaders/new",
    "/admin/catalog/leaders/{leader}",
    "/admin/catalog/departments/{department}/staff/new",
    "/admin/catalog/staff/{staff}",
    "/admin/catalog/departments/{department}/positions/new",
    "/admin/catalog/positions/{position}",
]
POST_ONLY = [
    "/admin/catalog/steps/{step}/delete",
    "/admin/catalog/forms/{form}/delete",
    "/admin/catalog/departments/{department}/delete",
    "/admin/catalog/leaders/{leader}/photo",
    "/admin/catalog/leaders/{leader}/photo/remove",
    "/admin/catalog/leaders/{leader}/delete",
    "/admin/catalog/staff/{staff}/delete",
    "/admin/catalog/positions/{position}/hand-over",
    "/admin/catalog/positions/{position}/delete",
]
GET_ONLY = {
    "/admin/catalog/",
    "/admin/catalog/items",
    "/admin/catalog/items/{item}/steps",
    "/admin/catalog/departments",
}
POSTS = [path for path in PAGES if path not in GET_ONLY] + POST_ONLY


def test_visitors_are_sent_to_log_in(client, world):
    for path in PAGES:
        response = client.get(world.fill(path))
        assert response.status_code == 302 and "/account/login" in response.location, path
    for path in POSTS:
        response = client.post(world.fill(path), {"name": "x"})
        assert response.status_code == 302 and "/account/login" in response.location, path
    assert edits_recorded() == 1  # the world's form: nothing a visitor sent


@pytest.mark.parametrize("role", [None, Role.MODERATOR, Role.OFFICER, Role.SUPERVISOR])
def test_everyone_but_administrators_gets_403_on_every_page_and_post(client, world, role):
    make_user("someone@example.com", roles={role} if role else set())
    client.login("someone@example.com")
    before = edits_recorded()
    for path in PAGES:
        assert client.get(world.fill(path)).status_code == 403, path
    for path in POSTS:
        response = client.post(world.fill(path), {"name": "改名", "reason": "x"})
        assert response.status_code == 403, path
    assert edits_recorded() == before
    assert db.session.get(Department, world.department.id) is not None
    assert uploads.path_for("forms", world.form.stored_name).exists()


def test_administrators_see_every_page(client, world, admin):
    client.login(admin.email)
    for path in PAGES:
        response = client.get(world.fill(path))
        if path == "/admin/catalog/":
            assert response.status_code == 302 and response.location.endswith(
                "/admin/catalog/items"
            )
        elif path.endswith("/steps/new"):  # the factory's item has a step of every kind
            assert response.status_code == 302
        else:
            assert response.status_code == 200, path
            page = text(response)
            assert 'aria-current="page"' in page and "/admin/catalog/import" in page
    assert "/admin/catalog/" in text(client.get("/admin/users"))  # the "Catalog" link


def test_posts_without_csrf_are_refused_and_change_nothing(client, world, admin):
    client.login(admin.email)
    before = edits_recorded()
    for path in POSTS:
        response = client.post(world.fill(path), {"name": "改名", "reason": "x"}, csrf=False)
        assert response.status_code == 400, path
    assert edits_recorded() == before
    db.session.refresh(world.leader)
    assert world.leader.name == "林清源"
    assert db.session.get(ProcedureStep, world.step.id) is not None


# --- items --------------------------------------------------------------------------------------


def item_data(department_id: int, **changes) -> dict:
    data = {
        "code": "LJ-JT-009",
        "name": "道路运输经营许可",
        "department": str(department_id),
        "agency_name": "临江市交通运输局行政审批科",
        "agency_address": "临江市解放路 8 号",
        "agency_phone": "0999-8800 2030",
        "total_time_limit_days": "20",
        "eligibility": "依法登记的企业",
        "materials": "申请表；营业执照",
        "fee_standard": "不收费",
        "fee_basis": "无",
        "legal_basis": "《道路运输条例》",
        "result": "道路运输经营许可证",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_admin_creates_a_draft_item_then_publishes_it_with_an_audited_diff(client, admin, world):
    client.login(admin.email)
    response = client.post("/admin/catalog/items/new", item_data(world.department.id))
    assert response.status_code == 302
    item = db.session.scalar(sa.select(ApprovalItem).where(ApprovalItem.code == "LJ-JT-009"))
    assert item.status == ItemStatus.DRAFT and item.published_at is None and not item.is_major
    assert response.location.endswith(f"/admin/catalog/items/{item.id}/steps")

    # The draft is listed for the administrator as a draft, and filtered by status.
    drafts = text(client.get("/admin/catalog/items?status=draft"))
    assert "道路运输经营许可" in drafts and "排污许可证核发" not in drafts
    published = text(
        client.get(f"/admin/catalog/items?status=published&department={world.department.id}")
    )
    assert "道路运输经营许可" not in published and "排污许可证核发" in published

    edited = item_data(
        world.department.id,
        name="道路货物运输经营许可",
        total_time_limit_days="15",
        published="y",
        is_major="y",
        reason="按新条例修订",
    )
    # Not without the steps a published item needs: the page says which are missing.
    client.post("/language", {"locale": "en", "next": "/"})
    refused = client.post(f"/admin/catalog/items/{item.id}", edited)
    assert refused.status_code == 422
    assert "no acceptance step and no complaint step" in text(refused)
    assert 'href="#published"' in text(refused)  # the summary leads to the checkbox
    steps = f"/admin/catalog/items/{item.id}/steps"
    assert "Missing: Acceptance, Complaint." in text(client.get(steps))
    add_acceptance_and_complaint(client, item.id, world.position.id)
    assert "Missing:" not in text(client.get(steps))
    assert client.post(f"/admin/catalog/items/{item.id}", edited).status_code == 302
    db.session.refresh(item)
    assert item.status == ItemStatus.PUBLISHED and item.published_at is not None and item.is_major
    (entry,) = audit_entries("catalog.item.update")
    assert entry.actor_id == admin.id and entry.reason == "按新条例修订"
    assert entry.data["changes"] == {
        "name": ["道路运输经营许可", "道路货物运输经营许可"],
        "total_time_limit_days": [20, 15],
        "status": ["draft", "published"],
        "is_major": [False, True],
    }
    first_published = item.published_at
    # Back to draft and published again: the first publication date stays.
    client.post(f"/admin/catalog/items/{item.id}", {**edited, "published": None})
    client.post(f"/admin/catalog/items/{item.id}", edited)
    db.session.refresh(item)
    assert item.published_at == first_published


def add_acceptance_and_complaint(client, item_id: int, position_id: int) -> None:
    base = f"/admin/catalog/items/{item_id}/steps/new"
    acceptance = {"kind": "acceptance", "position": str(position_id), "time_limit_days": "1"}
    assert client.post(base, acceptance).status_code == 302
    complaint = {
        "kind": "complaint", "position": str(position_id), "time_limit_days": "15",
        "complaint_channels": "来信、来电", "complaint_phone": "0999-8800 2099",
        "notification_method": "电话告知", "notification_time_limit_days": "3",
    }  # fmt: skip
    assert client.post(base, complaint).status_code == 302


def test_item_form_refuses_a_fractional_time_limit(client, admin, world):
    client.login(admin.email)
    response = client.post(
        f"/admin/catalog/items/{world.item.id}",
        item_data(world.department.id, code=world.item.code, total_time_limit_days="2.5"),
    )
    assert response.status_code == 422
    assert 'id="total_time_limit_days-error"' in text(response)
    db.session.refresh(world.item)
    assert world.item.total_time_limit_days == 20 and world.item.name == "排污许可证核发"


def test_item_codes_are_unique(client, admin, world):
    client.login(admin.email)
    response = client.post(
        "/admin/catalog/items/new", item_data(world.department.id, code=world.item.code)
    )
    assert response.status_code == 422 and 'id="code-error"' in text(response)


def test_item_list_is_paged_by_keyset(client, admin, world):
    for number in range(55):
        make_item(world.department, code=f"LJ-P-{number:03d}", name=f"事项{number:03d}")
    db.session.commit()
    client.login(admin.email)
    first = text(client.get("/admin/catalog/items"))
    assert "LJ-P-054" in first and 'rel="next"' in first and "LJ-STHJ-001" not in first
    older = re.search(r'href="(/admin/catalog/items\?before=\d+)"', first).group(1)
    assert "LJ-STHJ-001" in text(client.get(older.replace("&amp;", "&")))


def test_admin_pages_cost_the_same_queries_for_many_rows(client, admin, world, count_queries):
    client.login(admin.email)
    pages = [
        "/admin/catalog/items",
        f"/admin/catalog/items/{world.item.id}/steps",
        f"/admin/catalog/departments/{world.department.id}",
    ]

    def cost() -> list[int]:
        counts = []
        for path in pages:
            with count_queries() as counter:
                assert client.get(path).status_code == 200
            counts.append(counter.count)
        return counts

    few = cost()
    for number in range(10):
        make_item(world.department, code=f"LJ-N-{number:03d}", name=f"事项{number:03d}")
    for number in range(10):
        world.department.staff.append(
            StaffMember(name=f"员工{number}", title="科员", duties="-", office_phone="-",
                        email=f"s{number}@example.com")
        )  # fmt: skip
    db.session.commit()
    assert cost() == few


# --- steps --------------------------------------------------------------------------------------


def test_step_with_a_fractional_time_limit_is_refused_and_nothing_saved(client, admin, world):
    client.login(admin.email)
    step = world.step
    response = client.post(
        f"/admin/catalog/steps/{step.id}",
        {"position": str(step.position_id), "time_limit_days": "2.5", "standard": "新标准"},
    )
    assert response.status_code == 422
    page = text(response)
    assert 'id="time_limit_days-error"' in page and 'class="error-summary"' in page
    db.session.refresh(step)
    assert step.time_limit_days == 2 and step.standard == "review 标准"


def test_admin_edits_removes_and_adds_steps(client, admin, world):
    client.login(admin.email)
    step = world.step
    response = client.post(
        f"/admin/catalog/steps/{step.id}",
        {"position": str(step.position_id), "time_limit_days": "3", "standard": "新标准"},
    )
    assert response.status_code == 302
    (entry,) = audit_entries("catalog.step.update")
    assert entry.data["changes"] == {
        "time_limit_days": [2, 3],
        "standard": ["review 标准", "新标准"],
    }
    countersign = world.item.step(StepKind.COUNTERSIGN).id
    assert client.post(f"/admin/catalog/steps/{countersign}/delete").status_code == 302
    assert db.session.get(ProcedureStep, countersign) is None

    base = f"/admin/catalog/items/{world.item.id}/steps/new"
    assert "countersign" in text(client.get(base + "?kind=countersign"))
    # A field of the acceptance step does not belong on a countersignature.
    data = {
        "kind": "countersign", "position": str(world.position.id), "time_limit_days": "1",
        "consultation_time_limit_days": "5",
    }  # fmt: skip
    response = client.post(base, data)
    assert response.status_code == 422
    assert 'id="consultation_time_limit_days-error"' in text(response)
    response = client.post(base, {**data, "consultation_time_limit_days": ""})
    assert response.status_code == 302
    db.session.expire_all()
    added = db.session.get(ApprovalItem, world.item.id).step(StepKind.COUNTERSIGN)
    assert added.sequence == StepKind.COUNTERSIGN.order and added.time_limit_days == 1
    kinds = [s.kind for s in db.session.get(ApprovalItem, world.item.id).steps]
    assert kinds == list(StepKind)


def test_a_step_kind_is_used_once_per_item(client, admin, world):
    client.login(admin.email)
    data = {"kind": "review", "position": str(world.position.id), "time_limit_days": "1"}
    response = client.get(f"/admin/catalog/items/{world.item.id}/steps/new")
    assert response.status_code == 302  # every kind is there already
    db.session.delete(world.item.step(StepKind.COUNTERSIGN))
    db.session.commit()
    response = client.post(f"/admin/catalog/items/{world.item.id}/steps/new", data)
    assert response.status_code == 422  # "review" is not among the choices any more


def test_a_step_needs_a_position_of_the_items_department(client, admin, world):
    other = make_department("lj-other", "临江市其他局")
    db.session.commit()
    client.login(admin.email)
    response = client.post(
        f"/admin/catalog/steps/{world.step.id}",
        {"position": str(other.positions[0].id), "time_limit_days": "2"},
    )
    assert response.status_code == 422
    db.session.refresh(world.step)
    assert world.step.position.department_id == world.department.id


# --- application forms --------------------------------------------------------------------------


def upload_form(client, item_id: int, data: bytes, filename: str, title: str = "申请表"):
    return client.post(
        f"/admin/catalog/items/{item_id}/forms",
        {"title": title, "file": (io.BytesIO(data), filename, "application/octet-stream")},
        content_type="multipart/form-data",
    )


@pytest.mark.parametrize(
    ("data", "filename", "content_type", "offered"),
    [
        (PDF, "表格.pdf", "application/pdf", "表格.pdf"),
        (PDF, "表格", "application/pdf", "表格.pdf"),
        (
            docx(),
            "表格.pdf",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "表格.docx",
        ),
        (
            bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 504,
            "old.doc",
            "application/msword",
            "old.doc",
        ),
    ],
)
def test_forms_are_stored_with_the_type_their_content_has(
    client, admin, world, data, filename, content_type, offered
):
    client.login(admin.email)
    response = upload_form(client, world.item.id, data, filename, title="新申请表")
    assert response.status_code == 302
    form = db.session.scalar(sa.select(ApplicationForm).where(ApplicationForm.title == "新申请表"))
    assert form.content_type == content_type and form.filename == offered
    assert form.size == len(data) and len(form.sha256) == 64
    assert uploads.path_for("forms", form.stored_name).read_bytes() == data
    download = client.get(f"/catalog/forms/{form.id}")
    assert download.status_code == 200 and download.mimetype == content_type
    download.close()


@pytest.mark.parametrize(
    "data",
    [
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff",  # an executable
        b"<!doctype html><html><script>alert(1)</script></html>",
        png((20, 20)),
    ],
)
def test_a_pdf_name_does_not_make_a_pdf(client, admin, world, data):
    client.login(admin.email)
    response = upload_form(client, world.item.id, data, "form.pdf", title="伪装文件")
    assert response.status_code == 422
    assert 'id="file-error"' in text(response)
    assert (
        db.session.scalar(sa.select(sa.func.count()).where(ApplicationForm.title == "伪装文件"))
        == 0
    )


def test_a_too_large_form_is_refused(client, admin, world, app, instance):
    app.config["KAIMEN_FORM_MAX_BYTES"] = 1024
    client.login(admin.email)
    response = upload_form(client, world.item.id, PDF + b"0" * 2000, "big.pdf", title="大文件")
    assert response.status_code == 422
    assert "1 KB" in text(response)
    assert len(list((instance / "uploads" / "forms").iterdir())) == 1  # only the world's form


@pytest.mark.parametrize(
    ("uploaded", "offered"),
    [
        ("表格.pdf", "表格.pdf"),
        ("C:\\Users\\chen\\表格.PDF", "表格.pdf"),
        ("../../etc/passwd", "passwd.pdf"),
        ("\x07表\x00格\u202e.pdf", "表格.pdf"),
        ("\x00\x1b.pdf", "申请表.pdf"),
        ("", "申请表.pdf"),
        ("报告.final.doc", "报告.final.pdf"),
    ],
)
def test_the_offered_file_name_is_cleaned_and_ends_in_the_real_type(uploaded, offered):
    assert catalog.download_name(uploaded, "申请表", "pdf") == offered


def test_removing_a_form_deletes_its_file(client, admin, world):
    client.login(admin.email)
    form_id, path = world.form.id, uploads.path_for("forms", world.form.stored_name)
    response = client.post(f"/admin/catalog/forms/{form_id}/delete")
    assert response.status_code == 302
    assert db.session.get(ApplicationForm, form_id) is None
    assert not path.exists()
    assert audit_entries("catalog.form.remove")[0].data["title"] == "申请表"


# --- submission import --------------------------------------------------------------------------

EXAMPLE = (Path(__file__).resolve().parents[2] / "docs" / "submission.example.yaml").read_bytes()


def import_file(client, data: bytes, *, dry_run: bool, filename: str = "km-cgj.yaml"):
    form = {"file": (io.BytesIO(data), filename, "application/yaml")}
    if dry_run:
        form["dry_run"] = "y"
    return client.post("/admin/catalog/import", form, content_type="multipart/form-data")


def test_a_dry_run_shows_what_would_change_and_saves_nothing(client, admin):
    client.login(admin.email)
    page = text(client.get("/admin/catalog/import"))
    assert 'type="file"' in page and 'name="dry_run"' in page and "checked" in page
    response = import_file(client, EXAMPLE, dry_run=True)
    assert response.status_code == 200
    page = text(response)
    assert "KM-CGJ-001" in page and "KM-CGJ-002" in page and "km-cgj" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Department)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApprovalItem)) == 0


def test_an_import_loads_the_file_and_a_second_one_changes_nothing(client, admin):
    client.login(admin.email)
    assert import_file(client, EXAMPLE, dry_run=False).status_code == 200
    codes = db.session.scalars(sa.select(ApprovalItem.code).order_by(ApprovalItem.code)).all()
    assert codes == ["KM-CGJ-001", "KM-CGJ-002"]
    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "catalog.item.create").limit(1)
    )
    assert entry.actor_id == admin.id
    again = text(import_file(client, EXAMPLE, dry_run=False))
    unchanged = again[again.index("(2)") :]
    assert "KM-CGJ-001" in unchanged and "KM-CGJ-002" in unchanged


def test_a_broken_file_lists_its_errors_with_line_numbers_and_saves_nothing(client, admin):
    lines = EXAMPLE.decode().splitlines(keepends=True)
    line = next(n for n, text in enumerate(lines, 1) if "total_time_limit: 20" in text)
    lines[line - 1] = lines[line - 1].replace("20", "2.5")
    client.login(admin.email)
    response = import_file(client, "".join(lines).encode(), dry_run=False)
    assert response.status_code == 422
    page = text(response)
    assert re.search(rf"<li>[^<]*\b{line}\b[^<]*<code>items\[0\]\.total_time_limit</code>", page)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Department)) == 0
    garbage = import_file(client, b"\x00\x01 not yaml: [", dry_run=True)
    assert garbage.status_code == 422 and 'class="import-errors"' in text(garbage)


def test_complaint_fields_belong_to_the_complaint_step(app, world):
    review = world.step
    with pytest.raises(catalog.CatalogError) as refused:
        catalog.update_step(review, actor=None, complaint_phone="12345")
    assert refused.value.field == "complaint_phone"
    complaint = world.item.step(StepKind.COMPLAINT)
    changes = catalog.update_step(complaint, actor=None, notification_time_limit_days=5)
    assert changes == {"notification_time_limit_days": [3, 5]}
    with pytest.raises(catalog.CatalogError):
        catalog.update_step(complaint, actor=None, time_limit_days=-1)
    with pytest.raises(catalog.CatalogError):
        catalog.update_step(complaint, actor=None, time_limit_days=2.5)
    with pytest.raises(catalog.CatalogError):
        catalog.update_step(complaint, actor=None, time_limit_days=True)


def test_add_form_refuses_anything_but_word_and_pdf_and_keeps_no_file(app, world, instance):
    for data in (b"MZ\x90\x00", png((10, 10)), b"<html></html>"):
        with pytest.raises(catalog.CatalogError, match="WORD"):
            catalog.add_form(world.item, title="x", filename="x.pdf", data=data, actor=None)
    assert len(list((instance / "uploads" / "forms").iterdir())) == 1  # the world's own


# --- the rules the submission format has too ------------------------------------------------------


@pytest.mark.parametrize(
    "missing",
    [
        "complaint_channels",
        "complaint_phone",
        "notification_method",
        "notification_time_limit_days",
    ],
)
def test_the_complaint_step_needs_channels_phone_and_how_and_when_to_tell(
    client, admin, world, missing
):
    client.login(admin.email)
    complaint = world.item.step(StepKind.COMPLAINT)
    data = {
        "position": str(complaint.position_id), "time_limit_days": "15",
        "complaint_channels": "来信", "complaint_phone": "0999-8800 1099",
        "notification_method": "电话", "notification_time_limit_days": "3", missing: "",
    }  # fmt: skip
    response = client.post(f"/admin/catalog/steps/{complaint.id}", data)
    assert response.status_code == 422
    assert f'id="{missing}-error"' in text(response)
    db.session.refresh(complaint)
    assert complaint.complaint_channels and complaint.notification_time_limit_days == 3
    # Nor can a new complaint step be added without it.
    draft = make_item(world.department, code="LJ-D-001", published=False)
    db.session.delete(draft.step(StepKind.COMPLAINT))
    db.session.commit()
    response = client.post(
        f"/admin/catalog/items/{draft.id}/steps/new", {**data, "kind": "complaint"}
    )
    assert response.status_code == 422 and f'id="{missing}-error"' in text(response)
    with pytest.raises(catalog.CatalogError) as refused:
        catalog.add_step(
            draft, kind="complaint", position=world.position, actor=None, time_limit_days=1
        )
    assert refused.value.field == "complaint_channels"


def test_a_published_item_keeps_its_acceptance_and_complaint_steps(client, admin, world):
    client.login(admin.email)
    client.post("/language", {"locale": "en", "next": "/"})
    steps = f"/admin/catalog/items/{world.item.id}/steps"
    page = text(client.get(steps))
    assert "Remove the Review step" in page and "Remove the Complaint step" not in page
    for kind in (StepKind.ACCEPTANCE, StepKind.COMPLAINT):
        step_id = world.item.step(kind).id
        response = client.post(f"/admin/catalog/steps/{step_id}/delete")
        assert response.status_code == 302
        assert "cannot be removed while the item is published" in text(client.get(steps))
        assert db.session.get(ProcedureStep, step_id) is not None
    # As a draft it may lose them, and then it cannot be published again until it has them.
    catalog.update_item(world.item, actor=admin, status=ItemStatus.DRAFT)
    db.session.commit()
    complaint = world.item.step(StepKind.COMPLAINT).id
    assert client.post(f"/admin/catalog/steps/{complaint}/delete").status_code == 302
    assert db.session.get(ProcedureStep, complaint) is None
    db.session.expire_all()
    item = db.session.get(ApprovalItem, world.item.id)
    with force_locale("en"), pytest.raises(catalog.CatalogError) as refused:
        catalog.update_item(item, actor=admin, status=ItemStatus.PUBLISHED)
    assert refused.value.field == "status" and "no Complaint step" in str(refused.value)
    assert audit_entries("catalog.step.delete")[-1].data["kind"] == "complaint"


def test_a_new_item_is_a_draft_and_cannot_be_created_published(client, admin, world):
    client.login(admin.email)
    assert 'name="published"' not in text(client.get("/admin/catalog/items/new"))
    response = client.post(
        "/admin/catalog/items/new", item_data(world.department.id, published="y")
    )
    assert response.status_code == 302
    created = db.session.scalar(sa.select(ApprovalItem).where(ApprovalItem.code == "LJ-JT-009"))
    assert created.status == ItemStatus.DRAFT
    with pytest.raises(catalog.CatalogError) as refused:
        catalog.create_item(
            world.department,
            actor=None,
            status=ItemStatus.PUBLISHED,
            **{
                key: value
                for key, value in item_data(world.department.id, code="LJ-JT-010").items()
                if key != "department"
            },
        )
    assert refused.value.field == "status"


def test_conditions_belong_to_any_step(client, admin, world):
    client.login(admin.email)
    review = world.step
    page = text(client.get(f"/admin/catalog/steps/{review.id}"))
    assert 'name="conditions"' in page
    data = {"position": str(review.position_id), "time_limit_days": "2", "conditions": "现场核查"}
    assert client.post(f"/admin/catalog/steps/{review.id}", data).status_code == 302
    db.session.refresh(review)
    assert review.conditions == "现场核查"


@pytest.mark.parametrize(
    ("field", "value"),
    [("total_time_limit_days", "0"), ("agency_phone", "12"), ("agency_phone", " 1 ")],
)
def test_the_item_form_refuses_what_the_submission_format_refuses(
    client, admin, world, field, value
):
    client.login(admin.email)
    response = client.post(
        f"/admin/catalog/items/{world.item.id}",
        item_data(world.department.id, code=world.item.code, published="y", **{field: value}),
    )
    assert response.status_code == 422
    assert f'id="{field}-error"' in text(response)
    db.session.refresh(world.item)
    assert world.item.total_time_limit_days == 20


def test_text_is_stored_with_plain_line_breaks(client, admin, world):
    client.login(admin.email)
    data = item_data(
        world.department.id,
        code=world.item.code,
        published="y",
        materials="1. 申请表\r\n2. 执照\r\n",
    )
    assert client.post(f"/admin/catalog/items/{world.item.id}", data).status_code == 302
    db.session.refresh(world.item)
    assert world.item.materials == "1. 申请表\n2. 执照"
