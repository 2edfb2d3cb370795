"""Two copies of one message processed at the same moment (one pipe call per recipient): the
second waits for the first's delivery row and then counts as a duplicate, not as an error."""

from __future__ import annotations

import threading
import time

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.mail.inbound.handlers import HandlerResult
from portal.mail.inbound.ingest import ingest
from portal.mail.inbound_models import InboundMessage, InboundOutcome
from tests.portal.mail_inbound.conftest import eml


def _someone_waits_for_a_lock(deadline: float) -> bool:
    """Poll PostgreSQL's own view of sessions until one waits on a lock (no fixed sleep)."""
    query = sa.text(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
        "AND datname = current_database()"
    )
    while time.monotonic() < deadline:
        with db.engine.connect() as connection:
            if connection.execute(query).scalar():
                return True
    return False


def test_a_copy_processed_at_the_same_time_is_a_duplicate(app, backend):
    if backend != "postgresql":
        pytest.skip("SQLite serialises writers: the second copy waits before it is even stored")
    inside, release = threading.Event(), threading.Event()
    calls = []

    def slow_handler(object_id, message, inbound, *, force=False):
        calls.append(object_id)
        inside.set()
        assert release.wait(30)
        return HandlerResult.accept()

    app.extensions["kaimen"].inbound_handlers["complaint"] = slow_handler
    raw = eml("gmail_zh.eml")
    outcomes: dict[str, InboundOutcome] = {}
    errors: list[BaseException] = []

    def deliver(name: str):
        try:
            with app.app_context():
                outcomes[name] = ingest(raw).outcome
        except BaseException as error:
            errors.append(error)

    first = threading.Thread(target=deliver, args=("first",))
    first.start()
    assert inside.wait(30)
    second = threading.Thread(target=deliver, args=("second",))
    second.start()
    try:
        assert _someone_waits_for_a_lock(time.monotonic() + 30)
    finally:
        release.set()
        first.join(30)
        second.join(30)
    assert not errors
    assert outcomes == {"first": InboundOutcome.ACCEPTED, "second": InboundOutcome.DUPLICATE}
    assert calls == [1]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(InboundMessage)) == 2
