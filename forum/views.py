"""Forum pages: the boards, a board's threads, a thread's floors, and writing posts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forum import bans, services, thread_extensions
from forum.forms import PostForm, ThreadForm
from forum.models import Board, Post, Thread
from forum.permissions import can_edit, can_moderate, can_post
from forum.viewcounts import count_view
from portal.accounts.models import User
from portal.accounts.permissions import require
from portal.extensions import db

bp = Blueprint("forum", __name__, url_prefix="/forum")

THREADS_PER_PAGE = 30


def is_signed_in(user) -> bool:
    return bool(user and user.is_authenticated)


@bp.route("/")
def index():
    """Every board with its counters and its latest post, in one query."""
    last_post = so.aliased(Post)
    last_thread = so.aliased(Thread)
    last_author = so.aliased(User)
    rows = db.session.execute(
        sa.select(Board, last_thread.id, last_thread.title, last_author.display_name)
        .outerjoin(last_post, last_post.id == Board.last_post_id)
        .outerjoin(last_thread, last_thread.id == last_post.thread_id)
        .outerjoin(last_author, last_author.id == last_post.author_id)
        .order_by(Board.sort_order, Board.id)
    ).all()
    return render_template("forum/index.html", rows=rows)


# --- a board's threads ----------------------------------------------------------------------


@dataclass(frozen=True)
class Cursor:
    """Where the next page of a board starts: below this (last_post_at, id)."""

    at: datetime
    id: int

    def __str__(self) -> str:
        micros = int(self.at.timestamp() * 1_000_000)
        return f"{micros}.{self.id}"

    @classmethod
    def parse(cls, value: str | None) -> Cursor | None:
        if not value:
            return None
        micros, _dot, thread_id = value.partition(".")
        if not (micros.isdigit() and thread_id.isdigit()) or len(micros) > 18:
            return None
        at = datetime.fromtimestamp(int(micros) / 1_000_000, tz=UTC)
        return cls(at, int(thread_id))


def newest_by_cursor(
    stmt: sa.Select,
    at: sa.ColumnElement,
    ident: sa.ColumnElement,
    after: Cursor | None,
    per_page: int,
) -> tuple[list, str | None]:
    """Rows of ``stmt`` by ``at`` then ``ident``, newest first, below ``after``; and the cursor of
    the next page (None on the last)."""
    if after is not None:
        stmt = stmt.where(sa.or_(at < after.at, sa.and_(at == after.at, ident < after.id)))
    rows = list(db.session.scalars(stmt.order_by(at.desc(), ident.desc()).limit(per_page + 1)))
    if len(rows) <= per_page:
        return rows, None
    rows = rows[:per_page]
    return rows, str(Cursor(getattr(rows[-1], at.key), getattr(rows[-1], ident.key)))


def board_or_404(slug: str) -> Board:
    board = db.session.scalar(sa.select(Board).where(Board.slug == slug))
    if board is None:
        abort(404)
    return board


def moderated_board_or_403(slug: str) -> Board:
    """The board (else 404), if the current user moderates it (else 403)."""
    board = board_or_404(slug)
    if not can_moderate(current_user, board):
        abort(403)
    return board


def _thread_listing(board: Board, featured: bool) -> sa.Select:
    stmt = (
        sa.select(Thread)
        .where(Thread.board_id == board.id, Thread.deleted_at.is_(None), Thread.held_at.is_(None))
        .options(so.joinedload(Thread.author), so.joinedload(Thread.last_post_author))
    )
    return stmt.where(Thread.is_featured.is_(True)) if featured else stmt


@bp.route("/b/<slug>")
def board(slug: str):
    """Pinned threads first (on the first page), then the rest by latest reply, keyset-paged."""
    board = board_or_404(slug)
    featured = request.args.get("featured") == "1"
    after = Cursor.parse(request.args.get("after"))
    pinned: list[Thread] = []
    if after is None:
        pinned = list(
            db.session.scalars(
                _thread_listing(board, featured)
                .where(Thread.is_pinned.is_(True))
                .order_by(Thread.last_post_at.desc(), Thread.id.desc())
            )
        )
    threads, next_cursor = newest_by_cursor(
        _thread_listing(board, featured).where(Thread.is_pinned.is_(False)),
        Thread.last_post_at,
        Thread.id,
        after,
        THREADS_PER_PAGE,
    )
    return render_template(
        "forum/board.html",
        board=board,
        pinned=pinned,
        threads=threads,
        featured=featured,
        next_cursor=next_cursor,
        is_first=after is None,
        can_post=can_post(current_user),
        # Why "Start a thread" is not offered: a ban, a rate limit, a consultation board.
        thread_refusal=(
            services.posting_refusal(board, None, current_user)
            if current_user.is_authenticated
            else None
        ),
        moderates=can_moderate(current_user, board),
    )


@bp.route("/b/<slug>/new", methods=["GET", "POST"])
@require(is_signed_in)
def new_thread(slug: str):
    board = board_or_404(slug)
    form = ThreadForm()
    preview_html = None
    status = 200
    ban = bans.active_ban(current_user, board)
    if not can_post(current_user):
        flash(_("Verify your email address before you post."), "error")
        status = 403
    elif ban is not None:
        flash(bans.ban_message(ban), "error")
        status = 403
    elif form.validate_on_submit():
        if form.preview.data:
            preview_html = services.preview(form.source.data)
        else:
            try:
                thread = services.start_thread(
                    board, current_user, form.title.data, form.source.data
                )
            except services.ForumError as error:
                flash(str(error), "error")
                status = error.status
            else:
                if thread.held_at is not None:
                    flash(_("Your thread waits for a moderator's approval."), "success")
                else:
                    flash(_("Your thread is posted."), "success")
                return redirect(url_for("forum.thread", thread_id=thread.id))
    elif form.errors:
        status = 400
    return render_template(
        "forum/new_thread.html",
        board=board,
        form=form,
        preview_html=preview_html,
        banned=ban is not None,
    ), status


# --- a thread's floors ----------------------------------------------------------------------


def _thread_or_404(thread_id: int) -> Thread:
    thread = db.session.scalar(
        sa.select(Thread).where(Thread.id == thread_id).options(so.joinedload(Thread.board))
    )
    # A deleted thread is gone for everyone but the moderators of its board.
    if thread is None or (
        thread.deleted_at is not None and not can_moderate(current_user, thread.board)
    ):
        abort(404)
    # A thread whose opening post awaits approval (forum.trust): its author and moderators only.
    if (
        thread.held_at is not None
        and thread.author_id != getattr(current_user, "id", None)
        and not can_moderate(current_user, thread.board)
    ):
        abort(404)
    return thread


def _page_arg() -> int:
    value = request.args.get("page", "1")
    return int(value) if value.isdigit() and 0 < int(value) < 10**9 else 1


def floor_posts(thread: Thread, page: int) -> list[Post]:
    """Floors (page-1)*25+1 … page*25: a range on the (thread_id, floor) key, as cheap deep as near."""
    first = (page - 1) * services.POSTS_PER_PAGE + 1
    last = page * services.POSTS_PER_PAGE
    return list(
        db.session.scalars(
            sa.select(Post)
            .where(Post.thread_id == thread.id, Post.floor.between(first, last))
            .options(so.joinedload(Post.author))
            .order_by(Post.floor)
        )
    )


@bp.route("/t/<int:thread_id>")
def thread(thread_id: int):
    thread = _thread_or_404(thread_id)
    page = _page_arg()
    last_page = max(1, services.page_of_floor(max(thread.post_count, 1)))
    if page > last_page:
        abort(404)
    posts = floor_posts(thread, page)
    count_view(thread.id)
    ban = bans.active_ban(current_user, thread.board) if can_post(current_user) else None
    return render_template(
        "forum/thread.html",
        thread=thread,
        posts=posts,
        page=page,
        last_page=last_page,
        form=PostForm(formdata=None),
        can_post=can_post(current_user) and ban is None,
        ban_notice=bans.ban_message(ban) if ban is not None else None,
        moderating=can_moderate(current_user, thread.board),
        **thread_extensions.collect(thread, posts),
    )


def _quoted_post(thread: Thread, value: str | None) -> Post | None:
    if not value or not value.isdigit():
        return None
    return db.session.scalar(
        sa.select(Post)
        # A hidden post's text, or one awaiting approval, is not copied into a quote.
        .where(
            Post.thread_id == thread.id,
            Post.floor == int(value),
            Post.hidden_at.is_(None),
            Post.held_at.is_(None),
        )
        .options(so.joinedload(Post.author))
    )


@bp.route("/t/<int:thread_id>/reply", methods=["GET", "POST"])
@require(is_signed_in)
def reply(thread_id: int):
    """The reply form (with a quoted floor if asked); "Preview" renders without saving."""
    thread = _thread_or_404(thread_id)
    form = PostForm()
    if request.method == "GET":
        form.quote.data = request.args.get("quote", "")
    quote = _quoted_post(thread, form.quote.data)
    preview_html = None
    status = 200
    ban = bans.active_ban(current_user, thread.board)
    if not can_post(current_user):
        flash(_("Verify your email address before you post."), "error")
        status = 403
    elif thread.is_locked:
        flash(_("This thread is locked: no new replies can be posted."), "error")
        status = 403
    elif ban is not None:
        flash(bans.ban_message(ban), "error")
        status = 403
    elif form.validate_on_submit():
        if form.preview.data:
            source = form.source.data
            if quote is not None:
                source = services.quote_markdown(quote) + source
            preview_html = services.preview(source)
        else:
            try:
                post = services.reply(thread, current_user, form.source.data, quote=quote)
            except services.ForumError as error:
                flash(str(error), "error")
                status = error.status
            else:
                if post.held_at is not None:
                    flash(_("Your reply waits for a moderator's approval."), "success")
                return redirect(services.floor_path(thread.id, post.floor))
    elif form.errors:
        status = 400
    return render_template(
        "forum/reply.html",
        thread=thread,
        form=form,
        quote=quote,
        preview_html=preview_html,
        banned=ban is not None,
    ), status


@bp.route("/p/<int:post_id>/edit", methods=["GET", "POST"])
@require(is_signed_in)
def edit_post(post_id: int):
    post = db.session.scalar(
        sa.select(Post).where(Post.id == post_id).options(so.joinedload(Post.thread))
    )
    if post is None:
        abort(404)
    if not can_edit(current_user, post):
        abort(403)
    form = PostForm(data={"source": post.source})
    try:
        services.check_can_edit(post, current_user)  # a locked thread, a ban: say so at once
    except services.ForumError as error:
        flash(str(error), "error")
        return render_template("forum/edit_post.html", post=post, form=form, refused=True), (
            error.status
        )
    preview_html = None
    status = 200
    if form.validate_on_submit():
        if form.preview.data:
            preview_html = services.preview(form.source.data)
        else:
            try:
                services.edit_post(post, current_user, form.source.data)
            except services.ForumError as error:
                flash(str(error), "error")
                status = error.status
            else:
                flash(_("Your post is changed."), "success")
                return redirect(services.floor_path(post.thread_id, post.floor))
    elif form.errors:
        status = 400
    return render_template(
        "forum/edit_post.html", post=post, form=form, preview_html=preview_html
    ), status
