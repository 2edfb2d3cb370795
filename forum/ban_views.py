"""Ban pages on the forum blueprint: ban a post's author, a board's active bans, all bans, lift."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from forum import bans
from forum.forms import reason_field
from forum.models import Ban, Post, Thread
from forum.permissions import can_moderate
from forum.refusals import refused, refused_form
from forum.services import ForumError
from forum.views import bp, is_signed_in, moderated_board_or_403
from portal.accounts.permissions import is_admin, require
from portal.db import utcnow
from portal.extensions import db

BANS_PER_PAGE = 50
SCOPES = {"board": _l("This board only"), "everywhere": _l("Every board")}


class BanForm(FlaskForm):
    period = SelectField(
        _l("How long"),
        choices=[SelectChoice(key, label) for key, (_len, label) in bans.PERIODS.items()],
    )
    scope = SelectField(
        _l("Where"),
        choices=[SelectChoice(key, label) for key, label in SCOPES.items()],
        default="board",
    )
    reason = reason_field(
        _l("Reason (the user sees it)"), required=True, rows=3, max_length=bans.REASON_MAX
    )
    submit = SubmitField(_l("Ban"))


class LiftForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason (optional)"),
        validators=[Optional(), Length(max=bans.REASON_MAX)],
        render_kw={"rows": 2},
    )
    submit = SubmitField(_l("Lift the ban"))


def _post_or_404(post_id: int) -> Post:
    post = db.session.scalar(
        sa.select(Post)
        .where(Post.id == post_id)
        .options(so.joinedload(Post.thread).joinedload(Thread.board), so.joinedload(Post.author))
    )
    if post is None:
        abort(404)
    return post


@bp.route("/p/<int:post_id>/ban", methods=["GET", "POST"])
@require(is_signed_in)
def ban_author(post_id: int):
    """Ban the author of a post from its board (or, as administrator, from every board)."""
    post = _post_or_404(post_id)
    board = post.thread.board
    if not can_moderate(current_user, board):
        abort(403)
    form = BanForm()
    status = 200
    if form.validate_on_submit():
        everywhere = form.scope.data == "everywhere"  # administrators only: bans.ban refuses
        try:
            bans.ban(
                post.author,
                None if everywhere else board,
                current_user,
                form.period.data,
                form.reason.data,
            )
        except bans.BanDenied:
            abort(403)
        except ForumError as error:
            flash(str(error), "error")
            status = 400
        else:
            flash(_("%(name)s is banned.", name=post.author.display_name), "success")
            return redirect(url_for("forum.board_bans", slug=board.slug))
    elif form.errors:
        status = 400
    return render_template(
        "forum/ban.html",
        post=post,
        board=board,
        form=form,
        everywhere_allowed=bans.can_ban(current_user, None),
    ), status


def _listing(stmt: sa.Select) -> tuple[list[Ban], int | None]:
    """Newest first, keyset on id ("before")."""
    before = request.args.get("before", "")
    if before.isdigit():
        stmt = stmt.where(Ban.id < int(before))
    rows = list(
        db.session.scalars(
            stmt.options(
                so.joinedload(Ban.user),
                so.joinedload(Ban.board),
                so.joinedload(Ban.created_by),
                so.joinedload(Ban.lifted_by),
            )
            .order_by(Ban.id.desc())
            .limit(BANS_PER_PAGE + 1)
        )
    )
    if len(rows) > BANS_PER_PAGE:
        rows = rows[:BANS_PER_PAGE]
        return rows, rows[-1].id
    return rows, None


@bp.route("/b/<slug>/bans")
@require(is_signed_in)
def board_bans(slug: str):
    """The bans in force on a board (its own, and those on every board), for its moderators."""
    board = moderated_board_or_403(slug)
    now = utcnow()
    rows, older = _listing(
        sa.select(Ban).where(
            sa.or_(Ban.board_id == board.id, Ban.board_id.is_(None)),
            Ban.lifted_at.is_(None),
            sa.or_(Ban.expires_at.is_(None), Ban.expires_at > now),
        )
    )
    return render_template(
        "forum/bans.html", board=board, bans=rows, older=older, now=now, form=LiftForm()
    )


@bp.route("/bans")
@require(is_admin)
def all_bans():
    """Every ban on every board, in force or not, for administrators."""
    rows, older = _listing(sa.select(Ban))
    return render_template(
        "forum/bans.html", board=None, bans=rows, older=older, now=utcnow(), form=LiftForm()
    )


@bp.route("/bans/<int:ban_id>/lift", methods=["POST"])
@require(is_signed_in)
def lift_ban(ban_id: int):
    record = db.session.scalar(
        sa.select(Ban).where(Ban.id == ban_id).options(so.joinedload(Ban.board))
    )
    if record is None:
        abort(404)
    if not bans.can_lift(current_user, record):
        abort(403)
    form = LiftForm()
    back = (
        url_for("forum.board_bans", slug=record.board.slug)
        if record.board is not None and not is_admin(current_user)
        else url_for("forum.all_bans")
    )
    if not form.validate_on_submit():
        return refused_form(form, back)
    try:
        bans.lift(record, current_user, form.reason.data or "")
    except ForumError as error:
        return refused(back, str(error))
    flash(_("The ban is lifted."), "success")
    return redirect(back)


@bp.app_template_global("forum_can_lift")
def can_lift_here(ban: Ban) -> bool:
    return bans.can_lift(current_user, ban)
