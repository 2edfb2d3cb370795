"""Filing on the web, following up and the mail that reaches a real SMTP server."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from complaints.models import Complaint, ComplaintEvent, ComplaintStatus, EventKind
from portal.extensions import db
from portal.mail.dispatch import dispatch_due
from tests.complaints.files import PDF, png

FORM = {
    "subject": "窗口拒收申请材料",
    "details": "11 月 20 日递交材料被拒收，**未说明理由**。",
    "contact_name": "投诉人甲",
    "contact_email": "complainant@example.com",
    "contact_phone": "13800000000",
    "contact_address": "",
    "notification_method": "email",
}


def _file(client, item, **extra):
    data = {**FORM, "step": "", **extra}
    return client.post(
        f"/complaints/new?item={item.code}", data, content_type="multipart/form-data"
    )


def test_filed_on_the_web_both_emails_reach_the_smtp_server(
    client, item, complainant, complaint_position, mail_to_smtp
):
    client.login(complainant.email)
    form_page = client.get(f"/complaints/new?item={item.code}")
    assert form_page.status_code == 200
    assert item.name in form_page.get_data(as_text=True)

    response = _file(client, item, attachments=[(io.BytesIO(PDF), "证据.pdf")])
    assert response.status_code == 302
    complaint = db.session.scalar(sa.select(Complaint))
    assert response.headers["Location"].endswith(f"/complaints/{complaint.tracking_number}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert complaint.tracking_number in page
    assert "证据.pdf" in page
    assert complaint_position.name in page
    assert complaint.handling_due.isoformat() in page
    # the officer's private data is not on the complainant's page
    assert "holder@linjiang.gov.example" not in page and "投诉岗周" not in page

    report = dispatch_due()
    db.session.commit()
    assert report.sent == 2
    by_recipient = {tuple(sorted(r.rcpt_tos)): r.message for r in mail_to_smtp.received}
    assert set(by_recipient) == {
        ("complainant@example.com",),
        ("deputy@linjiang.gov.example", "holder@linjiang.gov.example"),
    }
    confirmation = by_recipient[("complainant@example.com",)]
    assert complaint.tracking_number in confirmation["Subject"]
    assert (
        f"http://kaimen.test/complaints/{complaint.tracking_number}"
        in confirmation.get_body(("plain",)).get_content()
    )
    officer = by_recipient[("deputy@linjiang.gov.example", "holder@linjiang.gov.example")]
    assert officer["To"] == "holder@linjiang.gov.example"
    assert officer["Cc"] == "deputy@linjiang.gov.example"
    text = officer.get_body(("plain",)).get_content()
    for expected in (complaint.subject, "未说明理由", complaint.handling_due.isoformat(),
                     item.name, "证据.pdf"):  # fmt: skip
        assert expected in text


def test_filing_about_a_department(client, department, complaint_position, complainant):
    client.login(complainant.email)
    page = client.get("/complaints/new").get_data(as_text=True)
    assert department.full_name in page
    response = client.post(
        "/complaints/new",
        {**FORM, "department": str(department.id)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    complaint = db.session.scalar(sa.select(Complaint))
    assert complaint.item_id is None and complaint.department_id == department.id
    assert complaint.status == ComplaintStatus.ASSIGNED


def test_a_form_error_keeps_the_input_and_says_why(client, item, complainant):
    client.login(complainant.email)
    response = _file(client, item, subject="", notification_method="letter")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Give your complaint a subject." in html or "投诉" in html
    assert "未说明理由" in html
    response = _file(client, item, notification_method="letter")
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Complaint)) == 0


def test_an_account_no_longer_verified_is_told_to_verify(client, item, complainant):
    client.login(complainant.email)
    complainant.email_verified_at = None
    db.session.commit()
    page = client.get(f"/complaints/new?item={item.code}")
    assert page.status_code == 403
    assert "Verify your email address" in page.get_data(as_text=True)
    assert _file(client, item).status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Complaint)) == 0


def test_unknown_or_draft_item_is_a_404(client, item, complainant):
    client.login(complainant.email)
    assert client.get("/complaints/new?item=NOPE").status_code == 404


def test_follow_up_adds_an_event_with_files_and_mails_the_handler(
    client, make_complaint, complainant
):
    complaint = make_complaint()
    client.login(complainant.email)
    response = client.post(
        f"/complaints/{complaint.tracking_number}/follow-up",
        {"text": "补充：当天下午三点", "attachments": [(io.BytesIO(png()), "照片.png")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    event = db.session.scalar(
        sa.select(ComplaintEvent).where(ComplaintEvent.kind == EventKind.FOLLOW_UP)
    )
    assert event.body_source == "补充：当天下午三点" and not event.internal
    page = client.get(f"/complaints/{complaint.tracking_number}").get_data(as_text=True)
    assert "补充：当天下午三点" in page and "照片.png" in page
    from portal.mail.models import OutboundMessage

    kinds = db.session.scalars(sa.select(OutboundMessage.kind)).all()
    assert "complaint_follow_up_officer" in kinds


def test_an_empty_follow_up_is_refused_with_a_message(client, make_complaint, complainant):
    complaint = make_complaint()
    client.login(complainant.email)
    response = client.post(f"/complaints/{complaint.tracking_number}/follow-up", {"text": " "})
    assert response.status_code == 400
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).where(ComplaintEvent.kind == EventKind.FOLLOW_UP)
        )
        == 0
    )


def test_the_page_shows_the_timeline_without_internal_notes(client, make_complaint, complainant):
    from complaints import states

    complaint = make_complaint()
    states.add_event(complaint, EventKind.NOTE, internal=True, body_source="仅内部可见",
                     body_html="<p>仅内部可见</p>")  # fmt: skip
    db.session.commit()
    client.login(complainant.email)
    html = client.get(f"/complaints/{complaint.tracking_number}").get_data(as_text=True)
    assert "仅内部可见" not in html
    assert 'id="follow-up"' in html
    assert 'id="rating"' not in html  # not answered yet


@pytest.mark.parametrize(
    "app_config",
    [
        {
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_COMPLAINT": "2 per hour",
            "RATELIMIT_LOGIN": "50 per minute",
        }
    ],
)
def test_filing_is_rate_limited_per_account(client, item, complainant, other_citizen, app_config):
    client.login(complainant.email)
    assert _file(client, item).status_code == 302
    assert _file(client, item).status_code == 302
    assert _file(client, item).status_code == 429
    assert client.get(f"/complaints/new?item={item.code}").status_code == 200  # reading is free
    client.logout()
    client.login(other_citizen.email)
    assert _file(client, item).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Complaint)) == 3


def _answered(complaint):
    from complaints import states

    states.move(complaint, "answer", body_source="已处理", body_html="<p>已处理</p>")
    db.session.commit()


def test_the_answered_complaint_asks_for_a_rating(client, make_complaint, complainant):
    complaint = make_complaint()
    _answered(complaint)
    client.login(complainant.email)
    url = f"/complaints/{complaint.tracking_number}"
    html = client.get(url).get_data(as_text=True)
    assert 'id="rating"' in html and "已处理" in html

    refused = client.post(f"{url}/rate", {"rating": "9"})
    assert refused.status_code == 400
    assert 'id="rating"' in refused.get_data(as_text=True)
    assert client.post(f"{url}/rate", {"rating": "2", "comment": "太慢"}).status_code == 302
    db.session.refresh(complaint)
    assert (complaint.rating, complaint.rating_comment) == (2, "太慢")
    rated = db.session.scalar(
        sa.select(ComplaintEvent).where(ComplaintEvent.kind == EventKind.RATED)
    )
    assert rated.data["rating"] == 2 and rated.actor_id == complainant.id


def test_a_closed_complaint_takes_no_follow_up(client, make_complaint, complainant):
    from complaints import states

    complaint = make_complaint()
    _answered(complaint)
    states.move(complaint, "notify")
    states.move(complaint, "close")
    db.session.commit()
    client.login(complainant.email)
    url = f"/complaints/{complaint.tracking_number}"
    assert 'id="follow-up"' not in client.get(url).get_data(as_text=True)
    assert client.post(f"{url}/follow-up", {"text": "还有一点"}).status_code == 403


@pytest.mark.parametrize(
    "app_config",
    [
        {
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_COMPLAINT_FOLLOW_UP": "2 per hour",
            "RATELIMIT_LOGIN": "50 per minute",
        }
    ],
)
def test_follow_ups_are_rate_limited(client, make_complaint, complainant, app_config):
    complaint = make_complaint()
    client.login(complainant.email)
    url = f"/complaints/{complaint.tracking_number}"
    assert client.post(f"{url}/follow-up", {"text": "补充一"}).status_code == 302
    assert client.post(f"{url}/follow-up", {"text": "补充二"}).status_code == 302
    assert client.post(f"{url}/follow-up", {"text": "补充三"}).status_code == 429
    assert client.get(url).status_code == 200  # reading is free
    followed = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(ComplaintEvent)
        .where(
            ComplaintEvent.complaint_id == complaint.id, ComplaintEvent.kind == EventKind.FOLLOW_UP
        )
    )
    assert followed == 2


def _selected_step(html: str) -> str | None:
    import re

    select = re.search(r'<select[^>]*name="step".*?</select>', html, re.S).group(0)
    chosen = re.search(
        r'<option[^>]*selected[^>]*value="([^"]*)"|<option[^>]*value="([^"]*)"[^>]*selected', select
    )
    return None if chosen is None else (chosen.group(1) or chosen.group(2))


def test_a_step_named_in_the_link_is_chosen_in_the_form(client, item, complainant):
    """An application's "complain about this step" link lands on the form with that step chosen;
    an unknown step leaves the choice to the complainant."""
    client.login(complainant.email)
    acceptance = next(step for step in item.steps if step.kind == "acceptance")
    page = client.get(f"/complaints/new?item={item.code}&step=acceptance").get_data(as_text=True)
    assert _selected_step(page) == str(acceptance.id)
    page = client.get(f"/complaints/new?item={item.code}&step=nonsense").get_data(as_text=True)
    assert _selected_step(page) in (None, "")
