"""Administrators upload application forms (checked by their content) and import submission files on the web."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from disclosure.catalog import services as catalog
from disclosure.catalog.models import ApplicationForm, ApprovalItem
from disclosure.directory.models import Department
from portal import uploads
from portal.audit import AuditEntry
from portal.extensions import db
from tests.disclosure.admin_world import PDF, audit_entries, text
from tests.disclosure.admin_world import instance as instance  # the fixtures
from tests.disclosure.admin_world import world as world
from tests.portal.test_uploads import docx, png

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


def test_add_form_refuses_anything_but_word_and_pdf_and_keeps_no_file(app, world, instance):
    for data in (b"MZ\x90\x00", png((10, 10)), b"<html></html>"):
        with pytest.raises(catalog.CatalogError, match="WORD"):
            catalog.add_form(world.item, title="x", filename="x.pdf", data=data, actor=None)
    assert len(list((instance / "uploads" / "forms").iterdir())) == 1  # the world's own


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
