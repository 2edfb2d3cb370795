"""The queue of posts held for approval (forum.trust), beside the report queue; approve, reject."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from forum import held, moderation
from forum.forms import reason_field
from forum.models import Post, Thread
from forum.permissions import can_moderate
from forum.refusals import refused, refused_form, safe_next
from forum.services import ForumError, floor_path
from forum.views import bp, is_signed_in, moderated_board_or_403
from portal.accounts.permissions import is_admin, require
from portal.extensions import db


class ApproveForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason (optional)"), validators=[Optional(), Length(max=moderation.REASON_MAX)]
    )
    submit = SubmitField(_l("Approve"))


class RejectForm(FlaskForm):
    reason = reason_field(_l("Public reason for rejecting"), required=True)
    submit = SubmitField(_l("Reject"))


@bp.route("/b/<slug>/held")
@require(is_signed_in)
def board_held(slug: str):
    board = moderated_board_or_403(slug)
    return render_template("forum/held.html", board=board, posts=held.held_posts([board.id]))


@bp.route("/held")
@require(is_admin)
def all_held():
    return render_template("forum/held.html", board=None, posts=held.held_posts(None))


def _decide(post_id: int, form_class, action, done_message: str):
    post = db.session.scalar(
        sa.select(Post)
        .where(Post.id == post_id)
        .options(so.joinedload(Post.thread).joinedload(Thread.board))
    )
    if post is None:
        abort(404)
    if not can_moderate(current_user, post.thread.board):
        abort(403)
    back = safe_next(url_for("forum.board_held", slug=post.thread.board.slug))
    form = form_class()
    if not form.validate_on_submit():
        return refused_form(form, back)
    try:
        action(post, current_user, form.reason.data or "")
    except moderation.ModerationDenied:
        abort(403)
    except ForumError as error:
        return refused(back, str(error))
    flash(done_message, "success")
    return redirect(back if request.form.get("next") else floor_path(post.thread_id, post.floor))


@bp.route("/p/<int:post_id>/approve", methods=["POST"])
@require(is_signed_in)
def approve_post(post_id: int):
    return _decide(post_id, ApproveForm, held.approve_post, _("The post is approved."))


@bp.route("/p/<int:post_id>/reject", methods=["POST"])
@require(is_signed_in)
def reject_post(post_id: int):
    return _decide(post_id, RejectForm, held.reject_post, _("The post is rejected."))
