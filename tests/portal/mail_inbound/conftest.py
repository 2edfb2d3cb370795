"""Inbound mail fixtures: the .eml files (see make_fixtures.py) and a probe handler."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from portal.mail.inbound.handlers import HandlerResult
from portal.mail.tokens import reply_address

FIXTURES = Path(__file__).parent / "fixtures"
OFFICER = "officer@hz.gov.cn"


def eml(name: str, *, to: str | None = None, sender: str = OFFICER, msgid: str = "") -> bytes:
    """A fixture with its placeholders filled in (the reply address defaults to complaint 1's)."""
    raw = (FIXTURES / name).read_bytes()
    to = to if to is not None else reply_address("complaint", 1)
    return (
        raw.replace(b"@@TO@@", to.encode())
        .replace(b"@@FROM@@", sender.encode())
        .replace(b"@@MSGID@@", msgid.encode())
    )


@dataclass
class Probe:
    """Stands in for a feature's handler: records each call, accepts unless told to hold."""

    calls: list[tuple[int, str, list[str], bool]] = field(default_factory=list)
    hold_reason: str | None = None
    fail: Exception | None = None

    def __call__(self, object_id, message, inbound, *, force=False):
        if self.fail is not None:
            raise self.fail
        self.calls.append(
            (object_id, message.reply_text(), [a.filename for a in message.attachments], force)
        )
        if self.hold_reason and not force:
            return HandlerResult.hold(self.hold_reason)
        return HandlerResult.accept()


@pytest.fixture
def probe(app) -> Probe:
    handler = Probe()
    app.extensions["kaimen"].inbound_handlers["complaint"] = handler
    return handler
