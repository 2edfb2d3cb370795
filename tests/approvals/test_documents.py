"""The notices of the Administrative Licensing Law as PDFs: text, pagination, QR code, codes.

No QR decoder is installed here (no zbarimg, pyzbar or OpenCV), so the QR code is not decoded from
pixels. Instead the module matrix is read back from the PDF twice — from the rectangles the page
draws and from the pixels poppler renders — and compared with the matrix reportlab's encoder
produces for the verification URL.
"""

from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess
import zlib
from dataclasses import replace
from datetime import date

import pytest
from PIL import Image
from reportlab.graphics.barcode.qr import QrCodeWidget

from approvals import documents
from approvals.documents import (
    CODE_ALPHABET,
    Notice,
    NoticeKind,
    is_well_formed_code,
    normalise_code,
    render_pdf,
    verification_code,
)

CODE = "K7QM-3XHD-9PWT"
URL = f"https://kaimen.linjiang.gov.example/approvals/verify/{CODE}"
ITEM = (
    "排污单位基本信息表缺少主要生产设施及污染防治设施的详细说明，请按照规范格式补充完整并加盖公章"
)

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None,
    reason="poppler-utils is not installed (CI installs it)",
)


def notice(**changes) -> Notice:
    base = Notice(
        kind=NoticeKind.CORRECTION,
        number="临环许补〔2026〕12号",
        application_number="SP20261203-0001",
        item_name="排污许可证核发",
        item_code="LJ-STHJ-001",
        applicant_name="临江市某某化工有限公司",
        department_name="临江市生态环境局",
        issued_on=date(2026, 12, 3),
        body=[
            "你单位于2026年12月1日提交的排污许可证核发申请，经审查，申请材料不齐全、不符合法定"
            "形式。根据《中华人民共和国行政许可法》第三十二条第一款第（四）项的规定，请你单位"
            "补正以下材料后重新提交。"
        ],
        items=["排污许可证申请表未加盖公章", "缺少环境影响评价批复文件复印件"],
        legal_basis="《中华人民共和国行政许可法》第三十二条第一款第（四）项",
        verification_code=CODE,
        verification_url=URL,
    )
    return replace(base, **changes)


def pdf_text(pdf: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode("utf-8")


def pdf_pages(pdf: bytes) -> int:
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout
    return int(re.search(rb"Pages:\s+(\d+)", info).group(1))


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


# --- reading the QR code back out of the PDF ------------------------------------------------------


def content_streams(pdf: bytes) -> list[bytes]:
    """The decoded streams of the file (reportlab writes ASCII85 over Flate)."""
    streams = []
    for match in re.finditer(rb"<<([^<>]*?/Length (\d+)[^<>]*?)>>\s*stream\r?\n", pdf):
        header, length = match.group(1), int(match.group(2))
        data = pdf[match.end() : match.end() + length]
        if b"/ASCII85Decode" in header:
            data = base64.a85decode(data.strip().removesuffix(b"~>"))
        if b"/FlateDecode" in header:
            data = zlib.decompress(data)
        streams.append(data)
    return streams


def filled_rectangles(stream: bytes) -> list[tuple[float, float, float, float]]:
    """(x0, y0, x1, y1) in page space of every ``re`` that is filled, following q/Q/cm."""
    stream = re.sub(rb"BT.*?ET", b" ", stream, flags=re.S)  # text: no rectangles in there
    matrix, saved, operands, pending, found = (1, 0, 0, 1, 0, 0), [], [], [], []
    for token in re.findall(rb"[-+]?\d*\.?\d+|[A-Za-z*]+", stream):
        if re.fullmatch(rb"[-+]?\d*\.?\d+", token):
            operands.append(float(token))
            continue
        if token == b"q":
            saved.append(matrix)
        elif token == b"Q":
            matrix = saved.pop()
        elif token == b"cm":
            a, b, c, d, e, f = operands[-6:]
            ma, mb, mc, md, me, mf = matrix
            matrix = (
                a * ma + b * mc,
                a * mb + b * md,
                c * ma + d * mc,
                c * mb + d * md,
                e * ma + f * mc + me,
                e * mb + f * md + mf,
            )
        elif token == b"re":
            x, y, w, h = operands[-4:]
            ma, mb, mc, md, me, mf = matrix
            corners = [
                (ma * px + mc * py + me, mb * px + md * py + mf)
                for px, py in ((x, y), (x + w, y + h))
            ]
            (x0, y0), (x1, y1) = corners
            pending.append((min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)))
        elif token in (b"f", b"f*", b"F", b"B", b"B*", b"b", b"b*"):
            found += pending
            pending = []
        elif token in (b"n", b"S", b"s"):
            pending = []
        operands = []
    return found


def expected_modules(url: str) -> list[list[bool]]:
    """The matrix reportlab's encoder gives for ``url``, with the notice's settings."""
    widget = QrCodeWidget(url, barLevel=documents.QR_LEVEL)
    widget.qr.make()
    return [[bool(module) for module in row] for row in widget.qr.modules]


def modules_from_rectangles(pdf: bytes, size: int):
    """The QR matrix as drawn: the filled runs one module high, placed on the module grid."""
    box = documents.QR_SIZE / (size + 2 * documents.QR_BORDER)
    runs = [
        rect
        for stream in content_streams(pdf)
        for rect in filled_rectangles(stream)
        if abs((rect[3] - rect[1]) - box) < 1e-3
    ]
    assert runs, "no QR modules on the page"
    left, top = min(r[0] for r in runs), max(r[3] for r in runs)
    matrix = [[False] * size for _ in range(size)]
    for x0, _y0, x1, y1 in runs:
        row, start = round((top - y1) / box), round((x0 - left) / box)
        for column in range(start, start + round((x1 - x0) / box)):
            matrix[row][column] = True
    return matrix, (left, top, box)


def modules_from_pixels(pdf: bytes, size: int, origin) -> list[list[bool]]:
    """The QR matrix as poppler renders it: the pixel at the centre of every module."""
    left, top, box = origin
    png = subprocess.run(
        ["pdftoppm", "-r", "288", "-gray", "-png", "-singlefile", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout
    image = Image.open(io.BytesIO(png)).convert("L")
    scale = 288 / 72
    height_pt = image.height / scale

    def dark(x: float, y: float) -> bool:
        return image.getpixel((round(x * scale), round((height_pt - y) * scale))) < 128

    # The quiet zone around the symbol is light.
    for index in range(-1, size + 1):
        for x, y in (
            (left + (index + 0.5) * box, top + 2 * box),
            (left + (index + 0.5) * box, top - (size + 2) * box),
            (left - 2 * box, top - (index + 0.5) * box),
            (left + (size + 2) * box, top - (index + 0.5) * box),
        ):
            assert not dark(x, y), "the quiet zone is not clear"
    return [
        [dark(left + (column + 0.5) * box, top - (row + 0.5) * box) for column in range(size)]
        for row in range(size)
    ]


# --- the tests ------------------------------------------------------------------------------------


def test_every_kind_has_a_chinese_and_an_english_title():
    assert {kind.value for kind in NoticeKind} == {
        "receipt",
        "acceptance",
        "refusal_to_accept",
        "correction",
        "suspension",
        "extension",
        "approval",
        "refusal",
        "delivery",
    }
    assert NoticeKind.CORRECTION.title == "补正告知书"
    assert NoticeKind.APPROVAL.title == "准予许可决定书"
    assert NoticeKind.DELIVERY.title == "送达回证"
    for kind in NoticeKind:
        assert re.search(r"[\u4e00-\u9fff]", kind.title) and kind.title_en.isascii()
    assert notice(kind="refusal").kind is NoticeKind.REFUSAL  # a plain string is accepted
    with pytest.raises(ValueError):
        notice(kind="licence")


@needs_poppler
@pytest.mark.parametrize("kind", list(NoticeKind))
def test_every_kind_prints_its_fields(kind):
    pdf = render_pdf(
        notice(kind=kind, rights="如不服本决定，可以在收到本决定书之日起六十日内申请行政复议。")
    )
    assert pdf.startswith(b"%PDF-") and b"/FontFile" not in pdf and b"STSong-Light" in pdf
    text = pdf_text(pdf)
    for expected in (
        "临江市生态环境局",
        kind.title,
        "临环许补〔2026〕12号",
        "SP20261203-0001",
        "排污许可证核发",
        "LJ-STHJ-001",
        "临江市某某化工有限公司",
        "2026年12月3日",
        "（印章）",
        "法律依据",
        "权利告知",
        "六十日内申请行政复议",
        f"验证码：{CODE}",
        "扫码或访问",
        "核验",
    ):
        assert expected in text, expected
    assert URL in text or URL in squeeze(text)
    assert squeeze(notice().body[0]) in squeeze(text)


@needs_poppler
def test_a_correction_notice_lists_everything_at_once_and_thirty_items_span_pages():
    items = [f"第{number}项：{ITEM}" for number in range(1, 31)]
    pdf = render_pdf(notice(items=items))
    assert pdf_pages(pdf) > 1
    text = pdf_text(pdf)
    flat = squeeze(text)
    assert "共30项" in flat
    for number, item in enumerate(items, start=1):
        assert f"{number}.{squeeze(item)}" in flat, item  # numbered, none lost at a page break
    # The long item wraps onto a second printed line rather than running off the page.
    assert not any(items[0] in line for line in text.splitlines())
    # The signature and the code come once, at the end, after the last item.
    assert flat.index(squeeze(items[-1])) < flat.rindex("（印章）") < flat.rindex(f"验证码：{CODE}")
    # Every page names its document.
    assert text.count("验证码 " + CODE) == pdf_pages(pdf)


@needs_poppler
def test_the_qr_code_holds_the_verification_url():
    pdf = render_pdf(notice())
    expected = expected_modules(URL)
    size = len(expected)
    drawn, origin = modules_from_rectangles(pdf, size)
    assert drawn == expected
    assert modules_from_pixels(pdf, size, origin) == expected
    # The comparison tells URLs apart: another document's code gives another matrix.
    assert expected_modules(URL.replace("K7QM", "K7QN")) != expected


def test_rendering_is_deterministic_and_escapes_markup():
    assert render_pdf(notice()) == render_pdf(notice())
    odd = notice(applicant_name="<b>张三</b> & 李四", items=["a\x0bb", "𠀀字"], body=["", "正文"])
    assert render_pdf(odd).startswith(b"%PDF-")
    if shutil.which("pdftotext"):
        text = pdf_text(render_pdf(odd))
        assert "<b>张三</b> & 李四" in text and "?字" in text


def test_a_notice_without_url_or_code_has_no_verification_block():
    pdf = render_pdf(notice(verification_code="", verification_url=""))
    assert all(
        not [r for r in filled_rectangles(s) if r[3] - r[1] < 5] for s in content_streams(pdf)
    )
    if shutil.which("pdftotext"):
        assert "验证码" not in pdf_text(pdf)


def test_verification_codes_are_unambiguous_grouped_and_random():
    codes = {verification_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
        assert not set(code) & set("0O1IL")
        assert set(code.replace("-", "")) <= set(CODE_ALPHABET)
        assert normalise_code(code) == code


@pytest.mark.parametrize(
    "typed",
    [
        "K7QM-3XHD-9PWT",
        "k7qm3xhd9pwt",
        " k7qm 3xhd 9pwt ",
        "K7QM – 3XHD — 9PWT",
        "ｋ７ｑｍ－３ｘｈｄ－９ｐｗｔ",  # full width, as a Chinese input method types it
        "K7QM\u30003XHD\u30009PWT",  # ideographic spaces
        "K7QM_3XHD-9pwt\n",
    ],
)
def test_normalise_code_accepts_how_people_type_it(typed):
    assert normalise_code(typed) == CODE
    assert is_well_formed_code(typed)


@pytest.mark.parametrize("typed", ["", "K7QM-3XHD", "K7QM-3XHD-9PWT-2", "K7QM-3XHD-9PW0", "验证码"])
def test_normalise_code_leaves_what_is_not_a_code_unmatched(typed):
    assert normalise_code(typed) != CODE
    assert "-" not in normalise_code(typed)
    assert not is_well_formed_code(typed)
