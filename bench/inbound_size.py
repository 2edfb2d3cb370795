"""Benchmark: ingesting a message at KAIMEN_INBOUND_MAX_BYTES, against reading its bytes once.

    .venv/bin/python bench/inbound_size.py --mb 25
    .venv/bin/python bench/inbound_size.py --mb 5 --db postgresql

Builds one reply the way Outlook writes it — a GB2312 quoted-printable text and a PDF attached in
base64 — padded so that it is exactly ``--mb`` MB, sets the limit to that size, and measures in
the same run, on the same bytes:

1. the baseline: reading the file once (``open().read()``);
2. ``spool.read_limited`` on the file (what ``kaimen mail ingest`` does with standard input);
3. ``ingest``: store (commit) + parse once + hand over to a handler that accepts it;
4. a message one byte over the limit: ``read_limited`` + ``store`` (refused: headers and size).

A time is the median of ``--repeat`` runs without tracing; the peak memory is measured in a
separate run under ``tracemalloc`` (Python allocations: the bytes, the parsed tree, the decoded
attachment; the database driver's own buffers are not seen). The ratios are against the baseline.
SQLite runs in a temporary file; PostgreSQL in a schema ``bench_inbound`` of its own.
"""

from __future__ import annotations

import argparse
import base64
import os
import quopri
import statistics
import tempfile
import time
import tracemalloc
from pathlib import Path

from harness import bench_app

from portal.extensions import db
from portal.mail.inbound import spool
from portal.mail.inbound.handlers import HandlerResult
from portal.mail.inbound.ingest import ingest, store
from portal.mail.tokens import reply_address

SCHEMA = "bench_inbound"
TEXT = "您好，经核查，该事项已于11月25日办结，处理意见书见附件。\n\n张三\n杭州市生态环境局\n"


def message(size: int, to: str) -> bytes:
    """An Outlook-like reply of exactly ``size`` bytes (the PDF's length is adjusted)."""

    def build(pdf_len: int) -> bytes:
        pdf = b"%PDF-1.4\n" + os.urandom(max(pdf_len - 9, 0))
        head = (
            "From: =?gb2312?B?1cXI/Q==?= <officer@hz.gov.cn>\r\n"
            f"To: {to}\r\nSubject: =?gb2312?B?tPC4tDog0MLNtsvf?=\r\n"
            "Message-ID: <bench-size@hz.gov.cn>\r\nMIME-Version: 1.0\r\n"
            'Content-Type: multipart/mixed;\r\n\tboundary="----=_NextPart_000_BENCH"\r\n\r\n'
            '------=_NextPart_000_BENCH\r\nContent-Type: text/plain;\r\n\tcharset="gb2312"\r\n'
            "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        ).encode()
        body = quopri.encodestring(TEXT.encode("gb18030")).replace(b"\n", b"\r\n")
        attach = (
            b"\r\n------=_NextPart_000_BENCH\r\nContent-Type: application/pdf;\r\n"
            b'\tname="report.pdf"\r\nContent-Transfer-Encoding: base64\r\n'
            b'Content-Disposition: attachment;\r\n\tfilename="report.pdf"\r\n\r\n'
        )
        encoded = base64.encodebytes(pdf).replace(b"\n", b"\r\n")
        return head + body + attach + encoded + b"\r\n------=_NextPart_000_BENCH--\r\n"

    guess = build(int(size * 0.74))
    pdf_len = int(size * 0.74) - int((len(guess) - size) * 0.75)
    raw = build(pdf_len)
    return raw + b" " * (size - len(raw)) if len(raw) < size else raw[:size]


def accept(object_id, parsed, inbound, *, force=False):
    assert parsed.attachments and parsed.reply_text().startswith("您好")
    return HandlerResult.accept("benchmark")


def cleanup() -> None:
    """Forget the stored messages (outside the timing), so that each run handles its message."""
    import sqlalchemy as sa

    from portal.mail.inbound_models import InboundDelivery, InboundMessage

    db.session.rollback()
    db.session.execute(sa.delete(InboundDelivery))
    db.session.execute(sa.delete(InboundMessage))
    db.session.commit()
    db.session.expunge_all()


def median_ms(run, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
        cleanup()
    return statistics.median(times)


def peak_mb(run) -> float:
    tracemalloc.start()
    tracemalloc.reset_peak()
    try:
        run()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        cleanup()
    return peak / 1024 / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=25.0, help="the size limit, in MB")
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    limit = int(args.mb * 1024 * 1024)
    with bench_app(args.db, SCHEMA, KAIMEN_INBOUND_MAX_BYTES=limit, KAIMEN_FEATURES=[]):
        from flask import current_app

        from portal.db import Base

        Base.metadata.create_all(db.engine)
        current_app.extensions["kaimen"].inbound_handlers["complaint"] = accept
        raw = message(limit, reply_address("complaint", 1))
        over = raw + b"x"
        assert len(raw) == limit
        workdir = Path(tempfile.mkdtemp(prefix="kaimen-bench-mail-"))
        at_limit, too_big = workdir / "at_limit.eml", workdir / "over.eml"
        at_limit.write_bytes(raw)
        too_big.write_bytes(over)
        del over

        def read_once():
            with open(at_limit, "rb") as f:
                return f.read()

        def spooled():
            with open(at_limit, "rb") as f:
                return spool.read_limited(f, limit)

        def ingested():
            with open(at_limit, "rb") as f:
                incoming = spool.read_limited(f, limit)
            inbound = ingest(incoming.raw)
            assert inbound.outcome.value == "accepted", inbound.reason

        def refused():
            with open(too_big, "rb") as f:
                incoming = spool.read_limited(f, limit)
            inbound = store(None, size=incoming.size, head=incoming.head)
            assert inbound.outcome.value == "too_large"

        del raw
        rows = [
            ("read the bytes once (baseline)", read_once),
            ("spool.read_limited", spooled),
            ("ingest at the limit (read, store, parse, hand over)", ingested),
            ("over the limit: read_limited + store (refused)", refused),
        ]
        results = []
        for label, run in rows:
            ms = median_ms(run, args.repeat)
            mb = peak_mb(run)
            results.append((label, ms, mb))
        base_ms, base_mb = results[0][1], results[0][2]
        print(f"\nlimit {limit:,} bytes ({args.mb:g} MB), {args.db}, median of {args.repeat}")
        print(
            f"{'step':<54} {'time ms':>9} {'× base':>7} {'peak MB':>9} {'× base':>7} {'× limit':>8}"
        )
        for label, ms, mb in results:
            print(
                f"{label:<54} {ms:9.1f} {ms / base_ms:7.1f} {mb:9.1f} {mb / base_mb:7.2f} "
                f"{mb / (limit / 1024 / 1024):8.2f}"
            )
        for path in (at_limit, too_big):
            path.unlink()
        workdir.rmdir()


if __name__ == "__main__":
    main()
