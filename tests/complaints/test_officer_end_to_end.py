"""End to end with a real SMTP server: filed → confirmation and officer emails arrive → the
officer answers on the web → the answer email reaches the complainant → "notified on time"."""

from __future__ import annotations

from portal.mail.dispatch import dispatch_due
from tests.complaints.officer_world import english, reload


def test_filed_answered_on_the_web_and_notified_by_email(
    client, mail_to_smtp, make_complaint, holder, complainant
):
    complaint = make_complaint(notification_method="email")
    assert dispatch_due().sent == 2
    by_recipient = {tuple(r.rcpt_tos): r.message for r in mail_to_smtp.received}
    assert complaint.tracking_number in by_recipient[("complainant@example.com",)]["Subject"]
    officer_mail = next(
        m for rcpts, m in by_recipient.items() if "holder@linjiang.gov.example" in rcpts
    )
    assert complaint.tracking_number in officer_mail.get_body(("plain",)).get_content()

    english(client).login(holder.email)
    response = client.post(
        f"/complaints/{complaint.tracking_number}/answer",
        {"answer-source": "经核实，窗口已向您致歉并当场受理。"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    client.logout()

    assert dispatch_due().sent == 1
    answer_mail = mail_to_smtp.received[-1]
    assert answer_mail.rcpt_tos == ["complainant@example.com"]
    body = answer_mail.message.get_body(("plain",)).get_content()
    assert "经核实，窗口已向您致歉并当场受理。" in body
    assert f"/complaints/{complaint.tracking_number}" in body

    client.login(complainant.email)
    page = client.get(f"/complaints/{complaint.tracking_number}").get_data(as_text=True)
    assert "notified on time" in page
    assert "经核实，窗口已向您致歉并当场受理。" in page
    assert reload(complaint).notified_on_time is True
