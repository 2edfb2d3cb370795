"""The Atom feed of consultations: newest opened first, each with its summary and state."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import gettext as _

from disclosure.catalog.models import ApprovalItem
from forum.consultations.models import Consultation
from forum.feeds import FEED_ENTRIES, _atom, _feed
from forum.models import Post, Thread
from forum.views import bp
from portal.db import utcnow
from portal.extensions import db
from portal.urls import external_url


@bp.route("/consultations/feed.atom")
def consultations_feed():
    now = utcnow()
    rows = db.session.execute(
        sa.select(Consultation, Post)
        .join(Thread, Thread.id == Consultation.thread_id)
        .join(Post, sa.and_(Post.thread_id == Thread.id, Post.floor == 1))
        .where(Thread.deleted_at.is_(None), Post.hidden_at.is_(None))
        .options(
            so.contains_eager(Consultation.thread),
            so.joinedload(Consultation.item).joinedload(ApprovalItem.department),
        )
        .order_by(Consultation.opens_at.desc(), Consultation.id.desc())
        .limit(FEED_ENTRIES)
    ).all()
    page_url = external_url("forum.consultations")

    def updated(consultation):
        return max(
            moment
            for moment in (
                consultation.created_at,
                consultation.report_revised_at,
                consultation.report_published_at,
                min(consultation.opens_at, now),
            )
            if moment is not None
        )

    feed = _feed(
        page_url,
        _("Open-door consultations · Kaimen"),
        page_url,
        external_url("forum.consultations_feed"),
        max((updated(c) for c, _post in rows), default=now),
    )
    feed.subtitle(
        _("Major approval items on which the government hears the public before deciding.")
    )
    for consultation, post in rows:
        link = external_url("forum.thread", thread_id=consultation.thread_id)
        entry = feed.add_entry(order="append")
        entry.id(link)
        entry.title(
            _(
                "%(title)s (%(state)s)",
                title=consultation.thread.title,
                state=consultation.state_at(now).label,
            )
        )
        entry.link(href=link, rel="alternate", type="text/html")
        entry.author(name=consultation.item.department.full_name)
        entry.published(consultation.created_at)
        entry.updated(updated(consultation))
        entry.content(post.html, type="html")
    return _atom(feed)
