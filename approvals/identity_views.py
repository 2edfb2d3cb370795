"""The identity pages on the ``approvals`` blueprint.

* ``/approvals/identity`` — the applicant declares, sees (masked), changes or withdraws their
  identity and confirms a phone by SMS code;
* ``/approvals/identity/counter`` — an officer finds an account by email and, once the numbers
  typed from the papers match the declared ones, sees them in full and confirms the identity.

No identity number is ever in a URL: lookups and checks are POSTed. Every response here is
``Cache-Control: no-store, private``. A wrong SMS code answers 200 (with the error on the field),
not 4xx: the request's transaction commits only below 400, and the count of wrong tries must stay.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from approvals import identity_confirmations as confirmations
from approvals import identity_permissions as permissions
from approvals import identity_phone as phone
from approvals import identity_services as services
from approvals.identity_forms import (
    CounterCheckForm,
    CounterConfirmForm,
    CounterFindForm,
    IdentityForm,
    PhoneCodeForm,
    PhoneForm,
    RevokeForm,
)
from approvals.identity_models import IdentityEvent, IdentityKind
from approvals.identity_numbers import mask_phone
from approvals.views import ID, bp
from portal.accounts.models import User
from portal.accounts.permissions import require
from portal.extensions import db


def _private(body, status: int = 200):
    response = make_response(body, status)
    response.headers["Cache-Control"] = "no-store, private"
    return response


def _field_error(form, error: services.IdentityError) -> None:
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, str(error)]
    else:
        flash(str(error), "error")


# --- the applicant's page ---------------------------------------------------------------------


def _page(
    *,
    identity_form=None,
    phone_form=None,
    code_form=None,
    status: int = 200,
    open_change: bool = False,
):
    user = current_user
    identity = services.identity_record(user)
    active = identity is not None and not identity.is_revoked
    if identity_form is None:
        identity_form = IdentityForm(formdata=None)
        if active:
            identity_form.kind.data = identity.kind.value
            identity_form.real_name.data = identity.real_name
            identity_form.company_name.data = identity.company_name or ""
    pending = phone.pending_code(user) if active else None
    events = []
    if identity is not None:
        events = db.session.scalars(
            sa.select(IdentityEvent)
            .where(IdentityEvent.identity_id == identity.id)
            .order_by(IdentityEvent.id.desc())
            .limit(50)
        ).all()
    return _private(
        render_template(
            "approvals/identity/index.html",
            identity=identity if active else None,
            revoked=identity is not None and identity.is_revoked,
            masked_id=services.masked_id_number(identity) if active else None,
            masked_code=services.masked_credit_code(identity) if active else None,
            masked_phone=mask_phone(identity.phone) if active and identity.phone else None,
            pending=pending,
            pending_phone=mask_phone(pending.phone) if pending else None,
            events=events,
            identity_form=identity_form,
            phone_form=phone_form or PhoneForm(formdata=None),
            code_form=code_form or PhoneCodeForm(formdata=None),
            revoke_form=RevokeForm(formdata=None),
            open_change=open_change,
        ),
        status,
    )


def _require_verified():
    if not permissions.can_declare(current_user):
        abort(_private(render_template("approvals/identity/unverified.html"), 403))


@bp.route("/identity", methods=["GET", "POST"])
@require(permissions.is_signed_in)
def identity():
    _require_verified()
    if request.method == "GET":
        return _page()
    form = IdentityForm()
    existing = services.identity_for(current_user)
    if not form.validate_on_submit():
        return _page(identity_form=form, status=400, open_change=existing is not None)
    id_number = form.id_number.data
    credit_code = form.credit_code.data
    if existing is not None:
        # On a change, a number left blank keeps the declared one.
        if not (id_number or "").strip():
            id_number = services.id_number(existing)
        if not (credit_code or "").strip() and existing.is_company:
            credit_code = services.credit_code(existing)
    try:
        declaration = services.validate_declaration(
            form.kind.data, form.real_name.data, id_number, form.company_name.data, credit_code
        )
        if existing is None:
            services.declare(current_user, declaration)
            flash(_("Your identity is declared."), "success")
        elif services.change(existing, declaration, current_user):
            flash(_("Your identity is changed."), "success")
        else:
            flash(_("Nothing was changed."), "info")
    except services.IdentityError as error:
        _field_error(form, error)
        return _page(identity_form=form, status=400, open_change=existing is not None)
    return redirect(url_for(".identity"))


def _own_identity():
    """The signed-in, verified user's declared identity, or 404 when they have none."""
    _require_verified()
    identity = services.identity_for(current_user)
    if identity is None:
        abort(404)
    return identity


@bp.route("/identity/withdraw", methods=["POST"])
@require(permissions.is_signed_in)
def identity_withdraw():
    identity = _own_identity()
    if RevokeForm().validate_on_submit():
        services.revoke(identity, current_user, _("Withdrawn by the applicant."))
        flash(_("Your identity is withdrawn."), "success")
    return redirect(url_for(".identity"))


@bp.route("/identity/phone", methods=["POST"])
@require(permissions.is_signed_in)
def identity_phone():
    identity = _own_identity()
    form = PhoneForm()
    if not form.validate_on_submit():
        return _page(phone_form=form, status=400)
    try:
        phone.send_phone_code(identity, form.phone.data)
    except services.IdentityError as error:
        _field_error(form, error)
        return _page(phone_form=form, status=error.status)
    flash(_("A code is on its way by SMS."), "success")
    return redirect(url_for(".identity"))


@bp.route("/identity/phone/verify", methods=["POST"])
@require(permissions.is_signed_in)
def identity_phone_verify():
    identity = _own_identity()
    form = PhoneCodeForm()
    if not form.validate_on_submit():
        return _page(code_form=form, status=400)
    try:
        phone.verify_phone_code(identity, form.code.data)
    except services.IdentityError as error:
        _field_error(form, error)
        return _page(code_form=form, status=200)  # keep the count of tries (see above)
    flash(_("Your phone is confirmed."), "success")
    return redirect(url_for(".identity"))


# --- the counter ------------------------------------------------------------------------------


def _counter_page(*, find_form=None, account=None, check_form=None, confirm=None, status=200):
    identity = services.identity_record(account) if account is not None else None
    return _private(
        render_template(
            "approvals/identity/counter.html",
            find_form=find_form or CounterFindForm(formdata=None),
            account=account,
            identity=identity if identity is not None and not identity.is_revoked else None,
            masked=services.masked_last4(identity) if identity is not None else None,
            check_form=check_form or CounterCheckForm(formdata=None),
            confirm=confirm,
            person=IdentityKind.PERSON,
        ),
        status,
    )


def _account_or_404(user_id: int) -> User:
    account = db.session.get(User, user_id)
    if account is None:
        abort(404)
    return account


@bp.route("/identity/counter", methods=["GET", "POST"])
@require(permissions.can_confirm_at_counter)
def identity_counter():
    if request.method == "GET":
        return _counter_page()
    form = CounterFindForm()
    if not form.validate_on_submit():
        return _counter_page(find_form=form, status=400)
    account = confirmations.find_account(form.email.data.strip())
    if account is None:
        form.email.errors = [_("No account has this email address.")]
        return _counter_page(find_form=form, status=404)
    return _counter_page(find_form=form, account=account)


@bp.route(f"/identity/counter/<{ID}:user_id>/check", methods=["POST"])
@require(permissions.can_confirm_at_counter)
def identity_counter_check(user_id: int):
    account = _account_or_404(user_id)
    identity = services.identity_for(account)
    if identity is None:
        abort(404)
    form = CounterCheckForm()
    if not form.validate_on_submit():
        return _counter_page(account=account, check_form=form, status=400)
    if not confirmations.papers_match(identity, form.id_number.data, form.credit_code.data):
        form.id_number.errors = [
            _("The numbers typed from the papers are not the declared ones. Check them again.")
        ]
        return _counter_page(account=account, check_form=form, status=400)
    confirmations.record_papers_checked(identity, current_user)
    confirm_form = CounterConfirmForm(formdata=None)
    confirm_form.id_number.data = form.id_number.data
    confirm_form.credit_code.data = form.credit_code.data or ""
    return _counter_page(
        account=account,
        confirm={
            "form": confirm_form,
            "id_number": services.id_number(identity),
            "credit_code": services.credit_code(identity),
        },
    )


@bp.route(f"/identity/counter/<{ID}:user_id>/confirm", methods=["POST"])
@require(permissions.can_confirm_at_counter)
def identity_counter_confirm(user_id: int):
    account = _account_or_404(user_id)
    identity = services.identity_for(account)
    if identity is None:
        abort(404)
    form = CounterConfirmForm()
    if not form.validate_on_submit():
        return _counter_page(account=account, status=400)
    try:
        confirmations.confirm_at_counter(
            identity,
            current_user,
            form.id_number.data,
            form.credit_code.data,
            note=(form.note.data or "").strip(),
        )
    except services.IdentityError as error:
        flash(str(error), "error")
        return _counter_page(account=account, status=400)
    flash(
        _("The identity of %(name)s is confirmed at the counter.", name=identity.display_name),
        "success",
    )
    return redirect(url_for(".identity_counter"))
