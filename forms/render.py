"""ReportLab rendering of the two letter documents, on F4 (default) or A4:

- the application copy (*salinan permohonan*) the kiosk prints: the village letterhead
  (*kop surat*), a clear PERMOHONAN marking, the resident's identity as a label : value table,
  what the villager typed, the draft text of the letter asked for, the applicant's signature
  space and a QR code with the application reference (`render_application`);
- the final letter the back office issues (`render_letter`): letterhead, title, number, the
  letter's body with the identity table, and the signature block (village head, or an official
  signing a.n. / u.b.) kept on one page with the QR code carrying the signed verification URL.
  Not marked PERMOHONAN; requirements are not printed.

Output is byte-identical for the same input (`invariant=1`). Shared pieces (fonts, escaping,
QR code, letterhead, tables) live in forms/layout.py; the receipt slip in forms/receipt.py.
"""

from __future__ import annotations

import io

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from forms.application import Application, application_reference
from forms.catalogue import Letter, display_value, format_date_id, prefill
from forms.issued import IssuedLetter
from forms.layout import (
    BOTTOM,
    FONT,
    FONT_BOLD,
    KOP_HEIGHT,
    LEFT,
    PAPERS,
    QR_MASK,
    RIGHT,
    STYLES,
    TOP,
    FontMissingError,
    QRFlowable,
    body_placeholders,
    draw_fitted,
    draw_kop,
    esc,
    fill_body,
    kv_table,
    plain,
    printable_errors,
    register_fonts,
    tz_label,
    unprintable,
    village_placeholders,
)
from forms.village import VillageProfile

__all__ = [
    "PAPERS", "QR_MASK", "FontMissingError", "QRFlowable", "fill_body", "printable_errors",
    "register_fonts", "render_application", "render_letter", "unprintable",
    "village_placeholders",
]  # fmt: skip

_S = STYLES
GREY = colors.HexColor("#444444")


# --------------------------------------------------------------------------- page decoration


class _Pages:
    """Letterhead, footer and (application copy only) the PERMOHONAN watermark, drawn by the
    PageTemplate onPage callbacks."""

    def __init__(
        self,
        village: VillageProfile,
        pagesize: tuple[float, float],
        running_head: str,
        footer: tuple[str, ...],
        watermark: bool,
    ):
        self.village = village
        self.w, self.h = pagesize
        self.running_head = running_head
        self.footer = footer
        self.watermark = watermark

    def first(self, c, doc) -> None:
        c.saveState()
        if self.watermark:
            self._watermark(c)
        draw_kop(c, self.village, self.w, self.h)
        if self.footer:  # a final letter's first page has no footer, like a typed letter
            self._footer(c, doc)
        c.restoreState()

    def later(self, c, doc) -> None:
        c.saveState()
        if self.watermark:
            self._watermark(c)
        c.setFillColor(GREY)
        draw_fitted(c, LEFT, self.h - TOP - 4 * mm, self.running_head, FONT, 8.5,
                    self.w - LEFT - RIGHT, align="left")  # fmt: skip
        self._footer(c, doc)
        c.restoreState()

    def _watermark(self, c) -> None:
        c.saveState()
        c.setFillColor(colors.Color(0.92, 0.92, 0.92))
        c.translate(self.w / 2, self.h / 2 - 20 * mm)
        c.rotate(55)
        c.setFont(FONT_BOLD, 78)
        c.drawCentredString(0, -27, "PERMOHONAN")
        c.restoreState()

    def _footer(self, c, doc) -> None:
        c.setFillColor(GREY)
        if not self.footer:
            c.setFont(FONT, 7.5)
            c.drawRightString(self.w - RIGHT, BOTTOM - 3 * mm - 9, f"hal. {doc.page}")
            return
        width = self.w - LEFT - RIGHT - 14 * mm
        c.setStrokeColor(colors.HexColor("#888888"))
        c.setLineWidth(0.4)
        c.line(LEFT, BOTTOM - 3 * mm, self.w - RIGHT, BOTTOM - 3 * mm)
        y = BOTTOM - 3 * mm - 9
        for line in self.footer:
            draw_fitted(c, LEFT, y, line, FONT, 7.5, width, align="left", min_size=5)
            y -= 9.5
        c.setFont(FONT, 7.5)
        c.drawRightString(self.w - RIGHT, BOTTOM - 3 * mm - 9, f"hal. {doc.page}")


def _build(
    story: list,
    village: VillageProfile,
    paper: str,
    pages: _Pages,
    title: str,
    subject: str,
) -> bytes:
    pagesize = PAPERS[paper]
    w, h = pagesize
    width = w - LEFT - RIGHT
    buf = io.BytesIO()
    doc = BaseDocTemplate(
        buf,
        pagesize=pagesize,
        leftMargin=LEFT,
        rightMargin=RIGHT,
        topMargin=TOP,
        bottomMargin=BOTTOM,
        invariant=1,
        title=title,
        author=f"{village.kind} {village.name}",
        subject=subject,
        creator="Smart Kampung",
        lang="id-ID",
    )
    no_pad = {"leftPadding": 0, "rightPadding": 0, "topPadding": 0, "bottomPadding": 0}
    first = Frame(LEFT, BOTTOM, width, h - TOP - KOP_HEIGHT - BOTTOM, id="first", **no_pad)
    later = Frame(LEFT, BOTTOM, width, h - TOP - 8 * mm - BOTTOM, id="later", **no_pad)
    doc.addPageTemplates([
        PageTemplate("first", [first], onPage=pages.first, pagesize=pagesize,
                     autoNextPageTemplate="later"),
        PageTemplate("later", [later], onPage=pages.later, pagesize=pagesize),
    ])  # fmt: skip
    doc.build(story)
    return buf.getvalue()


def _check(paper: str, application: Application, letter: Letter, village: VillageProfile):
    if paper not in PAPERS:
        raise ValueError(f"unknown paper {paper!r}; use one of {sorted(PAPERS)}")
    if application.letter != letter.id:
        raise ValueError(f"application is for {application.letter!r}, not {letter.id!r}")
    if application.village_code != village.code:
        raise ValueError(
            f"application from village {application.village_code!r} "
            f"rendered with the letterhead of {village.code!r}"
        )
    register_fonts()


def _values(app: Application, letter: Letter, village: VillageProfile):
    """(identity rows, typed rows, every placeholder value) as the letter prints them."""
    identity = [(f, v) for f, v in prefill(letter, app.resident)]
    typed = [(f, display_value(f, app.values.get(f.name, ""))) for f in letter.input_fields()]
    values = dict(village_placeholders(village))
    values.update({f.name: v for f, v in identity})
    values.update({f.name: v for f, v in typed})
    return identity, typed, values


def _sig_table(qr_cell: list, sig_cell: list, width: float, qr_size: float) -> Table:
    sig_w = 78 * mm
    qr_w = qr_size + 14 * mm
    sig = Table(
        [[qr_cell, "", sig_cell]], colWidths=[qr_w, width - qr_w - sig_w, sig_w], hAlign="LEFT"
    )
    sig.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("ALIGN", (0, 0), (0, 0), "CENTER"),
    ]))  # fmt: skip
    return sig


# --------------------------------------------------------------------------- application copy


def _application_story(
    app: Application, letter: Letter, village: VillageProfile, width: float
) -> list:
    title = letter.title.id.strip()
    number = esc(app.application_number)
    story: list = []

    stamp = Table(
        [[Paragraph("PERMOHONAN", _S["stamp"])],
         [Paragraph("bukan surat keterangan", _S["stamp_small"])]],
        colWidths=[44 * mm], hAlign="RIGHT",
    )  # fmt: skip
    stamp.setStyle(TableStyle([
        ("BOX", (0, 0), (-1, -1), 1.4, colors.HexColor("#8a1010")),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]))  # fmt: skip
    story += [stamp, Spacer(1, 3 * mm)]

    story.append(Paragraph(f"<u>PERMOHONAN {esc(title.upper())}</u>", _S["title"]))
    story.append(Paragraph(f"Nomor permohonan: {number}", _S["number"]))

    identity, typed, values = _values(app, letter, village)
    vp = village_placeholders(village)
    head = f"{vp['head_title']} {vp['village_name']}".strip()
    story.append(Paragraph("Yang bertanda tangan di bawah ini:", _S["body"]))
    story.append(kv_table([(f.label.id, v) for f, v in identity], width))
    story.append(Spacer(1, 3 * mm))

    story.append(Paragraph(
        f"dengan ini mengajukan permohonan <b>{esc(title)}</b> ({esc(letter.code)}) kepada "
        f"{esc(head)} dengan keterangan sebagai berikut:", _S["body"]))  # fmt: skip
    if typed:
        story.append(kv_table([(f.label.id, v) for f, v in typed], width))
    story.append(Spacer(1, 3 * mm))

    # The draft text of the letter asked for, so the clerk sees exactly what will be issued.
    draft = [Paragraph("<b>Rancangan isi surat:</b>", _S["draft"])]
    draft += [Paragraph(p, _S["draft"]) for p in fill_body(letter, values)]
    box = Table([[d] for d in draft], colWidths=[width])
    box.setStyle(TableStyle([
        ("BOX", (0, 0), (-1, -1), 0.5, colors.HexColor("#777777")),
        ("LEFTPADDING", (0, 0), (-1, -1), 6),
        ("RIGHTPADDING", (0, 0), (-1, -1), 6),
        ("TOPPADDING", (0, 0), (-1, -1), 1),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
        ("TOPPADDING", (0, 0), (-1, 0), 5),
        ("BOTTOMPADDING", (0, -1), (-1, -1), 4),
    ]))  # fmt: skip
    story += [box, Spacer(1, 4 * mm)]

    closing = Paragraph(
        "Demikian permohonan ini saya buat dengan sebenarnya. Saya menyatakan bahwa data di "
        "atas adalah benar.", _S["body"])  # fmt: skip

    place = esc(village.name.strip())
    when = format_date_id(app.created_at.date())
    ref = application_reference(app.village_code, app.application_number)
    qr_size = 30 * mm
    qr_cell = [
        QRFlowable(ref, qr_size),
        Paragraph(f"Nomor permohonan<br/>{number}", _S["small_c"]),
    ]
    sig_cell = [
        Paragraph(f"{place}, {when}", _S["sig"]),
        Paragraph("Pemohon,", _S["sig"]),
        Spacer(1, 20 * mm),
        Paragraph(f"<b><u>{esc(app.resident.name.strip())}</u></b>", _S["sig"]),
    ]
    # The closing sentence, place/date, signature and QR never part (nor leave a signature
    # alone at the top of a page).
    story.append(KeepTogether(
        [closing, Spacer(1, 4 * mm), _sig_table(qr_cell, sig_cell, width, qr_size)]))  # fmt: skip

    if letter.requirements:
        items = "<br/>".join(
            f"{i}. {esc(r.id)}" for i, r in enumerate(letter.requirements, start=1)
        )
        note = Table([[Paragraph(
            f"<b>Saat mengambil surat, harap membawa:</b><br/>{items}", _S["small"])]],
            colWidths=[width])  # fmt: skip
        note.setStyle(TableStyle([
            ("BOX", (0, 0), (-1, -1), 0.5, colors.HexColor("#777777")),
            ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#f3f3f3")),
            ("LEFTPADDING", (0, 0), (-1, -1), 6),
            ("TOPPADDING", (0, 0), (-1, -1), 4),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
        ]))  # fmt: skip
        story += [Spacer(1, 6 * mm), KeepTogether([note])]
    return story


def render_application(
    application: Application, letter: Letter, village: VillageProfile, paper: str = "F4"
) -> bytes:
    """The application copy as PDF bytes (F4 or A4); same input → same bytes."""
    _check(paper, application, letter, village)
    created = application.created_at
    tz = tz_label(created)
    pages = _Pages(
        village,
        PAPERS[paper],
        running_head=f"Permohonan {letter.title.id} · Nomor permohonan "
        f"{plain(application.application_number)}",
        footer=(
            "Salinan permohonan, bukan surat keterangan. Surat keterangan diterbitkan setelah "
            "permohonan diperiksa petugas dan ditandatangani.",
            f"Dicetak di anjungan {plain(application.kiosk_id)}, "
            f"{format_date_id(created.date())} pukul {created:%H.%M}{' ' + tz if tz else ''}.",
        ),
        watermark=True,
    )
    width = PAPERS[paper][0] - LEFT - RIGHT
    return _build(
        _application_story(application, letter, village, width),
        village,
        paper,
        pages,
        title=f"Permohonan {letter.title.id} {plain(application.application_number)}",
        subject=letter.title.id,
    )


# --------------------------------------------------------------------------- final letter


def _letter_story(
    issued: IssuedLetter, letter: Letter, village: VillageProfile, width: float
) -> list:
    app = issued.application
    identity, typed, values = _values(app, letter, village)
    story: list = [
        Spacer(1, 2 * mm),
        Paragraph(f"<u>{esc(letter.title.id.strip().upper())}</u>", _S["title"]),
        Paragraph(f"Nomor: {esc(issued.number)}", _S["number"]),
    ]
    paragraphs = [Paragraph(p, _S["letter_body"]) for p in fill_body(letter, values)]
    # The identity table follows the first paragraph ("… menerangkan bahwa:"), indented as
    # village letters print it. Typed values the body does not mention join the table, so
    # nothing the villager asked for is lost from the letter.
    used = body_placeholders(letter)
    rows = [(f.label.id, v) for f, v in identity]
    rows += [(f.label.id, v) for f, v in typed if f.name not in used]
    indent = 12 * mm
    table = kv_table(rows, width - indent)
    table.hAlign = "RIGHT"
    head, tail = paragraphs[:1], paragraphs[1:]
    story += head
    story += [Spacer(1, 1 * mm), table, Spacer(1, 3 * mm)]
    closing = tail.pop() if tail else None
    story += tail

    signer = issued.signer
    qr_size = 32 * mm
    qr_cell = [
        QRFlowable(issued.verification_url, qr_size),
        Paragraph("Pindai untuk memeriksa<br/>keaslian surat ini", _S["tiny_c"]),
    ]
    sig_cell: list = [
        Paragraph(f"{esc(village.name.strip())}, {format_date_id(issued.issued)}", _S["sig"])
    ]
    sig_cell += [Paragraph(esc(line), _S["sig"]) for line in signer.title_lines()]
    sig_cell += [
        Spacer(1, 22 * mm),
        Paragraph(f"<b><u>{esc(signer.name.strip())}</u></b>", _S["sig"]),
    ]
    if signer.staff_id.strip():
        sig_cell.append(Paragraph(f"NIP. {esc(signer.staff_id.strip())}", _S["sig"]))
    block = [Spacer(1, 4 * mm), _sig_table(qr_cell, sig_cell, width, qr_size)]
    # The closing paragraph, signature block and QR code stay on one page, whatever the
    # length of the letter: a signature alone on a page proves nothing.
    story.append(KeepTogether(([closing] if closing else []) + block))
    return story


def render_letter(
    issued: IssuedLetter, letter: Letter, village: VillageProfile, paper: str = "F4"
) -> bytes:
    """The final letter as PDF bytes (F4 or A4); same input → same bytes."""
    _check(paper, issued.application, letter, village)
    if not issued.number.strip():
        raise ValueError("a final letter needs its number")
    pages = _Pages(
        village,
        PAPERS[paper],
        running_head=f"{letter.title.id} · Nomor {plain(issued.number)} (lanjutan)",
        footer=(),
        watermark=False,
    )
    width = PAPERS[paper][0] - LEFT - RIGHT
    return _build(
        _letter_story(issued, letter, village, width),
        village,
        paper,
        pages,
        title=f"{letter.title.id} {plain(issued.number)}",
        subject=letter.title.id,
    )
