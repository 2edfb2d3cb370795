"""Public pages, no sign-in: the lookup by number and query code (查询), and the verification of a
document by its code. Neither shows personal data: no applicant, no form values, no materials."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app, redirect, render_template, request, url_for

from approvals import documents, procedure
from approvals.application_models import Application, ApplicationStatus
from approvals.procedure_models import IssuedDocument
from approvals.views import bp
from portal.extensions import db, limiter

NUMBER_MAX = 20


def _lookup_limit() -> str:
    return current_app.config.get("RATELIMIT_APPROVALS_LOOKUP", "10 per minute;100 per hour")


@bp.route("/lookup", methods=["GET", "POST"])
@limiter.limit(_lookup_limit, methods=["POST"])
def lookup():
    number = (request.form.get("number") or "").strip().upper()[:NUMBER_MAX]
    found, status = None, 200
    if request.method == "POST":
        code = request.form.get("code") or ""
        application = db.session.scalar(
            sa.select(Application)
            .where(Application.number == number)
            .options(so.joinedload(Application.department))
        )
        if (
            application is not None
            and application.status != ApplicationStatus.DRAFT
            and procedure.query_code_matches(application, code)
        ):
            found = application
        else:
            status = 404
    return render_template(
        "approvals/lookup.html", application=found, number=number, status=status
    ), status


@bp.route("/verify", methods=["GET", "POST"])
def verify_form():
    code = request.values.get("code")
    if code:
        return redirect(url_for(".verify", code=documents.normalise_code(code) or "-"))
    return render_template("approvals/verify.html", document=None, code=None)


@bp.route("/verify/<code>")
@limiter.limit(lambda: current_app.config.get("RATELIMIT_APPROVALS_VERIFY", "60 per minute"))
def verify(code: str):
    normalised = documents.normalise_code(code)
    document = db.session.scalar(
        sa.select(IssuedDocument).where(IssuedDocument.verification_code == normalised)
    )
    status = 200 if document is not None else 404
    return render_template("approvals/verify.html", document=document, code=normalised), status
