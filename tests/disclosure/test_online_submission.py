"""The ``online`` section of the submission format (网上申报): errors with their lines, loading
once, one version per changing import, dry runs, templates, export and import back."""

from __future__ import annotations

import pytest
import yaml

from disclosure.catalog import services as catalog
from disclosure.catalog.online_models import ApplicantKind, FieldType, IdentityLevel
from disclosure.catalog.submission import dumps, export_department
from portal.extensions import db
from tests.disclosure.admin_world import PDF
from tests.disclosure.admin_world import instance as instance  # the fixture
from tests.disclosure.submission_helpers import (
    EXAMPLE,
    audit_entries,
    counts,
    department,
    edited,
    item,
    line_of,
    load,
    load_example,
)
from tests.disclosure.submission_helpers import english as english  # the fixture

TEMPLATE_COMMENT = (
    "        # template: 城市道路挖掘申请表  — 模板：本事项在网上发布的申报表格之一（标题或文件名）"
)
NIGHT_CHOICES = "          choices:\n            - 否\n            - 是\n"


def spec():
    found = item("KM-CGJ-001")
    db.session.refresh(found)
    return found.online


# --- what the example loads ---------------------------------------------------------------------


def test_the_example_loads_its_online_offer(app, english):
    load_example()
    offer = spec()
    assert offer.enabled and offer.version == 1
    assert offer.applicant_kind == ApplicantKind.COMPANY
    assert offer.identity_level == IdentityLevel.PHONE
    assert (offer.statutory_limit_days, offer.promised_limit_days) == (20, 12)
    assert [f.key for f in offer.fields] == [
        "company_name", "credit_code", "road", "area", "start_date", "night_work",
    ]  # fmt: skip
    area = offer.fields[3]
    assert area.type == FieldType.NUMBER and (area.min_value, area.max_value) == (1, 5000)
    assert offer.fields[0].max_length == 100 and offer.fields[0].min_length is None
    assert offer.fields[5].choices == ["否", "是"]
    assert offer.fields[5].help_zh == "夜间施工须另行申请夜间施工许可。"
    licence, plan = offer.materials
    assert licence.name == "营业执照" and licence.accepted_types == ["pdf", "jpg", "png"]
    assert licence.note == "原件扫描" and licence.max_bytes == 5 * 1024 * 1024
    assert plan.max_bytes == 20 * 1024 * 1024 and plan.template_form_id is None
    assert item("KM-CGJ-002").online is None


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_export_then_import_keeps_the_online_offer_exactly(app, english, fmt):
    load_example()
    exported = export_department(department())
    online = exported["items"][0]["online"]
    assert online == yaml.safe_load(EXAMPLE)["items"][0]["online"]
    report = load(dumps(exported, fmt), f"km-cgj.{fmt}")
    assert report.ok and report.unchanged == ["KM-CGJ-001", "KM-CGJ-002"]
    assert export_department(department()) == exported
    assert spec().version == 1


# --- errors, each with its line and field; nothing written ---------------------------------------

# (id, replacements, field, (needle, occurrence) of the line, words of the message)
CASES = [
    ("bad key", [("        - key: company_name", "        - key: CompanyName")],
     "items[0].online.fields[0].key", ("- key: CompanyName", 1), "the key \"CompanyName\" is not valid"),
    ("duplicate key", [("        - key: road", "        - key: credit_code")],
     "items[0].online.fields[2].key", ("- key: credit_code", 2), "credit_code is used twice"),
    ("unknown type", [("          type: address", "          type: postcode")],
     "items[0].online.fields[2].type", ("type: postcode", 1), "unknown type \"postcode\""),
    ("choices missing on a choice field", [(NIGHT_CHOICES, "")],
     "items[0].online.fields[5].choices", ("- key: night_work", 1), "needs its choices"),
    ("choices on a text field", [("          max_length: 100\n", "          choices: [甲]\n")],
     "items[0].online.fields[0].choices", ("choices: [甲]", 1), "only on a choice field"),
    ("length limit on a date", [("          type: date\n", "          type: date\n          max_length: 10\n")],
     "items[0].online.fields[4].max_length", ("max_length: 10", 2), "only on a text field"),
    ("value limit on text", [("          max_length: 100\n", "          min: 3\n")],
     "items[0].online.fields[0].min", ("min: 3", 1), "only on a number field"),
    ("min above max", [("          max: 5000", "          max: 0.5")],
     "items[0].online.fields[3].max", ("max: 0.5", 1), "largest value (0.5) is smaller than the smallest (1)"),
    ("unknown material type", [("            - docx\n", "            - exe\n")],
     "items[0].online.materials[1].types[1]", ("- exe", 1), "unknown type of file \"exe\""),
    ("template naming a missing form", [(TEMPLATE_COMMENT, "          template: 城市道路挖掘申请表")],
     "items[0].online.materials[1].template", ("template: 城市道路挖掘申请表", 1), "no application form called"),
    ("negative statutory limit", [("statutory_limit_days: 20    # 法定时限", "statutory_limit_days: -3")],
     "items[0].online.statutory_limit_days", ("statutory_limit_days: -3", 1), "at least 1 working day"),
    ("negative promised limit", [("promised_limit_days: 12     # 承诺时限；不写则为各环节时限之和", "promised_limit_days: -1")],
     "items[0].online.promised_limit_days", ("promised_limit_days: -1", 1), "cannot be negative"),
    ("negative length", [("          max_length: 100", "          max_length: -1")],
     "items[0].online.fields[0].max_length", ("max_length: -1", 1), "from 0 to 100000"),
    ("size limit of 0 MB", [("          max_mb: 20", "          max_mb: 0")],
     "items[0].online.materials[1].max_mb", ("max_mb: 0", 1), "from 1 to 100"),
    ("promised above statutory", [("promised_limit_days: 12     # 承诺时限；不写则为各环节时限之和", "promised_limit_days: 25")],
     "items[0].online.promised_limit_days", ("promised_limit_days: 25", 1), "longer than the statutory one"),
    ("material listed twice", [("        - name: 施工方案及交通组织方案", "        - name: 营业执照")],
     "items[0].online.materials[1].name", ("- name: 营业执照", 2), "listed twice"),
    ("unknown applicant", [("      applicant: company ", "      applicant: anyone ")],
     "items[0].online.applicant", ("applicant: anyone", 1), "use one of person, company, both"),
    ("unknown field", [("      enabled: true\n", "      enabled: true\n      enable: true\n")],
     "items[0].online.enable", ("enable: true", 1), "unknown field enable"),
]  # fmt: skip


@pytest.mark.parametrize(
    "replacements, field, where, words", [case[1:] for case in CASES], ids=[c[0] for c in CASES]
)
def test_each_online_error_names_its_line_and_field_and_nothing_is_written(
    app, english, replacements, field, where, words
):
    text = edited(*replacements)
    before = counts()
    report = load(text)
    assert not report.ok
    ours = [error for error in report.errors if error.field == field]
    assert ours, [str(e) for e in report.errors]
    assert ours[0].line == line_of(text, *where), str(ours[0])
    assert words in ours[0].message, str(ours[0])
    assert counts() == before
    assert not audit_entries()


def test_an_error_in_the_online_section_of_a_loaded_item_changes_nothing(app, english):
    load_example()
    report = load(edited((NIGHT_CHOICES, ""), ("label_zh: 建设单位名称", "label_zh: 单位")))
    assert not report.ok
    db.session.rollback()
    assert spec().version == 1 and spec().fields[0].label_zh == "建设单位名称"


# --- loading, versions, dry runs ----------------------------------------------------------------


def test_each_changing_import_bumps_the_version_once_and_an_unchanged_one_not_at_all(app, english):
    load_example()
    assert load(EXAMPLE).unchanged == ["KM-CGJ-001", "KM-CGJ-002"]
    db.session.commit()
    assert spec().version == 1
    assert len(audit_entries("catalog.item.update")) == 0

    # Three changes in one file: one new version.
    changed = edited(
        ("label_zh: 挖掘道路及路段", "label_zh: 挖掘道路名称及路段"),
        ("      identity_level: phone ", "      identity_level: counter "),
        ("          max_mb: 20", "          max_mb: 30"),
    )
    report = load(changed)
    assert report.ok and report.updated == ["KM-CGJ-001"]
    changes = report.changes["KM-CGJ-001"]
    assert changes["online.identity_level"] == ["phone", "counter"]
    assert changes["online.fields.road"][1]["label_zh"] == "挖掘道路名称及路段"
    assert changes["online.materials.施工方案及交通组织方案"][1]["max_mb"] == 30
    assert changes["online.version"] == [1, 2]
    db.session.commit()
    offer = spec()
    assert offer.version == 2 and offer.identity_level == IdentityLevel.COUNTER
    field_ids = [f.id for f in offer.fields]
    entries = audit_entries("catalog.item.update")
    assert len(entries) == 1 and entries[0].data["changes"]["online.version"] == [1, 2]

    # The same file again: nothing.
    assert load(changed).unchanged == ["KM-CGJ-001", "KM-CGJ-002"]
    db.session.commit()
    assert spec().version == 2 and len(audit_entries("catalog.item.update")) == 1

    # A field moved, one removed: the rows that stay keep their ids.
    moved = edited(
        (
            "        - key: company_name\n          label_zh: 建设单位名称\n"
            "          label_en: Name of the builder\n          type: text\n"
            "          required: true\n          max_length: 100\n",
            "",
        ),
        text=changed,
    )
    moved = moved.replace("      materials:", (
        "        - key: company_name\n          label_zh: 建设单位名称\n"
        "          label_en: Name of the builder\n          type: text\n"
        "          required: true\n          max_length: 100\n      materials:"
    ), 1)  # fmt: skip
    report = load(moved)
    assert report.ok and report.changes["KM-CGJ-001"]["online.fields"][1][-1] == "company_name"
    db.session.commit()
    offer = spec()
    assert offer.version == 3 and offer.fields[-1].key == "company_name"
    assert sorted(f.id for f in offer.fields) == sorted(field_ids)


def test_a_dry_run_reports_online_changes_and_changes_nothing(app, english):
    load_example()
    before = counts()
    report = load(edited(("      enabled: true\n", "      enabled: false\n")), dry_run=True)
    assert report.ok and report.dry_run and report.updated == ["KM-CGJ-001"]
    assert report.changes["KM-CGJ-001"]["online.enabled"] == [True, False]
    db.session.commit()
    assert counts() == before
    assert spec().enabled and spec().version == 1


def test_a_new_offer_in_a_dry_run_is_not_written(app, english):
    text = EXAMPLE
    report = load(text, dry_run=True)
    assert report.ok and report.changes["KM-CGJ-001"]["online"][0] is None
    db.session.commit()
    assert item("KM-CGJ-001") is None


def test_a_file_without_the_online_section_leaves_the_offer_as_it_is(app, english):
    load_example()
    data = yaml.safe_load(EXAMPLE)
    del data["items"][0]["online"]
    report = load(dumps(data, "yaml"))
    assert report.ok and report.unchanged == ["KM-CGJ-001", "KM-CGJ-002"]
    db.session.commit()
    assert spec() is not None and spec().version == 1 and len(spec().fields) == 6


# --- templates ----------------------------------------------------------------------------------


def test_a_template_names_one_of_the_items_forms_and_exports_back(app, english, instance):
    load_example()
    form = catalog.add_form(
        item("KM-CGJ-001"),
        title="城市道路挖掘申请表",
        filename="挖掘申请表.pdf",
        data=PDF,
        actor=None,
    )
    db.session.commit()
    with_template = edited((TEMPLATE_COMMENT, "          template: 城市道路挖掘申请表"))
    report = load(with_template)
    assert report.ok, [str(e) for e in report.errors]
    db.session.commit()
    offer = spec()
    assert offer.version == 2 and offer.materials[1].template_form_id == form.id
    exported = export_department(department())
    assert exported["items"][0]["online"]["materials"][1]["template"] == "城市道路挖掘申请表"
    assert load(dumps(exported, "yaml")).unchanged == ["KM-CGJ-001", "KM-CGJ-002"]
    # By its file name, the same form: nothing changes.
    by_filename = with_template.replace("template: 城市道路挖掘申请表", "template: 挖掘申请表.pdf")
    assert load(by_filename).unchanged == ["KM-CGJ-001", "KM-CGJ-002"]
    db.session.commit()
    assert spec().version == 2
    # Another name: the error lists the item's forms.
    report = load(with_template.replace("template: 城市道路挖掘申请表", "template: 别的表"))
    assert not report.ok
    assert 'its forms are "城市道路挖掘申请表"' in report.errors[0].message
