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


def test_the_pipe_refuses_an_oversized_message_read_once_and_records_it(
    app, database_url, tmp_path
):
    import io

    import sqlalchemy as sa

    from portal.extensions import db
    from portal.mail.inbound.spool import read_limited
    from portal.mail.inbound_models import InboundMessage
    from tests.portal.mail_inbound.test_cli import run_ingest

    raw = eml("gmail_zh.eml")
    incoming = read_limited(io.BytesIO(raw), LIMIT)
    assert incoming.too_large and incoming.size == len(raw)
    assert incoming.head == raw[: raw.index(b"\r\n\r\n")] + b"\r\n"
    result = run_ingest(database_url, raw, tmp_path, env={"KAIMEN_INBOUND_MAX_BYTES": str(LIMIT)})
    assert result.returncode == 65, result.stderr.decode()
    assert result.stderr.startswith(b"5.3.4 message too big")
    db.session.expire_all()
    [stored] = db.session.scalars(sa.select(InboundMessage)).all()
    assert stored.outcome == InboundOutcome.TOO_LARGE and stored.raw_size == len(raw)
    assert bytes(stored.raw) == incoming.head


def test_a_message_within_the_limit_is_spooled_and_read_whole():
    import io

    from portal.mail.inbound import spool

    raw = b"Subject: x\r\n\r\n" + b"a" * (3 * spool.SPOOL_BYTES)
    incoming = spool.read_limited(io.BytesIO(raw), len(raw))
    assert incoming.raw == raw and incoming.size == len(raw) and not incoming.too_large
