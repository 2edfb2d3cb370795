"""A message above KAIMEN_INBOUND_MAX_BYTES is kept, cut at the limit, for an administrator."""

from __future__ import annotations

import pytest

from portal.mail.inbound.ingest import ingest
from portal.mail.inbound_models import InboundOutcome
from tests.portal.mail_inbound.conftest import eml

LIMIT = 1500


@pytest.fixture
def app_config(app_config) -> dict:
    app_config["KAIMEN_INBOUND_MAX_BYTES"] = LIMIT
    return app_config


def test_an_oversized_reply_is_refused_with_headers_and_size_recorded(probe, client, admin):
    raw = eml("gmail_zh.eml")
    assert len(raw) > LIMIT
    inbound = ingest(raw)
    assert inbound.outcome == InboundOutcome.TOO_LARGE
    assert inbound.raw_size == len(raw)
    assert bytes(inbound.raw) == raw[: raw.index(b"\r\n\r\n")] + b"\r\n"  # headers only
    assert inbound.subject and inbound.from_address
    assert inbound.reason_codes == [
        {"code": "too_large", "params": {"size": len(raw), "limit": LIMIT}}
    ]
    assert str(LIMIT) in inbound.reason
    assert probe.calls == []  # never handed to the complaint
    # The administrator finds it in the holding pen.
    client.login(admin.email)
    page = client.get("/admin/inbound/").get_data(as_text=True)
    assert f"/admin/inbound/{inbound.id}" in page


def test_a_message_at_the_limit_is_processed(probe):
    raw = eml("reply_pdf_docx.eml")
    assert len(raw) <= LIMIT
    assert ingest(raw).outcome == InboundOutcome.ACCEPTED
