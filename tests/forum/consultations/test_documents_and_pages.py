"""Documents to read (type sniffed, stored by portal.uploads, downloaded as attachments), editing
the window (a reopened consultation is announced again at its new close), and the thread page's
cost with a full page of opinions."""

from __future__ import annotations

import io
from datetime import timedelta

import sqlalchemy as sa

from forum.consultations import notify, services
from forum.consultations.models import ConsultationDocument, Stance
from forum.models import Thread
from portal import uploads
from portal.extensions import db
from tests.conftest import make_user
from tests.forum.consultations.conftest import CLOSES, OPENS

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"


def test_documents_are_sniffed_stored_and_offered_for_download(clock, client, consultation, admin):
    client.login(admin.email)
    url = f"/forum/consultations/{consultation.id}/documents"
    response = client.post(
        url,
        {"title": "环评报告简本", "file": (io.BytesIO(PDF), "报告.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    document = db.session.scalar(sa.select(ConsultationDocument))
    assert (document.title, document.content_type) == ("环评报告简本", "application/pdf")
    assert uploads.path_for("consultations", document.stored_name).read_bytes() == PDF

    response = client.post(
        url,
        {"title": "伪装的文件", "file": (io.BytesIO(b"<script>alert(1)</script>"), "x.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "Documents are PDF, Word" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ConsultationDocument)) == 1

    client.logout()
    page = client.get(f"/forum/t/{consultation.thread_id}").get_data(as_text=True)
    assert "环评报告简本" in page
    download = client.get(f"/forum/consultations/documents/{document.id}")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Disposition"].startswith("attachment")

    client.login(admin.email)
    stored, document_id = uploads.path_for("consultations", document.stored_name), document.id
    response = client.post(f"/forum/consultations/documents/{document_id}/delete")
    assert response.status_code == 302
    assert not stored.exists()
    assert client.get(f"/forum/consultations/documents/{document_id}").status_code == 404


def test_a_citizen_cannot_upload_or_remove_documents(clock, client, consultation, citizen):
    client.login(citizen.email)
    response = client.post(
        f"/forum/consultations/{consultation.id}/documents",
        {"file": (io.BytesIO(PDF), "a.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 403


def test_a_reopened_consultation_is_announced_again_at_its_new_close(
    clock, consultation, admin, citizen, unheld
):
    clock.at(OPENS)
    services.post_opinion(consultation, citizen, "支持", Stance.SUPPORT)
    clock.at(CLOSES)
    assert notify.close_due() == [consultation.id]
    db.session.commit()
    assert db.session.get(Thread, consultation.thread_id).is_locked

    later = CLOSES + timedelta(days=3)
    services.edit_consultation(consultation, admin, "延长征集期", "摘要", OPENS, later)
    db.session.commit()
    assert consultation.close_notified_at is None
    assert not db.session.get(Thread, consultation.thread_id).is_locked
    services.post_opinion(consultation, citizen, "延长后再补充", Stance.SUGGESTION)
    assert notify.close_due() == []
    clock.at(later)
    assert notify.close_due() == [consultation.id]


def test_the_thread_page_costs_the_same_with_a_full_page_of_opinions(
    clock, client, consultation, count_queries, unheld
):
    clock.at(OPENS)
    people = [make_user(f"p{n}@example.com", name=f"市民{n}") for n in range(4)]
    url = f"/forum/t/{consultation.thread_id}"
    client.get(url)  # warm up
    with count_queries() as few:
        client.get(url)
    for number in range(24):
        stance = list(Stance)[number % 3]
        services.post_opinion(consultation, people[number % 4], f"意见{number}", stance, "fees")
    db.session.commit()
    with count_queries() as many:
        page = client.get(url).get_data(as_text=True)
    assert page.count('class="badge stance-') == 24
    assert many.count <= few.count + 2, many.statements
