"""The PDF (reportlab) and WORD (python-docx) application forms open, and show all their Chinese text."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import zipfile

import docx
import pytest

from disclosure.catalog.sample_forms import make_docx, make_pdf

TITLE = "排污许可证申请表"
# Longer than one printed line (about 43 characters of 11 pt fit between the margins).
LONG = (
    "申请人应当如实向行政机关提交有关材料和反映真实情况，并对其申请材料实质内容的真实性负责；"
    "行政机关不得要求申请人提交与其申请的行政许可事项无关的技术资料和其他材料。"
)
LINES = [
    "审批事项：排污许可证核发（编号 LJ-STHJ-001）",
    "申请人（单位）名称：＿＿＿＿＿＿",
    "□ 1. 排污许可证申请表（含排污单位基本信息、主要生产设施、污染防治设施及排放口）；",
    "",
    'Special characters stay text: <w:t> & "quotes" (parentheses) \\ backslash',
    LONG,
]
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None and not os.environ.get("CI"),
    reason="poppler-utils is not installed (CI installs it and runs this test)",
)


def pdf_text(pdf: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode("utf-8")


def pdf_pages(pdf: bytes) -> int:
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout
    return int(re.search(rb"Pages:\s+(\d+)", info).group(1))


def squeeze(text: str) -> str:
    """Text without whitespace: a wrapped line reads back with line breaks in it."""
    return re.sub(r"\s+", "", text)


def test_pdf_is_a4_and_uses_the_built_in_chinese_font_without_embedding_it():
    pdf = make_pdf(TITLE, LINES)
    assert pdf.startswith(b"%PDF-1.") and pdf.rstrip().endswith(b"%%EOF")
    assert b"/BaseFont /STSong-Light" in pdf and b"/UniGB-UCS2-H" in pdf
    assert b"/FontFile" not in pdf  # nothing embedded: viewers supply the font
    assert b"/MediaBox [ 0 0 595.2756 841.8898 ]" in pdf
    assert len(pdf) < 20_000


def test_pdf_is_deterministic():
    """reportlab's invariant mode: no creation date or random id, so the same form, the same bytes."""
    assert make_pdf(TITLE, LINES) == make_pdf(TITLE, LINES)
    assert make_pdf(TITLE, LINES) != make_pdf(TITLE, [*LINES, "另一行"])


@needs_poppler
def test_pdf_text_reads_back_every_line_in_chinese():
    text = pdf_text(make_pdf(TITLE, LINES))
    assert TITLE in text
    assert "排污许可证核发" in text
    lines = text.splitlines()
    # The long line wraps: it is on more than one printed line, and nothing of it is lost.
    assert not any(LONG in line for line in lines)
    assert any(line.startswith("申请人应当如实") for line in lines)
    for line in LINES:
        assert squeeze(line) in squeeze(text), line


@needs_poppler
def test_wrapped_lines_keep_closing_punctuation_off_the_start_of_a_line():
    text = pdf_text(make_pdf(TITLE, [LONG * 3]))
    body = [line for line in text.splitlines() if line.strip() and line != TITLE]
    assert len(body) >= 4
    assert not [line for line in body if line[0] in "，。、；：！？）》」"]


@needs_poppler
def test_pdf_paginates_long_forms_without_losing_a_line():
    lines = [f"第{number}项：{LONG}" for number in range(1, 61)]
    pdf = make_pdf(TITLE, lines)
    assert pdf_pages(make_pdf(TITLE, LINES)) == 1
    assert pdf_pages(pdf) > 1
    text = squeeze(pdf_text(pdf))
    for line in lines:
        assert squeeze(line) in text, line


def test_pdf_keeps_markup_characters_as_text_and_survives_odd_input():
    # Markup characters are escaped for reportlab's paragraph parser; controls and characters
    # beyond the BMP (which the UCS-2 CMap cannot show) do not break the file.
    pdf = make_pdf("表\x01格\n第二行", ["<b>不是粗体</b> & <br/>", "a\x0bb", "𠀀字", ""])
    assert pdf.startswith(b"%PDF-")
    if shutil.which("pdftotext"):
        text = pdf_text(pdf)
        assert "<b>不是粗体</b> & <br/>" in text and "ab" in text and "?字" in text
        assert "表格 第二行" in text


def test_docx_opens_in_python_docx_with_the_title_as_heading_and_every_line():
    data = make_docx(TITLE, LINES)
    document = docx.Document(io.BytesIO(data))
    paragraphs = document.paragraphs
    assert paragraphs[0].text == TITLE and paragraphs[0].style.name.startswith("Heading")
    assert [p.text for p in paragraphs[1:]] == LINES  # escaped on the way in, the same text out
    assert document.core_properties.title == TITLE
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)


def test_docx_sets_the_east_asian_font_on_every_run():
    document = docx.Document(io.BytesIO(make_docx(TITLE, LINES)))
    runs = [run for paragraph in document.paragraphs for run in paragraph.runs]
    assert runs
    for run in runs:
        fonts = run._element.rPr.rFonts
        assert fonts.get(f"{W}eastAsia") == "宋体"
        assert fonts.get(f"{W}eastAsiaTheme") is None  # a theme font would take precedence
    normal = document.styles["Normal"].element.rPr
    assert normal.rFonts.get(f"{W}eastAsia") == "宋体"
    assert normal.find(f"{W}lang").get(f"{W}eastAsia") == "zh-CN"


def test_docx_is_a_sound_zip_with_the_main_part_and_is_deterministic():
    data = make_docx(TITLE, LINES)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        assert "word/document.xml" in archive.namelist()  # what portal.uploads.sniff looks for
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert TITLE in archive.read("word/document.xml").decode("utf-8")
    assert make_docx(TITLE, LINES) == data


def test_docx_drops_characters_xml_cannot_hold():
    document = docx.Document(io.BytesIO(make_docx("表\x01格", ["a\x0bb"])))
    assert [p.text for p in document.paragraphs] == ["表格", "ab"]


def test_a_line_break_inside_a_line_starts_a_new_line():
    document = docx.Document(io.BytesIO(make_docx(TITLE, ["第一行\n第二行"])))
    assert [p.text for p in document.paragraphs] == [TITLE, "第一行", "第二行"]
    if shutil.which("pdftotext"):
        lines = pdf_text(make_pdf(TITLE, ["第一行\r\n第二行"])).splitlines()
        assert "第一行" in lines and "第二行" in lines
