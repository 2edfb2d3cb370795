"""Attachments: the type comes from the content, sizes and counts are limited, names are cleaned."""

from __future__ import annotations

import io
from urllib.parse import unquote

import pytest
import sqlalchemy as sa

from complaints import attachments
from complaints.attachments import Incoming, clean_filename, content_disposition
from complaints.errors import ComplaintError
from complaints.models import Complaint, ComplaintAttachment
from portal import uploads
from portal.extensions import db
from tests.complaints.files import PDF, png


def _stored_files(app) -> list:
    directory = uploads._area_dir("complaints")
    return sorted(directory.iterdir()) if directory.exists() else []


def test_a_text_file_renamed_pdf_is_refused(make_complaint, app):
    with pytest.raises(ComplaintError, match="this type of file is not accepted"):
        make_complaint(files=[Incoming("report.pdf", b"just some text, not a PDF")])
    db.session.rollback()
    assert _stored_files(app) == []


def test_an_oversized_file_is_refused(make_complaint, app):
    app.config["KAIMEN_COMPLAINT_MAX_BYTES"] = 1024
    with pytest.raises(ComplaintError, match="too large"):
        make_complaint(files=[Incoming("big.pdf", PDF + b"0" * 2000)])


def test_six_files_are_refused(make_complaint):
    with pytest.raises(ComplaintError, match="at most 5 files"):
        make_complaint(files=[Incoming(f"{n}.pdf", PDF) for n in range(6)])


def test_five_files_of_the_accepted_kinds_are_stored(make_complaint, app):
    complaint = make_complaint(
        files=[Incoming("a.pdf", PDF), Incoming("b.png", png()), Incoming("c.jpg", png())]
    )
    rows = db.session.scalars(
        sa.select(ComplaintAttachment).where(ComplaintAttachment.complaint_id == complaint.id)
    ).all()
    # a PNG called .jpg is offered as what it is
    assert [r.filename for r in rows] == ["a.pdf", "b.png", "c.png"]
    assert [r.content_type for r in rows] == ["application/pdf", "image/png", "image/png"]
    for row in rows:
        assert uploads.NAME_PATTERN.match(row.stored_name)
        assert uploads.path_for("complaints", row.stored_name).is_file()
        assert row.event_id is not None  # the FILED event


@pytest.mark.parametrize(
    ("given", "kind", "offered"),
    [
        ("../../etc/passwd.pdf", "pdf", "passwd.pdf"),
        ("..\\..\\windows\\win.ini.pdf", "pdf", "win.ini.pdf"),
        ("a\u202egnp.exe", "png", "agnp.exe.png"),
        ("<script>.png", "png", "script.png"),
        ("投诉\x00材料\r\n.pdf", "pdf", "投诉材料.pdf"),
        ("...", "pdf", "attachment.pdf"),
        ("x" * 300 + ".pdf", "pdf", "x" * 96 + ".pdf"),
        ("photo.jpeg", "jpeg", "photo.jpg"),
    ],
)
def test_hostile_names_are_cleaned(app, given, kind, offered):
    assert clean_filename(given, kind) == offered


def test_hostile_names_are_stored_and_offered_safely(make_complaint, client, app):
    hostile = ["../../etc/passwd.pdf", "a\u202egnp.exe", "<script>.png"]
    complaint = make_complaint(
        files=[Incoming(hostile[0], PDF), Incoming(hostile[1], png()), Incoming(hostile[2], png())]
    )
    rows = db.session.scalars(
        sa.select(ComplaintAttachment)
        .where(ComplaintAttachment.complaint_id == complaint.id)
        .order_by(ComplaintAttachment.id)
    ).all()
    assert [r.filename for r in rows] == ["passwd.pdf", "agnp.exe.png", "script.png"]
    # nothing outside the area, every stored name generated
    assert sorted(p.name for p in _stored_files(app)) == sorted(r.stored_name for r in rows)

    client.login("complainant@example.com")
    page = client.get(f"/complaints/{complaint.tracking_number}").get_data(as_text=True)
    assert "<script>" not in page and "\u202e" not in page
    response = client.get(f"/complaints/{complaint.tracking_number}/files/{rows[1].id}")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "\u202e" not in disposition and ".." not in disposition
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_content_disposition_offers_the_unicode_name_per_rfc_5987():
    value = content_disposition("投诉 材料.pdf")
    assert value.startswith('attachment; filename="')
    assert value.isascii()
    encoded = value.split("filename*=UTF-8''", 1)[1]
    assert unquote(encoded) == "投诉 材料.pdf"


def test_files_of_a_refused_filing_are_not_kept(make_complaint, app):
    """The second file is refused: the first is not stored either (checked before storing)."""
    with pytest.raises(ComplaintError):
        make_complaint(files=[Incoming("ok.pdf", PDF), Incoming("bad.pdf", b"MZ\x90\x00")])
    db.session.rollback()
    assert _stored_files(app) == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Complaint)) == 0


def test_web_upload_of_a_renamed_file_re_renders_the_form(client, item, complainant, app):
    client.login(complainant.email)
    response = client.post(
        f"/complaints/new?item={item.code}",
        {
            "subject": "窗口拒收",
            "details": "经过",
            "contact_name": "投诉人甲",
            "contact_email": "complainant@example.com",
            "notification_method": "email",
            "step": "",
            "attachments": [(io.BytesIO(b"#!/bin/sh\nrm -rf /"), "evidence.pdf")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "this type of file is not accepted" in html
    assert 'value="窗口拒收"' in html  # the user's input is kept
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Complaint)) == 0
    assert _stored_files(app) == []


def test_max_files_constant_matches_the_form_hint():
    assert attachments.MAX_FILES == 5
