"""Values worked out once per request, such as the boards a user moderates or the positions
they hold, which several templates and predicates of one page ask for.

Outside a request (a CLI command, a job) nothing is kept: a long job must see changes.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

from flask import has_request_context, request

T = TypeVar("T")


def per_request(name: str, key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, remembered under ``(name, key)`` for the rest of the current request."""
    if not has_request_context():
        return compute()
    cache = request.__dict__.setdefault("_kaimen_per_request", {})
    if (name, key) not in cache:
        cache[(name, key)] = compute()
    return cache[(name, key)]
