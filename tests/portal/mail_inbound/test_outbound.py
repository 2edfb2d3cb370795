"""Outbound side: stored files travel as attachments, and every message carries the loop header."""

from __future__ import annotations

from portal import uploads
from portal.extensions import db
from portal.mail.dispatch import dispatch_due
from portal.mail.outbox import OutboundFile, queue_message
from portal.mail.tokens import REPLY_MARKER, parse_reply_address, reply_address

PDF = b"%PDF-1.4\n%%EOF\n"


def test_attachments_and_loop_header_reach_the_smtp_server(app, mail_to_smtp):
    stored = uploads.store("complaints", PDF, "pdf")
    queue_message(
        kind="probe",
        to=["officer@hz.gov.cn"],
        subject="[TS20261126-0001] 新投诉",
        body_text=f"{REPLY_MARKER}\n正文",
        reply_to=reply_address("complaint", 3),
        files=[OutboundFile("现场照片说明.pdf", "application/pdf", "complaints", stored)],
    )
    db.session.commit()
    assert dispatch_due().sent == 1
    [message] = mail_to_smtp.messages()
    assert message["X-Kaimen-Loop"] == "kaimen.test"
    assert parse_reply_address(message["Reply-To"]).token_ok
    [attachment] = [part for part in message.iter_attachments()]
    assert attachment.get_filename() == "现场照片说明.pdf"
    assert attachment.get_content() == PDF


def test_reply_address_token_is_long_lower_case_and_checked(app):
    address = reply_address("complaint", 42)
    local = address.split("@")[0]
    token = local.split(".")[1]
    assert local.startswith("complaint+42.") and token == token.lower() and len(token) >= 13
    assert parse_reply_address(address.upper()).token_ok  # a relay changing case loses nothing
    assert parse_reply_address(f"张三 <{address}>").token_ok
    other = reply_address("complaint", 43).split(".")[1].split("@")[0]
    forged = address.replace(token, other)
    parsed = parse_reply_address(forged)
    assert (parsed.token_ok, parsed.near_miss, parsed.object_id) == (False, True, 42)
    assert parse_reply_address("complaint+42.abc@elsewhere.example") is None
    assert parse_reply_address("someone@kaimen.test") is None
