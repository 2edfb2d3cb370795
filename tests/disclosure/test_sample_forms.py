"""The hand-written PDF and WORD application forms are well-formed files that show Chinese text."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import zipfile
from xml.etree import ElementTree

import pytest

from disclosure.catalog.sample_forms import make_docx, make_pdf

TITLE = "排污许可证申请表"
LINES = [
    "审批事项：排污许可证核发（编号 LJ-STHJ-001）",
    "申请人（单位）名称：＿＿＿＿＿＿",
    "□ 1. 排污许可证申请表（含排污单位基本信息、主要生产设施、污染防治设施及排放口）；",
    "",
    'Special characters stay text: <w:t> & "quotes" (parentheses) \\ backslash',
]
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def parse(xml: bytes) -> ElementTree.Element:
    return ElementTree.fromstring(xml)  # noqa: S314 - our own output, not untrusted input


def xref_offsets(pdf: bytes) -> dict[int, int]:
    """Object number -> byte offset, read through startxref as a viewer does."""
    start = int(re.search(rb"startxref\s+(\d+)\s+%%EOF\s*$", pdf).group(1))
    assert pdf[start:].startswith(b"xref")
    lines = pdf[start:].split(b"\n")
    first, count = map(int, lines[1].split())
    entries = lines[2 : 2 + count]
    offsets = {}
    for number, entry in enumerate(entries, start=first):
        offset, _generation, kind = entry.split()
        if kind == b"n":
            offsets[number] = int(offset)
    return offsets


def test_pdf_cross_reference_points_at_every_object():
    pdf = make_pdf(TITLE, LINES * 40)  # long enough for several pages
    assert pdf.startswith(b"%PDF-1.4\n")
    offsets = xref_offsets(pdf)
    objects = re.findall(rb"(?m)^(\d+) 0 obj$", pdf)
    assert sorted(offsets) == sorted(int(n) for n in objects) == list(range(1, len(objects) + 1))
    for number, offset in offsets.items():
        assert pdf[offset:].startswith(b"%d 0 obj\n" % number), number
    trailer = pdf[pdf.rindex(b"trailer") :]
    assert b"/Size %d" % (len(objects) + 1) in trailer and b"/Root 1 0 R" in trailer
    # Every xref entry is exactly 20 bytes, as the format requires.
    start = int(re.search(rb"startxref\s+(\d+)", pdf).group(1))
    table = pdf[start : pdf.index(b"trailer", start)].split(b"\n", 2)[2]
    assert [len(entry) for entry in table.split(b"\n")[:-1]] == [19] * (len(objects) + 1)


def test_pdf_stream_lengths_are_exact():
    pdf = make_pdf(TITLE, LINES)
    for match in re.finditer(rb"<< /Length (\d+) >>\nstream\n", pdf):
        end = match.end() + int(match.group(1))
        assert pdf[end:].startswith(b"\nendstream"), "stream length is off"


def test_pdf_uses_the_standard_chinese_font_and_shows_the_title():
    pdf = make_pdf(TITLE, LINES)
    assert b"/BaseFont /STSong-Light" in pdf and b"/Encoding /UniGB-UCS2-H" in pdf
    assert b"/Subtype /CIDFontType0" in pdf and b"/Ordering (GB1)" in pdf
    assert b"/FontFile" not in pdf  # nothing embedded: viewers supply the font
    assert TITLE.encode("utf-16-be").hex().upper().encode() in pdf
    assert len(pdf) < 20_000


def test_pdf_is_deterministic_and_paginates_long_forms():
    assert make_pdf(TITLE, LINES) == make_pdf(TITLE, LINES)
    assert b"/Count 1 " in make_pdf(TITLE, LINES)
    assert b"/Count 1 " not in make_pdf(TITLE, LINES * 40)


@pytest.mark.skipif(
    shutil.which("pdftotext") is None and not os.environ.get("CI"),
    reason="poppler-utils is not installed (CI installs it and runs this test)",
)
def test_pdf_text_reads_back_in_chinese():
    pdf = make_pdf(TITLE, LINES)
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode("utf-8")
    assert TITLE in text
    assert "排污许可证核发" in text


def test_docx_is_a_zip_with_the_three_parts_and_the_text():
    data = make_docx(TITLE, LINES)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        assert archive.namelist() == ["[Content_Types].xml", "_rels/.rels", "word/document.xml"]
        types = parse(archive.read("[Content_Types].xml"))
        rels = parse(archive.read("_rels/.rels"))
        document = parse(archive.read("word/document.xml"))
    assert any(o.get("PartName") == "/word/document.xml" for o in types)
    assert [r.get("Target") for r in rels] == ["word/document.xml"]
    texts = [t.text or "" for t in document.iter(f"{W}t")]
    assert texts[0] == TITLE
    assert texts[1:] == LINES  # escaped on the way in, the same text on the way out
    assert make_docx(TITLE, LINES) == data


def test_docx_drops_characters_xml_cannot_hold():
    data = make_docx("表\x01格", ["a\x0bb"])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        document = parse(archive.read("word/document.xml"))
    assert [t.text for t in document.iter(f"{W}t")] == ["表格", "ab"]


def test_a_line_break_inside_a_line_starts_a_new_line():
    with zipfile.ZipFile(io.BytesIO(make_docx(TITLE, ["第一行\n第二行"]))) as archive:
        document = parse(archive.read("word/document.xml"))
    assert [t.text for t in document.iter(f"{W}t")] == [TITLE, "第一行", "第二行"]
    pdf = make_pdf(TITLE, ["第一行\r\n第二行"])
    assert b"000A" not in pdf and b"000D" not in pdf
    assert "第二行".encode("utf-16-be").hex().upper().encode() in pdf
