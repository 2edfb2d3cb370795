"""What the benchmarks share: an app on a throw-away database, a median timer, cleanup.

SQLite runs in a temporary file; PostgreSQL (KAIMEN_TEST_POSTGRES_URL, or the local ``test``
database) in a schema of the benchmark's own, with JIT off as STACK.md advises for this workload,
dropped at the end so that nothing else in the database is touched.
"""

from __future__ import annotations

import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import sqlalchemy as sa

from portal import create_app
from portal.extensions import db

POSTGRES_URL = os.environ.get(
    "KAIMEN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)

A = TypeVar("A")
R = TypeVar("R")


def timed(function: Callable[[A], R], argument: A, repeat: int) -> tuple[float, R]:
    """The median wall time in ms of ``repeat`` runs, and the result; each run in a fresh
    transaction (the rollback is outside the timing)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = function(argument)
        times.append((time.perf_counter() - start) * 1000)
        db.session.rollback()
    return statistics.median(times), result


def reset_schema(schema: str, *, create: bool = True) -> None:
    engine = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        if create:
            connection.execute(sa.text(f"CREATE SCHEMA {schema}"))
    engine.dispose()


@contextmanager
def bench_app(backend: str, schema: str, *, keep: bool = False, **config) -> Iterator[None]:
    """Run the block in an app context on a new, empty database of ``backend``."""
    workdir = Path(tempfile.mkdtemp(prefix="kaimen-bench-"))
    os.environ["KAIMEN_INSTANCE_PATH"] = str(workdir)
    config.setdefault("SECRET_KEY", "bench")
    if backend == "sqlite":
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    else:
        reset_schema(schema)
        config["SQLALCHEMY_DATABASE_URI"] = POSTGRES_URL
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            "connect_args": {"options": f"-c search_path={schema} -c jit=off"}
        }
    app = create_app(config)
    try:
        with app.app_context():
            yield
            db.session.remove()
            db.engine.dispose()
    finally:
        if keep:
            print(f"kept: {config['SQLALCHEMY_DATABASE_URI']} (schema {schema} on PostgreSQL)")
        else:
            shutil.rmtree(workdir)
            if backend == "postgresql":
                reset_schema(schema, create=False)
