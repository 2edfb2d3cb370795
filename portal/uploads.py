"""Stored files: generated names under ``instance/uploads/<area>/``, types sniffed from the bytes.

Nothing here trusts what the browser says. A file's type is read from its content (``sniff``), its
name on disk is random (``store``), and a name coming back from the database or a URL is checked
against the generated pattern before it becomes a path (``path_for``). Photos are re-encoded by
``make_thumbnail`` into a small JPEG that carries no metadata (no EXIF, no GPS, no comments).

Files follow the database transaction they belong to: a file stored in a transaction that rolls
back is removed, and ``delete_after_commit`` removes a file only once the row that named it is
really gone.
"""

from __future__ import annotations

import io
import re
import secrets
import warnings
import zipfile
from pathlib import Path

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from portal.extensions import db

AREAS = frozenset({"photos", "forms", "consultations", "complaints", "approvals"})
EXTENSIONS = frozenset({"pdf", "docx", "doc", "jpg", "png", "eml"})
NAME_PATTERN = re.compile(r"\A[0-9a-f]{32}\.(?:pdf|docx|doc|jpg|png|eml)\Z")

# The extension a sniffed type is stored under, and the content type it is served with. "eml"
# (a mail message) is never sniffed from an upload: only inbound mail hands one over, for a
# message an officer forwarded with an answer.
EXTENSION_FOR = {"pdf": "pdf", "docx": "docx", "doc": "doc", "jpeg": "jpg", "png": "png",
                 "eml": "eml"}  # fmt: skip
CONTENT_TYPES = {
    "eml": "message/rfc822",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "doc": "application/msword",
    "jpeg": "image/jpeg",
    "png": "image/png",
}

_PDF = b"%PDF-"
_OLE2 = bytes.fromhex("D0CF11E0A1B11AE1")
_ZIP = b"PK\x03\x04"
_JPEG = b"\xff\xd8\xff"
_PNG = b"\x89PNG\r\n\x1a\n"

# Well above any camera (a 48-megapixel phone photo is 8000 x 6000); decoding more is an attack.
MAX_IMAGE_PIXELS = 60_000_000
THUMBNAIL_SIZE = (240, 320)
THUMBNAIL_QUALITY = 85

_PENDING = "kaimen.uploads"


class UploadError(ValueError):
    """A file was refused; the message says why, in words for the person who sent it."""


# --- where files live ---------------------------------------------------------------------------


def _area_dir(area: str) -> Path:
    if area not in AREAS:
        raise ValueError(f"unknown upload area {area!r}")
    return Path(current_app.instance_path) / "uploads" / area


def path_for(area: str, stored_name: str) -> Path:
    """The path of a stored file; refuses any name ``store`` could not have generated."""
    if not isinstance(stored_name, str) or not NAME_PATTERN.match(stored_name):
        raise ValueError("not a stored file name")
    return _area_dir(area) / stored_name


def store(area: str, data: bytes, ext: str) -> str:
    """Write ``data`` under a new random name and return the name (never the uploader's)."""
    if ext not in EXTENSIONS:
        raise ValueError(f"extension {ext!r} is not stored")
    directory = _area_dir(area)
    directory.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.{ext}"
    with (directory / name).open("xb") as handle:
        handle.write(data)
    _pending()["stored"].append((area, name))
    return name


def delete(area: str, stored_name: str) -> None:
    """Remove a stored file now (a missing file is not an error)."""
    path_for(area, stored_name).unlink(missing_ok=True)


def delete_after_commit(area: str, stored_name: str) -> None:
    """Remove a stored file once the current transaction commits; keep it if it rolls back."""
    path_for(area, stored_name)  # refuse a bad name now, not after the commit
    _pending()["doomed"].append((area, stored_name))


def _pending() -> dict[str, list[tuple[str, str]]]:
    """Files stored or doomed in this session's transaction, with listeners that settle them."""
    if not has_app_context():
        return {"stored": [], "doomed": []}
    session = db.session()
    state = session.info.get(_PENDING)
    if state is None:
        state = session.info[_PENDING] = {"stored": [], "doomed": []}
        if not sa.event.contains(session, "after_commit", _after_commit):
            sa.event.listen(session, "after_commit", _after_commit)
            sa.event.listen(session, "after_soft_rollback", _after_rollback)
    return state


def _after_commit(session) -> None:
    if session.in_nested_transaction():  # a savepoint: the outer transaction may still roll back
        return
    state = session.info.pop(_PENDING, None)
    for area, name in state["doomed"] if state else ():
        delete(area, name)


def _after_rollback(session, previous_transaction) -> None:
    if previous_transaction.parent is not None:
        return
    state = session.info.pop(_PENDING, None)
    for area, name in state["stored"] if state else ():
        delete(area, name)


# --- what a file is -----------------------------------------------------------------------------


def sniff(data: bytes) -> str | None:
    """The type of ``data`` from its content: "pdf", "docx", "doc", "jpeg", "png" or None.

    Images count only if Pillow decodes their structure; a ZIP counts as DOCX only if it holds
    ``word/document.xml``; an OLE2 compound file is taken for a legacy Word document.
    """
    if data.startswith(_PDF):
        return "pdf"
    if data.startswith(_OLE2):
        return "doc"
    if data.startswith(_ZIP):
        return "docx" if _is_docx(data) else None
    if data.startswith((_JPEG, _PNG)):
        try:
            return _verified_image(data)[0]
        except UploadError:
            return None
    return None


def _is_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def _verified_image(data: bytes) -> tuple[str, tuple[int, int]]:
    """Check that ``data`` is a JPEG or PNG Pillow can read, of a size it is safe to decode."""
    try:
        with warnings.catch_warnings():
            # Pillow warns (and past twice its limit, raises) on huge images; both are refusals.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=("JPEG", "PNG")) as image:
                # A camera's MPO (JPEG with a second picture) is still a JPEG.
                kind = "png" if image.format == "PNG" else "jpeg"
                size = image.size
                image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise _too_many_pixels() from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
        raise UploadError(_("This file is not a JPEG or PNG image, or it is damaged.")) from error
    if size[0] * size[1] > MAX_IMAGE_PIXELS:
        raise _too_many_pixels()
    return kind, size


def _too_many_pixels() -> UploadError:
    return UploadError(
        _(
            "This image has too many pixels (at most %(count)d million). "
            "Please send a smaller photo.",
            count=MAX_IMAGE_PIXELS // 1_000_000,
        )
    )


def check_size(data: bytes, max_bytes: int) -> None:
    """Refuse ``data`` if it is larger than ``max_bytes``, saying what the limit is."""
    if len(data) > max_bytes:
        raise UploadError(
            _("The file is too large: at most %(limit)s is accepted.", limit=human_size(max_bytes))
        )
    if not data:
        raise UploadError(_("The file is empty."))


def human_size(size: int) -> str:
    """1536 → "1.5 KB": the size shown to people (units are the same in Chinese)."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB".replace(".0 ", " ")
    if size >= 1024:
        return f"{size / 1024:.1f} KB".replace(".0 ", " ")
    return f"{size} B"


# --- photos -------------------------------------------------------------------------------------


def make_thumbnail(data: bytes, max_size: tuple[int, int] = THUMBNAIL_SIZE) -> bytes:
    """A JPEG no larger than ``max_size`` (width, height), upright, with no metadata at all.

    The pixels are copied into a new image before saving, so nothing of the original file (EXIF
    with GPS position and camera serial, XMP, ICC profile, comments) can travel along.
    """
    _verified_image(data)  # the file was only verified: open it again to decode it
    try:
        with Image.open(io.BytesIO(data), formats=("JPEG", "PNG")) as image:
            # A JPEG can decode at 1/2, 1/4 or 1/8 scale: far less memory for a big photo.
            image.draft("RGB", (max(max_size), max(max_size)))
            upright = ImageOps.exif_transpose(image)
            flat = _flatten(upright)
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise UploadError(_("This file is not a JPEG or PNG image, or it is damaged.")) from error
    flat.thumbnail(max_size, Image.Resampling.LANCZOS)
    clean = Image.frombytes("RGB", flat.size, flat.tobytes())
    out = io.BytesIO()
    clean.save(out, "JPEG", quality=THUMBNAIL_QUALITY, optimize=True)
    return out.getvalue()


def _flatten(image: Image.Image) -> Image.Image:
    """RGB pixels; transparent parts become white rather than black."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")
