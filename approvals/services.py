"""The applicant's use cases: save a draft, submit (收件), resubmit after a correction notice (补正),
withdraw, rate. Each validates, changes state through ``approvals.states``, queues mail, writes the
audit log and flushes — the caller commits once; a refusal raises ``ApprovalError`` before anything
is written that the rollback would not take back (files included: ``portal.uploads``).
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from approvals import clock, materials, notices, procedure
from approvals import snapshot as spec
from approvals.applicant import applicant_of, satisfies
from approvals.application_models import Application, ApplicationStatus, EventKind
from approvals.errors import ApprovalError
from approvals.permissions import can_apply
from approvals.procedure_models import CorrectionRequest, DocumentKind
from approvals.states import IllegalTransition, add_event, move
from approvals.validation import clean_values, label, scrub
from disclosure.catalog.models import ApprovalItem, StepKind
from disclosure.catalog.online_models import ApplicantKind, IdentityLevel
from portal import audit
from portal.db import utcnow
from portal.extensions import db

S = ApplicationStatus
COMMENT_MAX = 2_000
POOR_RATING = 2  # at or below: the department's supervisors review the service
REASON_MAX = 2_000


def offered_online(item: ApprovalItem | None) -> bool:
    return bool(item and item.is_published and item.online is not None and item.online.enabled)


def _check_item(item: ApprovalItem) -> None:
    if not offered_online(item):
        raise ApprovalError(_("This item cannot be applied for online."))


# --- drafts -------------------------------------------------------------------------------------


def find_draft(user, item: ApprovalItem) -> Application | None:
    return db.session.scalar(
        sa.select(Application)
        .where(
            Application.applicant_id == user.id,
            Application.item_id == item.id,
            Application.status == S.DRAFT,
        )
        .order_by(Application.id.desc())
        .limit(1)
    )


def save_draft(
    user,
    item: ApprovalItem,
    values: dict,
    files: dict[str, materials.Incoming] | None = None,
    *,
    application: Application | None = None,
) -> Application:
    """Create or update the user's draft for ``item``: what is filled in is checked (a wrong ID
    number is refused even in a draft), empty required fields are allowed until submission."""
    if not can_apply(user):
        raise ApprovalError(_("Verify your email address before you apply online."))
    _check_item(item)
    snapshot = spec.snapshot_of(item)
    cleaned = clean_values(snapshot, values, partial=True)
    checked = materials.check_materials(snapshot, files or {})
    if application is None:
        application = Application(
            applicant_id=user.id,
            item_id=item.id,
            department_id=item.department_id,
            status=S.DRAFT,
            locale=user.locale or current_app.config["BABEL_DEFAULT_LOCALE"],
            event_count=0,
        )
        db.session.add(application)
    elif application.status != S.DRAFT or application.applicant_id != user.id:
        raise ApprovalError(_("This application is no longer a draft."))
    # A draft is not filed yet: it follows the item's current online form.
    application.spec_snapshot = snapshot
    application.spec_version = int(snapshot.get("version") or 1)
    application.form_values = cleaned
    db.session.flush()
    materials.save(application, checked, user)
    audit.record("application.draft", "application", application.id, actor=user)
    return application


# --- submitting ---------------------------------------------------------------------------------


def _check_identity(user, snapshot: dict):
    applicant = applicant_of(user)
    if applicant is None:
        raise ApprovalError(
            _("Add your identity (a person's ID number or a company's credit code) first.")
        )
    kind = ApplicantKind(snapshot.get("applicant_kind") or ApplicantKind.BOTH)
    if not kind.admits(applicant.kind):
        raise ApprovalError(
            _("Only %(who)s can apply for this item.", who=kind.label.lower())
            if kind != ApplicantKind.BOTH
            else _("Your identity cannot apply for this item.")
        )
    level = IdentityLevel(snapshot.get("identity_level") or IdentityLevel.EMAIL)
    if not satisfies(user, level):
        raise ApprovalError(
            _(
                "This item needs an identity confirmed at the level “%(level)s”.",
                level=level.label,
            )
        )
    return applicant


def _check_complete(application: Application) -> dict:
    snapshot = application.spec_snapshot
    cleaned = clean_values(snapshot, application.form_values or {})
    present = set(materials.current_materials(application))
    missing = materials.missing_required(snapshot, present)
    if missing:
        errors = {
            f"material:{m['key']}": _("Upload the required material: %(name)s.", name=m["name"])
            for m in missing
        }
        raise ApprovalError(next(iter(errors.values())), errors)
    return cleaned


def submit(application: Application, user) -> str:
    """File the draft (收件): number, query code (returned, shown once), the acceptance clock, the
    acceptance task, the receipt (PDF) and its mail. A second submit is refused."""
    procedure.lock(application)
    if application.applicant_id != user.id:
        raise ApprovalError(_("This is not your application."))
    if application.status != S.DRAFT:
        raise ApprovalError(
            _(
                "This application is already submitted (number %(number)s).",
                number=application.number or "—",
            )
        )
    if not can_apply(user):
        raise ApprovalError(_("Verify your email address before you apply online."))
    item = db.session.get(ApprovalItem, application.item_id)
    _check_item(item)
    if int(item.online.version) != int(application.spec_version):
        raise ApprovalError(
            _(
                "The item's online form has changed since you saved this draft: check it and save it again."
            )
        )
    snapshot = application.spec_snapshot
    applicant = _check_identity(user, snapshot)
    cleaned = _check_complete(application)

    now = utcnow()
    day = procedure.today()
    application.form_values = cleaned
    application.number = procedure.next_number(day)
    code = procedure.new_query_code()
    application.query_code_hash = procedure.hash_query_code(application.number, code)
    application.identity_kind = applicant.kind
    application.identity_name = applicant.name
    application.identity_masked_number = applicant.masked_number
    application.submitted_at = now
    application.received_on = day
    application.complete_on = day
    clock.set_acceptance_due(application)
    move(
        application,
        "submit",
        actor=user,
        number=application.number,
        acceptance_due=application.acceptance_due.isoformat(),
    )
    acceptance = spec.step(snapshot, StepKind.ACCEPTANCE) or {"kind": str(StepKind.ACCEPTANCE)}
    task = procedure.open_task(
        application, acceptance, start=day, limit_days=clock.acceptance_days(snapshot)
    )
    receipt = notices.issue(
        application,
        DocumentKind.RECEIPT,
        body=[
            f"您的申请已于 {day.isoformat()} 收到（收件，不等于受理）。",
            f"申请编号：{application.number}　查询码：{code}（请妥善保存，仅显示一次）。",
            f"受理机关将在 {application.acceptance_due.isoformat()} 前决定是否受理，"
            "材料不齐全或不符合法定形式的，将一次性告知需要补正的全部内容；"
            "逾期不告知的，自收到申请材料之日起即为受理。",
        ],
        items=[m["name"] for m in spec.materials(snapshot) if m["key"] in _present(application)],
        legal_basis="《中华人民共和国行政许可法》第三十二条",
        actor=user,
    )
    audit.record(
        "application.submit",
        "application",
        application.id,
        actor=user,
        number=application.number,
        item=application.item_code,
        spec_version=application.spec_version,
    )
    notices.mail_applicant(application, "approval_received", document=receipt, query_code=code)
    notices.mail_task(application, task)
    return code


def _present(application: Application) -> set[str]:
    return set(materials.current_materials(application))


# --- correction (补正) -------------------------------------------------------------------------


def open_correction(application: Application) -> CorrectionRequest | None:
    return db.session.scalar(
        sa.select(CorrectionRequest)
        .where(
            CorrectionRequest.application_id == application.id,
            CorrectionRequest.answered_at.is_(None),
        )
        .order_by(CorrectionRequest.id.desc())
        .limit(1)
    )


def resubmit(
    application: Application,
    user,
    values: dict,
    files: dict[str, materials.Incoming] | None = None,
) -> Application:
    """Answer the correction notice: only the listed fields and materials may change; every
    listed material needs a new file. The materials are complete on this day: the acceptance
    clock starts again from it."""
    procedure.lock(application)
    if application.applicant_id != user.id:
        raise ApprovalError(_("This is not your application."))
    if application.status != S.CORRECTION_REQUESTED:
        raise ApprovalError(_("No correction is asked of this application."))
    correction = open_correction(application)
    if correction is None:  # pragma: no cover - the status says there is one
        raise ApprovalError(_("No correction is asked of this application."))
    snapshot = application.spec_snapshot
    fields = spec.field_by_key(snapshot)
    files = files or {}
    stored = application.form_values or {}
    not_asked = sorted(
        key
        for key, value in values.items()
        if key in fields
        and key not in correction.field_keys
        and str(value if value is not None else "").strip() != str(stored.get(key, "")).strip()
    )
    not_asked_files = sorted(set(files) - correction.material_keys)
    if not_asked or not_asked_files:
        names = [label(fields[k]) for k in not_asked] + [
            spec.material_by_key(snapshot).get(k, {}).get("name", k) for k in not_asked_files
        ]
        raise ApprovalError(
            _(
                "The correction notice does not ask you to change: %(names)s. "
                "Change only what it lists.",
                names="、".join(names),
            ),
            {k: _("Not asked for in the correction notice.") for k in not_asked}
            | {
                f"material:{k}": _("Not asked for in the correction notice.")
                for k in not_asked_files
            },
        )
    merged = dict(stored)
    for key in correction.field_keys:
        if key in values:
            merged[key] = values[key]
    cleaned = clean_values(snapshot, merged)
    checked = materials.check_materials(snapshot, files)
    missing = sorted(correction.material_keys - set(files))
    if missing:
        by_key = spec.material_by_key(snapshot)
        errors = {
            f"material:{k}": _("Upload a corrected file: %(name)s.", name=by_key[k]["name"])
            for k in missing
        }
        raise ApprovalError(next(iter(errors.values())), errors)
    application.form_values = cleaned
    materials.save(application, checked, user)
    _check_complete(application)
    day = procedure.today()
    correction.answered_at = utcnow()
    application.complete_on = day
    clock.set_acceptance_due(application)
    move(
        application,
        "resubmit",
        actor=user,
        correction_id=correction.id,
        fields=sorted(correction.field_keys),
        materials=sorted(correction.material_keys),
        complete_on=day.isoformat(),
        acceptance_due=application.acceptance_due.isoformat(),
    )
    acceptance = spec.step(snapshot, StepKind.ACCEPTANCE) or {"kind": str(StepKind.ACCEPTANCE)}
    task = procedure.open_task(
        application, acceptance, start=day, limit_days=clock.acceptance_days(snapshot)
    )
    audit.record("application.resubmit", "application", application.id, actor=user)
    notices.mail_task(application, task)
    return application


# --- withdrawal and rating ----------------------------------------------------------------------


def withdraw(application: Application, user, reason: str = "") -> bool:
    """Before acceptance at once (True); after it a request an officer confirms (False)."""
    procedure.lock(application)
    if application.applicant_id != user.id:
        raise ApprovalError(_("This is not your application."))
    reason = scrub(reason).strip()
    if len(reason) > REASON_MAX:
        raise ApprovalError(_("At most %(max)d characters.", max=REASON_MAX))
    if application.status in {S.DRAFT, S.SUBMITTED, S.CORRECTION_REQUESTED}:
        move(application, "withdraw", actor=user, body=reason or None)
        procedure.cancel_open_tasks(application)
        application.current_step = None
        application.closed_at = utcnow()
        audit.record("application.withdraw", "application", application.id, actor=user)
        return True
    if application.status not in {S.ACCEPTED, S.IN_REVIEW, S.SUSPENDED}:
        raise IllegalTransition(_("This application can no longer be withdrawn."))
    if application.withdrawal_requested_at is not None:
        raise ApprovalError(_("You have already asked to withdraw this application."))
    application.withdrawal_requested_at = utcnow()
    application.withdrawal_reason = reason or None
    add_event(application, EventKind.WITHDRAWAL_REQUESTED, actor=user, body=reason or None)
    audit.record("application.withdrawal_request", "application", application.id, actor=user)
    task = procedure.current_task(application)
    if task is not None:
        notices.mail_task(application, task)
    return False


def rate(application: Application, user, rating: int, comment: str = "") -> None:
    """好差评 after the result: 1 (poor) … 5 (good); a new rating replaces the old."""
    if application.applicant_id != user.id:
        raise ApprovalError(_("This is not your application."))
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ApprovalError(_("Choose a rating from 1 to 5."))
    comment = scrub(comment).strip()
    if len(comment) > COMMENT_MAX:
        raise ApprovalError(_("A comment has at most %(max)d characters.", max=COMMENT_MAX))
    procedure.lock(application)
    if application.status not in {S.DELIVERED, S.CLOSED}:
        raise ApprovalError(_("You can rate the service once you have the result."))
    # A new rating replaces the old; the supervisors are asked once, when it turns poor.
    was_poor = application.rating is not None and application.rating <= POOR_RATING
    move(application, "rate", actor=user, rating=rating, body=comment or None)
    application.rating = rating
    application.rating_comment = comment or None
    application.rated_at = utcnow()
    if application.closed_at is None:
        application.closed_at = utcnow()
    audit.record("application.rate", "application", application.id, actor=user, rating=rating)
    if rating <= POOR_RATING and not was_poor:
        add_event(application, EventKind.ESCALATED, internal=True, rating=rating, poor_rating=True)
        notices.mail_poor_rating(application)
