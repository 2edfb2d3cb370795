"""Reading a message once, with bounded memory: spooled to disk past a threshold, cut at the limit.

``read_limited`` reads a stream (the MTA's pipe) in chunks into a ``SpooledTemporaryFile`` that
stays in memory up to ``SPOOL_BYTES`` and moves to disk beyond. Past ``limit`` nothing more is
kept — the rest is only counted, so that the size can be recorded — and the message is
*refused*: only its header section is returned. A message within the limit is returned as one
``bytes`` object, read back once from the spool.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass

SPOOL_BYTES = 1024 * 1024  # kept in memory up to this, then on disk
CHUNK = 64 * 1024
HEADER_MAX = 256 * 1024  # the most of a refused message's header section that is kept


@dataclass
class Incoming:
    raw: bytes | None  # the whole message, or None when it is over the limit
    head: bytes  # the header section (always)
    size: int  # bytes read in all

    @property
    def too_large(self) -> bool:
        return self.raw is None


_END_OF_HEADERS = re.compile(rb"\r?\n\r?\n")


def header_section(data: bytes) -> bytes:
    """The header section of ``data`` (up to the first blank line), at most ``HEADER_MAX``."""
    head = data[: 2 * HEADER_MAX].lstrip(b"\r\n")[:HEADER_MAX]
    match = _END_OF_HEADERS.search(head)
    return head[: match.start()] + b"\r\n" if match else head


def read_limited(stream, limit: int) -> Incoming:
    size = 0
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
        while True:
            chunk = stream.read(CHUNK)
            if not chunk:
                break
            if size <= limit:
                spool.write(chunk[: limit + 1 - size])
            size += len(chunk)
        spool.seek(0)
        if size <= limit:
            raw = spool.read()
            return Incoming(raw, header_section(raw[:HEADER_MAX]), size)
        return Incoming(None, header_section(spool.read(HEADER_MAX)), size)
