"""Mail to a consultation's participants and followers: when it closes, when the report is out.

Participants are the authors of the thread's posts; followers are the thread's watchers
(``forum.watching``). Each person gets one message of their own, in their language.
The closing mail is sent by ``kaimen forum consultations-close``: it claims each closed
consultation once (a conditional UPDATE of ``close_notified_at``; SKIP LOCKED on PostgreSQL), locks its thread and queues
the mails in the same transaction, so running it twice, or on two hosts at once, sends nothing twice.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so

from forum.consultations.models import Consultation
from forum.models import Post, Thread
from portal import audit
from portal.accounts.models import User
from portal.db import utcnow
from portal.extensions import db
from portal.mail.outbox import queue_templated
from portal.urls import external_url

CLOSE_BATCH = 50


def _watcher_ids(thread_id: int) -> list[int]:
    from forum import watching  # the forum's watch list; imported late, it registers listeners

    return watching.watcher_ids(thread_id)


def recipients(consultation: Consultation) -> list[User]:
    """Participants and followers with a verified, active account, each once, by id."""
    participant_ids = set(
        db.session.scalars(
            sa.select(Post.author_id).where(Post.thread_id == consultation.thread_id).distinct()
        )
    )
    ids = participant_ids | set(_watcher_ids(consultation.thread_id))
    if not ids:
        return []
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.id.in_(ids), User.is_active.is_(True), User.email_verified_at.is_not(None))
            .order_by(User.id)
        )
    )


def _queue_all(template: str, consultation: Consultation) -> int:
    link = external_url("forum.thread", thread_id=consultation.thread_id)
    people = recipients(consultation)
    for user in people:
        queue_templated(
            template,
            to=[user.email],
            locale=user.locale,
            user=user,
            consultation=consultation,
            title=consultation.thread.title,
            item_name=consultation.item.name,
            link=link,
        )
    return len(people)


def queue_report_published(consultation: Consultation) -> int:
    return _queue_all("consultation_report", consultation)


def due(limit: int = CLOSE_BATCH) -> list[Consultation]:
    """Closed consultations not announced yet, whose thread still exists (a deleted thread's
    consultation is nobody's to announce)."""
    stmt = (
        sa.select(Consultation)
        .join(Thread, Thread.id == Consultation.thread_id)
        .where(
            Consultation.close_notified_at.is_(None),
            Consultation.closes_at <= utcnow(),
            Thread.deleted_at.is_(None),
        )
        .order_by(Consultation.closes_at, Consultation.id)
        .limit(limit)
        .options(so.contains_eager(Consultation.thread), so.joinedload(Consultation.item))
    )
    if db.engine.dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True, of=Consultation)
    return list(db.session.scalars(stmt).unique())


def announce(consultation: Consultation) -> bool:
    """Claim one closed consultation and announce it: lock its thread, queue the closing mails.

    The claim is a conditional UPDATE (``… WHERE close_notified_at IS NULL``): a run that read
    the consultation before another run committed its claim changes no row and sends nothing.
    Whether this call announced it.
    """
    now = utcnow()
    claimed = db.session.execute(
        sa.update(Consultation)
        .where(Consultation.id == consultation.id, Consultation.close_notified_at.is_(None))
        .values(close_notified_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.expire(consultation, ["close_notified_at"])
    if not claimed:
        return False
    db.session.execute(
        sa.update(Thread).where(Thread.id == consultation.thread_id).values(is_locked=True)
    )
    db.session.expire(consultation.thread, ["is_locked"])
    sent = 0
    if consultation.report_published_at is None:
        sent = _queue_all("consultation_closed", consultation)
    audit.record("consultation.closed", "consultation", consultation.id, recipients=sent)
    return True


def close_due(limit: int = CLOSE_BATCH) -> list[int]:
    """Announce the consultations that have closed and were not announced yet; their ids.

    The thread is locked too (the posting check already refuses posts from the closing second;
    the lock makes the closed thread look closed everywhere in the forum).
    """
    done = [consultation.id for consultation in due(limit) if announce(consultation)]
    db.session.flush()
    return done
