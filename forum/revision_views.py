"""A post's edit history, for the moderators of its board (linked from the post's "edited" mark)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort, render_template
from flask_login import current_user

from forum.models import Post, PostRevision, Thread
from forum.permissions import can_see_hidden
from forum.views import bp
from portal.accounts.models import User
from portal.extensions import db


@dataclass(frozen=True)
class Version:
    """One text a post has had: written by ``editor`` at ``at``."""

    number: int
    at: datetime
    editor: User
    source: str
    html: str
    current: bool


def versions(post: Post, revisions: list[PostRevision]) -> list[Version]:
    """Newest first. A revision keeps the text *before* an edit, made by its editor at its time;
    so the first text is the author's, and each edit's text is the next revision's (or the post's)."""
    texts = [(r.source, r.html) for r in revisions] + [(post.source, post.html)]
    makers = [(post.created_at, post.author)] + [(r.created_at, r.editor) for r in revisions]
    result = [
        Version(number, at, editor, source, html, current=number == len(revisions))
        for number, ((at, editor), (source, html)) in enumerate(zip(makers, texts, strict=True))
    ]
    return list(reversed(result))


@bp.route("/p/<int:post_id>/revisions")
def post_revisions(post_id: int):
    post = db.session.scalar(
        sa.select(Post)
        .where(Post.id == post_id)
        .options(so.joinedload(Post.thread).joinedload(Thread.board), so.joinedload(Post.author))
    )
    if post is None:
        abort(404)
    if not can_see_hidden(current_user, post.thread.board):
        abort(403)
    revisions = list(
        db.session.scalars(
            sa.select(PostRevision)
            .where(PostRevision.post_id == post.id)
            .options(so.joinedload(PostRevision.editor))
            .order_by(PostRevision.created_at, PostRevision.id)
        )
    )
    return render_template("forum/revisions.html", post=post, versions=versions(post, revisions))
