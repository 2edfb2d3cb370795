"""Benchmark: the officer queue and the department page, with their indexes and without, and OFFSET.

    .venv/bin/python bench/approvals_queue.py --rows 100000
    .venv/bin/python bench/approvals_queue.py --rows 100000 --db postgresql

Builds N synthetic applications (Core executemany, in batches) in 40 departments with 10 positions
each (400), every one with its tasks: most applications are closed (all their tasks done), about
one in five is running, with one open task at its current step's position. One department is
busy (a tenth of the applications, most of its tasks at three of its positions) and the officer
holds those three, so that both lists are long enough for a deep page. Then it times, in the same run and on the same data:

1. ``approvals.lists.queue_query`` for the officer's positions: the first page and a deep page
   (by keyset cursor), and ``department_query`` for the busy department, first and deep page,
   with ``ix_application_tasks_queue`` and ``ix_applications_department``;
2. the same deep pages by OFFSET at the same depth, with the indexes;
3. the keyset pages again after ``DROP INDEX`` of both (the baseline).

It checks that every variant returns the same rows and prints the plans. SQLite runs in a
temporary file; PostgreSQL (KAIMEN_TEST_POSTGRES_URL, or the local ``test`` database) in a
schema ``bench_approvals`` of its own, dropped at the end.
"""

from __future__ import annotations

import argparse
import logging
import random
import time
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so
from harness import bench_app, timed

from approvals import lists
from approvals.application_models import Application, ApplicationTask
from disclosure.catalog.models import ApprovalItem
from disclosure.directory.models import Department, Position
from portal.accounts.models import User
from portal.db import Base
from portal.extensions import db

SCHEMA = "bench_approvals"
DEPARTMENTS = 40
POSITIONS = 10  # per department
BUSY = 1  # the busy department: a tenth of the applications
OFFICER_POSITIONS = (1, 2, 3)  # three of the busy department's positions (ids 1–3)
RUNNING = 0.2
TODAY = date(2026, 12, 3)
FIRST_DAY = date(2024, 1, 1)
STEPS = ("acceptance", "review", "re_review", "decision", "notification")
RUNNING_STATUSES = ("submitted", "correction_requested", "accepted", "in_review", "suspended")
SNAPSHOT = {
    "format": 1,
    "version": 1,
    "name": "排污许可证核发",
    "code": "LJ-STHJ-001",
    "steps": [{"kind": kind, "sequence": n, "time_limit_days": 5} for n, kind in enumerate(STEPS)],
    "fields": [],
    "materials": [],
}


def application_row(rng: random.Random, number: int) -> tuple[dict, list[dict], bool]:
    """One application, its tasks, and whether it is running."""
    department = BUSY if rng.random() < 0.1 else rng.randint(2, DEPARTMENTS)
    received = FIRST_DAY + timedelta(days=rng.randrange((TODAY - FIRST_DAY).days))
    running = rng.random() < RUNNING
    status = rng.choice(RUNNING_STATUSES) if running else rng.choice(("closed", "delivered"))
    accepted = status not in {"submitted", "correction_requested"}
    acceptance_due = received + timedelta(days=7)
    decision_due = received + timedelta(days=rng.randint(20, 60)) if accepted else None
    at = datetime(received.year, received.month, received.day, 2, tzinfo=UTC)
    first_position = (department - 1) * POSITIONS + 1
    reached = rng.randint(1, len(STEPS)) if running else len(STEPS)
    if not accepted:
        reached = 1
    tasks, day = [], received
    for step in range(reached):
        is_open = running and step == reached - 1
        position = first_position + step
        if department == BUSY:  # most of the busy department's tasks at the officer's positions
            position = first_position + rng.randrange(3 if rng.random() < 0.8 else POSITIONS)
        due = day + timedelta(days=rng.randint(3, 20))
        tasks.append(
            {
                "step_kind": STEPS[step],
                "position_id": position,
                "holder_id": None,
                "started_on": day,
                "limit_days": 5,
                "extra_days": 0,
                "due_on": due,
                "due_provisional": False,
                "status": "open" if is_open else "done",
                "opinion": None if is_open else "agree",
                "text": None if is_open else "同意",
                "completed_by_id": None,
                "completed_at": None if is_open else at,
                "created_at": at,
            }
        )
        day = due
    row = {
        "number": f"SP{received:%Y%m%d}-{number:06d}",
        "applicant_id": 1,
        "item_id": department,
        "department_id": department,
        "spec_snapshot": SNAPSHOT,
        "spec_version": 1,
        "form_values": {},
        "status": status,
        "current_step": STEPS[reached - 1] if running else None,
        "position_ids": sorted({t["position_id"] for t in tasks}),
        "locale": "zh_Hans_CN",
        "submitted_at": at,
        "received_on": received,
        "complete_on": received,
        "accepted_on": received if accepted else None,
        "acceptance_due": acceptance_due,
        "decision_due": decision_due,
        "next_due": decision_due or acceptance_due,  # what the ORM keeps (a Core write must too)
        "event_count": 3,
        "created_at": at,
        "updated_at": at,
    }
    return row, tasks, running


def build(rows: int, seed: int) -> tuple[float, int]:
    """Departments, positions, items, one applicant and ``rows`` applications with their tasks;
    applications per second, and the number of tasks."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data
    db.session.execute(
        sa.insert(User),
        [{"email": "applicant@example.com", "display_name": "申请人甲", "password_hash": "x"}],
    )
    db.session.execute(
        sa.insert(Department),
        [
            {
                "code": f"d{n:02d}",
                "full_name": f"临江市第{n}局",
                "short_name": f"第{n}局",
                "address": "临江市滨江大道 100 号",
                "postcode": "399001",
                "public_phone": "0999-8800 1001",
                "supervision_phone": "0999-8800 1002",
                "functions": "",
                "email": f"d{n}@linjiang.gov.example",
                "sort_order": n,
            }
            for n in range(1, DEPARTMENTS + 1)
        ],
    )
    db.session.execute(
        sa.insert(Position),
        [
            {"department_id": d, "code": f"p{p}", "name": f"岗位{p}", "duties": "审批"}
            for d in range(1, DEPARTMENTS + 1)
            for p in range(POSITIONS)
        ],
    )
    db.session.execute(
        sa.insert(ApprovalItem),
        [
            {
                "code": f"LJ-{d:02d}-001",
                "name": "排污许可证核发",
                "department_id": d,
                "status": "published",
                "agency_name": f"临江市第{d}局",
                "agency_address": "临江市滨江大道 100 号",
                "agency_phone": "0999-8800 1001",
                "total_time_limit_days": 20,
                "eligibility": "",
                "materials": "",
                "fee_standard": "",
                "fee_basis": "",
                "legal_basis": "",
                "result": "",
            }
            for d in range(1, DEPARTMENTS + 1)
        ],
    )
    db.session.commit()
    start, tasks, next_id = time.perf_counter(), 0, 1
    applications, task_table = Application.__table__, ApplicationTask.__table__
    for offset in range(0, rows, 5_000):
        batch, batch_tasks = [], []
        for number in range(offset, min(offset + 5_000, rows)):
            row, its_tasks, _running = application_row(rng, number)
            row["id"] = next_id
            for task in its_tasks:
                task["application_id"] = next_id
            next_id += 1
            batch.append(row)
            batch_tasks += its_tasks
        db.session.execute(applications.insert(), batch)
        db.session.execute(task_table.insert(), batch_tasks)
        db.session.commit()
        tasks += len(batch_tasks)
    if db.engine.dialect.name == "postgresql":  # ids given: move the sequence past them
        db.session.execute(sa.text("SELECT setval('applications_id_seq', :n)"), {"n": next_id})
    elapsed = time.perf_counter() - start
    analyze()
    return rows / elapsed, tasks


def analyze() -> None:
    """What autovacuum (PostgreSQL) or PRAGMA optimize (SQLite) does after a bulk load."""
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text("VACUUM ANALYZE applications"))
            connection.execute(sa.text("VACUUM ANALYZE application_tasks"))
    else:
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()


# --- the queries, as the pages run them ---------------------------------------------------------


def queue_keyset(after) -> list[int]:
    stmt = lists.queue_query(OFFICER_POSITIONS, after, lists.QUEUE_PAGE + 1)
    return [task.id for task in db.session.scalars(stmt)]


def queue_offset(depth: int) -> list[int]:
    """The classic page: ORDER BY … LIMIT … OFFSET on the joined query."""
    stmt = (
        sa.select(ApplicationTask)
        .where(ApplicationTask.position_id.in_(OFFICER_POSITIONS), ApplicationTask.status == "open")
        .options(
            so.joinedload(ApplicationTask.application, innerjoin=True),
            so.joinedload(ApplicationTask.position),
        )
        .order_by(ApplicationTask.due_on, ApplicationTask.id)
        .limit(lists.QUEUE_PAGE + 1)
        .offset(depth)
    )
    return [task.id for task in db.session.scalars(stmt)]


def department_keyset(after) -> list[int]:
    stmt = lists.department_query(BUSY, after, limit=lists.DEPARTMENT_PAGE + 1)
    return [application.id for application in db.session.scalars(stmt)]


def department_offset(depth: int) -> list[int]:
    stmt = (
        sa.select(Application)
        .where(Application.department_id == BUSY, Application.status.in_(lists.RUNNING_STATUSES))
        .order_by(Application.next_due, Application.id)
        .limit(lists.DEPARTMENT_PAGE + 1)
        .offset(depth)
    )
    return [application.id for application in db.session.scalars(stmt)]


def plan(stmt: sa.Select) -> str:
    compiled = stmt.compile(db.engine, compile_kwargs={"literal_binds": True})
    prefix = "EXPLAIN QUERY PLAN " if db.engine.dialect.name == "sqlite" else "EXPLAIN "
    lines = db.session.execute(sa.text(prefix + str(compiled))).all()
    db.session.rollback()
    return " | ".join(str(line[-1]).strip() for line in lines)


def cursors() -> dict[str, tuple]:
    """The whole lists in page order (to pick a deep page and its cursor)."""
    tasks = db.session.execute(
        sa.select(ApplicationTask.due_on, ApplicationTask.id)
        .where(ApplicationTask.position_id.in_(OFFICER_POSITIONS), ApplicationTask.status == "open")
        .order_by(ApplicationTask.due_on, ApplicationTask.id)
    ).all()
    running = db.session.execute(
        sa.select(Application.next_due, Application.id)
        .where(Application.department_id == BUSY, Application.status.in_(lists.RUNNING_STATUSES))
        .order_by(Application.next_due, Application.id)
    ).all()
    db.session.rollback()
    return {"queue": tasks, "department": running}


def measure(repeat: int) -> None:
    ordered = cursors()
    per_page = {"queue": lists.QUEUE_PAGE, "department": lists.DEPARTMENT_PAGE}
    cases = {}
    for name, rows in ordered.items():
        pages = len(rows) // per_page[name]
        deep = max(pages - 2, 1) * per_page[name]  # near the end: the deepest full page
        cases[name] = (len(rows), pages, deep, tuple(rows[deep - 1]))
        print(f"  {name}: {len(rows):,} rows, {pages:,} pages; deep page from row {deep:,}")
    keyset = {"queue": queue_keyset, "department": department_keyset}
    offset = {"queue": queue_offset, "department": department_offset}
    builders = {
        "queue": lambda after: lists.queue_query(OFFICER_POSITIONS, after),
        "department": lambda after: lists.department_query(BUSY, after),
    }

    results: dict[tuple[str, str], tuple[float, list[int]]] = {}
    for name, (_total, _pages, deep, cursor) in cases.items():
        results[(name, "first")] = timed(keyset[name], None, repeat)
        results[(name, "deep")] = timed(keyset[name], cursor, repeat)
        results[(name, "offset")] = timed(offset[name], deep, repeat)
        print(f"  plan with index ({name}, deep page): {plan(builders[name](cursor))}")
    db.session.execute(sa.text("DROP INDEX ix_application_tasks_queue"))
    db.session.execute(sa.text("DROP INDEX ix_applications_department"))
    analyze()
    for name, (_total, _pages, _deep, cursor) in cases.items():
        results[(name, "first, no index")] = timed(keyset[name], None, repeat)
        results[(name, "deep, no index")] = timed(keyset[name], cursor, repeat)
        print(f"  plan without index ({name}, deep page): {plan(builders[name](cursor))}")

    print(
        f"{'list (rows)':<26}{'page':>7}{'keyset':>11}{'no index':>12}{'ratio':>8}"
        f"{'OFFSET':>12}{'ratio':>8}  same rows"
    )
    for name, (total, _pages, deep, _cursor) in cases.items():
        first_ms, first_rows = results[(name, "first")]
        deep_ms, deep_rows = results[(name, "deep")]
        offset_ms, offset_rows = results[(name, "offset")]
        first_scan_ms, first_scan_rows = results[(name, "first, no index")]
        deep_scan_ms, deep_scan_rows = results[(name, "deep, no index")]
        expected_first = [row[1] for row in ordered[name][: per_page[name] + 1]]
        expected_deep = [row[1] for row in ordered[name][deep : deep + per_page[name] + 1]]
        label = f"{name} ({total:,})"
        same = first_rows == first_scan_rows == expected_first
        print(
            f"{label:<26}{'1':>7}{first_ms:>8.2f} ms{first_scan_ms:>9.2f} ms"
            f"{first_scan_ms / first_ms:>7.1f}×{'':>12}{'':>8}  {same}"
        )
        same = deep_rows == deep_scan_rows == offset_rows == expected_deep
        page_number = deep // per_page[name] + 1
        print(
            f"{'':<26}{page_number:>7,}{deep_ms:>8.2f} ms{deep_scan_ms:>9.2f} ms"
            f"{deep_scan_ms / deep_ms:>7.1f}×{offset_ms:>9.2f} ms{offset_ms / deep_ms:>7.1f}×"
            f"  {same}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--repeat", type=int, default=9, help="runs per query; the median counts")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    with bench_app(args.db, SCHEMA):
        logging.disable(logging.INFO)
        Base.metadata.create_all(db.engine)  # the models' tables and indexes, as migrated
        logging.disable(logging.NOTSET)
        start = time.perf_counter()
        rate, tasks = build(args.rows, args.seed)
        print(
            f"{args.db}: {args.rows:,} applications and {tasks:,} tasks inserted at "
            f"{rate:,.0f} applications/s ({time.perf_counter() - start:.0f} s with ANALYZE)"
        )
        measure(args.repeat)


if __name__ == "__main__":
    main()
