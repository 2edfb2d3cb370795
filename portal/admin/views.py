"""Administrator pages: users and roles, the audit log, the outbound mail viewer."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import audit
from portal.accounts import services as accounts
from portal.accounts.models import Role, User
from portal.accounts.permissions import can_manage_users, can_read_audit_log, can_read_mail, require
from portal.admin.forms import CreateUserForm, GrantRoleForm, RetryMessageForm, RevokeRoleForm
from portal.audit import AuditEntry
from portal.db import utcnow
from portal.extensions import db
from portal.mail.models import MessageStatus, OutboundMessage
from portal.pagination import before_arg, newest_first

bp = Blueprint("admin", __name__, url_prefix="/admin")

PER_PAGE = 50


@bp.route("/")
@require(can_manage_users)
def index():
    return redirect(url_for("admin.users"))


@bp.route("/users")
@require(can_manage_users)
def users():
    query = request.args.get("q", "").strip()
    stmt = sa.select(User)
    if query:
        pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(
            sa.or_(
                User.email.ilike(pattern, escape="\\"),
                User.display_name.ilike(pattern, escape="\\"),
            )
        )
    page = newest_first(stmt, User.id, before_arg(request.args.get("before")), PER_PAGE)
    return render_template("admin/users.html", page=page, query=query)


@bp.route("/users/new", methods=["GET", "POST"])
@require(can_manage_users)
def create_user():
    form = CreateUserForm()
    if form.validate_on_submit():
        try:
            user = accounts.create_user(
                form.email.data,
                form.display_name.data,
                form.password.data,
                roles={Role(value) for value in form.roles.data or []},
                actor=current_user,
            )
        except accounts.AccountError as error:
            form.email.errors.append(str(error))
        else:
            flash(_("Account created for %(email)s.", email=user.email), "success")
            return redirect(url_for("admin.user", user_id=user.id))
    return render_template("admin/user_new.html", form=form)


def _load_user(user_id: int) -> User:
    return db.session.get(User, user_id) or abort(404)


def _user_history(user: User) -> list[AuditEntry]:
    stmt = (
        sa.select(AuditEntry)
        .where(AuditEntry.subject_type == "user", AuditEntry.subject_id == user.id)
        .order_by(AuditEntry.id.desc())
        .limit(50)
    )
    return list(db.session.scalars(stmt))


@bp.route("/users/<int:user_id>")
@require(can_manage_users)
def user(user_id: int):
    target = _load_user(user_id)
    return render_template(
        "admin/user.html",
        target=target,
        grant_form=GrantRoleForm(),
        revoke_form=RevokeRoleForm(),
        history=_user_history(target),
    )


@bp.route("/users/<int:user_id>/roles", methods=["POST"])
@require(can_manage_users)
def grant_role(user_id: int):
    target = _load_user(user_id)
    form = GrantRoleForm()
    if not form.validate_on_submit():
        return render_template(
            "admin/user.html",
            target=target,
            grant_form=form,
            revoke_form=RevokeRoleForm(),
            history=_user_history(target),
        ), 400
    role = Role(form.role.data)
    if accounts.grant_role(target, role, actor=current_user, reason=form.reason.data or None):
        flash(_("%(name)s is now %(role)s.", name=target.display_name, role=role.label), "success")
    else:
        flash(_("%(name)s already has that role.", name=target.display_name), "info")
    return redirect(url_for("admin.user", user_id=target.id))


@bp.route("/users/<int:user_id>/roles/<role>/revoke", methods=["POST"])
@require(can_manage_users)
def revoke_role(user_id: int, role: str):
    target = _load_user(user_id)
    try:
        role_enum = Role(role)
    except ValueError:
        abort(404)
    form = RevokeRoleForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        removed = accounts.revoke_role(
            target, role_enum, actor=current_user, reason=form.reason.data or None
        )
    except accounts.AccountError as error:
        flash(str(error), "error")
        return redirect(url_for("admin.user", user_id=target.id))
    if removed:
        flash(
            _("%(name)s is no longer %(role)s.", name=target.display_name, role=role_enum.label),
            "success",
        )
    return redirect(url_for("admin.user", user_id=target.id))


@bp.route("/audit")
@require(can_read_audit_log)
def audit_log():
    action = request.args.get("action", "").strip()
    stmt = sa.select(AuditEntry)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    page = newest_first(stmt, AuditEntry.id, before_arg(request.args.get("before")), PER_PAGE)
    return render_template("admin/audit.html", page=page, action=action)


@bp.route("/mail")
@require(can_read_mail)
def mail():
    status = request.args.get("status", "")
    stmt = sa.select(OutboundMessage)
    if status in {s.value for s in MessageStatus}:
        stmt = stmt.where(OutboundMessage.status == MessageStatus(status))
    else:
        status = ""
    counts = dict(
        db.session.execute(
            sa.select(OutboundMessage.status, sa.func.count()).group_by(OutboundMessage.status)
        ).all()
    )
    page = newest_first(stmt, OutboundMessage.id, before_arg(request.args.get("before")), PER_PAGE)
    return render_template(
        "admin/mail.html", page=page, status=status, counts=counts, statuses=list(MessageStatus)
    )


@bp.route("/mail/<int:message_id>")
@require(can_read_mail)
def mail_message(message_id: int):
    message = db.session.get(OutboundMessage, message_id) or abort(404)
    return render_template(
        "admin/mail_message.html", message=message, retry_form=RetryMessageForm()
    )


@bp.route("/mail/<int:message_id>/retry", methods=["POST"])
@require(can_read_mail)
def retry_message(message_id: int):
    message = db.session.get(OutboundMessage, message_id) or abort(404)
    if not RetryMessageForm().validate_on_submit():
        abort(400)
    if message.status in (MessageStatus.FAILED, MessageStatus.QUEUED):
        message.status = MessageStatus.QUEUED
        message.next_attempt_at = utcnow()
        audit.record("mail.retry", "outbound_message", message.id, actor=current_user)
        flash(_("The message will be sent on the next run of the mail dispatcher."), "success")
    return redirect(url_for("admin.mail_message", message_id=message.id))
