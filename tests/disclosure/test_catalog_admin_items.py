"""Administrators edit approval items and their procedure steps; the rules of the submission format hold there too."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from disclosure.catalog import services as catalog
from disclosure.catalog.models import ApprovalItem, ItemStatus, ProcedureStep, StepKind
from disclosure.directory.models import StaffMember
from portal.extensions import db
from tests.disclosure.admin_world import audit_entries, text
from tests.disclosure.admin_world import instance as instance  # the fixtures
from tests.disclosure.admin_world import world as world
from tests.disclosure.factories import make_department, make_item

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
