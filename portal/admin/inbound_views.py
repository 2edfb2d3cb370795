"""The holding pen (/admin/inbound) and the list of every inbound message, for administrators."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from portal.accounts.permissions import can_read_mail, require
from portal.extensions import db
from portal.mail.inbound import authres, pen
from portal.mail.inbound_models import (
    PEN_OUTCOMES,
    RELEASABLE_OUTCOMES,
    InboundMessage,
    InboundOutcome,
)
from portal.pagination import before_arg, newest_first

bp = Blueprint("inbound_admin", __name__, url_prefix="/admin/inbound")

PER_PAGE = 50


class ReleaseForm(FlaskForm):
    tag = SelectField(_l("Kind"), validators=[DataRequired()])
    object_id = IntegerField(
        _l("Number (id)"),
        validators=[
            DataRequired(message=_l("Enter the number it belongs to.")),
            NumberRange(min=1, message=_l("Enter the number it belongs to.")),
        ],
    )


class DiscardForm(FlaskForm):
    reason = StringField(
        _l("Reason (kept in the audit log)"),
        validators=[
            Optional(),
            Length(max=1000, message=_l("At most %(max)d characters.", max=1000)),
        ],
    )


def _listing():
    # The raw bytes stay in the database: a page lists up to 50 messages of up to 25 MB.
    return sa.select(InboundMessage).options(
        so.defer(InboundMessage.raw), so.selectinload(InboundMessage.resolved_by)
    )


@bp.route("/")
@require(can_read_mail)
def index():
    stmt = _listing().where(InboundMessage.outcome.in_(PEN_OUTCOMES))
    page = newest_first(stmt, InboundMessage.id, before_arg(request.args.get("before")), PER_PAGE)
    return render_template(
        "admin/inbound.html",
        page=page,
        pen=True,
        outcome="",
        outcomes=list(InboundOutcome),
        authserv_ids=authres.trusted_ids(),
    )


@bp.route("/all")
@require(can_read_mail)
def all_messages():
    outcome = request.args.get("outcome", "")
    stmt = _listing()
    if outcome in {o.value for o in InboundOutcome}:
        stmt = stmt.where(InboundMessage.outcome == InboundOutcome(outcome))
    else:
        outcome = ""
    page = newest_first(stmt, InboundMessage.id, before_arg(request.args.get("before")), PER_PAGE)
    return render_template(
        "admin/inbound.html",
        page=page,
        pen=False,
        outcome=outcome,
        outcomes=list(InboundOutcome),
        authserv_ids=authres.trusted_ids(),
    )


def _load(inbound_id: int) -> InboundMessage:
    stmt = _listing().where(InboundMessage.id == inbound_id)
    return db.session.scalar(stmt) or abort(404)


def _release_form(inbound: InboundMessage, formdata=None) -> ReleaseForm:
    form = ReleaseForm(
        formdata=formdata,
        tag=inbound.suggested_tag or inbound.tag,
        object_id=inbound.suggested_object_id or inbound.object_id,
    )
    form.tag.choices = [(tag, tag) for tag in pen.handler_tags()]
    return form


def _show(inbound, release_form=None, discard_form=None, status=200):
    return render_template(
        "admin/inbound_message.html",
        inbound=inbound,
        open=inbound.outcome in PEN_OUTCOMES,
        releasable=inbound.outcome in RELEASABLE_OUTCOMES
        and inbound.outcome != InboundOutcome.TOO_LARGE,
        release_form=release_form or _release_form(inbound),
        discard_form=discard_form or DiscardForm(),
    ), status


@bp.route("/<int:inbound_id>")
@require(can_read_mail)
def show(inbound_id: int):
    return _show(_load(inbound_id))


@bp.route("/<int:inbound_id>/release", methods=["POST"])
@require(can_read_mail)
def release(inbound_id: int):
    inbound = _load(inbound_id)
    form = _release_form(inbound, request.form)
    if not form.validate_on_submit():
        return _show(inbound, release_form=form, status=400)
    try:
        pen.release(inbound, form.tag.data, form.object_id.data, current_user)
    except pen.PenError as error:
        db.session.rollback()
        flash(str(error), "error")
        return _show(
            _load(inbound_id), release_form=_release_form(inbound, request.form), status=400
        )
    flash(
        _(
            "The message was released to %(tag)s #%(id)d.",
            tag=form.tag.data,
            id=form.object_id.data,
        ),
        "success",
    )
    return redirect(url_for("inbound_admin.show", inbound_id=inbound.id))


@bp.route("/<int:inbound_id>/discard", methods=["POST"])
@require(can_read_mail)
def discard(inbound_id: int):
    inbound = _load(inbound_id)
    form = DiscardForm()
    if not form.validate_on_submit():
        return _show(inbound, discard_form=form, status=400)
    try:
        pen.discard(inbound, current_user, form.reason.data)
    except pen.PenError as error:
        flash(str(error), "error")
        return _show(inbound, discard_form=form, status=400)
    flash(_("The message was discarded."), "success")
    return redirect(url_for("inbound_admin.index"))
