"""Each kind of error in a submission file names its line and field in plain words; nothing is written."""

from __future__ import annotations

import json

import pytest
import yaml

from disclosure.catalog.submission import SubmissionError
from portal.extensions import db
from tests.disclosure.submission_helpers import (
    EXAMPLE,
    counts,
    department,
    edited,
    line_of,
    load,
    load_example,
)
from tests.disclosure.submission_helpers import english as english  # the fixture


def test_submission_error_reads_file_line_field_message():
    error = SubmissionError("a.yaml", 12, "items[0].code", "wrong")
    assert str(error) == "a.yaml:12: items[0].code: wrong"
    assert str(SubmissionError("a.yaml", None, "", "too large")) == "a.yaml: too large"


# --- one error of each kind, with its line and field; nothing written ----------------------------

ADS_REVIEW = "      - kind: review\n        position: supervision\n        time_limit: 8"
ADS_DECISION = "      - kind: decision\n        position: supervision\n        time_limit: 4"
ADS_COMPLAINT = (
    "      - kind: complaint\n        position: supervision\n        time_limit: 10\n"
    "        channels: 开门门户网站“投诉”栏目、投诉电话。\n        phone: 0000-12345612\n"
    "        notification_method: 电子邮件或电话告知投诉人\n        notification_time_limit: 3\n"
)
ADS_DRAFT = "    published: false              # 草稿：尚未向公众公开"
ADS_ACCEPTANCE = (
    "      - kind: acceptance\n        position: window\n        time_limit: 1\n"
    "        standard: 申办材料齐全、规范、有效。\n"
)

# (id, replacements, field, (needle, occurrence) of the line, words of the message)
CASES = [
    ("missing element", [("    legal_basis: 《开门市户外广告设置管理办法》（示例）第十二条。\n", "")],
     "items[1].legal_basis", ("- code: KM-CGJ-002", 1), "missing element: legal_basis"),
    ("unknown position", [(ADS_REVIEW, ADS_REVIEW.replace("supervision", "nobody"))],
     "items[1].steps[1].position", ("position: nobody", 1), "unknown position nobody"),
    ("fractional time limit",
     [("        time_limit: 5\n        standard: 挖掘", "        time_limit: 2.5\n        standard: 挖掘")],
     "items[0].steps[1].time_limit", ("time_limit: 2.5", 1),
     "a time limit must be a whole number of working days (got 2.5)"),
    ("time limit as text", [("time_limit: 8", "time_limit: 八天")],
     "items[1].steps[1].time_limit", ("time_limit: 八天", 1), "whole number of working days"),
    ("negative time limit", [("time_limit: 8", "time_limit: -1")],
     "items[1].steps[1].time_limit", ("time_limit: -1", 1), "cannot be negative"),
    ("zero total time limit", [("total_time_limit: 15", "total_time_limit: 0")],
     "items[1].total_time_limit", ("total_time_limit: 0", 1), "at least 1 working day"),
    ("duplicate item code", [("  - code: KM-CGJ-002", "  - code: KM-CGJ-001")],
     "items[1].code", ("- code: KM-CGJ-001", 2), "KM-CGJ-001 is used twice"),
    ("step out of order", [(ADS_REVIEW, ADS_REVIEW.replace("review", "notification"))],
     "items[1].steps[2].kind", ("- kind: decision", 2), "out of order"),
    ("step repeated", [(ADS_DECISION, ADS_DECISION.replace("decision", "review"))],
     "items[1].steps[2].kind", ("- kind: review", 3), "two review steps"),
    ("unknown step kind", [(ADS_DECISION, ADS_DECISION.replace("decision", "approval"))],
     "items[1].steps[2].kind", ("- kind: approval", 1), "unknown step kind"),
    ("published without acceptance step", [(ADS_DRAFT, "    published: true"), (ADS_ACCEPTANCE, "")],
     "items[1].steps", ("    steps:", 2), "no acceptance step"),
    ("published without complaint step", [(ADS_DRAFT, "    published: true"), (ADS_COMPLAINT, "")],
     "items[1].steps", ("    steps:", 2), "no complaint step"),
    ("draft with a step repeated", [(ADS_ACCEPTANCE, ""), (ADS_DECISION, ADS_REVIEW)],
     "items[1].steps[1].kind", ("- kind: review", 3), "two review steps"),
    ("draft with a complaint step without phone",
     [(ADS_ACCEPTANCE, ""), (ADS_COMPLAINT, ADS_COMPLAINT.replace("        phone: 0000-12345612\n", ""))],
     "items[1].steps[2].phone", ("- kind: complaint", 2), "the complaint step needs phone"),
    ("phone too short once trimmed", [("  public_phone: 0000-12345600", '  public_phone: " 1 "')],
     "department.public_phone", ("public_phone:", 1), "too short"),
    ("negative sort order", [("  default_complaint_position: supervision\n",
                              "  default_complaint_position: supervision\n  sort_order: -1\n")],
     "department.sort_order", ("sort_order: -1", 1), "from 0 to 1000000"),
    ("complaint field on another step",
     [(ADS_DECISION, ADS_DECISION + "\n        channels: 来信来访")],
     "items[1].steps[2].channels", ("channels: 来信来访", 1), "only on the complaint step"),
    ("consultation time limit on another step",
     [(ADS_REVIEW, ADS_REVIEW + "\n        consultation_time_limit: 3")],
     "items[1].steps[1].consultation_time_limit", ("consultation_time_limit: 3", 1),
     "only on the acceptance step"),
    ("complaint step without notification method",
     [("        notification_method: 电子邮件或电话告知投诉人\n", "")],
     "items[1].steps[3].notification_method", ("- kind: complaint", 2),
     "the complaint step needs notification_method"),
    ("invalid leader email", [("email: li.yangben@cgj.kaimen.example", "email: li.yangben(at)cgj")],
     "leaders[1].email", ("li.yangben(at)cgj", 1), "not a valid email address"),
    ("invalid staff email",
     [("    email: zhang.chuangkou@cgj.kaimen.example", "    email: zhang chuangkou@cgj.kaimen.example")],
     "staff[0].email", ("zhang chuangkou", 1), "not a valid email address"),
    ("invalid department email", [("email: office@cgj.kaimen.example", "email: office@cgj")],
     "department.email", ("email: office@cgj", 1), "not a valid email address"),
    ("unknown field", [("    legal_basis: 《开门市户外广告", "    legal_basi: 《开门市户外广告")],
     "items[1].legal_basi", ("legal_basi:", 1), "unknown field legal_basi: did you mean legal_basis?"),
    ("holder not on the staff",
     [("    holder: zhang.chuangkou@cgj.kaimen.example", "    holder: nobody@cgj.kaimen.example")],
     "positions[0].holder", ("holder: nobody@", 1), "not among the staff"),
    ("deputy without a holder", [("    holder: zhang.chuangkou@cgj.kaimen.example\n", "")],
     "positions[0].deputy", ("deputy: zhao.shenhe", 1), "vacant position"),
    ("unknown default complaint position",
     [("default_complaint_position: supervision", "default_complaint_position: letters")],
     "department.default_complaint_position", ("default_complaint_position:", 1),
     "unknown position letters"),
    ("duplicate position code", [("  - code: supervision\n", "  - code: window\n")],
     "positions[1].code", ("- code: window", 2), "position window is listed twice"),
    ("duplicate staff email",
     [("    email: qian.ducha@cgj.kaimen.example", "    email: Zhao.Shenhe@cgj.kaimen.example")],
     "staff[2].email", ("Zhao.Shenhe", 1), "is listed twice"),
    ("duplicate leader name", [("  - name: 李样本", "  - name: 王示范")],
     "leaders[1].name", ("- name: 王示范", 2), "leader 王示范 is listed twice"),
    ("blank element", [("    fee_standard: 不收费。", '    fee_standard: "  "')],
     "items[1].fee_standard", ('fee_standard: "  "', 1), "must not be empty"),
    ("too long", [("  short_name: 市城管局", "  short_name: " + "长" * 61)],
     "department.short_name", ("short_name: 长", 1), "at most 60"),
    ("postcode", [('postcode: "300001"', 'postcode: "3000"')],
     "department.postcode", ("postcode:", 1), "six digits"),
    ("number where text is wanted", [('postcode: "300001"', "postcode: 300001")],
     "department.postcode", ("postcode:", 1), "put it in quotes"),
    ("wrong format", [("format: kaimen-submission/1", "format: kaimen-submission/9")],
     "format", ("format: kaimen", 1), "not a Kaimen submission file"),
    ("missing list", [("leaders:                          # 领导信息", "chiefs:")],
     "leaders", ("format:", 1), "missing field: leaders"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("replacements", "field", "where", "words"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_each_error_names_its_line_and_field_and_nothing_is_written(
    app, english, replacements, field, where, words
):
    load_example()
    before = counts()
    # The file also carries a good change: it must not be applied either.
    text = (
        edited(*replacements, ("  short_name: 市城管局\n", "  short_name: 城管局\n"))
        if ("short_name" not in field)
        else edited(*replacements)
    )
    report = load(text)
    assert not report.ok
    expected_line = line_of(text, *where)
    matching = [e for e in report.errors if e.field == field]
    assert matching, [str(e) for e in report.errors]
    assert matching[0].line == expected_line, [str(e) for e in report.errors]
    assert words in matching[0].message, [str(e) for e in report.errors]
    assert str(matching[0]).startswith(f"km-cgj.yaml:{expected_line}: {field}: ")
    assert report.errors == sorted(report.errors, key=lambda e: (e.line or 0, e.field, e.message))
    assert not (db.session.new or db.session.dirty or db.session.deleted)
    db.session.commit()
    assert counts() == before
    assert department().short_name == "市城管局"


def test_every_error_is_reported_at_once_in_line_order(app, english):
    text = edited(
        ("email: li.yangben@cgj.kaimen.example", "email: nope"),
        (
            "        time_limit: 5\n        standard: 挖掘",
            "        time_limit: 2.5\n        standard: 挖掘",
        ),
        ("  - code: KM-CGJ-002", "  - code: KM-CGJ-001"),
    )
    report = load(text)
    assert [(e.line, e.field) for e in report.errors] == [
        (line_of(text, "email: nope"), "leaders[1].email"),
        (line_of(text, "time_limit: 2.5"), "items[0].steps[1].time_limit"),
        (line_of(text, "- code: KM-CGJ-001", 2), "items[1].code"),
    ]
    assert set(counts().values()) == {0}


def test_a_json_file_reports_lines_too(app, english):
    data = yaml.safe_load(EXAMPLE)
    data["items"][1]["steps"][1]["time_limit"] = 2.5
    del data["items"][0]["legal_basis"]
    text = json.dumps(data, ensure_ascii=False, indent="\t")  # tabs: not YAML, still JSON
    report = load(text, "km-cgj.json")
    assert [(e.line, e.field) for e in report.errors] == [
        (line_of(text, '"code": "KM-CGJ-001"') - 1, "items[0].legal_basis"),
        (line_of(text, '"time_limit": 2.5'), "items[1].steps[1].time_limit"),
    ]  # fmt: skip
    assert set(counts().values()) == {0}


def test_a_json_file_without_errors_loads(app, english):
    text = json.dumps(yaml.safe_load(EXAMPLE), ensure_ascii=True)  # \u escapes, one line
    report = load(text, "upload")  # no extension: recognised by its first character
    assert report.ok and report.created == ["KM-CGJ-001", "KM-CGJ-002"]


@pytest.mark.parametrize(
    ("text", "name", "line", "words"),
    [
        ("format: x\nformat: y\n", "a.yaml", 2, "duplicate key format"),
        ('{"format": "x",\n "format": "y"}', "a.json", 2, "duplicate key format"),
        ("department:\n  code: [\n", "a.yaml", 3, "YAML syntax error"),
        ('{"format": "x",\n "department": }', "a.json", 2, "JSON syntax error"),
        ('{"format": "x"} extra', "a.json", 1, "after the end"),
        ("a: &x [1, 2]\nb: *x\n", "a.yaml", 2, "aliases"),
        ("a: !!python/object:os.system {}\n", "a.yaml", 1, "tags"),
        ("", "a.yaml", 1, "empty"),
        ("- just\n- a list\n", "a.yaml", 1, "must describe one department"),
    ],
)
def test_files_that_cannot_be_read_are_refused_with_a_line(app, english, text, name, line, words):
    report = load(text, name)
    assert not report.ok
    matching = [e for e in report.errors if words in e.message]
    assert matching and matching[0].line == line, [str(e) for e in report.errors]
    assert set(counts().values()) == {0}


def test_a_billion_laughs_file_is_refused_at_its_first_alias(app, english):
    text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        text += f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]\n"
    report = load(text)
    # Refused at the first value used twice (the anchored list of line 1), before any of the
    # 9⁹ values is built; a timing assertion would only measure the machine.
    assert not report.ok and "aliases" in report.errors[0].message
    assert [error.line for error in report.errors] == [1]


def test_large_and_non_utf8_files_are_refused(app, english):
    big = load(b"# " + b"x" * (5 * 1024 * 1024))
    assert not big.ok and "5 MB" in big.errors[0].message
    gbk = load(EXAMPLE.encode("gb18030"))
    assert not gbk.ok and "UTF-8" in gbk.errors[0].message and "GBK" in gbk.errors[0].message
    assert gbk.errors[0].line == 1  # the first Chinese character is in the first line
    assert load("\ufeff".encode() + EXAMPLE.encode()).ok  # a UTF-8 byte-order mark is fine
