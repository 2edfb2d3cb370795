"""Downloads: an application's materials and task files, and its documents (PDF). Only those who
may see the application get them (a 404 for anyone else; visitors log in first); a task's files
only those who see the internal file."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, send_file
from flask_login import current_user

from approvals import permissions
from approvals.application_models import Application, ApplicationMaterial
from approvals.materials import AREA, content_disposition
from approvals.procedure_models import IssuedDocument
from approvals.views import ID, bp
from portal import uploads
from portal.extensions import db, login_manager


def _send(stored_name: str, content_type: str, filename: str):
    try:
        path = uploads.path_for(AREA, stored_name)
    except ValueError:
        abort(404)
    if not path.is_file():
        abort(404)
    response = send_file(
        path, mimetype=content_type, as_attachment=True, download_name=filename, max_age=0
    )
    response.headers["Content-Disposition"] = content_disposition(filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store, private"
    return response


def _visible(number: str, application_id: int) -> Application:
    application = db.session.get(Application, application_id)
    if (
        application is None
        or application.number != number
        or not permissions.can_view(current_user, application)
    ):
        abort(404)
    return application


@bp.route(f"/applications/<number>/files/<{ID}:file_id>")
def material(number: str, file_id: int):
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    row = db.session.get(ApplicationMaterial, file_id)
    if row is None:
        abort(404)
    application = _visible(number, row.application_id)
    if row.task_id is not None and not permissions.can_see_internal(current_user, application):
        abort(404)
    return _send(row.stored_name, row.content_type, row.filename)


@bp.route(f"/drafts/<{ID}:application_id>/files/<{ID}:file_id>")
def draft_material(application_id: int, file_id: int):
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    row = db.session.scalar(
        sa.select(ApplicationMaterial).where(
            ApplicationMaterial.id == file_id,
            ApplicationMaterial.application_id == application_id,
        )
    )
    application = db.session.get(Application, application_id)
    if row is None or application is None or application.applicant_id != current_user.id:
        abort(404)
    return _send(row.stored_name, row.content_type, row.filename)


@bp.route(f"/applications/<number>/documents/<{ID}:document_id>.pdf")
def document(number: str, document_id: int):
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    row = db.session.get(IssuedDocument, document_id)
    if row is None:
        abort(404)
    _visible(number, row.application_id)
    return _send(row.stored_name, "application/pdf", row.filename)
