"""Moderation pages on the forum blueprint: reports, the report queue, hiding posts, thread
tools, and the administrator's page of a board's moderators (版主)."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, SubmitField
from wtforms.validators import DataRequired, Length

from forum import moderation
from forum.forms import reason_field
from forum.models import Board, BoardModerator, Post, Thread
from forum.permissions import can_manage_moderators, can_moderate, can_report, moderated_board_ids
from forum.refusals import refused, refused_form, safe_next
from forum.report_queue import open_reports
from forum.services import ForumError, floor_path
from forum.views import board_or_404, bp, is_signed_in, moderated_board_or_403
from portal.accounts.models import User
from portal.accounts.permissions import is_admin, require
from portal.extensions import db


class ReportForm(FlaskForm):
    reason = reason_field(_l("Why should a moderator look at this post?"), required=True)
    submit = SubmitField(_l("Report"))


class HideForm(FlaskForm):
    reason = reason_field(_l("Public reason for hiding"), required=True)
    submit = SubmitField(_l("Hide"))


class ReasonForm(FlaskForm):
    """Restore, dismiss, pin, feature, lock: a reason is welcome but not required."""

    reason = reason_field(_l("Reason (optional)"), required=False)
    submit = SubmitField(_l("Confirm"))


class DeleteThreadForm(FlaskForm):
    reason = reason_field(_l("Reason for deleting"), required=True)
    submit = SubmitField(_l("Delete the thread"))


class MoveThreadForm(FlaskForm):
    board = SelectField(_l("Move to board"), coerce=int)
    reason = reason_field(_l("Reason for moving"), required=True)
    submit = SubmitField(_l("Move"))


class ModeratorForm(FlaskForm):
    email = EmailField(_l("Email address"), validators=[DataRequired(), Length(max=254)])
    submit = SubmitField(_l("Make moderator"))


def _post_or_404(post_id: int) -> Post:
    post = db.session.scalar(
        sa.select(Post)
        .where(Post.id == post_id)
        .options(so.joinedload(Post.thread).joinedload(Thread.board), so.joinedload(Post.author))
    )
    if post is None or (
        post.thread.deleted_at is not None and not can_moderate(current_user, post.thread.board)
    ):
        abort(404)
    return post


def _thread_or_404(thread_id: int) -> Thread:
    thread = db.session.scalar(
        sa.select(Thread).where(Thread.id == thread_id).options(so.joinedload(Thread.board))
    )
    if thread is None:
        abort(404)
    return thread


def _refuse_form(form: FlaskForm):
    """A form that does not validate: say why, with a 400 so nothing is kept."""
    return refused_form(form, _back())


def _back() -> str:
    """The form's page (its ``next``), else the thread acted on, else the forum's first page."""
    thread_id = (request.view_args or {}).get("thread_id")
    default = url_for("forum.thread", thread_id=thread_id) if thread_id else url_for("forum.index")
    return safe_next(default)


def _run(action, *args, **kwargs):
    """Call a moderation service; its refusals become the refusal page and a 400."""
    try:
        return action(*args, **kwargs), None
    except moderation.ModerationDenied:
        abort(403)
    except ForumError as error:
        return None, refused(_back(), str(error))


# --- reporting a post ----------------------------------------------------------------------


@bp.route("/p/<int:post_id>/report", methods=["GET", "POST"])
@require(is_signed_in)
def report_post(post_id: int):
    post = _post_or_404(post_id)
    if not can_report(current_user, post):
        abort(403)
    form = ReportForm()
    status = 200
    if form.validate_on_submit():
        try:
            moderation.report_post(post, current_user, form.reason.data)
        except ForumError as error:
            flash(str(error), "error")
            status = error.status  # 403 for a banned reporter
        else:
            flash(_("Thank you: a moderator will look at this post."), "success")
            return redirect(floor_path(post.thread_id, post.floor))
    elif form.errors:
        status = 400
    return render_template("forum/report.html", post=post, form=form), status


# --- the report queue ----------------------------------------------------------------------


@bp.route("/b/<slug>/reports")
@require(is_signed_in)
def board_reports(slug: str):
    board = moderated_board_or_403(slug)
    page = open_reports([board.id], request.args.get("after"), request.args.get("before"))
    return render_template(
        "forum/reports.html", board=board, items=page.items, page=page, form=HideForm()
    )


@bp.route("/reports")
@require(is_admin)
def all_reports():
    page = open_reports(None, request.args.get("after"), request.args.get("before"))
    return render_template(
        "forum/reports.html", board=None, items=page.items, page=page, form=HideForm()
    )


# --- hiding and restoring posts; dismissing reports ----------------------------------------


def _post_action(post_id: int, form_class, action, done_message: str):
    post = _post_or_404(post_id)
    if not can_moderate(current_user, post.thread.board):
        abort(403)
    form = form_class()
    here = floor_path(post.thread_id, post.floor)
    if not form.validate_on_submit():
        return refused_form(form, safe_next(here))
    try:
        action(post, current_user, form.reason.data or "")
    except moderation.ModerationDenied:
        abort(403)
    except ForumError as error:
        return refused(safe_next(here), str(error))
    flash(done_message, "success")
    return redirect(safe_next(here))


@bp.route("/p/<int:post_id>/hide", methods=["POST"])
@require(is_signed_in)
def hide_post(post_id: int):
    return _post_action(post_id, HideForm, moderation.hide_post, _("The post is hidden."))


@bp.route("/p/<int:post_id>/restore", methods=["POST"])
@require(is_signed_in)
def restore_post(post_id: int):
    return _post_action(post_id, ReasonForm, moderation.restore_post, _("The post is shown again."))


@bp.route("/p/<int:post_id>/dismiss", methods=["POST"])
@require(is_signed_in)
def dismiss_reports(post_id: int):
    return _post_action(
        post_id, ReasonForm, moderation.dismiss_reports, _("The reports are dismissed.")
    )


# --- thread tools --------------------------------------------------------------------------


def _moderated_thread(thread_id: int) -> Thread:
    thread = _thread_or_404(thread_id)
    if not can_moderate(current_user, thread.board):
        abort(403)
    return thread


@bp.route("/t/<int:thread_id>/mod/<verb>", methods=["POST"])
@require(is_signed_in)
def thread_flag(thread_id: int, verb: str):
    if verb not in moderation.THREAD_FLAG_VERBS:
        abort(404)
    thread = _moderated_thread(thread_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        return _refuse_form(form)
    _done, refused = _run(
        moderation.set_thread_flag, thread, current_user, verb, form.reason.data or ""
    )
    if refused:
        return refused
    flash(_("The thread is changed."), "success")
    return redirect(url_for("forum.thread", thread_id=thread.id))


@bp.app_template_global("forum_move_choices")
def move_choices(thread: Thread) -> list[tuple[int, str]]:
    """The boards the current user may move this thread to: those they moderate, but its own."""
    stmt = sa.select(Board.id, Board.name).order_by(Board.sort_order, Board.id)
    if not is_admin(current_user):
        stmt = stmt.where(Board.id.in_(moderated_board_ids(current_user)))
    return [
        (board_id, name)
        for board_id, name in db.session.execute(stmt)
        if board_id != thread.board_id
    ]


@bp.route("/t/<int:thread_id>/move", methods=["POST"])
@require(is_signed_in)
def move_thread(thread_id: int):
    thread = _moderated_thread(thread_id)
    form = MoveThreadForm()
    form.board.choices = move_choices(thread)
    if not form.validate_on_submit():
        return _refuse_form(form)
    target = db.session.get(Board, form.board.data)
    if target is None:
        abort(404)
    _done, refused = _run(moderation.move_thread, thread, target, current_user, form.reason.data)
    if refused:
        return refused
    flash(_("The thread is moved to %(board)s.", board=target.name), "success")
    return redirect(url_for("forum.thread", thread_id=thread.id))


@bp.route("/t/<int:thread_id>/delete", methods=["POST"])
@require(is_signed_in)
def delete_thread(thread_id: int):
    thread = _moderated_thread(thread_id)
    form = DeleteThreadForm()
    if not form.validate_on_submit():
        return _refuse_form(form)
    _done, refused = _run(moderation.delete_thread, thread, current_user, form.reason.data)
    if refused:
        return refused
    flash(_("The thread is deleted."), "success")
    return redirect(url_for("forum.board", slug=thread.board.slug))


# --- a board's moderators (administrators) -------------------------------------------------


@bp.route("/admin/boards/<slug>/moderators", methods=["GET", "POST"])
@require(can_manage_moderators)
def board_moderators(slug: str):
    board = board_or_404(slug)
    form = ModeratorForm()
    status = 200
    if form.validate_on_submit():
        user = db.session.scalar(
            sa.select(User).where(sa.func.lower(User.email) == form.email.data.strip().lower())
        )
        if user is None:
            flash(_("No account has this email address."), "error")
            status = 400
        else:
            try:
                moderation.grant_moderator(board, user, current_user)
            except ForumError as error:
                flash(str(error), "error")
                status = 400
            else:
                flash(_("%(name)s now moderates this board.", name=user.display_name), "success")
                return redirect(url_for("forum.board_moderators", slug=board.slug))
    elif form.errors:
        status = 400
    grants = list(
        db.session.scalars(
            sa.select(BoardModerator)
            .where(BoardModerator.board_id == board.id)
            .options(so.joinedload(BoardModerator.user))
            .order_by(BoardModerator.granted_at)
        )
    )
    return render_template(
        "forum/moderators.html", board=board, form=form, grants=grants, revoke_form=ReasonForm()
    ), status


@bp.route("/admin/boards/<slug>/moderators/<int:user_id>/revoke", methods=["POST"])
@require(can_manage_moderators)
def revoke_moderator(slug: str, user_id: int):
    board = board_or_404(slug)
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    form = ReasonForm()
    if not form.validate_on_submit():
        return _refuse_form(form)
    _done, refused = _run(
        moderation.revoke_moderator, board, user, current_user, form.reason.data or ""
    )
    if refused:
        return refused
    flash(_("%(name)s no longer moderates this board.", name=user.display_name), "success")
    return redirect(url_for("forum.board_moderators", slug=board.slug))
