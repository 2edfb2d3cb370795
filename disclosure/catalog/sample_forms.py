"""Small application forms in PDF and WORD (.docx), written by hand so that the demo needs no library.

The PDF uses the standard CJK font STSong-Light (Adobe-GB1) through the predefined CMap
UniGB-UCS2-H: viewers supply the font, so nothing is embedded and a form is a few kilobytes.
Both writers are deterministic: the same title and lines give the same bytes.
"""

from __future__ import annotations

import io
import re
import zipfile
from xml.sax.saxutils import escape

# A4 in points, margins, and type sizes.
PAGE_WIDTH, PAGE_HEIGHT = 595, 842
MARGIN = 56
TITLE_SIZE = 16
BODY_SIZE = 11
LEADING = 18

_FONT_OBJECTS = (
    # Type0 font over the predefined UCS-2 CMap; its descendant is the non-embedded CID font.
    b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light-UniGB-UCS2-H"
    b" /Encoding /UniGB-UCS2-H /DescendantFonts [4 0 R] >>",
    # Adobe-GB1 CIDs 1-95 are the proportional Latin glyphs that UCS-2 maps ASCII onto: give them
    # half an em so that Latin text and digits do not stand a full em apart.
    b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light"
    b" /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >>"
    b" /FontDescriptor 5 0 R /DW 1000 /W [1 95 500] >>",
    b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6"
    b" /FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120"
    b" /CapHeight 880 /StemV 93 >>",
)


def _split(lines: list[str]) -> list[str]:
    """Lines with line breaks inside them become several lines (other controls stay put)."""
    return [part for line in lines for part in re.split(r"\r\n|\r|\n", line)]


def _em_width(char: str) -> float:
    return 0.5 if ord(char) < 0x80 else 1.0


def _text_width(text: str, size: float) -> float:
    return sum(_em_width(char) for char in text) * size


# Closing punctuation that must not begin a line: it hangs into the margin instead.
_NO_LINE_START = frozenset("，。、；：！？）》」』”’,.;:!?)]")


def _wrap(text: str, size: float, width: float) -> list[str]:
    """Break a line where it would pass the right margin (Chinese breaks between any characters)."""
    pieces, current, used = [], "", 0.0
    for char in text:
        step = _em_width(char) * size
        if current and used + step > width and char not in _NO_LINE_START:
            pieces.append(current)
            current, used = "", 0.0
        current += char
        used += step
    pieces.append(current)
    return pieces


def _ucs2_hex(text: str) -> bytes:
    """Text as a hex string in UCS-2 big-endian; characters beyond the BMP cannot be shown."""
    safe = "".join(char if ord(char) <= 0xFFFF else "?" for char in text)
    return b"<" + safe.encode("utf-16-be").hex().upper().encode("ascii") + b">"


def _pdf_text(value: str) -> bytes:
    """A text string for the document information dictionary (UTF-16BE with its byte-order mark)."""
    return b"<FEFF" + value.encode("utf-16-be").hex().upper().encode("ascii") + b">"


def _title_ops(title: str, width: float) -> tuple[list[bytes], float]:
    """The title centred at the top of the first page, a rule under it, and where the body starts."""
    ops, top = [], PAGE_HEIGHT - MARGIN
    for piece in _wrap(title, TITLE_SIZE, width):
        top -= TITLE_SIZE
        x = (PAGE_WIDTH - _text_width(piece, TITLE_SIZE)) / 2
        ops.append(b"BT /F1 %d Tf %.2f %.2f Td %s Tj ET" % (TITLE_SIZE, x, top, _ucs2_hex(piece)))
        top -= 6
    top -= 4
    ops.append(b"0.6 w %d %.2f m %d %.2f l S" % (MARGIN, top, PAGE_WIDTH - MARGIN, top))
    return ops, top - LEADING


def _page_streams(title: str, lines: list[str]) -> list[bytes]:
    """One content stream per page: the title on the first, then the lines, wrapped."""
    width = PAGE_WIDTH - 2 * MARGIN
    wrapped = [piece for line in _split(lines) for piece in _wrap(line, BODY_SIZE, width)]
    pages: list[bytes] = []
    ops, y = _title_ops(title, width)
    for piece in wrapped:
        if y < MARGIN:
            pages.append(b"\n".join(ops))
            ops, y = [], PAGE_HEIGHT - MARGIN - BODY_SIZE
        if piece.strip():
            ops.append(
                b"BT /F1 %d Tf %d %.2f Td %s Tj ET" % (BODY_SIZE, MARGIN, y, _ucs2_hex(piece))
            )
        y -= LEADING
    pages.append(b"\n".join(ops))
    return pages


def make_pdf(title: str, lines: list[str]) -> bytes:
    """A PDF 1.4 form: the title centred over a rule, then the lines, wrapped and paginated."""
    streams = _page_streams(title, lines)
    first_page = 7
    page_ids = [first_page + 2 * index for index in range(len(streams))]
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>"
        % (b" ".join(b"%d 0 R" % pid for pid in page_ids), len(page_ids)),
        *_FONT_OBJECTS,
        b"<< /Title %s /Producer (Kaimen) >>" % _pdf_text(title),
    ]
    for page_id, stream in zip(page_ids, streams, strict=True):
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d]"
            b" /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>"
            % (PAGE_WIDTH, PAGE_HEIGHT, page_id + 1)
        )
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))

    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n"
        % (len(objects) + 1, xref)
    )
    return out.getvalue()


# --- WORD ---------------------------------------------------------------------------------------

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)

_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/>'
    "</Relationships>"
)

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

# Characters XML 1.0 does not allow, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

_FONTS = '<w:rFonts w:ascii="SimSun" w:hAnsi="SimSun" w:eastAsia="SimSun"/>'


def _paragraph(text: str, *, size: int, bold: bool = False, centred: bool = False) -> str:
    """One paragraph; ``size`` in half-points, as WordprocessingML counts."""
    properties = '<w:jc w:val="center"/>' if centred else ""
    run = (
        _FONTS + ("<w:b/>" if bold else "") + f'<w:sz w:val="{size}"/><w:lang w:eastAsia="zh-CN"/>'
    )
    content = escape(_NOT_XML.sub("", text))
    return (
        f'<w:p><w:pPr>{properties}<w:spacing w:after="120"/></w:pPr>'
        f'<w:r><w:rPr>{run}</w:rPr><w:t xml:space="preserve">{content}</w:t></w:r></w:p>'
    )


def _document_xml(title: str, lines: list[str]) -> str:
    body = [_paragraph(title, size=TITLE_SIZE * 2, bold=True, centred=True)]
    body += [_paragraph(line, size=BODY_SIZE * 2) for line in _split(lines)]
    # A4 portrait with 2 cm margins (twentieths of a point).
    section = (
        '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/>'
        '<w:pgMar w:top="1134" w:right="1134" w:bottom="1134" w:left="1134"'
        ' w:header="720" w:footer="720" w:gutter="0"/></w:sectPr>'
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<w:document xmlns:w="{_W}"><w:body>{"".join(body)}{section}</w:body></w:document>'
    )


def make_docx(title: str, lines: list[str]) -> bytes:
    """A minimal WORD document (Office Open XML): the title, bold and centred, then one paragraph per line."""
    parts = [
        ("[Content_Types].xml", _CONTENT_TYPES),
        ("_rels/.rels", _RELS),
        ("word/document.xml", _document_xml(title, lines)),
    ]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in parts:
            # A fixed timestamp keeps the bytes (and so the stored checksum) reproducible.
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text.encode("utf-8"))
    return out.getvalue()
