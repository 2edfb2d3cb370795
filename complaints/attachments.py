"""Complaint attachments: checked by content, stored under generated names, offered only as downloads.

Up to ``MAX_FILES`` files per complaint or follow-up, each at most ``KAIMEN_COMPLAINT_MAX_BYTES``;
PDF, DOC, DOCX, JPEG and PNG, the type read from the bytes (``portal.uploads.sniff``), never from
the name or the browser's content type. The uploader's file name is kept only to be offered back
in ``Content-Disposition``: path parts, control and bidirectional-override characters and
markup-ish characters are removed, the length is capped and the extension is the sniffed one.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote

import sqlalchemy as sa
from flask import abort, current_app, send_file
from flask_babel import gettext as _
from flask_login import current_user

from complaints.errors import ComplaintError
from complaints.models import Complaint, ComplaintAttachment, ComplaintEvent
from complaints.permissions import can_see_internal, can_view
from portal import uploads
from portal.extensions import db, login_manager

AREA = "complaints"
MAX_FILES = 5
FILENAME_MAX = 100
ACCEPTED = "PDF, DOC, DOCX, JPG, PNG"

# Characters never kept in an offered name: path and shell-ish punctuation and markup.
_UNSAFE = re.compile(r'[<>:"/\\|?*\'`;&$%{}\[\]]')
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Incoming:
    """A file as the person sent it: the name their browser gave and the bytes."""

    filename: str
    data: bytes
    # "eml": a forwarded mail message, handed over by inbound mail only (never sniffed from an
    # upload); checked to be a message and kept as it is.
    kind: str | None = None


@dataclass(frozen=True)
class Checked:
    filename: str  # cleaned, with the sniffed extension
    data: bytes
    kind: str  # sniffed: pdf, doc, docx, jpeg, png


def max_bytes() -> int:
    return current_app.config["KAIMEN_COMPLAINT_MAX_BYTES"]


def from_storage(files: Iterable) -> list[Incoming]:
    """The non-empty file fields of a form (werkzeug ``FileStorage``), read with a cap."""
    limit = max_bytes()
    incoming = []
    for storage in files:
        if storage is None or not getattr(storage, "filename", ""):
            continue
        incoming.append(Incoming(storage.filename, storage.stream.read(limit + 1)))
    return incoming


def clean_filename(name: str, kind: str) -> str:
    """A name that is safe to offer back: no path, no control or direction characters, no markup,
    at most ``FILENAME_MAX`` characters, ending with the extension of the sniffed ``kind``."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[/\\]", name)[-1]  # the last path part only
    # Cc: control characters; Cf: format characters (RTL/LTR overrides, zero-width, …).
    name = "".join(ch for ch in name if unicodedata.category(ch) not in {"Cc", "Cf", "Cs", "Co"})
    name = _SPACES.sub(" ", _UNSAFE.sub("", name)).strip(" .")
    ext = uploads.EXTENSION_FOR[kind]
    stem, dot, old_ext = name.rpartition(".")
    if dot and old_ext.lower() in {"pdf", "doc", "docx", "jpg", "jpeg", "png", "eml"}:
        name = stem.rstrip(" .")
    name = name[: FILENAME_MAX - len(ext) - 1].rstrip(" .") or "attachment"
    return f"{name}.{ext}"


def check(files: list[Incoming]) -> list[Checked]:
    """Every file acceptable, or a ``ComplaintError`` naming the first that is not."""
    if len(files) > MAX_FILES:
        raise ComplaintError(_("You can attach at most %(count)d files.", count=MAX_FILES))
    checked = []
    limit = max_bytes()
    for incoming in files:
        shown = clean_filename(incoming.filename, "pdf").removesuffix(".pdf")
        try:
            uploads.check_size(incoming.data, limit)
        except uploads.UploadError as error:
            raise ComplaintError(f"{shown}: {error}") from error
        kind = uploads.sniff(incoming.data)
        if incoming.kind == "eml" and _is_message(incoming.data):
            kind = "eml"
        if kind is None:
            raise ComplaintError(
                _(
                    "%(name)s: this type of file is not accepted. Attach %(types)s files.",
                    name=shown,
                    types=ACCEPTED,
                )
            )
        checked.append(Checked(clean_filename(incoming.filename, kind), incoming.data, kind))
    return checked


def _is_message(data: bytes) -> bool:
    from portal.mail.inbound.parse import looks_like_message

    return looks_like_message(data)


def save(
    complaint: Complaint, event: ComplaintEvent | None, files: list[Checked], uploader
) -> list[ComplaintAttachment]:
    """Store checked files and their rows (flushed; the files go if the transaction rolls back)."""
    rows = []
    for file in files:
        stored = uploads.store(AREA, file.data, uploads.EXTENSION_FOR[file.kind])
        rows.append(
            ComplaintAttachment(
                complaint_id=complaint.id,
                event_id=event.id if event is not None else None,
                filename=file.filename,
                stored_name=stored,
                content_type=uploads.CONTENT_TYPES[file.kind],
                size=len(file.data),
                sha256=hashlib.sha256(file.data).hexdigest(),
                uploaded_by_id=getattr(uploader, "id", None),
            )
        )
    db.session.add_all(rows)
    db.session.flush()
    return rows


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback name and the real one in RFC 5987 ``filename*``."""
    fallback = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    fallback = _UNSAFE.sub("", fallback).strip(" .") or "attachment"
    if "." not in fallback and "." in filename:
        fallback = f"attachment.{filename.rpartition('.')[2]}"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def visible_attachments(complaint: Complaint, user) -> list[ComplaintAttachment]:
    """The complaint's files this user may see: those of internal events only for the officers."""
    stmt = (
        sa.select(ComplaintAttachment)
        .outerjoin(ComplaintEvent, ComplaintEvent.id == ComplaintAttachment.event_id)
        .where(ComplaintAttachment.complaint_id == complaint.id)
        .order_by(ComplaintAttachment.id)
    )
    if not can_see_internal(user, complaint):
        stmt = stmt.where(sa.or_(ComplaintEvent.id.is_(None), ComplaintEvent.internal.is_(False)))
    return list(db.session.scalars(stmt))


def download(tracking_number: str, attachment_id: int):
    """A complaint's file, as a download; 404 for anyone who may not see it (visitors log in)."""
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    row = db.session.execute(
        sa.select(ComplaintAttachment, Complaint, ComplaintEvent.internal)
        .join(Complaint, Complaint.id == ComplaintAttachment.complaint_id)
        .outerjoin(ComplaintEvent, ComplaintEvent.id == ComplaintAttachment.event_id)
        .where(
            ComplaintAttachment.id == attachment_id,
            Complaint.tracking_number == tracking_number,
        )
    ).first()
    if row is None:
        abort(404)
    attachment, complaint, internal = row
    if not can_view(current_user, complaint):
        abort(404)
    if internal and not can_see_internal(current_user, complaint):
        abort(404)
    try:
        path = uploads.path_for(AREA, attachment.stored_name)
    except ValueError:
        abort(404)
    if not path.is_file():
        abort(404)
    response = send_file(
        path,
        mimetype=attachment.content_type,
        as_attachment=True,
        download_name=attachment.filename,
        max_age=0,
    )
    response.headers["Content-Disposition"] = content_disposition(attachment.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store, private"
    return response
