"""The written notices the Administrative Licensing Law (行政许可法) requires, rendered as PDF.

Pure rendering, no database: the caller assembles a :class:`Notice` (its number, the applicant's
name already masked as the reader may see it, the verification code it stored) and gets the bytes
of an A4 PDF back from :func:`render_pdf`.

Each notice carries a verification code and a QR code of the public page where anyone can check
that the document is genuine and current. Codes come from an alphabet without the characters
people confuse when they type them (0/O, 1/I/L), grouped 4-4-4; :func:`normalise_code` turns
what someone typed (lower case, spaces, dashes, full-width characters) back into that form.

The PDF uses reportlab's built-in CID font STSong-Light, so Chinese prints without a font file and
nothing is embedded. Characters beyond the Basic Multilingual Plane cannot be shown by it and print
as "?". Rendering is deterministic (reportlab's invariant mode): the same notice, the same bytes.
"""

from __future__ import annotations

import io
import re
import secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from xml.sax.saxutils import escape, quoteattr

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import (
    HRFlowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

FONT = "STSong-Light"
MARGIN = 25 * mm
BODY_SIZE = 12
LEADING = 20
QR_SIZE = 30 * mm  # the whole symbol, quiet zone included
QR_LEVEL = "M"  # error correction: survives a smudge or a fold on paper
QR_BORDER = 4  # the quiet zone in modules, as the QR standard asks

# --- verification codes ---------------------------------------------------------------------------

# No 0/O, 1/I/L: nothing a reader can mistake for another character when typing the code in.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12
CODE_GROUP = 4
_DASHES = re.compile("[\\s\\-_\u2010-\u2015\u2212\u30fc\uff0d\u00b7\u30fb]+")


def _grouped(compact: str) -> str:
    return "-".join(compact[i : i + CODE_GROUP] for i in range(0, len(compact), CODE_GROUP))


def verification_code() -> str:
    """A new random code such as ``K7QM-3XHD-9PWT`` (12 characters, about 59 bits)."""
    return _grouped("".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH)))


def normalise_code(text: str) -> str:
    """What someone typed or pasted, in the form :func:`verification_code` gives.

    Full-width characters become ASCII, letters upper case; spaces and dashes of any kind go.
    A well-formed code comes back grouped (``k7qm 3xhd－9pwt`` -> ``K7QM-3XHD-9PWT``); anything
    else comes back compact and upper case, which matches no stored code.
    """
    compact = _DASHES.sub("", unicodedata.normalize("NFKC", text or "")).upper()
    if len(compact) == CODE_LENGTH and all(char in CODE_ALPHABET for char in compact):
        return _grouped(compact)
    return compact


def is_well_formed_code(text: str) -> bool:
    """True when ``text`` normalises to a code of the right length and alphabet."""
    return "-" in normalise_code(text)


# --- the notices ----------------------------------------------------------------------------------


class NoticeKind(StrEnum):
    RECEIPT = "receipt"
    ACCEPTANCE = "acceptance"
    REFUSAL_TO_ACCEPT = "refusal_to_accept"
    CORRECTION = "correction"
    SUSPENSION = "suspension"
    EXTENSION = "extension"
    APPROVAL = "approval"
    REFUSAL = "refusal"
    DELIVERY = "delivery"

    @property
    def title(self) -> str:
        """The Chinese title printed on the document."""
        return TITLES[self][0]

    @property
    def title_en(self) -> str:
        return TITLES[self][1]


TITLES: dict[NoticeKind, tuple[str, str]] = {
    NoticeKind.RECEIPT: ("收件回执", "Receipt of application"),
    NoticeKind.ACCEPTANCE: ("受理通知书", "Notice of acceptance"),
    NoticeKind.REFUSAL_TO_ACCEPT: ("不予受理决定书", "Decision not to accept the application"),
    NoticeKind.CORRECTION: ("补正告知书", "Notice to supplement or correct the application"),
    NoticeKind.SUSPENSION: ("特别程序告知书", "Notice of special procedure"),
    NoticeKind.EXTENSION: ("延期告知书", "Notice of extension of the time limit"),
    NoticeKind.APPROVAL: ("准予许可决定书", "Decision to grant the licence"),
    NoticeKind.REFUSAL: ("不予许可决定书", "Decision to refuse the licence"),
    NoticeKind.DELIVERY: ("送达回证", "Proof of service"),
}

# What the numbered list is, for the kinds that use one.
_ITEMS_HEADING = {
    NoticeKind.CORRECTION: "请一次性补正以下全部材料和内容（共 {count} 项）：",
    NoticeKind.DELIVERY: "送达文书（共 {count} 件）：",
    NoticeKind.RECEIPT: "已收取的申请材料（共 {count} 项）：",
}
_DEFAULT_ITEMS_HEADING = "附列事项（共 {count} 项）："


@dataclass(frozen=True)
class Notice:
    """One notice to an applicant; every text is printed as given (the caller masks and numbers)."""

    kind: NoticeKind
    number: str  # the document's own number, e.g. 临环许受〔2026〕12号
    application_number: str  # e.g. SP20261203-0001
    item_name: str
    item_code: str
    applicant_name: str
    department_name: str
    issued_on: date
    body: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)  # numbered; the 补正 list, all of it at once
    legal_basis: str = ""
    rights: str = ""  # rights of administrative review and litigation, for refusals
    verification_code: str = ""
    verification_url: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", NoticeKind(self.kind))  # a plain "correction" will do
        object.__setattr__(self, "body", list(self.body))
        object.__setattr__(self, "items", list(self.items))

    @property
    def title(self) -> str:
        return self.kind.title

    @property
    def title_en(self) -> str:
        return self.kind.title_en


# --- rendering ------------------------------------------------------------------------------------

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def register_font() -> str:
    """Register the built-in Chinese CID font with reportlab once; return its name."""
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def _markup(text: str) -> str:
    """Plain text as Paragraph markup: escaped, on one line, printable by STSong-Light."""
    text = _NOT_XML.sub("", re.sub(r"\r\n|\r|\n", " ", text or ""))
    return escape("".join(char if ord(char) <= 0xFFFF else "?" for char in text))


def chinese_date(day: date) -> str:
    """``2026年12月3日``: Arabic numerals, no leading zeros, as GB/T 9704 writes the date."""
    return f"{day.year}年{day.month}月{day.day}日"


def _style(name: str, size: float = BODY_SIZE, **options) -> ParagraphStyle:
    options.setdefault("leading", size * LEADING / BODY_SIZE)
    return ParagraphStyle(name, fontName=register_font(), fontSize=size, wordWrap="CJK", **options)


def _styles() -> dict[str, ParagraphStyle]:
    return {
        "department": _style("department", 16, alignment=TA_CENTER, spaceAfter=6),
        "title": _style("title", 22, leading=30, alignment=TA_CENTER, spaceAfter=4),
        "number": _style("number", alignment=TA_CENTER, spaceAfter=6),
        "label": _style("label", 11),
        "value": _style("value", 11),
        "body": _style("body", firstLineIndent=2 * BODY_SIZE, spaceAfter=4),
        "heading": _style("heading", spaceBefore=6, spaceAfter=2),
        "item": _style(
            "item",
            leftIndent=2.5 * BODY_SIZE,
            bulletIndent=BODY_SIZE * 0.5,
            bulletFontName=FONT,
            bulletFontSize=BODY_SIZE,
            spaceAfter=2,
        ),
        "right": _style("right", alignment=TA_RIGHT),
        "small": _style("small", 9, leading=14),
    }


def qr_widget(url: str) -> QrCodeWidget:
    """The QR code of ``url`` as drawn on the notice."""
    return QrCodeWidget(
        url, barWidth=QR_SIZE, barHeight=QR_SIZE, barLevel=QR_LEVEL, barBorder=QR_BORDER
    )


def qr_drawing(url: str) -> Drawing:
    drawing = Drawing(QR_SIZE, QR_SIZE)
    drawing.add(qr_widget(url))
    return drawing


def _fields(notice: Notice, styles):
    rows = [
        [
            Paragraph(_markup(label) + "：", styles["label"]),
            Paragraph(_markup(value), styles["value"]),
        ]
        for label, value in (
            ("申请编号", notice.application_number),
            ("申请事项", notice.item_name),
            ("事项编码", notice.item_code),
            ("申 请 人", notice.applicant_name),
        )
        if value
    ]
    if not rows:
        return Spacer(1, 0)
    table = Table(
        rows,
        colWidths=[24 * mm, None],
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    return table


def _labelled(label: str, text: str, styles) -> Paragraph:
    return Paragraph(f"{label}：" + _markup(text), styles["body"])


def _verification(notice: Notice, styles) -> list:
    """The QR code with the code and the address printed beside it."""
    if not (notice.verification_code or notice.verification_url):
        return []
    lines = []
    if notice.verification_code:
        lines.append("验证码：" + _markup(notice.verification_code))
    if notice.verification_url:
        url = _markup(notice.verification_url)
        lines.append(f"扫码或访问 <a href={quoteattr(notice.verification_url)}>{url}</a> 核验")
        lines.append("本文书的真实性和当前效力。")
    text = Paragraph("<br/>".join(lines), styles["small"])
    if not notice.verification_url:
        return [Spacer(1, LEADING), text]
    table = Table(
        [[qr_drawing(notice.verification_url), text]],
        colWidths=[QR_SIZE + 4 * mm, None],
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return [Spacer(1, LEADING), table]


def _signature(notice: Notice, styles) -> list:
    """The department, the date and the seal's place; a receipt line on a proof of service."""
    block = [
        Spacer(1, LEADING * 1.5),
        Paragraph(_markup(notice.department_name), styles["right"]),
        Paragraph("（印章）", styles["right"]),
        Paragraph(chinese_date(notice.issued_on), styles["right"]),
    ]
    if notice.kind == NoticeKind.DELIVERY:
        block += [
            Spacer(1, LEADING),
            Paragraph(
                "受送达人（签名或盖章）：＿＿＿＿＿＿＿＿　　签收日期：＿＿年＿＿月＿＿日",
                styles["body"],
            ),
            Paragraph(
                "送达人（签名）：＿＿＿＿＿＿＿＿　　送达方式：＿＿＿＿＿＿＿＿", styles["body"]
            ),
        ]
    return block


def _story(notice: Notice) -> list:
    styles = _styles()
    story = [
        Paragraph(_markup(notice.department_name), styles["department"]),
        Paragraph(_markup(notice.title), styles["title"]),
    ]
    if notice.number:
        story.append(Paragraph(_markup(notice.number), styles["number"]))
    story += [
        HRFlowable(width="100%", thickness=0.8, color="black", spaceAfter=8),
        _fields(notice, styles),
        Spacer(1, 8),
    ]
    story += [Paragraph(_markup(text), styles["body"]) for text in notice.body if text.strip()]
    if notice.items:
        heading = _ITEMS_HEADING.get(notice.kind, _DEFAULT_ITEMS_HEADING)
        story.append(Paragraph(heading.format(count=len(notice.items)), styles["heading"]))
        story += [
            Paragraph(_markup(text), styles["item"], bulletText=f"{index}.")
            for index, text in enumerate(notice.items, start=1)
        ]
    if notice.legal_basis:
        story.append(_labelled("法律依据", notice.legal_basis, styles))
    if notice.rights:
        story.append(_labelled("权利告知", notice.rights, styles))
    # The signature and the verification block stay together, on the last page.
    story.append(KeepTogether(_signature(notice, styles) + _verification(notice, styles)))
    return story


def _footer(notice: Notice):
    """Every page names its document, so a loose page can be matched with the rest."""
    parts = [notice.title]
    if notice.number:
        parts.append(notice.number)
    if notice.verification_code:
        parts.append(f"验证码 {notice.verification_code}")
    label = "".join(char if ord(char) <= 0xFFFF else "?" for char in "　".join(parts))

    def draw(canvas, document) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 9)
        canvas.drawCentredString(A4[0] / 2, 12 * mm, f"{label}　第 {document.page} 页")
        canvas.restoreState()

    return draw


def render_pdf(notice: Notice) -> bytes:
    """The notice as an A4 PDF: the same notice gives the same bytes."""
    register_font()
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=f"{notice.title} {notice.number}".strip(),
        subject=notice.title_en,
        author=notice.department_name,
        creator="Kaimen",
        invariant=True,
    )
    footer = _footer(notice)
    document.build(_story(notice), onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()
