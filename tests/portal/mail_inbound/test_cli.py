"""``kaimen mail ingest`` as the MTA runs it: a subprocess reading stdin, with sysexits codes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.mail.inbound_models import InboundMessage, InboundOutcome
from tests.portal.mail_inbound.conftest import eml

KAIMEN = Path(sys.executable).with_name("kaimen")


def run_ingest(
    url: str, data: bytes, tmp_path, *args: str, env: dict | None = None
) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        **(env or {}),
        "KAIMEN_DATABASE_URL": url,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "KAIMEN_MAIL_DOMAIN": "kaimen.test",
        "KAIMEN_INSTANCE_PATH": str(tmp_path / "instance"),
    }
    return subprocess.run(
        [str(KAIMEN), "mail", "ingest", *args],
        input=data,
        capture_output=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_a_message_is_stored_and_exit_is_0(app, database_url, tmp_path):
    result = run_ingest(database_url, eml("no_token.eml"), tmp_path, "Someone@Example.com")
    assert result.returncode == 0, result.stderr.decode()
    db.session.expire_all()
    stored = db.session.scalars(sa.select(InboundMessage)).all()
    assert len(stored) == 1
    assert stored[0].outcome == InboundOutcome.HELD
    assert stored[0].envelope_recipients == ["someone@example.com"]
    assert bytes(stored[0].raw) == eml("no_token.eml")


@pytest.mark.parametrize(
    "junk",
    [b"", b"   \r\n\r\n", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", b"just some text\n\nmore\n"],
    ids=["empty", "blank", "binary", "no-headers"],
)
def test_input_that_is_not_a_message_exits_65_and_stores_nothing(app, database_url, tmp_path, junk):
    result = run_ingest(database_url, junk, tmp_path)
    assert result.returncode == 65, result.stderr.decode()
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(InboundMessage)) == 0


def test_database_unreachable_exits_75_so_the_mta_retries(tmp_path):
    closed = "postgresql+psycopg://postgres@127.0.0.1:1/test?connect_timeout=5"
    result = run_ingest(closed, eml("gmail_zh.eml", to="x@kaimen.test"), tmp_path)
    assert result.returncode == 75, result.stderr.decode()
    assert b"try again later" in result.stderr
