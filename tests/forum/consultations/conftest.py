"""Consultation tests: a clock that tests move (time_machine), a department with a major item,
and a consultation opened on it by an administrator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from forum import trust
from forum.consultations import services
from portal.extensions import db
from tests.disclosure.factories import make_department, make_item

START = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)  # 09:00 in Beijing
OPENS = START + timedelta(hours=1)
CLOSES = START + timedelta(days=7)


class Clock:
    """The frozen clock of a test: ``clock.at(when)`` moves it there (forward or back)."""

    def __init__(self, traveller):
        self._traveller = traveller

    def at(self, when: datetime) -> None:
        self._traveller.move_to(when)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield Clock(traveller)


@pytest.fixture
def department(app):
    department = make_department()
    db.session.commit()
    return department


@pytest.fixture
def item(department):
    item = make_item(department, "LJ-STHJ-002", "垃圾焚烧发电项目环评审批", major=True)
    db.session.commit()
    return item


@pytest.fixture
def minor_item(department):
    item = make_item(department, "LJ-STHJ-001", "排污许可证核发", major=False)
    db.session.commit()
    return item


def open_on(item, opener, *, opens=OPENS, closes=CLOSES, title="【意见征集】垃圾焚烧发电项目"):
    consultation = services.open_consultation(
        item, opener, title, "请阅读环评报告简本后发表意见。", opens, closes
    )
    db.session.commit()
    return consultation


@pytest.fixture
def consultation(clock, item, admin):
    return open_on(item, admin)


@pytest.fixture
def unheld():
    """Write posts without the new-account hold and rate limit (they are tested elsewhere)."""
    with trust.waived():
        yield
