"""``kaimen demo`` gives every role of online approval something to do at once."""

from __future__ import annotations

import re

import sqlalchemy as sa

from approvals.application_models import Application, ApplicationStatus
from portal.accounts.models import User
from portal.extensions import db

PASSWORD = "demo-password-1"


def _run_demo(runner) -> dict[str, str]:
    result = runner.invoke(args=["demo", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    assert "Online approval holds" in result.output
    return dict(re.findall(r"^\s+(\w+)\s+(\S+@\S+)\s+password:", result.output, re.M))


def test_each_role_meets_applications_in_the_demo(runner, client):
    accounts = _run_demo(runner)
    citizen = db.session.scalar(sa.select(User).where(User.email == accounts["citizen"]))
    statuses = set(
        db.session.scalars(
            sa.select(Application.status).where(Application.applicant_id == citizen.id)
        )
    )
    assert {ApplicationStatus.CORRECTION_REQUESTED, ApplicationStatus.DELIVERED} <= statuses

    client.login(accounts["citizen"], PASSWORD)
    mine = client.get("/approvals/mine").get_data(as_text=True)
    assert len(set(re.findall(r"SP\d{8}-\d{4}", mine))) >= 2
    identity = client.get("/approvals/identity").get_data(as_text=True)
    assert "3301**********0013" in identity
    assert "330106198507150013" not in identity
    client.logout()

    # The officer deputises 临江市生态环境局's acceptance window: a company's application waits.
    client.login(accounts["officer"], PASSWORD)
    queue = client.get("/approvals/queue")
    assert queue.status_code == 200
    assert re.search(r"SP\d{8}-\d{4}", queue.get_data(as_text=True))
    client.logout()

    # The supervisor holds the same bureau's decision position, and sees the department.
    client.login(accounts["supervisor"], PASSWORD)
    assert re.search(r"SP\d{8}-\d{4}", client.get("/approvals/queue").get_data(as_text=True))
    department = client.get("/approvals/department/lj-sthjj")
    assert department.status_code == 200
    assert re.search(r"SP\d{8}-\d{4}", department.get_data(as_text=True))
    client.logout()


def test_running_the_demo_again_files_nothing_more(runner):
    _run_demo(runner)
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Application))
    _run_demo(runner)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Application)) == count
