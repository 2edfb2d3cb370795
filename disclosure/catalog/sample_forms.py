"""Small application forms in PDF (reportlab) and WORD (python-docx) for the catalog's demo items.

The PDF uses reportlab's built-in CID font STSong-Light (Adobe-GB1): viewers supply the font, so
nothing is embedded and a form is a few kilobytes. Chinese lines wrap between any two characters
(closing punctuation never starts a line) and run on to further pages. Both writers give the same
bytes for the same title and lines: the PDF is written in reportlab's invariant mode (fixed dates
and document id) and the WORD archive is repacked with fixed timestamps.
"""

from __future__ import annotations

import io
import re
import zipfile
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import HRFlowable, Paragraph, SimpleDocTemplate, Spacer

FONT = "STSong-Light"
WORD_FONT = "宋体"  # SimSun, the East-Asian font Word uses for the runs
MARGIN = 20 * mm
TITLE_SIZE = 16
BODY_SIZE = 11
LEADING = 18

# Characters XML 1.0 cannot hold, even escaped (python-docx refuses them; reportlab's parser too).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def register_font() -> str:
    """Register the built-in Chinese CID font with reportlab once; return its name."""
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def _split(lines: list[str]) -> list[str]:
    """Lines with line breaks inside them become several lines; XML-illegal controls are dropped."""
    return [_NOT_XML.sub("", part) for line in lines for part in re.split(r"\r\n|\r|\n", line)]


def _one_line(text: str) -> str:
    """A title on one line: line breaks inside it become spaces."""
    return " ".join(_split([text]))


def _markup(text: str) -> str:
    """Plain text as Paragraph markup: escaped, and characters beyond the BMP (which the UCS-2
    CMap of STSong-Light cannot show) replaced by a visible "?"."""
    return escape("".join(char if ord(char) <= 0xFFFF else "?" for char in text))


def _styles() -> tuple[ParagraphStyle, ParagraphStyle]:
    font = register_font()
    title = ParagraphStyle(
        "form-title",
        fontName=font,
        fontSize=TITLE_SIZE,
        leading=TITLE_SIZE + 8,
        alignment=TA_CENTER,
        wordWrap="CJK",
        spaceAfter=4,
    )
    body = ParagraphStyle(
        "form-body", fontName=font, fontSize=BODY_SIZE, leading=LEADING, wordWrap="CJK"
    )
    return title, body


def make_pdf(title: str, lines: list[str]) -> bytes:
    """An A4 form: the title centred over a rule, then one paragraph per line, wrapped and paginated."""
    title_style, body_style = _styles()
    story = [
        Paragraph(_markup(_one_line(title)), title_style),
        HRFlowable(width="100%", thickness=0.6, color="black", spaceAfter=LEADING / 2),
    ]
    for line in _split(lines):
        if line.strip():
            story.append(Paragraph(_markup(line), body_style))
        else:
            story.append(Spacer(1, LEADING))
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=_one_line(title),
        author="Kaimen",
        creator="Kaimen",
        invariant=True,  # fixed dates and document id: the same form gives the same bytes
    )
    document.build(story)
    return out.getvalue()


# --- WORD ---------------------------------------------------------------------------------------


def _east_asian(run, *, size: float, bold: bool = False) -> None:
    """SimSun for Latin and East-Asian text alike, so Word does not fall back to a Latin font."""
    run.font.name = "SimSun"
    run.font.size = Pt(size)
    if bold:
        run.font.bold = True
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), WORD_FONT)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)  # a theme font would win over the named one


def _normal_style(document) -> None:
    style = document.styles["Normal"]
    style.font.name = "SimSun"
    style.font.size = Pt(BODY_SIZE)
    properties = style.element.get_or_add_rPr()
    properties.get_or_add_rFonts().set(qn("w:eastAsia"), WORD_FONT)
    language = properties.find(qn("w:lang"))
    if language is None:
        language = properties.makeelement(qn("w:lang"), {})
        properties.append(language)
    language.set(qn("w:eastAsia"), "zh-CN")


def _repack(data: bytes) -> bytes:
    """The same archive with a fixed timestamp on every member, so the bytes are reproducible."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for member in source.infolist():
            info = zipfile.ZipInfo(member.filename, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, source.read(member.filename))
    return out.getvalue()


def make_docx(title: str, lines: list[str]) -> bytes:
    """A WORD document on A4: the title as a centred heading, then one paragraph per line."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2))
    _normal_style(document)
    properties = document.core_properties
    properties.title = _one_line(title)[:255]  # the core properties hold at most 255 characters
    properties.author = properties.last_modified_by = "Kaimen"

    heading = document.add_heading(level=1)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = heading.add_run(_one_line(title))
    _east_asian(run, size=TITLE_SIZE, bold=True)
    run.font.color.rgb = RGBColor(0, 0, 0)
    for line in _split(lines):
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.space_after = Pt(6)
        _east_asian(paragraph.add_run(line), size=BODY_SIZE)

    out = io.BytesIO()
    document.save(out)
    return _repack(out.getvalue())
