"""Consultation pages, on the forum's blueprint: the list, opening and editing, the opinion form,
documents, and the report's public history. The thread page itself is the forum's, with the
consultation's panel added through ``forum.thread_extensions``."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from disclosure.catalog.models import ApprovalItem
from forum import services as forum_services
from forum.consultations import report, services
from forum.consultations.forms import (
    NO_STANCE,
    ConsultationForm,
    DocumentForm,
    OpinionForm,
    to_local,
    to_utc,
)
from forum.consultations.models import Consultation, ConsultationDocument, Mark, Stance, State
from forum.consultations.permissions import can_give_opinion, can_manage, can_open_any
from forum.models import Thread
from forum.views import Cursor, _quoted_post, bp, is_signed_in, newest_by_cursor
from portal import uploads
from portal.accounts.permissions import require
from portal.db import utcnow
from portal.extensions import db

PER_PAGE = 20


def consultation_or_404(consultation_id: int) -> Consultation:
    consultation = db.session.scalar(
        sa.select(Consultation)
        .where(Consultation.id == consultation_id)
        .options(so.joinedload(Consultation.thread), so.joinedload(Consultation.item))
    )
    if consultation is None or consultation.thread.deleted_at is not None:
        abort(404)
    return consultation


@bp.route("/consultations/")
def consultations():
    """Consultations newest first, filtered by state or item; keyset-paged on (opens_at, id)."""
    now = utcnow()
    state = request.args.get("state")
    state = State(state) if state in set(State) else None
    item_code = request.args.get("item", "").strip()
    item = None
    if item_code:
        item = db.session.scalar(sa.select(ApprovalItem).where(ApprovalItem.code == item_code))
    stmt = (
        sa.select(Consultation)
        .join(Thread, Thread.id == Consultation.thread_id)
        .where(Thread.deleted_at.is_(None))
        .options(so.contains_eager(Consultation.thread), so.joinedload(Consultation.item))
    )
    if state is not None:
        stmt = stmt.where(Consultation.state_clause(state, now))
    if item_code:
        stmt = stmt.where(Consultation.item_id == (item.id if item else -1))
    after = Cursor.parse(request.args.get("after"))
    rows, next_cursor = newest_by_cursor(
        stmt, Consultation.opens_at, Consultation.id, after, PER_PAGE
    )
    return render_template(
        "forum/consultations/list.html",
        consultations=rows,
        now=now,
        state=state,
        states=list(State),
        item=item,
        item_code=item_code,
        next_cursor=next_cursor,
        is_first=after is None,
        can_open=can_open_any(current_user),
        can_open_item=item is not None and can_manage(current_user, item),
    )


def _item_for_form(code: str) -> ApprovalItem | None:
    return db.session.scalar(sa.select(ApprovalItem).where(ApprovalItem.code == code.strip()))


@bp.route("/consultations/new", methods=["GET", "POST"])
@require(can_open_any)
def consultation_new():
    form = ConsultationForm()
    if request.method == "GET":
        form.item.data = request.args.get("item", "")
    status = 200
    if form.validate_on_submit():
        item = _item_for_form(form.item.data)
        if item is None:
            form.item.errors.append(_("No approval item has this code."))
            status = 400
        elif not can_manage(current_user, item):
            abort(403)
        else:
            saved = _saved(
                lambda: services.open_consultation(item, current_user, *_fields(form)),
                _("The consultation is opened. Add the documents to read."),
            )
            if saved is not None:
                return saved
            status = 400
    elif form.errors:
        status = 400
    return render_template("forum/consultations/new.html", form=form), status


def _fields(form) -> tuple:
    """The consultation form's title, summary and window (Beijing time in, UTC out)."""
    return (
        form.title.data,
        form.summary.data,
        to_utc(form.opens_at.data),
        to_utc(form.closes_at.data),
    )


def _saved(save, done: str):
    """Run ``save`` (it returns the consultation): on success flash ``done`` and go to the
    consultation's edit page; on a refusal flash its reason and return None (the form is shown
    again with what was typed)."""
    try:
        consultation = save()
    except forum_services.ForumError as error:
        flash(str(error), "error")
        return None
    flash(done, "success")
    return redirect(url_for("forum.consultation_edit", consultation_id=consultation.id))


@bp.route("/consultations/<int:consultation_id>")
def consultation(consultation_id: int):
    consultation = consultation_or_404(consultation_id)
    return redirect(url_for("forum.thread", thread_id=consultation.thread_id))


def _manage_or_403(consultation: Consultation) -> None:
    if not can_manage(current_user, consultation.item):
        abort(403)


@bp.route("/consultations/<int:consultation_id>/edit", methods=["GET", "POST"])
@require(is_signed_in)
def consultation_edit(consultation_id: int):
    consultation = consultation_or_404(consultation_id)
    _manage_or_403(consultation)
    opening = services.opening_post(consultation)
    form = ConsultationForm(
        data={
            "item": consultation.item.code,
            "title": consultation.thread.title,
            "summary": opening.source if opening else "",
            "opens_at": to_local(consultation.opens_at),
            "closes_at": to_local(consultation.closes_at),
        }
    )
    form.submit.label.text = _("Save the changes")
    status = 200
    if form.validate_on_submit():
        saved = _saved(
            lambda: (
                services.edit_consultation(consultation, current_user, *_fields(form))
                or consultation
            ),
            _("The consultation is changed."),
        )
        if saved is not None:
            return saved
        status = 400
    elif form.errors:
        status = 400
    return render_template(
        "forum/consultations/edit.html",
        consultation=consultation,
        form=form,
        document_form=DocumentForm(formdata=None),
    ), status


@bp.route("/consultations/<int:consultation_id>/documents", methods=["POST"])
@require(is_signed_in)
def consultation_add_document(consultation_id: int):
    consultation = consultation_or_404(consultation_id)
    _manage_or_403(consultation)
    form = DocumentForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            services.add_document(
                consultation,
                current_user,
                form.title.data or "",
                upload.filename or "",
                upload.read(services.DOCUMENT_MAX_BYTES + 1),
            )
        except forum_services.ForumError as error:
            flash(str(error), "error")
        else:
            flash(_("The document is added."), "success")
            return redirect(url_for("forum.consultation_edit", consultation_id=consultation.id))
    opening = services.opening_post(consultation)
    edit_form = ConsultationForm(
        formdata=None,
        data={
            "item": consultation.item.code,
            "title": consultation.thread.title,
            "summary": opening.source if opening else "",
            "opens_at": to_local(consultation.opens_at),
            "closes_at": to_local(consultation.closes_at),
        },
    )
    edit_form.submit.label.text = _("Save the changes")
    return render_template(
        "forum/consultations/edit.html",
        consultation=consultation,
        form=edit_form,
        document_form=form,
    ), 400


def _document_or_404(document_id: int) -> ConsultationDocument:
    document = db.session.get(ConsultationDocument, document_id)
    if document is None or document.consultation.thread.deleted_at is not None:
        abort(404)
    return document


@bp.route("/consultations/documents/<int:document_id>/delete", methods=["POST"])
@require(is_signed_in)
def consultation_remove_document(document_id: int):
    document = _document_or_404(document_id)
    consultation = document.consultation
    _manage_or_403(consultation)
    services.remove_document(document, current_user)
    flash(_("The document is removed."), "success")
    return redirect(url_for("forum.consultation_edit", consultation_id=consultation.id))


@bp.route("/consultations/documents/<int:document_id>")
def consultation_document(document_id: int):
    document = _document_or_404(document_id)
    path = uploads.path_for("consultations", document.stored_name)
    if not path.is_file():
        abort(404)
    return send_file(
        path,
        mimetype=document.content_type,
        as_attachment=True,
        download_name=document.filename,
        max_age=3600,
    )


def opinion_form(consultation: Consultation, formdata=None) -> OpinionForm:
    form = OpinionForm(formdata=formdata) if formdata is not None else OpinionForm(formdata=None)
    form.topic.choices = [SelectChoice("", _("The consultation as a whole"))] + [
        SelectChoice(value, label) for value, label in services.topic_choices(consultation.item)
    ]
    return form


@bp.route("/consultations/<int:consultation_id>/opinion", methods=["GET", "POST"])
@require(is_signed_in)
def consultation_opinion(consultation_id: int):
    """The opinion form (with a quoted floor if asked); "Preview" renders without saving."""
    consultation = consultation_or_404(consultation_id)
    thread = consultation.thread
    form = opinion_form(consultation, request.form if request.method == "POST" else None)
    if request.method == "GET":
        form.quote.data = request.args.get("quote", "")
    quote = _quoted_post(thread, form.quote.data)
    preview_html = None
    status = 200
    if not can_give_opinion(current_user):
        flash(_("Verify your email address before you post."), "error")
        status = 403
    elif consultation.state != State.OPEN:
        try:
            services.check_window(thread.board, thread, current_user)
        except forum_services.ForumError as error:
            flash(str(error), "error")
        status = 403
    elif form.validate_on_submit():
        if form.preview.data:
            source = form.source.data
            if quote is not None:
                source = forum_services.quote_markdown(quote) + source
            preview_html = forum_services.preview(source)
        else:
            stance = None if form.stance.data == NO_STANCE else Stance(form.stance.data)
            try:
                post = services.post_opinion(
                    consultation, current_user, form.source.data, stance, form.topic.data, quote
                )
            except forum_services.ForumError as error:
                flash(str(error), "error")
                status = error.status  # 403 for a ban or a rate limit
            else:
                if post.held_at is None:
                    flash(_("Your opinion is posted."), "success")
                elif stance is None:
                    flash(_("Your reply waits for a moderator's approval."), "success")
                else:
                    flash(_("Your opinion waits for a moderator's approval."), "success")
                return redirect(forum_services.floor_path(thread.id, post.floor))
    elif form.errors:
        status = 400
    return render_template(
        "forum/consultations/opinion.html",
        consultation=consultation,
        form=form,
        quote=quote,
        preview_html=preview_html,
    ), status


@bp.route("/consultations/<int:consultation_id>/report/history")
def consultation_history(consultation_id: int):
    """Every published version of the report, newest first: nothing changes silently."""
    consultation = consultation_or_404(consultation_id)
    if consultation.report_published_at is None:
        abort(404)
    return render_template(
        "forum/consultations/history.html",
        consultation=consultation,
        versions=report.versions(consultation),
        mark_labels={mark.value: mark.label for mark in Mark},
    )
