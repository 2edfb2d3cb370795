"""The consultation's part of its thread page: the panel above the floors (item, elements,
documents, window, state, counts by stance, the report), the stance and mark beside each opinion,
and the opinion form (or why nothing can be posted) instead of the plain reply form."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_login import current_user

from disclosure.catalog.models import ApprovalItem, ProcedureStep
from disclosure.directory.models import Position
from forum.consultations import report, services
from forum.consultations.models import Consultation, Stance, State
from forum.consultations.permissions import can_give_opinion, can_manage
from forum.models import Post, Thread
from forum.permissions import can_moderate
from forum.thread_extensions import ThreadExtension, fragment, thread_extensions
from portal.db import utcnow
from portal.extensions import db

# Bars of the stance chart are drawn in an inline SVG (no inline style under the CSP).
CHART_WIDTH = 300


def _load(thread: Thread) -> Consultation | None:
    return db.session.scalar(
        sa.select(Consultation)
        .where(Consultation.thread_id == thread.id)
        .options(
            so.joinedload(Consultation.item).options(
                so.joinedload(ApprovalItem.department),
                so.selectinload(ApprovalItem.steps)
                .joinedload(ProcedureStep.position)
                .joinedload(Position.holder),
            ),
            so.selectinload(Consultation.documents),
        )
    )


def stance_bars(consultation: Consultation) -> list[dict]:
    total = consultation.opinion_count
    biggest = max((consultation.count_of(stance) for stance in Stance), default=0) or 1
    return [
        {
            "stance": stance,
            "count": consultation.count_of(stance),
            "percent": round(100 * consultation.count_of(stance) / total) if total else 0,
            "width": round(CHART_WIDTH * consultation.count_of(stance) / biggest),
        }
        for stance in Stance
    ]


def extension(thread: Thread, posts: list[Post]) -> ThreadExtension | None:
    # On whatever board the thread is (one query on the unique thread_id).
    consultation = _load(thread)
    if consultation is None:
        return None
    state = consultation.state_at(utcnow())
    opinions = services.opinions_by_post(consultation, [post.id for post in posts])
    concluded = state == State.CONCLUDED
    context = {
        "consultation": consultation,
        "thread": thread,
        "item": consultation.item,
        "state": state,
        "State": State,
        "bars": stance_bars(consultation),
        "chart_width": CHART_WIDTH,
        "manages": can_manage(current_user, consultation.item),
        "decisions": report.decisions_with_floors(consultation) if concluded else [],
        "topic_label": services.topic_label,
    }
    moderating = can_moderate(current_user, thread.board)
    shown = {
        post.id
        for post in posts
        if post.held_at is None
        or moderating
        or (current_user.is_authenticated and post.author_id == current_user.id)
    }
    notes = {
        post_id: fragment(
            "forum/consultations/_post_note.html",
            opinion=opinion,
            concluded=concluded,
            topic_label=services.topic_label,
        )
        for post_id, opinion in opinions.items()
        if post_id in shown
    }
    reply_context = dict(context)
    if state == State.OPEN and can_give_opinion(current_user):
        from forum.consultations.views import opinion_form

        reply_context["form"] = opinion_form(consultation)
    return ThreadExtension(
        panel=fragment("forum/consultations/_panel.html", **context),
        reply=fragment("forum/consultations/_reply.html", **reply_context),
        post_notes=notes,
        replies_closed=state != State.OPEN,
    )


thread_extensions.append(extension)
