"""Open-door consultations (开门审批): the consultation, its documents, opinions, adoption marks and
the published report's versions.

The state (upcoming / open / closed / concluded) is never stored: it follows from the opening and
closing times and the report's publication, in Python (``state_at``) and in SQL (``state_clause``).
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from disclosure.catalog.models import ApprovalItem
from forum.models import Post, Thread
from portal.accounts.models import User
from portal.db import Base, UTCDateTime, str_enum, utcnow

__all__ = [
    "AdoptionDecision",
    "Consultation",
    "ConsultationDocument",
    "Mark",
    "Opinion",
    "ReportVersion",
    "Stance",
    "State",
]


class State(enum.StrEnum):
    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"
    CONCLUDED = "concluded"

    @property
    def label(self) -> str:
        return str(STATE_LABELS[self])


STATE_LABELS = {
    State.UPCOMING: _l("Upcoming"),
    State.OPEN: _l("Open for opinions"),
    State.CLOSED: _l("Closed, report pending"),
    State.CONCLUDED: _l("Concluded"),
}


class Stance(enum.StrEnum):
    SUPPORT = "support"
    OPPOSE = "oppose"
    SUGGESTION = "suggestion"

    @property
    def label(self) -> str:
        return str(STANCE_LABELS[self])


STANCE_LABELS = {
    Stance.SUPPORT: _l("Support"),
    Stance.OPPOSE: _l("Oppose"),
    Stance.SUGGESTION: _l("Suggestion"),
}


class Mark(enum.StrEnum):
    ADOPTED = "adopted"
    PARTLY = "partly_adopted"
    NOT_ADOPTED = "not_adopted"

    @property
    def label(self) -> str:
        return str(MARK_LABELS[self])


MARK_LABELS = {
    Mark.ADOPTED: _l("Adopted"),
    Mark.PARTLY: _l("Partly adopted"),
    Mark.NOT_ADOPTED: _l("Not adopted"),
}


class Consultation(Base):
    """One consultation on a major approval item. Its discussion is a thread on the board
    "consultations": the thread's title is the consultation's, and its opening post (floor 1,
    written by the opener) is the summary of the matter under approval."""

    __tablename__ = "forum_consultations"
    __table_args__ = (
        # The list (newest opening first, keyset on (opens_at, id)) and its state filters.
        sa.Index("ix_forum_consultations_opens", "opens_at", "id"),
        sa.Index("ix_forum_consultations_closes", "closes_at", "report_published_at"),
        # The closing job: closed but not yet announced.
        sa.Index("ix_forum_consultations_close_pending", "close_notified_at", "closes_at"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    item_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("approval_items.id", ondelete="RESTRICT"), index=True
    )
    thread_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("forum_threads.id", ondelete="RESTRICT"), unique=True
    )
    opens_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    closes_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    opened_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    # Set once by the closing job when it has locked the thread and queued the closing mails.
    close_notified_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    # The adoption report (意见采纳情况): the overall response, and its publication.
    response_source: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    response_html: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    report_published_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    report_revised_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    report_version: so.Mapped[int] = so.mapped_column(default=0)
    # Opinions by stance, kept here (never counted on read).
    support_count: so.Mapped[int] = so.mapped_column(default=0)
    oppose_count: so.Mapped[int] = so.mapped_column(default=0)
    suggestion_count: so.Mapped[int] = so.mapped_column(default=0)

    item: so.Mapped[ApprovalItem] = so.relationship()
    thread: so.Mapped[Thread] = so.relationship()
    opened_by: so.Mapped[User | None] = so.relationship()
    documents: so.Mapped[list[ConsultationDocument]] = so.relationship(
        back_populates="consultation",
        cascade="all, delete-orphan",
        order_by="ConsultationDocument.sort_order, ConsultationDocument.id",
    )

    @property
    def title(self) -> str:
        return self.thread.title

    def state_at(self, now: datetime) -> State:
        if self.report_published_at is not None:
            return State.CONCLUDED
        if now < self.opens_at:
            return State.UPCOMING
        if now < self.closes_at:
            return State.OPEN
        return State.CLOSED

    @property
    def state(self) -> State:
        return self.state_at(utcnow())

    @property
    def is_open(self) -> bool:
        return self.state == State.OPEN

    @property
    def opinion_count(self) -> int:
        return self.support_count + self.oppose_count + self.suggestion_count

    def count_of(self, stance: Stance) -> int:
        return getattr(self, f"{stance.value}_count")

    @classmethod
    def state_clause(cls, state: State, now: datetime) -> sa.ColumnElement[bool]:
        """The SQL condition equivalent to ``state_at(now) == state``."""
        published = cls.report_published_at.is_not(None)
        if state == State.CONCLUDED:
            return published
        if state == State.UPCOMING:
            return sa.and_(~published, cls.opens_at > now)
        if state == State.OPEN:
            return sa.and_(~published, cls.opens_at <= now, cls.closes_at > now)
        return sa.and_(~published, cls.closes_at <= now)

    @classmethod
    def state_expr(cls, now: datetime) -> sa.ColumnElement[str]:
        """The state as an SQL value, equal to ``state_at(now)`` row by row."""
        return sa.case(
            (cls.report_published_at.is_not(None), State.CONCLUDED.value),
            (cls.opens_at > now, State.UPCOMING.value),
            (cls.closes_at > now, State.OPEN.value),
            else_=State.CLOSED.value,
        )

    def __repr__(self) -> str:
        return f"<Consultation {self.id} on item {self.item_id}>"


class ConsultationDocument(Base):
    """A document to read before giving an opinion (PDF, Word, image), stored by portal.uploads."""

    __tablename__ = "forum_consultation_documents"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    consultation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("forum_consultations.id", ondelete="CASCADE"), index=True
    )
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    filename: so.Mapped[str] = so.mapped_column(sa.String(200))  # offered to the downloader
    stored_name: so.Mapped[str] = so.mapped_column(sa.String(80), unique=True)
    content_type: so.Mapped[str] = so.mapped_column(sa.String(120))
    size: so.Mapped[int]
    sha256: so.Mapped[str] = so.mapped_column(sa.String(64))
    sort_order: so.Mapped[int] = so.mapped_column(default=0)
    uploaded_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    consultation: so.Mapped[Consultation] = so.relationship(back_populates="documents")


class AdoptionDecision(Base):
    """A mark (adopted / partly / not adopted) with its reason, given to one opinion or to a named
    group of opinions that share it."""

    __tablename__ = "forum_consultation_decisions"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    consultation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("forum_consultations.id", ondelete="CASCADE"), index=True
    )
    group_name: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    mark: so.Mapped[Mark] = so.mapped_column(str_enum(Mark, 16))
    reason: so.Mapped[str] = so.mapped_column(sa.Text)
    decided_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class Opinion(Base):
    """A post that is an opinion: its stance, what it is about, and (later) its adoption mark."""

    __tablename__ = "forum_consultation_opinions"
    __table_args__ = (
        sa.Index("ix_forum_consultation_opinions_decision", "decision_id"),
        sa.Index("ix_forum_consultation_opinions_consultation", "consultation_id", "post_id"),
    )

    post_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("forum_posts.id", ondelete="CASCADE"), primary_key=True
    )
    consultation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("forum_consultations.id", ondelete="CASCADE")
    )
    stance: so.Mapped[Stance] = so.mapped_column(str_enum(Stance, 16))
    # An element of the item ("eligibility", …) or a procedure step ("step:review"); "" for none.
    topic: so.Mapped[str] = so.mapped_column(sa.String(32), default="")
    decision_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("forum_consultation_decisions.id", ondelete="SET NULL")
    )
    # Whether the opinion is in its consultation's stance counter now: set when it is shown
    # (posted unheld, or approved), cleared when a moderator hides or rejects it. Flipped only by
    # a conditional UPDATE (services._set_counted), so no path counts an opinion twice.
    counted: so.Mapped[bool] = so.mapped_column(default=False)

    post: so.Mapped[Post] = so.relationship()
    decision: so.Mapped[AdoptionDecision | None] = so.relationship()


class ReportVersion(Base):
    """One published version of the adoption report, kept whole: the first publication is
    version 1, and every later change publishes the next one (with its reason)."""

    __tablename__ = "forum_consultation_report_versions"
    __table_args__ = (sa.UniqueConstraint("consultation_id", "version"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    consultation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("forum_consultations.id", ondelete="CASCADE")
    )
    version: so.Mapped[int]
    published_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    editor_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    reason: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    response_html: so.Mapped[str] = so.mapped_column(sa.Text)
    # [{"group": …, "mark": …, "reason": …, "floors": [..]}], as published.
    decisions: so.Mapped[list[dict[str, Any]]] = so.mapped_column(sa.JSON, default=list)

    editor: so.Mapped[User | None] = so.relationship()
