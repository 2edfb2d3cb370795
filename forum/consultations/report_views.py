"""The officials' report page: mark opinions (one by one or as a named group), write the overall
response, publish; after publication each change publishes a new version with its reason."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forum import services as forum_services
from forum.consultations import report, services
from forum.consultations.forms import MarkForm, PublishForm, ResponseForm
from forum.consultations.models import Consultation, Mark, Opinion
from forum.consultations.permissions import can_manage
from forum.consultations.views import consultation_or_404
from forum.models import Post
from forum.views import bp, is_signed_in
from portal.accounts.permissions import require
from portal.extensions import db

OPINIONS_PER_PAGE = 100


def _managed(consultation_id: int) -> Consultation:
    consultation = consultation_or_404(consultation_id)
    if not can_manage(current_user, consultation.item):
        abort(403)
    return consultation


def _opinions_page(consultation: Consultation, after_floor: int) -> list[Opinion]:
    """Opinions by floor, a page at a time: a range on the post's floor, never OFFSET."""
    return list(
        db.session.scalars(
            sa.select(Opinion)
            .join(Post, Post.id == Opinion.post_id)
            .where(
                Opinion.consultation_id == consultation.id,
                Post.floor > after_floor,
                Post.held_at.is_(None),  # awaiting a moderator: not part of the consultation yet
                Post.hidden_at.is_(None),  # hidden or rejected: its text is not for the report
            )
            .options(
                so.contains_eager(Opinion.post).joinedload(Post.author),
                so.joinedload(Opinion.decision),
            )
            .order_by(Post.floor)
            .limit(OPINIONS_PER_PAGE + 1)
        )
    )


def _render(consultation: Consultation, *, mark_form=None, response_form=None, status=200):
    after = request.args.get("after", "0")
    after_floor = int(after) if after.isdigit() and len(after) < 10 else 0
    opinions = _opinions_page(consultation, after_floor)
    next_after = None
    if len(opinions) > OPINIONS_PER_PAGE:
        opinions = opinions[:OPINIONS_PER_PAGE]
        next_after = opinions[-1].post.floor
    if response_form is None:
        response_form = ResponseForm(formdata=None, data={"response": consultation.response_source})
    return render_template(
        "forum/consultations/report.html",
        consultation=consultation,
        opinions=opinions,
        next_after=next_after,
        mark_form=mark_form or MarkForm(formdata=None),
        response_form=response_form,
        publish_form=PublishForm(formdata=None),
        unmarked=report.unmarked_count(consultation),
        awaiting=report.awaiting_count(consultation),
        topic_label=services.topic_label,
        published=consultation.report_published_at is not None,
    ), status


@bp.route("/consultations/<int:consultation_id>/report")
@require(is_signed_in)
def consultation_report(consultation_id: int):
    return _render(_managed(consultation_id))


def _submit(consultation: Consultation, form, action, done: str, next_url=None, **forms):
    """Validate → ``action()`` → ``done`` and back to the report (or ``next_url``); else the
    report again with the message, 400."""
    if form.validate_on_submit():
        try:
            action()
        except forum_services.ForumError as error:
            flash(str(error), "error")
        else:
            flash(done, "success")
            return redirect(
                next_url or url_for("forum.consultation_report", consultation_id=consultation.id)
            )
    return _render(consultation, status=400, **forms)


@bp.route("/consultations/<int:consultation_id>/report/mark", methods=["POST"])
@require(is_signed_in)
def consultation_mark(consultation_id: int):
    consultation = _managed(consultation_id)
    form = MarkForm()
    post_ids = [int(v) for v in request.form.getlist("opinion") if v.isdigit() and len(v) < 12]
    return _submit(
        consultation,
        form,
        lambda: report.mark_opinions(
            consultation,
            current_user,
            post_ids,
            Mark(form.mark.data),
            form.reason.data,
            form.group_name.data or "",
            form.revision_reason.data or "",
        ),
        _("The mark is saved."),
        mark_form=form,
    )


@bp.route("/consultations/<int:consultation_id>/report/response", methods=["POST"])
@require(is_signed_in)
def consultation_response(consultation_id: int):
    consultation = _managed(consultation_id)
    form = ResponseForm()
    return _submit(
        consultation,
        form,
        lambda: report.save_response(
            consultation, current_user, form.response.data or "", form.revision_reason.data or ""
        ),
        _("The response is saved."),
        response_form=form,
    )


@bp.route("/consultations/<int:consultation_id>/report/publish", methods=["POST"])
@require(is_signed_in)
def consultation_publish(consultation_id: int):
    consultation = _managed(consultation_id)
    return _submit(
        consultation,
        PublishForm(),
        lambda: report.publish_report(consultation, current_user),
        _("The report is published; participants and followers are told."),
        url_for("forum.thread", thread_id=consultation.thread_id),
    )
