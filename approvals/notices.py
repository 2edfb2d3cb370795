"""Issuing the notices the law requires: each a PDF (``approvals.documents``) stored with its
SHA-256 and a verification code anyone can check on ``/approvals/verify/<code>``; and mailing
the applicant and the officers (``portal.mail.outbox``, in the caller's transaction).
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from flask import current_app

from approvals import documents
from approvals import snapshot as spec
from approvals.application_models import Application, ApplicationTask, EventKind
from approvals.materials import AREA
from approvals.procedure_models import DocumentKind, IssuedDocument
from approvals.states import add_event
from disclosure.directory.models import Department, Position
from disclosure.directory.recipients import position_addresses, supervisors_or_administrators
from portal import uploads
from portal.db import utcnow
from portal.extensions import db
from portal.mail.outbox import OutboundFile, queue_templated
from portal.urls import external_url
from portal.workdays import local_date

CODE_ATTEMPTS = 5

# Kinds of which only the latest is current: a new one supersedes the earlier.
SUPERSEDING = frozenset(DocumentKind)


def _unique_code() -> str:
    for _attempt in range(CODE_ATTEMPTS):
        code = documents.verification_code()
        taken = db.session.scalar(
            sa.select(IssuedDocument.id).where(IssuedDocument.verification_code == code)
        )
        if taken is None:
            return code
    raise RuntimeError("could not find a free verification code")


def _number(application: Application, kind: DocumentKind) -> str:
    count = db.session.scalar(
        sa.select(sa.func.count(IssuedDocument.id)).where(
            IssuedDocument.application_id == application.id, IssuedDocument.kind == kind
        )
    )
    return f"{application.number}-{kind.code}{(count or 0) + 1}"


def department_name(application: Application) -> str:
    department = db.session.get(Department, application.department_id)
    return department.full_name if department else ""


def issue(
    application: Application,
    kind: DocumentKind,
    *,
    body: list[str],
    items: list[str] = (),
    legal_basis: str = "",
    rights: str = "",
    actor=None,
) -> IssuedDocument:
    """Render, store and record a notice; an earlier current one of the same kind is superseded."""
    now = utcnow()
    issued_on = local_date(now)
    code = _unique_code()
    number = _number(application, kind)
    department = department_name(application)
    notice = documents.Notice(
        kind=str(kind),
        number=number,
        application_number=application.number or "",
        item_name=application.item_name,
        item_code=application.item_code,
        applicant_name=application.identity_name or application.applicant.display_name,
        department_name=department,
        issued_on=issued_on,
        body=list(body),
        items=list(items),
        legal_basis=legal_basis,
        rights=rights,
        verification_code=code,
        verification_url=external_url("approvals.verify", code=code),
    )
    pdf = documents.render_pdf(notice)
    stored = uploads.store(AREA, pdf, "pdf")
    if kind in SUPERSEDING:
        db.session.execute(
            sa.update(IssuedDocument)
            .where(
                IssuedDocument.application_id == application.id,
                IssuedDocument.kind == kind,
                IssuedDocument.superseded_at.is_(None),
            )
            .values(superseded_at=now)
        )
    document = IssuedDocument(
        application_id=application.id,
        kind=kind,
        number=number,
        verification_code=code,
        sha256=hashlib.sha256(pdf).hexdigest(),
        stored_name=stored,
        size=len(pdf),
        # What the public verification page shows: nothing about the applicant.
        public={
            "item_name": application.item_name,
            "item_code": application.item_code,
            "department_name": department,
            "application_number": application.number,
        },
        issued_on=issued_on,
        issued_at=now,
        issued_by_id=getattr(actor, "id", None),
    )
    db.session.add(document)
    db.session.flush()
    add_event(
        application,
        EventKind.DOCUMENT_ISSUED,
        actor=actor,
        document_id=document.id,
        document_kind=str(kind),
        number=number,
    )
    return document


def document_file(document: IssuedDocument) -> OutboundFile:
    return OutboundFile(document.filename, "application/pdf", AREA, document.stored_name)


def application_link(application: Application) -> str:
    return external_url("approvals.show", number=application.number)


def mail_applicant(
    application: Application,
    template: str,
    *,
    document: IssuedDocument | None = None,
    **context,
) -> None:
    """Tell the applicant (their verified account address), with the notice attached."""
    user = application.applicant
    if not user or not user.email:
        return
    queue_templated(
        template,
        to=[user.email],
        locale=user.locale or application.locale,
        application=application,
        document=document,
        link=application_link(application),
        files=[document_file(document)] if document is not None else (),
        **context,
    )


def mail_task(application: Application, task: ApplicationTask) -> None:
    """A new task: its position's holder (cc deputy) gets the link and the due date."""
    position = db.session.get(Position, task.position_id) if task.position_id else None
    to, cc = position_addresses(position)
    if not to:
        return
    queue_templated(
        "approval_task",
        to=to,
        cc=cc,
        locale=current_app.config["BABEL_DEFAULT_LOCALE"],
        application=application,
        task=task,
        position=position,
        step_label=spec.step_label,
        link=application_link(application),
    )


def mail_poor_rating(application: Application) -> None:
    """好差评: a poor rating (1 or 2) asks the department's supervisors to review the service."""
    to = supervisors_or_administrators(application.department_id)
    if not to:
        return
    queue_templated(
        "approval_poor_rating",
        to=to,
        locale=current_app.config["BABEL_DEFAULT_LOCALE"],
        application=application,
        link=application_link(application),
    )
