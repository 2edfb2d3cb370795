"""Reading the online offer: the public item page, the read API for approvals, the demo's offers."""

from __future__ import annotations

import html
import json

import pytest
import sqlalchemy as sa

from disclosure.catalog.demo import DATA_DIR
from disclosure.catalog.models import ApprovalItem, ItemStatus
from disclosure.catalog.online import load_spec, online_items, spec_snapshot
from portal.extensions import db
from tests.disclosure.submission_helpers import EXAMPLE, edited, item, load, load_example
from tests.disclosure.submission_helpers import english as english  # the fixture


def test_the_item_page_shows_the_offer_without_a_query_per_field(app, client, count_queries):
    load_example()
    page = html.unescape(client.get("/catalog/items/KM-CGJ-001").get_data(as_text=True))
    for words in (
        "建设单位名称",
        "统一社会信用代码",
        "营业执照",
        "原件扫描",
        "PDF, JPG, PNG",
        "20.0 MiB",
    ):
        assert words in page, words
    assert page.count('class="online-fields"') == 1
    with count_queries() as few:
        client.get("/catalog/items/KM-CGJ-001")
    many = EXAMPLE.replace("        - key: night_work", "".join(
        f"        - key: extra_{n}\n          label_zh: 附加{n}\n          type: text\n"
        for n in range(12)
    ) + "        - key: night_work")  # fmt: skip
    assert load(many).ok
    db.session.commit()
    with count_queries() as more:
        page = client.get("/catalog/items/KM-CGJ-001").get_data(as_text=True)
    assert "附加11" in page
    assert more.count == few.count


def test_the_page_of_an_item_without_an_enabled_offer_shows_none(app, client):
    load(edited(("      enabled: true\n", "      enabled: false\n")))
    db.session.commit()
    page = client.get("/catalog/items/KM-CGJ-001").get_data(as_text=True)
    assert "建设单位名称" not in page and 'id="online"' not in page
    assert 'id="online"' not in client.get("/catalog/items/KM-CGJ-002").get_data(as_text=True)


def test_load_spec_and_the_snapshot_keep_offer_procedure_and_version(app):
    load_example()
    first = item("KM-CGJ-001")
    spec = load_spec(first)
    assert spec.version == 1 and spec.fields[0].key == "company_name"
    assert load_spec(item("KM-CGJ-002")) is None
    snapshot = spec_snapshot(first)
    assert json.loads(json.dumps(snapshot)) == snapshot
    assert snapshot["item"] == {
        "id": first.id,
        "code": "KM-CGJ-001",
        "name": "城市道路挖掘许可",
        "department_id": first.department_id,
        "total_time_limit_days": first.total_time_limit_days,
    }
    assert snapshot["version"] == 1 and snapshot["online"]["applicant_kind"] == "company"
    assert snapshot["online"]["fields"][3]["max_value"] == 5000
    assert snapshot["online"]["materials"][0]["max_bytes"] == 5 * 1024 * 1024
    kinds = [step["kind"] for step in snapshot["steps"]]
    assert kinds[0] == "acceptance" and kinds[-1] == "complaint" and len(kinds) == 7
    acceptance = snapshot["steps"][0]
    assert acceptance["position_id"] == first.steps[0].position_id
    assert set(acceptance) >= {
        "time_limit_days", "standard", "notification_method", "consultation_time_limit_days",
    }  # fmt: skip
    assert snapshot["online"]["promised_days"] == 12

    # A later edit makes a new version; the snapshot taken before stays as it was.
    load(edited(("label_zh: 建设单位名称", "label_zh: 单位名称")))
    db.session.commit()
    assert spec_snapshot(item("KM-CGJ-001"))["version"] == 2
    assert snapshot["online"]["fields"][0]["label_zh"] == "建设单位名称"
    assert spec_snapshot(item("KM-CGJ-002"))["online"] is None


def test_online_items_lists_published_enabled_items_in_one_statement(app, count_queries):
    load_example()
    with count_queries() as counted:
        found = online_items()
        assert [i.code for i in found] == ["KM-CGJ-001"]
        assert found[0].online.enabled and found[0].department.code == "km-cgj"
    assert counted.count == 1
    assert online_items(sa.select(ApprovalItem).where(ApprovalItem.code == "nothing")) == []
    load(edited(("    published: true\n    major: true", "    published: false\n    major: true")))
    db.session.commit()
    assert item("KM-CGJ-001").status == ItemStatus.DRAFT and online_items() == []


# --- the demo -----------------------------------------------------------------------------------

DEMO_OFFERS = {"LJ-JY-002": "person", "LJ-SCJG-001": "company", "LJ-ZRZY-003": "both"}


@pytest.fixture
def demo(app, runner, tmp_path):
    app.instance_path = str(tmp_path)
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()


def test_the_demo_offers_three_items_online_with_their_forms_as_templates(demo, client):
    found = {i.code: i for i in online_items()}
    assert set(found) >= set(DEMO_OFFERS)
    for code, kind in DEMO_OFFERS.items():
        spec = load_spec(found[code])
        assert spec.applicant_kind.value == kind and spec.version == 1, code
        assert 4 <= len(spec.fields) <= 8
        assert {"id_card", "credit_code"} & {f.type.value for f in spec.fields}
        templates = [m.template_form for m in spec.materials if m.template_form is not None]
        assert templates and templates[0].item_id == found[code].id, code
        page = client.get(f"/catalog/items/{code}").get_data(as_text=True)
        assert f"/catalog/forms/{templates[0].id}" in page
    assert any("营业执照" in m.name for m in load_spec(found["LJ-SCJG-001"]).materials)
    assert (DATA_DIR / "06-jyj.yaml").read_text(encoding="utf-8").count("\n  online:") == 1


def test_running_the_demo_again_changes_no_offer(demo, runner):
    before = {i.code: load_spec(i).version for i in online_items()}
    assert runner.invoke(args=["demo"]).exit_code == 0
    db.session.expire_all()
    assert {i.code: load_spec(i).version for i in online_items()} == before
