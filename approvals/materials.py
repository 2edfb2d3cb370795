"""Application materials (申请材料) and officers' files: checked by content against the material's
accepted types and size limit, stored under generated names (``portal.uploads``, area
``approvals``), offered back only as downloads. Files follow the transaction: a file stored in a
request that fails is removed again.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote

import sqlalchemy as sa
from flask_babel import gettext as _

from approvals import snapshot as spec
from approvals.application_models import Application, ApplicationMaterial
from approvals.errors import ApprovalError
from portal import uploads
from portal.db import utcnow
from portal.extensions import db

AREA = "approvals"
FILENAME_MAX = 100
DEFAULT_TYPES = ("pdf", "jpg", "png")
TASK_FILE_MAX_BYTES = 10 * 1024 * 1024
# Sniffed kind → the name a spec uses for it.
SPEC_TYPE = {"pdf": "pdf", "doc": "doc", "docx": "docx", "jpeg": "jpg", "png": "png"}

_UNSAFE = re.compile(r'[<>:"/\\|?*\'`;&$%{}\[\]]')
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Incoming:
    """A file as the person sent it: the name their browser gave and the bytes."""

    filename: str
    data: bytes


@dataclass(frozen=True)
class Checked:
    key: str | None  # the material's key, None for an officer's file
    filename: str
    data: bytes
    kind: str  # sniffed: pdf, doc, docx, jpeg, png


def read_storage(storage, limit: int) -> Incoming | None:
    """A form's file field (werkzeug ``FileStorage``) read with a cap; None when it is empty."""
    if storage is None or not getattr(storage, "filename", ""):
        return None
    return Incoming(storage.filename, storage.stream.read(limit + 1))


def clean_filename(name: str, kind: str) -> str:
    """A name safe to offer back, ending with the extension of the sniffed ``kind``."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in {"Cc", "Cf", "Cs", "Co"})
    name = _SPACES.sub(" ", _UNSAFE.sub("", name)).strip(" .")
    ext = uploads.EXTENSION_FOR[kind]
    stem, dot, old_ext = name.rpartition(".")
    if dot and old_ext.lower() in {"pdf", "doc", "docx", "jpg", "jpeg", "png"}:
        name = stem.rstrip(" .")
    name = name[: FILENAME_MAX - len(ext) - 1].rstrip(" .") or "material"
    return f"{name}.{ext}"


def types_text(types) -> str:
    return ", ".join(t.upper() for t in types)


def check_one(material: dict | None, incoming: Incoming) -> Checked:
    """One file for ``material`` (a snapshot material; None: an officer's file), or ApprovalError."""
    accepted = tuple(material.get("accepted_types") or DEFAULT_TYPES) if material else None
    limit = int(material.get("max_bytes") or 0) if material else TASK_FILE_MAX_BYTES
    name = material["name"] if material else clean_filename(incoming.filename, "pdf")
    key = material["key"] if material else None
    field = f"material:{key}" if key else "files"
    try:
        uploads.check_size(incoming.data, limit or TASK_FILE_MAX_BYTES)
    except uploads.UploadError as error:
        raise ApprovalError(f"{name}: {error}", {field: f"{name}: {error}"}) from error
    kind = uploads.sniff(incoming.data)
    if kind is None or (accepted is not None and SPEC_TYPE[kind] not in accepted):
        message = _(
            "%(name)s: this type of file is not accepted. Upload %(types)s.",
            name=name,
            types=types_text(accepted or ("pdf", "doc", "docx", "jpg", "png")),
        )
        raise ApprovalError(message, {field: message})
    return Checked(key, clean_filename(incoming.filename, kind), incoming.data, kind)


def check_materials(snapshot: dict, files: dict[str, Incoming]) -> list[Checked]:
    """The uploaded materials, each checked against its spec; every wrong one is reported."""
    by_key = spec.material_by_key(snapshot)
    checked, errors = [], {}
    for key, incoming in files.items():
        material = by_key.get(key)
        if material is None:
            errors[f"material:{key}"] = _("This application has no such material.")
            continue
        try:
            checked.append(check_one(material, incoming))
        except ApprovalError as error:
            errors.update(error.errors)
    if errors:
        raise ApprovalError(next(iter(errors.values())), errors)
    return checked


def current_materials(application: Application) -> dict[str, ApplicationMaterial]:
    """The current (not replaced) file of each material, by key."""
    rows = db.session.scalars(
        sa.select(ApplicationMaterial)
        .where(
            ApplicationMaterial.application_id == application.id,
            ApplicationMaterial.material_key.is_not(None),
            ApplicationMaterial.replaced_at.is_(None),
        )
        .order_by(ApplicationMaterial.id)
    )
    return {row.material_key: row for row in rows}


def save(
    application: Application, files: list[Checked], uploader, *, task_id: int | None = None
) -> list[ApplicationMaterial]:
    """Store checked files and their rows; a material's earlier file is marked replaced."""
    if not files:
        return []
    existing = current_materials(application)
    now = utcnow()
    rows = []
    for file in files:
        if file.key is not None and file.key in existing:
            existing[file.key].replaced_at = now
        stored = uploads.store(AREA, file.data, uploads.EXTENSION_FOR[file.kind])
        rows.append(
            ApplicationMaterial(
                application_id=application.id,
                material_key=file.key,
                task_id=task_id,
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


def missing_required(snapshot: dict, present: set[str]) -> list[dict]:
    return [m for m in spec.materials(snapshot) if m.get("required") and m["key"] not in present]


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback name and the real one in RFC 5987 ``filename*``."""
    fallback = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    fallback = _UNSAFE.sub("", fallback).strip(" .") or "file"
    if "." not in fallback and "." in filename:
        fallback = f"file.{filename.rpartition('.')[2]}"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
