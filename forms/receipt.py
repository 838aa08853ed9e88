"""The receipt slip (*tanda terima*) a kiosk prints with each application.

Two formats: "80mm" (thermal roll: 72 mm printable width, the page is exactly as tall as its
content) and "A6" (105 × 148 mm; a rare long list of requirements flows on to a second
sheet). Black only, no grey fills: thermal printers dither them into noise.

Content: the village, the application number in large type, the letter asked for, when it
was submitted, the expected pickup date, what to bring ("Bawa: …"), the QR code with the
application reference, and one line on how to ask for the status.

Also the staff's printer test slip (`render_printer_test`), on the same roll.
"""

from __future__ import annotations

import io
from datetime import date, datetime

from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    HRFlowable,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from forms.application import Application, application_reference
from forms.catalogue import Letter, format_date_id
from forms.layout import (
    FONT,
    FONT_BOLD,
    RECEIPT_PAPERS,
    QRFlowable,
    esc,
    plain,
    register_fonts,
    strip_prefix,
    tz_label,
)
from forms.village import VillageProfile

DAYS_ID = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")

_MARGIN = {"80mm": (4 * mm, 4 * mm), "A6": (8 * mm, 7 * mm)}  # (sides, top/bottom)
_QR = {"80mm": 32 * mm, "A6": 30 * mm}
NUMBER_MAX, NUMBER_MIN = 22.0, 11.0

_B = ParagraphStyle("r", fontName=FONT, fontSize=9, leading=11.5, splitLongWords=1)
_RS = {
    "c": ParagraphStyle("rc", _B, alignment=TA_CENTER),
    "l": ParagraphStyle("rl", _B, alignment=TA_LEFT),
    "head": ParagraphStyle("rh", _B, fontName=FONT_BOLD, fontSize=11.5, leading=14,
                           alignment=TA_CENTER),
    "sub": ParagraphStyle("rs", _B, fontSize=8, leading=10, alignment=TA_CENTER),
    "title": ParagraphStyle("rt", _B, fontName=FONT_BOLD, fontSize=10, leading=12.5,
                            alignment=TA_CENTER, spaceBefore=2),
    "label": ParagraphStyle("rlab", _B, fontSize=8, leading=10, alignment=TA_CENTER,
                            spaceBefore=3),
    "small": ParagraphStyle("rsm", _B, fontSize=8, leading=10, alignment=TA_CENTER),
}  # fmt: skip


def day_date_id(d: date) -> str:
    """``date(2026, 11, 27)`` → ``"Jumat, 27 November 2026"``."""
    return f"{DAYS_ID[d.weekday()]}, {format_date_id(d)}"


def _number(number: str, width: float) -> Paragraph:
    """The application number as large as fits on one line (wraps only if even 11 pt is too
    wide, which a kiosk-made number never is)."""
    text = plain(number)
    w = pdfmetrics.stringWidth(text, FONT_BOLD, 1) or 1
    size = max(NUMBER_MIN, min(NUMBER_MAX, int(width / w * 4) / 4))
    style = ParagraphStyle("rnum", _B, fontName=FONT_BOLD, fontSize=size, leading=size * 1.2,
                           alignment=TA_CENTER, spaceAfter=2)  # fmt: skip
    return Paragraph(esc(number), style)


def _story(app: Application, letter: Letter, village: VillageProfile, paper: str, width: float,
           expected_pickup: date | None) -> list:  # fmt: skip
    created = app.created_at
    tz = tz_label(created)
    district = strip_prefix(village.district, "Kecamatan")
    rule = HRFlowable(width="100%", thickness=0.8, color="black", spaceBefore=3, spaceAfter=3)
    story: list = [
        Paragraph(esc(f"{village.kind.strip()} {village.name.strip()}".upper()), _RS["head"]),
        Paragraph(esc(f"Kecamatan {district} · {village.regency.strip()}"), _RS["sub"]),
        rule,
        Paragraph("<b>TANDA TERIMA PERMOHONAN</b>", _RS["c"]),
        Paragraph("Nomor permohonan", _RS["label"]),
        _number(app.application_number, width),
        Paragraph(esc(letter.title.id.strip()), _RS["title"]),
        Spacer(1, 2 * mm),
    ]
    rows = [("Diajukan", f"{day_date_id(created.date())}, pukul {created:%H.%M}"
             f"{' ' + tz if tz else ''}")]  # fmt: skip
    if expected_pickup is not None:
        rows.append(("Perkiraan siap", day_date_id(expected_pickup)))
    label_w = 27 * mm
    t = Table(
        [[Paragraph(esc(k), _RS["l"]), Paragraph(f"<b>{esc(v)}</b>", _RS["l"])] for k, v in rows],
        colWidths=[label_w, width - label_w],
    )
    t.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
        ("TOPPADDING", (0, 0), (-1, -1), 0.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 0.5),
    ]))  # fmt: skip
    story.append(t)
    if letter.requirements:
        items = "".join(f"<br/>• {esc(r.id)}" for r in letter.requirements)
        story += [Spacer(1, 2 * mm), Paragraph(f"<b>Bawa saat mengambil surat:</b>{items}",
                                               _RS["l"])]  # fmt: skip
    story += [
        Spacer(1, 3 * mm),
        QRFlowable(application_reference(app.village_code, app.application_number), _QR[paper]),
        Paragraph(
            "Cek status permohonan di anjungan atau kantor desa dengan menunjukkan tanda "
            "terima ini (kode QR atau nomor permohonan).", _RS["small"]),  # fmt: skip
        rule,
        Paragraph(esc(f"Anjungan {app.kiosk_id} · Simpan tanda terima ini"), _RS["small"]),
    ]
    story[-4].hAlign = "CENTER"
    return story


def _height(story: list, width: float) -> float:
    total = 0.0
    for f in story:
        _, h = f.wrap(width, 10_000)
        total += h + f.getSpaceBefore() + f.getSpaceAfter()
    return total


def render_receipt(
    application: Application,
    letter: Letter,
    village: VillageProfile,
    paper: str = "80mm",
    expected_pickup: date | None = None,
) -> bytes:
    """The receipt slip as PDF bytes ("80mm" roll or "A6"); same input → same bytes."""
    if paper not in RECEIPT_PAPERS:
        raise ValueError(f"unknown receipt paper {paper!r}; use one of {sorted(RECEIPT_PAPERS)}")
    if application.letter != letter.id:
        raise ValueError(f"application is for {application.letter!r}, not {letter.id!r}")
    register_fonts()
    side, tb = _MARGIN[paper]
    w, h = RECEIPT_PAPERS[paper]
    width = w - 2 * side
    story = _story(application, letter, village, paper, width, expected_pickup)
    if h is None:  # roll paper: as tall as the content (+2 mm so rounding never spills)
        h = _height(story, width) + 2 * tb + 2 * mm
        story = _story(application, letter, village, paper, width, expected_pickup)
    buf = io.BytesIO()
    doc = BaseDocTemplate(
        buf, pagesize=(w, h), leftMargin=side, rightMargin=side, topMargin=tb, bottomMargin=tb,
        invariant=1, title=f"Tanda terima {plain(application.application_number)}",
        author=f"{village.kind} {village.name}", subject=letter.title.id,
        creator="Smart Kampung", lang="id-ID",
    )  # fmt: skip
    frame = Frame(side, tb, width, h - 2 * tb, leftPadding=0, rightPadding=0, topPadding=0,
                  bottomPadding=0)  # fmt: skip
    doc.addPageTemplates([PageTemplate("slip", [frame], pagesize=(w, h))])
    doc.build(story)
    return buf.getvalue()


def render_printer_test(village: VillageProfile, when: datetime) -> bytes:
    """The staff's printer test slip (80 × 60 mm): the village, the time, a line of capitals
    and digits and a box, enough to see that every part of the head prints."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(80 * mm, 60 * mm), invariant=1)
    register_fonts()
    c.setFont(FONT_BOLD, 11)
    c.drawString(5 * mm, 50 * mm, f"{village.kind} {village.name}"[:40])
    c.setFont(FONT, 9)
    c.drawString(5 * mm, 44 * mm, "Uji pencetak / printer test")
    c.drawString(5 * mm, 39 * mm, when.strftime("%d-%m-%Y %H.%M"))
    # two lines: one would run past a 72 mm roll's printable width
    c.drawString(5 * mm, 33 * mm, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    c.drawString(5 * mm, 28 * mm, "0123456789 abcdefghijklmnopqrstuvwxyz")
    c.rect(5 * mm, 5 * mm, 70 * mm, 18 * mm)
    c.showPage()
    c.save()
    return buf.getvalue()
