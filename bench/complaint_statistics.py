"""Benchmark: the public complaint statistics query, with its index and without, and a naive loop.

    .venv/bin/python bench/complaint_statistics.py --rows 200000
    .venv/bin/python bench/complaint_statistics.py --rows 200000 --db postgresql

Builds N synthetic complaints (Core executemany, in batches) spread over five years and 40
departments, in every state: open, answered on time or late, notified on time or late, and past
their deadline unanswered. Then it times, in the same run and on the same data:

1. ``complaints.statistics.measure_rows`` for one year, all departments (what the page runs), and
   for one department, with ``ix_complaints_statistics``;
2. the same queries after ``DROP INDEX ix_complaints_statistics`` (the baseline);
3. the naive page: one query per department and month (40 × 12 = 480), with the index.

It checks that every way gives the same counts. SQLite runs in a temporary file; PostgreSQL
(KAIMEN_TEST_POSTGRES_URL, or the local ``test`` database) in a schema ``bench_stats`` of its own,
dropped at the end.
"""

from __future__ import annotations

import argparse
import logging
import random
import time
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from harness import bench_app, timed

from complaints.models import Complaint
from complaints.statistics import MEASURES, measure_rows
from disclosure.directory.models import Department
from portal.accounts.models import User
from portal.db import Base
from portal.extensions import db

SCHEMA = "bench_stats"
DEPARTMENTS = 40
YEARS = (2022, 2023, 2024, 2025, 2026)
YEAR = 2025  # the year asked for: a full year, about a fifth of the rows
TODAY = date(2026, 11, 26)
DETAILS = "我于本周一到行政审批科窗口申请排污许可证，工作人员要求额外提供环评批复原件。" * 4


def complaint_rows(rng: random.Random, count: int, start: int) -> list[dict]:
    rows = []
    first, last = date(YEARS[0], 1, 1), TODAY
    span = (last - first).days
    for number in range(start, start + count):
        received_on = first + timedelta(days=rng.randrange(span))
        handling_due = received_on + timedelta(days=rng.choice((7, 10, 14, 21)))
        answered_on = None
        # Most of those due are answered (half of the rest already), most of them in time.
        if (handling_due < TODAY or rng.random() < 0.5) and rng.random() < 0.93:
            answered_on = min(received_on + timedelta(days=rng.randint(1, 25)), TODAY)
        received_at = datetime(received_on.year, received_on.month, received_on.day, 2, tzinfo=UTC)
        row = {
            "tracking_number": f"TS{received_on:%Y%m%d}-{number:07d}",
            "complainant_id": 1,
            "department_id": rng.randint(1, DEPARTMENTS),
            "status": "assigned",
            "subject": "窗口拒收申请材料",
            "details_source": DETAILS,
            "details_html": f"<p>{DETAILS}</p>",
            "contact_name": "投诉人甲",
            "contact_email": "complainant@example.com",
            "notification_method": "email",
            "received_at": received_at,
            "received_on": received_on,
            "handling_due": handling_due,
            "answered_at": None,
            "answered_on_time": None,
            "notified_at": None,
            "notified_on_time": None,
        }
        if answered_on is not None:
            row["status"] = "answered"
            row["answered_at"] = received_at + (answered_on - received_on)
            row["answered_on_time"] = answered_on <= handling_due
            if rng.random() < 0.9:
                row["status"] = "notified"
                row["notified_at"] = row["answered_at"] + timedelta(days=rng.randint(0, 6))
                row["notified_on_time"] = row["notified_at"] - row["answered_at"] <= timedelta(4)
        rows.append(row)
    return rows


def build(rows: int, seed: int) -> float:
    """Insert the departments, one complainant and ``rows`` complaints; complaints per second."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data
    db.session.execute(
        sa.insert(User),
        [{"email": "complainant@example.com", "display_name": "投诉人甲", "password_hash": "x"}],
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
    start = time.perf_counter()
    table = Complaint.__table__
    for offset in range(0, rows, 5_000):
        db.session.execute(table.insert(), complaint_rows(rng, min(5_000, rows - offset), offset))
        db.session.commit()
    elapsed = time.perf_counter() - start
    analyze()
    return rows / elapsed


def analyze() -> None:
    """What autovacuum (PostgreSQL) or PRAGMA optimize (SQLite) does after a bulk load."""
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text("VACUUM ANALYZE complaints"))
    else:
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()


def grouped(department_id: int | None) -> dict:
    result = {}
    for row in db.session.execute(measure_rows(YEAR, TODAY, department_id)):
        result[(row.department_id, int(row.month))] = tuple(int(row[i + 2]) for i in range(6))
    return result


def naive(department_id: int | None) -> dict:
    """What a page without the GROUP BY would do: one query per department and month."""
    result = {}
    ids = [department_id] if department_id else range(1, DEPARTMENTS + 1)
    for dept in ids:
        for month in range(1, 13):
            start = date(YEAR, month, 1)
            end = date(YEAR + (month == 12), month % 12 + 1, 1)
            query = measure_rows(YEAR, TODAY, dept).where(
                Complaint.received_on >= start, Complaint.received_on < end
            )
            for row in db.session.execute(query):
                result[(row.department_id, int(row.month))] = tuple(
                    int(row[i + 2]) for i in range(6)
                )
    return result


def plan(department_id: int | None) -> str:
    query = measure_rows(YEAR, TODAY, department_id)
    compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
    prefix = "EXPLAIN QUERY PLAN " if db.engine.dialect.name == "sqlite" else "EXPLAIN "
    lines = db.session.execute(sa.text(prefix + str(compiled))).all()
    return " | ".join(str(line[-1]) for line in lines)


def measure(repeat: int) -> None:
    cases = {"all departments": None, "one department": 7}
    indexed = {}
    for name, dept in cases.items():
        indexed[name] = timed(grouped, dept, repeat)
        print(f"  plan with index ({name}): {plan(dept)}")
    looped = {name: timed(naive, dept, repeat) for name, dept in cases.items()}
    db.session.execute(sa.text("DROP INDEX ix_complaints_statistics"))
    analyze()
    scanned = {}
    for name, dept in cases.items():
        scanned[name] = timed(grouped, dept, repeat)
        print(f"  plan without index ({name}): {plan(dept)}")
    print(
        f"{'query (year ' + str(YEAR) + ')':<22}{'index':>11}{'no index':>12}{'ratio':>8}"
        f"{'480-query loop':>16}{'ratio':>8}  same counts"
    )
    for name in cases:
        index_ms, counts = indexed[name]
        scan_ms, scan_counts = scanned[name]
        loop_ms, loop_counts = looped[name]
        received = sum(value[0] for value in counts.values())
        same = counts == scan_counts == loop_counts
        label = f"{name} ({received:,})"
        print(
            f"{label:<22}{index_ms:>8.1f} ms{scan_ms:>9.1f} ms{scan_ms / index_ms:>7.1f}×"
            f"{loop_ms:>13.1f} ms{loop_ms / index_ms:>7.1f}×  {same}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--repeat", type=int, default=5, help="runs per query; the median counts")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    assert len(MEASURES) == 6

    with bench_app(args.db, SCHEMA):
        logging.disable(logging.INFO)
        Base.metadata.create_all(db.engine)  # the models' tables and indexes, as migrated
        logging.disable(logging.NOTSET)
        start = time.perf_counter()
        rate = build(args.rows, args.seed)
        print(
            f"{args.db}: {args.rows:,} complaints inserted at {rate:,.0f}/s "
            f"({time.perf_counter() - start:.0f} s with ANALYZE)"
        )
        measure(args.repeat)


if __name__ == "__main__":
    main()
