"""Consultation use cases: open and edit a consultation, its documents, and opinions with a stance.

The consultation's window is enforced where posts are written: a check registered in
``forum.services.posting_checks`` compares the clock with ``opens_at``/``closes_at`` at the
moment of writing, so the close takes effect at the closing second without any job running.
They flush, never commit.
"""

from __future__ import annotations

import contextlib
import hashlib
from contextvars import ContextVar
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from disclosure.catalog.models import ApprovalItem, StepKind
from forum import moderation, trust
from forum import services as forum_services
from forum.consultations.models import Consultation, ConsultationDocument, Opinion, Stance, State
from forum.models import Board, Post, PostRevision, Thread
from portal import audit, uploads
from portal.accounts.models import User
from portal.db import utcnow
from portal.extensions import db

BOARD_SLUG = "consultations"
BOARD_NAME = "开门审批"
BOARD_DESCRIPTION = "重大审批事项决定前，在这里听取公众意见；截止后公布意见采纳情况。"
DOCUMENT_MAX_BYTES = 20 * 1024 * 1024
DOCUMENT_TITLE_MAX = 200

# The eight elements an opinion may be about (the labels of the item page), then the steps.
ELEMENTS = [
    ("agency", _l("Handling agency")),
    ("time_limit", _l("Time limit")),
    ("eligibility", _l("Who may apply")),
    ("materials", _l("Materials to submit")),
    ("fees", _l("Fees and their basis")),
    ("legal_basis", _l("Legal basis")),
    ("procedure", _l("Procedure")),
    ("result", _l("Result")),
]
STEP_PREFIX = "step:"


class ConsultationError(forum_services.ForumError):
    """A request about a consultation that is refused; the message is meant for the user."""


# --- the board and the window ---------------------------------------------------------------


def consultation_board() -> Board:
    """The board where every consultation's thread lives, created the first time it is needed."""
    board = db.session.scalar(sa.select(Board).where(Board.slug == BOARD_SLUG))
    if board is None:
        board = forum_services.create_board(
            BOARD_SLUG, BOARD_NAME, BOARD_DESCRIPTION, sort_order=100
        )
    return board


def for_thread(thread_id: int) -> Consultation | None:
    return db.session.scalar(sa.select(Consultation).where(Consultation.thread_id == thread_id))


def when(moment: datetime) -> str:
    """A moment as people read it (Asia/Shanghai, the reader's language)."""
    return format_datetime(moment, "medium")


_opening: ContextVar[bool] = ContextVar("kaimen_consultation_opening", default=False)


def check_window(board: Board, thread: Thread | None, author: User) -> None:
    """Refuse posts on a consultation's thread outside its window (registered as a posting check).

    ``closes_at`` itself is closed: a post written at the closing second is refused.
    """
    if thread is None:
        if board.slug == BOARD_SLUG and not _opening.get():
            raise ConsultationError(
                _("Threads on this board are started by opening a consultation.")
            )
        return
    # Whatever board the thread is on (one lookup on the unique thread_id): a consultation's
    # window holds even if its thread was moved before moving was refused.
    consultation = for_thread(thread.id)
    if consultation is None:
        return
    state = consultation.state_at(utcnow())
    if state == State.UPCOMING:
        raise ConsultationError(
            _(
                "This consultation opens on %(when)s: opinions cannot be posted before then.",
                when=when(consultation.opens_at),
            )
        )
    if state != State.OPEN:
        raise ConsultationError(
            _(
                "This consultation closed on %(when)s: no more opinions or replies can be posted.",
                when=when(consultation.closes_at),
            )
        )


def check_edit_window(post: Post, editor: User) -> None:
    """Opinions and replies are edited only while the consultation is open (registered as an
    edit check); the opening post (the summary) stays editable by those who manage it."""
    if post.floor == 1:
        return
    consultation = for_thread(post.thread_id)
    if consultation is not None and consultation.state_at(utcnow()) != State.OPEN:
        raise ConsultationError(
            _("This consultation is not open: its opinions and replies cannot be edited now.")
        )


def check_move(thread: Thread, target: Board, _actor: User) -> None:
    """A consultation's thread stays on the consultations board, and no other thread moves
    there (registered as a move check of ``forum.moderation.move_thread``)."""
    if for_thread(thread.id) is not None:
        raise ConsultationError(
            _("A consultation's thread stays on its board: it cannot be moved.")
        )
    if target.slug == BOARD_SLUG:
        raise ConsultationError(_("Threads on this board are started by opening a consultation."))


if check_window not in forum_services.posting_checks:
    forum_services.posting_checks.append(check_window)
if check_edit_window not in forum_services.edit_checks:
    forum_services.edit_checks.append(check_edit_window)
if check_move not in moderation.move_checks:
    moderation.move_checks.append(check_move)


# --- opening and editing --------------------------------------------------------------------


def _check_item(item: ApprovalItem) -> None:
    if not item.is_major:
        raise ConsultationError(
            _(
                "“%(name)s” is not a major item: only major approval items are opened to "
                "public consultation.",
                name=item.name,
            )
        )
    if not item.is_published:
        raise ConsultationError(_("Publish the item in the catalog before consulting on it."))


def _check_window(opens_at: datetime, closes_at: datetime) -> None:
    if opens_at.tzinfo is None or closes_at.tzinfo is None:
        raise ValueError("naive datetime for a consultation window")
    if closes_at <= opens_at:
        raise ConsultationError(_("The closing time must be after the opening time."))
    if closes_at <= utcnow():
        raise ConsultationError(_("The closing time must be in the future."))


def open_consultation(
    item: ApprovalItem,
    opener: User,
    title: str,
    summary: str,
    opens_at: datetime,
    closes_at: datetime,
) -> Consultation:
    """Open a consultation on a major item: its thread, whose opening post is the summary."""
    _check_item(item)
    _check_window(opens_at, closes_at)
    board = consultation_board()
    token = _opening.set(True)
    try:
        # The opener is an official acting for the department (the caller checked it), not a
        # newcomer to hold for approval or rate-limit: the summary is public at once.
        with trust.waived():
            thread = forum_services.start_thread(board, opener, title, summary)
    finally:
        _opening.reset(token)
    consultation = Consultation(
        item_id=item.id,
        thread_id=thread.id,
        opens_at=opens_at,
        closes_at=closes_at,
        opened_by_id=opener.id,
    )
    db.session.add(consultation)
    db.session.flush()
    audit.record(
        "consultation.opened",
        "consultation",
        consultation.id,
        actor=opener,
        item=item.code,
        thread_id=thread.id,
        opens_at=opens_at.isoformat(),
        closes_at=closes_at.isoformat(),
    )
    return consultation


def opening_post(consultation: Consultation) -> Post | None:
    return db.session.scalar(
        sa.select(Post).where(Post.thread_id == consultation.thread_id, Post.floor == 1)
    )


def edit_consultation(
    consultation: Consultation,
    editor: User,
    title: str,
    summary: str,
    opens_at: datetime,
    closes_at: datetime,
) -> Consultation:
    """Change the title, summary or window. A concluded consultation's window stays as it was."""
    thread = consultation.thread
    before = {
        "title": thread.title,
        "opens_at": consultation.opens_at.isoformat(),
        "closes_at": consultation.closes_at.isoformat(),
    }
    window_changed = (opens_at, closes_at) != (consultation.opens_at, consultation.closes_at)
    if window_changed:
        if consultation.state == State.CONCLUDED:
            raise ConsultationError(_("The report is published: the window cannot change."))
        _check_window(opens_at, closes_at)
    thread.title = forum_services._clean_title(title)
    post = opening_post(consultation)
    if post is not None:
        _write_summary(post, editor, summary)
    consultation.opens_at, consultation.closes_at = opens_at, closes_at
    if window_changed and consultation.close_notified_at is not None:
        # Reopened: the closing job will lock and announce it again at the new closing time.
        consultation.close_notified_at = None
        thread.is_locked = False
    db.session.flush()
    audit.record(
        "consultation.edited",
        "consultation",
        consultation.id,
        actor=editor,
        before=before,
        after={
            "title": thread.title,
            "opens_at": opens_at.isoformat(),
            "closes_at": closes_at.isoformat(),
        },
    )
    return consultation


def _write_summary(post: Post, editor: User, summary: str) -> None:
    """The summary (floor 1) as the department's text, not a forum author's post: the caller
    checked ``can_manage``, so neither the author rules (a locked thread, bans) nor the trust
    hold apply; the previous version is kept as a revision, as for any edit."""
    source = forum_services._clean_source(summary)
    if source == post.source:
        return
    db.session.add(
        PostRevision(post_id=post.id, editor_id=editor.id, source=post.source, html=post.html)
    )
    post.source = source
    post.html = forum_services.render_post_html(post)
    post.edited_at = utcnow()
    post.edit_count += 1
    db.session.flush()


def add_document(
    consultation: Consultation, actor: User, title: str, filename: str, data: bytes
) -> ConsultationDocument:
    """Attach a document to read (PDF, Word or image), its type read from its bytes."""
    title = " ".join(title.split()) or filename
    if len(title) > DOCUMENT_TITLE_MAX:
        raise ConsultationError(
            _("A document's title has at most %(max)d characters.", max=DOCUMENT_TITLE_MAX)
        )
    try:
        uploads.check_size(data, DOCUMENT_MAX_BYTES)
    except uploads.UploadError as error:
        raise ConsultationError(str(error)) from error
    kind = uploads.sniff(data)
    if kind is None:
        raise ConsultationError(_("Documents are PDF, Word (DOC, DOCX), JPEG or PNG files."))
    ext = uploads.EXTENSION_FOR[kind]
    stem = filename.rsplit(".", 1)[0].replace("/", "_").replace("\\", "_")[:150] or "document"
    document = ConsultationDocument(
        consultation_id=consultation.id,
        title=title,
        filename=f"{stem}.{ext}",
        stored_name=uploads.store("consultations", data, ext),
        content_type=uploads.CONTENT_TYPES[kind],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        sort_order=len(consultation.documents),
    )
    db.session.add(document)
    db.session.flush()
    db.session.expire(consultation, ["documents"])
    audit.record(
        "consultation.document_added",
        "consultation",
        consultation.id,
        actor=actor,
        document_id=document.id,
        title=title,
        sha256=document.sha256,
    )
    return document


def remove_document(document: ConsultationDocument, actor: User) -> None:
    uploads.delete_after_commit("consultations", document.stored_name)
    audit.record(
        "consultation.document_removed",
        "consultation",
        document.consultation_id,
        actor=actor,
        document_id=document.id,
        title=document.title,
    )
    db.session.delete(document)
    db.session.flush()


# --- opinions ---------------------------------------------------------------------------------


def topic_choices(item: ApprovalItem) -> list[tuple[str, str]]:
    """What an opinion may be about: the eight elements, then the item's procedure steps."""
    choices = [(value, str(label)) for value, label in ELEMENTS]
    for step in item.steps:
        choices.append(
            (f"{STEP_PREFIX}{step.kind.value}", _("Procedure step: %(step)s", step=step.kind.label))
        )
    return choices


def topic_label(topic: str) -> str:
    if not topic:
        return ""
    if topic.startswith(STEP_PREFIX):
        with contextlib.suppress(ValueError):
            kind = StepKind(topic.removeprefix(STEP_PREFIX))
            return _("Procedure step: %(step)s", step=kind.label)
        return topic
    return str(dict(ELEMENTS).get(topic, topic))


def post_opinion(
    consultation: Consultation,
    author: User,
    source: str,
    stance: Stance | None,
    topic: str = "",
    quote: Post | None = None,
) -> Post:
    """Post on the consultation's next floor: an opinion with a stance, or (without one) a reply
    in the discussion. The window is checked by the posting check, at the moment of writing."""
    topic = topic or ""
    if topic and topic not in dict(topic_choices(consultation.item)):
        raise ConsultationError(_("Choose an element or a step of this item, or none."))
    if topic and stance is None:
        raise ConsultationError(_("Choose a stance for an opinion about an element or a step."))
    post = forum_services.reply(consultation.thread, author, source, quote=quote)
    if stance is not None:
        db.session.add(
            Opinion(post_id=post.id, consultation_id=consultation.id, stance=stance, topic=topic)
        )
        db.session.flush()
        # A post held for a moderator's approval (a new account's first) counts once approved.
        if post.held_at is None:
            _set_counted(post.id, True)
    return post


def _set_counted(post_id: int, counted: bool) -> bool:
    """Put an opinion into its stance counter (or take it out), at most once each way.

    The opinion's ``counted`` flag changes by a conditional UPDATE; only the call that changed
    it moves the counter, so a repeated or concurrent approval, hide or restore counts nothing
    twice. Whether it changed anything.
    """
    changed = db.session.execute(
        sa.update(Opinion)
        .where(Opinion.post_id == post_id, Opinion.counted.is_(not counted))
        .values(counted=counted)
        .returning(Opinion.consultation_id, Opinion.stance)
        .execution_options(synchronize_session=False)
    ).first()
    opinion = db.session.identity_map.get(so.util.identity_key(Opinion, post_id))
    if opinion is not None:
        db.session.expire(opinion, ["counted"])
    if changed is None:
        return False
    consultation_id, stance = changed
    stance = Stance(stance)
    counter = getattr(Consultation, f"{stance.value}_count")
    db.session.execute(
        sa.update(Consultation)
        .where(Consultation.id == consultation_id)
        .values({counter: counter + (1 if counted else -1)})
        .execution_options(synchronize_session=False)
    )
    consultation = db.session.identity_map.get(so.util.identity_key(Consultation, consultation_id))
    if consultation is not None:
        db.session.expire(consultation, [f"{stance.value}_count"])
    return True


def count_approved_opinion(post: Post) -> None:
    """A post listener: an opinion that was held counts when a moderator approves it (once,
    however often it was held again by an edit). Once the report is published, approving an
    opinion would change a concluded consultation without a new version: refused."""
    if getattr(post, "approved_at", None) is None:
        return  # written and shown at once: post_opinion counted it
    opinion = db.session.get(Opinion, post.id)
    if opinion is None:
        return
    consultation = db.session.get(Consultation, opinion.consultation_id)
    if consultation.report_published_at is not None:
        raise ConsultationError(
            _(
                "The report of this consultation is published: its opinions can no longer be "
                "approved. Reject the post instead."
            )
        )
    if post.hidden_at is None and post.held_at is None:
        _set_counted(post.id, True)


def count_visibility(post: Post, visible: bool) -> None:
    """A visibility listener: a hidden or rejected opinion leaves the stance chart; a restored
    one that is not awaiting approval comes back."""
    if visible and post.held_at is not None:
        return  # a rejected post put back is still held: it counts when approved
    if post.floor == 1:
        return  # the summary is no opinion
    if db.session.get(Opinion, post.id) is not None:
        _set_counted(post.id, visible)


if count_approved_opinion not in forum_services.post_listeners:
    forum_services.post_listeners.append(count_approved_opinion)
if count_visibility not in forum_services.visibility_listeners:
    forum_services.visibility_listeners.append(count_visibility)


def opinions_by_post(consultation: Consultation, post_ids: list[int]) -> dict[int, Opinion]:
    """The opinions among these posts, with their adoption decisions, in one query."""
    if not post_ids:
        return {}
    rows = db.session.scalars(
        sa.select(Opinion)
        .where(Opinion.consultation_id == consultation.id, Opinion.post_id.in_(post_ids))
        .options(so.joinedload(Opinion.decision))
    )
    return {opinion.post_id: opinion for opinion in rows}
