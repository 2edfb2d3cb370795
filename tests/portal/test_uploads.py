"""Stored files: types read from the bytes, safe names, photos without metadata, bombs refused."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import pytest
import sqlalchemy as sa
from flask import Flask
from PIL import Image

from portal import uploads
from portal.extensions import db

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def exif_with_gps(orientation: int | None = None) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "Canon"  # camera make
    exif[0x0131] = "Secret Editor 1.0"  # software
    if orientation:
        exif[ORIENTATION] = orientation
    exif[GPS_IFD] = {1: "N", 2: (30.0, 15.0, 12.5), 3: "E", 4: (120.0, 9.0, 58.0)}
    return exif.tobytes()


def jpeg(size=(64, 48), *, gps: bool = False, orientation: int | None = None, **kw) -> bytes:
    out = io.BytesIO()
    if gps:
        kw["exif"] = exif_with_gps(orientation)
    Image.new("RGB", size, (180, 30, 30)).save(out, "JPEG", **kw)
    return out.getvalue()


def png(size=(64, 48), mode="RGB", *, gps: bool = False) -> bytes:
    out = io.BytesIO()
    kw = {"exif": exif_with_gps()} if gps else {}
    Image.new(mode, size).save(out, "PNG", **kw)
    return out.getvalue()


def docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A few hundred bytes that claim to be a huge image: a decompression bomb's calling card."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


# --- sniffing -----------------------------------------------------------------------------------


def test_sniff_recognises_each_accepted_type_by_content():
    assert uploads.sniff(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj") == "pdf"
    assert uploads.sniff(docx()) == "docx"
    assert uploads.sniff(bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 504) == "doc"
    assert uploads.sniff(jpeg()) == "jpeg"
    assert uploads.sniff(png()) == "png"


@pytest.mark.parametrize(
    "data",
    [
        b"MZ\x90\x00\x03\x00\x00\x00",  # a Windows executable
        b"<!doctype html><script>alert(1)</script>",
        b"just some text, named photo.jpg",
        b"",
        b"PK\x03\x04 not really a zip",
        b"\xff\xd8\xff\xe0 a JPEG signature and then garbage",
        b"\x89PNG\r\n\x1a\n and then garbage",
    ],
)
def test_sniff_refuses_everything_else(data):
    assert uploads.sniff(data) is None


def test_a_zip_without_a_word_document_is_not_docx():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    assert uploads.sniff(out.getvalue()) is None


def test_a_truncated_image_is_not_an_image():
    data = png((200, 200))
    assert uploads.sniff(data[: len(data) // 2]) is None


# --- thumbnails ---------------------------------------------------------------------------------


def assert_no_metadata(thumbnail: bytes) -> None:
    image = Image.open(io.BytesIO(thumbnail))
    assert image.format == "JPEG"
    assert dict(image.getexif()) == {}
    assert not set(image.info) & {"exif", "icc_profile", "xmp", "comment", "dpi"}
    assert b"Exif\x00\x00" not in thumbnail  # no APP1 EXIF segment at all
    for secret in (b"Canon", b"Secret Editor", b"kept private"):
        assert secret not in thumbnail


@pytest.mark.parametrize("make", [jpeg, png])
def test_thumbnail_strips_exif_and_gps(make):
    original = make((1200, 900), gps=True)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)  # the original has GPS
    thumbnail = uploads.make_thumbnail(original)
    assert_no_metadata(thumbnail)
    width, height = Image.open(io.BytesIO(thumbnail)).size
    assert width <= 240 and height <= 320
    assert (width, height) == (240, 180)  # the shape is kept


def test_thumbnail_drops_jpeg_comments():
    assert_no_metadata(uploads.make_thumbnail(jpeg(comment=b"kept private")))


def test_thumbnail_turns_the_photo_upright_before_dropping_the_orientation():
    # Orientation 6: the camera was turned; the stored pixels are landscape, the photo portrait.
    thumbnail = uploads.make_thumbnail(jpeg((800, 600), gps=True, orientation=6))
    assert Image.open(io.BytesIO(thumbnail)).size == (240, 320)
    assert_no_metadata(thumbnail)


def test_thumbnail_puts_transparency_on_white():
    thumbnail = uploads.make_thumbnail(png((40, 40), "RGBA"))
    assert Image.open(io.BytesIO(thumbnail)).getpixel((20, 20)) >= (250, 250, 250)


def test_small_images_are_not_enlarged():
    thumbnail = uploads.make_thumbnail(png((50, 30)))
    assert Image.open(io.BytesIO(thumbnail)).size == (50, 30)


@pytest.mark.parametrize(
    "data",
    [b"not an image", b"%PDF-1.4 a pdf", docx(), png((100, 100))[:60]],
)
def test_thumbnail_refuses_what_is_not_an_image(data):
    with pytest.raises(uploads.UploadError, match="not a JPEG or PNG"):
        uploads.make_thumbnail(data)


@pytest.mark.parametrize(
    "size",
    [
        (100_000, 100_000),  # past Pillow's own hard limit
        (10_000, 9_000),  # below Pillow's warning, above ours
    ],
)
def test_decompression_bombs_are_refused_before_decoding(size):
    bomb = png_header_only(*size)
    assert len(bomb) < 1000
    with pytest.raises(uploads.UploadError, match="too many pixels"):
        uploads.make_thumbnail(bomb)
    assert uploads.sniff(bomb) is None


def test_size_limit_names_the_limit():
    uploads.check_size(b"x" * 1024, 1024)
    with pytest.raises(uploads.UploadError, match="1 KB"):
        uploads.check_size(b"x" * 1025, 1024)
    with pytest.raises(uploads.UploadError, match="empty"):
        uploads.check_size(b"", 1024)
    assert uploads.human_size(10 * 1024 * 1024) == "10 MB"
    assert uploads.human_size(1536) == "1.5 KB"


# --- storage ------------------------------------------------------------------------------------


@pytest.fixture
def instance(app, tmp_path):
    app.instance_path = str(tmp_path)
    return tmp_path


@pytest.fixture
def bare_app(tmp_path):
    """No database: enough for checking names."""
    bare = Flask(__name__, instance_path=str(tmp_path))
    with bare.app_context():
        yield bare


def test_store_uses_a_random_name_in_the_area_folder(instance):
    name = uploads.store("forms", b"%PDF-1.4", "pdf")
    other = uploads.store("forms", b"%PDF-1.4", "pdf")
    assert name != other
    assert uploads.NAME_PATTERN.match(name)
    path = uploads.path_for("forms", name)
    assert path == instance / "uploads" / "forms" / name
    assert path.read_bytes() == b"%PDF-1.4"
    uploads.delete("forms", name)
    assert not path.exists()
    uploads.delete("forms", name)  # already gone: fine


@pytest.mark.parametrize(
    "name",
    [
        "../secret_key",
        "../../etc/passwd",
        "/etc/passwd",
        "0123456789abcdef0123456789abcdef.pdf/../../x",
        "0123456789abcdef0123456789abcdef.exe",
        "0123456789ABCDEF0123456789ABCDEF.pdf",
        "0123456789abcdef0123456789abcdef.pdf\n",
        "0123456789abcdef0123456789abcde.pdf",
        "报名表.pdf",
        "",
    ],
)
def test_path_for_refuses_names_store_cannot_have_made(bare_app, name):
    with pytest.raises(ValueError):
        uploads.path_for("forms", name)


def test_unknown_areas_and_extensions_are_refused(bare_app):
    with pytest.raises(ValueError):
        uploads.path_for("../photos", "0123456789abcdef0123456789abcdef.pdf")
    with pytest.raises(ValueError):
        uploads.store("forms", b"x", "exe")


def _begin() -> None:
    db.session.execute(sa.text("select 1"))


def test_a_file_stored_in_a_rolled_back_transaction_is_removed(instance):
    _begin()
    path = uploads.path_for("photos", uploads.store("photos", b"\xff\xd8\xff", "jpg"))
    assert path.exists()
    db.session.rollback()
    assert not path.exists()


def test_a_file_stored_in_a_committed_transaction_stays(instance):
    _begin()
    path = uploads.path_for("photos", uploads.store("photos", b"\xff\xd8\xff", "jpg"))
    db.session.commit()
    _begin()
    db.session.rollback()  # a later rollback does not touch it
    assert path.exists()


def test_delete_after_commit_waits_for_the_commit(instance):
    _begin()
    name = uploads.store("forms", b"%PDF-1.4", "pdf")
    db.session.commit()
    path = uploads.path_for("forms", name)

    _begin()
    uploads.delete_after_commit("forms", name)
    db.session.rollback()  # the row naming it was not deleted after all
    assert path.exists()

    _begin()
    uploads.delete_after_commit("forms", name)
    assert path.exists()
    db.session.commit()
    assert not path.exists()
