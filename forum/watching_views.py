"""Watching pages: the watch/unwatch button of a thread, and unsubscribing from a digest email."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forum import watching
from forum.models import Thread
from forum.permissions import can_post

# The thread page's own visibility rule (deleted, held for approval), so the two never differ.
from forum.views import _thread_or_404, bp, is_signed_in
from portal.accounts.permissions import require
from portal.extensions import csrf


@bp.app_template_global("forum_watching")
def forum_watching(thread: Thread) -> bool:
    """Whether the current user watches this thread (no query for visitors)."""
    return watching.is_watching(current_user, thread)


@bp.route("/t/<int:thread_id>/watch", methods=["POST"])
@require(is_signed_in)
def watch_thread(thread_id: int):
    thread = _thread_or_404(thread_id)
    if not can_post(current_user):
        abort(403)
    watching.watch(current_user, thread)
    flash(
        _("You are watching this thread: new replies come to you by email, a few at a time."),
        "success",
    )
    return redirect(url_for("forum.thread", thread_id=thread.id))


@bp.route("/t/<int:thread_id>/unwatch", methods=["POST"])
@require(is_signed_in)
def unwatch_thread(thread_id: int):
    thread = _thread_or_404(thread_id)
    watching.unwatch(current_user, thread)
    flash(_("You no longer watch this thread."), "success")
    return redirect(url_for("forum.thread", thread_id=thread.id))


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token: str):
    """The link in a digest email: GET asks to confirm, POST stops the emails (no login needed).

    The POST is also RFC 8058's one-click unsubscribe, sent by the mail client with no CSRF
    token: the signed token in the address is what authorises it.
    """
    found = watching.watch_from_token(token)
    if found is None:
        abort(404)
    user, thread = found
    if request.method == "POST":
        watching.unwatch(user, thread)
        return redirect(url_for("forum.unsubscribe", token=token))
    return render_template(
        "forum/unsubscribe.html",
        thread=thread,
        token=token,
        watching=watching.is_watching(user, thread),
    )
