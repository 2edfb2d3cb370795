"""The pieces every service shares: numbers and query codes, the row lock, tasks at positions."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from datetime import date

import sqlalchemy as sa
from flask import current_app

from approvals import clock
from approvals.application_models import (
    Application,
    ApplicationSequence,
    ApplicationTask,
    EventKind,
    TaskStatus,
)
from approvals.states import add_event
from disclosure.directory.models import Position
from portal.db import utcnow
from portal.extensions import db
from portal.workdays import local_date

NUMBER_ATTEMPTS = 5
QUERY_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
QUERY_CODE_LENGTH = 8


def today() -> date:
    return local_date(utcnow())


def next_number(day: date) -> str:
    """``SP<yyyymmdd>-<nnnn>``: the day's next number, from one atomic UPDATE … RETURNING.

    The day's row is inserted the first time; if another transaction inserts it at the same
    moment, the insert fails inside a SAVEPOINT and the UPDATE is tried again.
    """
    table = ApplicationSequence.__table__
    bump = (
        sa.update(table)
        .where(table.c.day == day)
        .values(last=table.c.last + 1)
        .returning(table.c.last)
    )
    for _attempt in range(NUMBER_ATTEMPTS):
        number = db.session.execute(bump).scalar()
        if number is not None:
            return f"SP{day:%Y%m%d}-{number:04d}"
        try:
            with db.session.begin_nested():
                db.session.execute(sa.insert(table).values(day=day, last=1))
        except sa.exc.IntegrityError:
            continue
        return f"SP{day:%Y%m%d}-0001"
    raise RuntimeError("could not allocate an application number")


def new_query_code() -> str:
    """``XXXX-XXXX`` from an alphabet without look-alike characters (about 40 bits)."""
    code = "".join(secrets.choice(QUERY_CODE_ALPHABET) for _ in range(QUERY_CODE_LENGTH))
    return f"{code[:4]}-{code[4:]}"


def normalise_query_code(text: str) -> str:
    compact = "".join(
        ch for ch in unicodedata.normalize("NFKC", text or "").upper() if ch.isalnum()
    )
    return compact


def hash_query_code(number: str, code: str) -> str:
    """A keyed hash of the code (under the secret key, bound to the number): a database dump does
    not give the codes away."""
    key = current_app.config["SECRET_KEY"].encode()
    message = f"{number}:{normalise_query_code(code)}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def query_code_matches(application: Application, code: str) -> bool:
    if not application.query_code_hash or not application.number:
        return False
    return hmac.compare_digest(
        application.query_code_hash, hash_query_code(application.number, code)
    )


def lock(application: Application) -> Application:
    """Re-read the application under a row lock (PostgreSQL ``FOR UPDATE``) before moving it:
    two requests at once (a double submit, two officers) cannot both pass the state check."""
    db.session.flush()
    db.session.execute(
        sa.select(Application.id).where(Application.id == application.id).with_for_update()
    )
    db.session.refresh(application, attribute_names=[c.key for c in Application.__table__.columns])
    return application


# --- tasks --------------------------------------------------------------------------------------


def open_tasks(application: Application) -> list[ApplicationTask]:
    return list(
        db.session.scalars(
            sa.select(ApplicationTask)
            .where(
                ApplicationTask.application_id == application.id,
                ApplicationTask.status == TaskStatus.OPEN,
            )
            .order_by(ApplicationTask.id)
        )
    )


def current_task(application: Application) -> ApplicationTask | None:
    """The open task of the current step, if any."""
    return next(
        (t for t in open_tasks(application) if t.step_kind == application.current_step), None
    )


def open_task(
    application: Application,
    step: dict,
    *,
    start: date | None = None,
    limit_days: int | None = None,
    position_id: int | None = None,
    actor=None,
) -> ApplicationTask:
    """A task for ``step`` (a snapshot step) at its position, due in its limit from ``start``."""
    position_id = position_id if position_id is not None else step.get("position_id")
    position = db.session.get(Position, position_id) if position_id else None
    task = ApplicationTask(
        application_id=application.id,
        step_kind=step["kind"],
        position_id=position_id,
        holder_id=position.holder_id if position else None,
        started_on=start or today(),
        limit_days=clock.step_days(step) if limit_days is None else limit_days,
        extra_days=0,
        status=TaskStatus.OPEN,
    )
    clock.set_task_due(task)
    db.session.add(task)
    db.session.flush()
    application.current_step = step["kind"]
    remember_position(application, position_id)
    add_event(
        application,
        EventKind.TASK_CREATED,
        actor=actor,
        internal=True,
        step_kind=step["kind"],
        task_id=task.id,
        position_id=position_id,
        position=position.name if position else None,
        due_on=task.due_on.isoformat() if task.due_on else None,
    )
    return task


def remember_position(application: Application, position_id: int | None) -> None:
    if position_id is None:
        return
    ids = list(application.position_ids or [])
    if position_id not in ids:
        application.position_ids = sorted([*ids, position_id])


def finish_task(task: ApplicationTask, actor, *, opinion=None, text: str | None = None) -> None:
    task.status = TaskStatus.DONE
    task.opinion = opinion
    task.text = text
    task.completed_by_id = getattr(actor, "id", None)
    task.completed_at = utcnow()


def cancel_open_tasks(application: Application) -> None:
    for task in open_tasks(application):
        task.status = TaskStatus.CANCELLED
        task.completed_at = utcnow()
