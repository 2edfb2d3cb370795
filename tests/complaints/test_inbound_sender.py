"""A reply answers a complaint only when its From is really the holder's (or deputy's) address.

The address is read from the raw From header: a display name that decodes to the holder's address
(``=?utf-8?q?holder=40…?= <evil@attacker.example>``), several addresses, or several From headers
do not make the holder the sender. Such a reply goes to the holding pen with the reason.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from complaints.models import ComplaintEvent, ComplaintStatus, EventKind
from portal.extensions import db
from portal.mail.inbound.ingest import ingest
from portal.mail.inbound_models import InboundOutcome
from portal.mail.tokens import reply_address
from tests.portal.mail_inbound.conftest import eml

HOLDER = "holder@linjiang.gov.example"
EVIL = "evil@attacker.example"


def _reply_from(complaint, from_header: str) -> object:
    raw = eml("gmail_zh.eml", to=reply_address("complaint", complaint.id))
    header = from_header.encode()
    raw = re.sub(rb"(?m)^From: [^\r\n]*", lambda _m: b"From: " + header, raw, count=1)
    return ingest(raw)


def _answered(complaint) -> bool:
    return (
        db.session.scalar(
            sa.select(ComplaintEvent.id).where(
                ComplaintEvent.complaint_id == complaint.id,
                ComplaintEvent.kind == EventKind.ANSWERED,
            )
        )
        is not None
    )


@pytest.mark.parametrize(
    ("from_header", "named"),
    [
        ("=?utf-8?q?holder=40linjiang.gov.example?= <evil@attacker.example>", EVIL),
        ("=?utf-8?b?aG9sZGVyQGxpbmppYW5nLmdvdi5leGFtcGxl?= <evil@attacker.example>", EVIL),
        ('"holder@linjiang.gov.example" <evil@attacker.example>', EVIL),
        ("evil@attacker.example (holder@linjiang.gov.example)", EVIL),
        ("holder@linjiang.gov.example (comment) <evil@attacker.example>", "addresses in From"),
        ("holder@linjiang.gov.example, evil@attacker.example", "2 addresses in From"),
        ("evil@attacker.example, holder@linjiang.gov.example", "2 addresses in From"),
        ("<=?utf-8?q?holder=40linjiang.gov.example?=>", "no plain address in From"),
        (f"{HOLDER}\r\nFrom: {EVIL}", "2 From headers"),
    ],
)
def test_a_forged_sender_is_held_with_the_reason(make_complaint, holder, from_header, named):
    complaint = make_complaint()
    assert complaint.status == ComplaintStatus.ASSIGNED
    inbound = _reply_from(complaint, from_header)
    assert inbound.outcome == InboundOutcome.HELD
    assert named in inbound.reason and "neither the holder nor the deputy" in inbound.reason
    assert (inbound.suggested_tag, inbound.suggested_object_id) == ("complaint", complaint.id)
    assert not _answered(complaint)
    db.session.refresh(complaint)
    assert complaint.status == ComplaintStatus.ASSIGNED


def test_the_holder_with_an_encoded_name_still_answers(make_complaint, holder):
    complaint = make_complaint()
    inbound = _reply_from(complaint, f"=?utf-8?b?5oqV6K+J5bKX5ZGo?= <{HOLDER.upper()}>")
    assert inbound.outcome == InboundOutcome.ACCEPTED, inbound.reason
    assert _answered(complaint)
