"""ReportLab rendering of the application copy (*salinan permohonan*) a kiosk prints.

One PDF per application: the village letterhead (*kop surat*), a clear PERMOHONAN marking,
the resident's identity as a label : value table, what the villager typed, the draft text of
the letter asked for, the applicant's signature space and a QR code with the application
reference. Output is byte-identical for the same input (`invariant=1`).

All user text goes through `_esc` before it reaches Paragraph markup.
"""

from __future__ import annotations

import functools
import io
import os
import string
import unicodedata
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import escape

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
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
from forms.village import VillageProfile

PAPERS: dict[str, tuple[float, float]] = {"F4": (215 * mm, 330 * mm), "A4": A4}

QR_MASK = 2  # vertical stripes; see QRFlowable

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
FONT_DIRS = (Path(__file__).resolve().parent / "fonts", Path("/usr/share/fonts/truetype/dejavu"))
_FONT_FILES = {FONT: "DejaVuSans.ttf", FONT_BOLD: "DejaVuSans-Bold.ttf"}

# Page geometry (mm): Indonesian letters use ~2–2.5 cm margins, a little more on the left.
LEFT, RIGHT, TOP, BOTTOM = 25 * mm, 20 * mm, 12 * mm, 18 * mm
KOP_HEIGHT = 31 * mm  # letterhead band including the double rule, below TOP
LOGO_SIZE = 24 * mm


class FontMissingError(RuntimeError):
    """The TrueType fonts the letters embed are not installed."""


@functools.cache
def register_fonts() -> None:
    """Register DejaVu Sans (+ Bold) once per process; `<b>` in markup maps to the bold face."""
    for name, filename in _FONT_FILES.items():
        for d in FONT_DIRS:
            path = d / filename
            if path.is_file():
                pdfmetrics.registerFont(TTFont(name, str(path)))
                break
        else:
            looked = ", ".join(str(d) for d in FONT_DIRS)
            raise FontMissingError(
                f"font {filename} not found (looked in {looked}); "
                "install the Debian package fonts-dejavu-core"
            )
    # Streams are zlib-compressed; the extra ASCII85 layer only grows the file and costs
    # ~1 ms a letter in pure Python. ReportLab reads this setting when it writes a PDF.
    rl_config.useA85 = 0
    pdfmetrics.registerFontFamily(
        FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD
    )


# --------------------------------------------------------------------------- text helpers


def _plain(text: str) -> str:
    """Control and invisible format characters become spaces (newlines are kept)."""
    if text.isprintable():
        return text
    return "".join(
        ch if ch == "\n" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn") else " "
        for ch in text
    )


def _esc(text: str) -> str:
    """User text → Paragraph markup that prints it verbatim; newlines become line breaks."""
    return escape(_plain(str(text))).replace("\n", "<br/>")


def _strip_prefix(value: str, prefix: str) -> str:
    v = value.strip()
    return v[len(prefix) :].strip() if v.lower().startswith(prefix.lower() + " ") else v


def _tz_label(dt: datetime) -> str:
    off = dt.utcoffset()
    if off is None:
        return ""
    minutes = int(off.total_seconds() // 60)
    named = {420: "WIB", 480: "WITA", 540: "WIT"}
    if minutes in named:
        return named[minutes]
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def village_placeholders(village: VillageProfile) -> dict[str, str]:
    return {
        "village_name": village.name.strip(),
        "village_kind": village.kind.strip(),
        "village_code": village.code.strip(),
        "district": _strip_prefix(village.district, "Kecamatan"),
        "regency": village.regency.strip(),
        "province": village.province.strip(),
        "head_name": village.head_name.strip(),
        "head_title": village.head_title.strip(),
    }


def fill_body(letter: Letter, values: dict[str, str]) -> list[str]:
    """The letter's body as Paragraph markup, one string per paragraph, values escaped.

    A value ending in . ! or ? swallows the full stop that follows its placeholder.
    """
    out: list[str] = []
    for para in letter.body.split("\n\n"):
        parts: list[str] = []
        skip_dot = False
        for literal, name, _, _ in string.Formatter().parse(para):
            if skip_dot and literal.startswith("."):
                literal = literal[1:]
            skip_dot = False
            parts.append(_esc(literal))
            if name is not None:
                value = values.get(name, "-")
                parts.append(_esc(value))
                skip_dot = value.rstrip().endswith((".", "!", "?"))
        text = "".join(parts).strip()
        if text:
            out.append(text)
    return out


# --------------------------------------------------------------------------- styles

_BASE = ParagraphStyle("base", fontName=FONT, fontSize=11, leading=15, splitLongWords=1)
_S = {
    "body": ParagraphStyle("body", _BASE, alignment=TA_JUSTIFY, spaceAfter=4),
    "cell": ParagraphStyle("cell", _BASE, alignment=TA_LEFT),
    "title": ParagraphStyle(
        "title", _BASE, fontName=FONT_BOLD, fontSize=13, leading=17, alignment=TA_CENTER
    ),
    "number": ParagraphStyle("number", _BASE, alignment=TA_CENTER, spaceAfter=10),
    "draft": ParagraphStyle(
        "draft", _BASE, fontSize=10, leading=13.5, alignment=TA_JUSTIFY, spaceAfter=4
    ),
    "small": ParagraphStyle("small", _BASE, fontSize=8.5, leading=11),
    "small_c": ParagraphStyle("small_c", _BASE, fontSize=8.5, leading=11, alignment=TA_CENTER),
    "sig": ParagraphStyle("sig", _BASE, alignment=TA_CENTER),
    "stamp": ParagraphStyle(
        "stamp",
        _BASE,
        fontName=FONT_BOLD,
        fontSize=12,
        leading=14,
        alignment=TA_CENTER,
        textColor=colors.HexColor("#8a1010"),
    ),
    "stamp_small": ParagraphStyle(
        "stamp_small",
        _BASE,
        fontSize=7,
        leading=9,
        alignment=TA_CENTER,
        textColor=colors.HexColor("#8a1010"),
    ),
}


# --------------------------------------------------------------------------- QR code


class QRFlowable(Flowable):
    """A QR code drawn as one filled path: each run of dark modules in a row is one rectangle.

    (reportlab's QrCodeWidget draws every module separately and costs ~18 ms a code.)
    """

    def __init__(self, data: str, size: float, quiet_modules: int = 4):
        super().__init__()
        # A fixed mask pattern: every mask gives a valid code, and scoring all eight (what
        # `qrcode` does by default) costs ~2 ms, more than drawing the code.
        qr = qrcode.QRCode(
            error_correction=ERROR_CORRECT_M, box_size=1, border=0, mask_pattern=QR_MASK
        )
        qr.add_data(data.encode("utf-8"))
        qr.make(fit=True)
        self.matrix: list[list[bool]] = qr.get_matrix()
        self.data = data
        self.size = size
        self.quiet = quiet_modules

    def wrap(self, availWidth, availHeight):  # noqa: N803 (ReportLab's names)
        return self.size, self.size

    def draw(self) -> None:
        n = len(self.matrix)
        m = self.size / (n + 2 * self.quiet)
        ops: list[str] = []  # in module units, origin at the code's bottom-left module
        for y, row in enumerate(self.matrix):
            x = 0
            while x < n:
                if row[x]:
                    start = x
                    while x < n and row[x]:
                        x += 1
                    ops.append(f"{start} {n - 1 - y} {x - start} 1 re")
                else:
                    x += 1
        c = self.canv
        c.saveState()
        c.setFillColor(colors.white)  # the quiet zone stays white over the watermark
        c.rect(0, 0, self.size, self.size, stroke=0, fill=1)
        c.setFillColor(colors.black)
        c.translate(self.quiet * m, self.quiet * m)
        c.scale(m, m)
        # One path of integer rectangles, written directly: a few hundred `rect` calls
        # through ReportLab's float formatting would cost more than the rest of the page.
        c.addLiteral("\n".join(ops) + "\nf")
        c.restoreState()


# --------------------------------------------------------------------------- logo


def _logo_reader(path: str) -> ImageReader | None:
    """An ImageReader for a readable PNG at `path`, else None (a missing logo draws none)."""
    if not path:
        return None
    try:
        st = os.stat(path)
    except OSError:
        return None
    return _logo_cached(path, st.st_mtime_ns, st.st_size)


@functools.lru_cache(maxsize=8)
def _logo_cached(path: str, mtime_ns: int, size: int) -> ImageReader | None:
    try:
        with open(path, "rb") as fh:
            data = fh.read()
        if not data.startswith(b"\x89PNG\r\n\x1a\n"):
            return None
        reader = ImageReader(io.BytesIO(data))
        reader.getSize()
        return reader
    except Exception:  # noqa: BLE001 - an unreadable logo must not stop a letter
        return None


# --------------------------------------------------------------------------- page decoration


def _fit(text: str, font: str, size: float, width: float, min_size: float = 6) -> float:
    w = pdfmetrics.stringWidth(text, font, size)
    if w <= width:
        return size
    return max(min_size, size * width / w)


class _Pages:
    """Draws the letterhead, watermark and footer (PageTemplate onPage callbacks)."""

    def __init__(
        self,
        application: Application,
        letter: Letter,
        village: VillageProfile,
        pagesize: tuple[float, float],
    ):
        self.app = application
        self.letter = letter
        self.village = village
        self.w, self.h = pagesize
        created = application.created_at
        tz = _tz_label(created)
        self.footer = (
            "Salinan permohonan, bukan surat keterangan. Surat keterangan diterbitkan setelah "
            "permohonan diperiksa petugas dan ditandatangani.",
            f"Dicetak di anjungan {_plain(application.kiosk_id)}, "
            f"{format_date_id(created.date())} pukul {created:%H.%M}{' ' + tz if tz else ''}.",
        )

    def first(self, c, doc) -> None:
        c.saveState()
        self._watermark(c)
        self._kop(c)
        self._footer(c, doc)
        c.restoreState()

    def later(self, c, doc) -> None:
        c.saveState()
        self._watermark(c)
        c.setFont(FONT, 8.5)
        c.setFillColor(colors.HexColor("#444444"))
        head = (
            f"Permohonan {self.letter.title.id} · Nomor permohonan "
            f"{_plain(self.app.application_number)}"
        )
        c.drawString(LEFT, self.h - TOP - 4 * mm, head)
        c.restoreState()
        c.saveState()
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
        c.setFillColor(colors.HexColor("#444444"))
        width = self.w - LEFT - RIGHT - 14 * mm
        c.setStrokeColor(colors.HexColor("#888888"))
        c.setLineWidth(0.4)
        c.line(LEFT, BOTTOM - 3 * mm, self.w - RIGHT, BOTTOM - 3 * mm)
        y = BOTTOM - 3 * mm - 9
        for line in self.footer:
            c.setFont(FONT, _fit(line, FONT, 7.5, width))
            c.drawString(LEFT, y, line)
            y -= 9.5
        c.setFont(FONT, 7.5)
        c.drawRightString(self.w - RIGHT, y + 9.5, f"hal. {doc.page}")

    def _kop(self, c) -> None:
        v = self.village
        top = self.h - TOP
        text_w = self.w - LEFT - RIGHT
        logo = _logo_reader(v.logo)
        if logo is not None:
            c.drawImage(
                logo,
                LEFT,
                top - LOGO_SIZE - 1 * mm,
                LOGO_SIZE,
                LOGO_SIZE,
                preserveAspectRatio=True,
                anchor="c",
                mask="auto",
            )
            text_w -= 2 * (LOGO_SIZE + 3 * mm)
        cx = LEFT + (self.w - LEFT - RIGHT) / 2
        district = _strip_prefix(v.district, "Kecamatan")
        address = _plain(v.address.strip())
        extras = []
        if v.postal_code.strip():
            extras.append(f"Kode Pos {_plain(v.postal_code.strip())}")
        if v.phone.strip():
            extras.append(f"Telp. {_plain(v.phone.strip())}")
        if extras:
            address = " · ".join([address, *extras]) if address else " · ".join(extras)
        lines = [
            (f"PEMERINTAH {_plain(v.regency.strip()).upper()}", FONT, 13),
            (f"KECAMATAN {_plain(district).upper()}", FONT, 13),
            (f"{_plain(v.kind.strip()).upper()} {_plain(v.name.strip()).upper()}", FONT_BOLD, 18),
            (address, FONT, 9),
        ]
        y = top
        prev = 0.0
        c.setFillColor(colors.black)
        for text, font, nominal in lines:
            if not text.strip():
                continue
            size = _fit(text, font, nominal, text_w)
            y -= 0.32 * prev + 0.95 * size + (2 if prev else 0)
            c.setFont(font, size)
            c.drawCentredString(cx, y, text)
            prev = size
        rule_y = self.h - TOP - KOP_HEIGHT + 3 * mm
        c.setStrokeColor(colors.black)
        c.setLineWidth(2.2)
        c.line(LEFT, rule_y, self.w - RIGHT, rule_y)
        c.setLineWidth(0.7)
        c.line(LEFT, rule_y - 3.2, self.w - RIGHT, rule_y - 3.2)


# --------------------------------------------------------------------------- story


def _cell(text: str, width: float) -> str | Paragraph:
    """A table cell: a plain string when it fits on one line (drawn verbatim, and much
    cheaper than a Paragraph), else an escaped Paragraph that wraps."""
    text = _plain(text)
    if "\n" not in text and pdfmetrics.stringWidth(text, FONT, 11) <= width:
        return text
    return Paragraph(_esc(text), _S["cell"])


def _kv_table(rows: list[tuple[str, str]], width: float) -> Table:
    """label : value rows; both sides wrap, the value column takes the rest of the width."""
    label_w, colon_w = 46 * mm, 4 * mm
    pad = 3
    data = [
        [_cell(label, label_w - pad), ":", _cell(value, width - label_w - colon_w - pad)]
        for label, value in rows
    ]
    t = Table(data, colWidths=[label_w, colon_w, width - label_w - colon_w], hAlign="LEFT")
    t.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), FONT, 11, 15),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 0.6),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 0.6),
    ]))  # fmt: skip
    t.hAlign = "LEFT"
    return t


def _story(app: Application, letter: Letter, village: VillageProfile, width: float) -> list:
    title = letter.title.id.strip()
    number = _esc(app.application_number)
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

    story.append(Paragraph(f"<u>PERMOHONAN {_esc(title.upper())}</u>", _S["title"]))
    story.append(Paragraph(f"Nomor permohonan: {number}", _S["number"]))

    vp = village_placeholders(village)
    head = f"{vp['head_title']} {vp['village_name']}".strip()
    story.append(Paragraph("Yang bertanda tangan di bawah ini:", _S["body"]))
    identity = prefill(letter, app.resident)
    story.append(_kv_table([(f.label.id, v) for f, v in identity], width))
    story.append(Spacer(1, 3 * mm))

    story.append(Paragraph(
        f"dengan ini mengajukan permohonan <b>{_esc(title)}</b> ({_esc(letter.code)}) kepada "
        f"{_esc(head)} dengan keterangan sebagai berikut:", _S["body"]))  # fmt: skip
    inputs = letter.input_fields()
    typed = {f.name: display_value(f, app.values.get(f.name, "")) for f in inputs}
    if inputs:
        story.append(_kv_table([(f.label.id, typed[f.name]) for f in inputs], width))
    story.append(Spacer(1, 3 * mm))

    # The draft text of the letter asked for, so the clerk sees exactly what will be issued.
    values = dict(vp)
    values.update({f.name: v for f, v in identity})
    values.update(typed)
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

    # Signature block with the QR code: kept on one page.
    place = _esc(village.name.strip())
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
        Paragraph(f"<b><u>{_esc(app.resident.name.strip())}</u></b>", _S["sig"]),
    ]
    sig_w = 72 * mm
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
    # The closing sentence, place/date, signature and QR never part (nor leave a signature
    # alone at the top of a page).
    story.append(KeepTogether([closing, Spacer(1, 4 * mm), sig]))

    if letter.requirements:
        items = "<br/>".join(
            f"{i}. {_esc(r.id)}" for i, r in enumerate(letter.requirements, start=1)
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


# --------------------------------------------------------------------------- entry point


def render_application(
    application: Application, letter: Letter, village: VillageProfile, paper: str = "F4"
) -> bytes:
    """The application copy as PDF bytes (F4 or A4); same input → same bytes."""
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
    pagesize = PAPERS[paper]
    w, h = pagesize
    width = w - LEFT - RIGHT
    pages = _Pages(application, letter, village, pagesize)

    buf = io.BytesIO()
    doc = BaseDocTemplate(
        buf,
        pagesize=pagesize,
        leftMargin=LEFT,
        rightMargin=RIGHT,
        topMargin=TOP,
        bottomMargin=BOTTOM,
        invariant=1,
        title=f"Permohonan {letter.title.id} {_plain(application.application_number)}",
        author=f"{village.kind} {village.name}",
        subject=letter.title.id,
        creator="Smart Kampung",
        lang="id-ID",
    )
    first = Frame(
        LEFT,
        BOTTOM,
        width,
        h - TOP - KOP_HEIGHT - BOTTOM,
        id="first",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    later = Frame(
        LEFT,
        BOTTOM,
        width,
        h - TOP - 8 * mm - BOTTOM,
        id="later",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    doc.addPageTemplates([
        PageTemplate("first", [first], onPage=pages.first, pagesize=pagesize,
                     autoNextPageTemplate="later"),
        PageTemplate("later", [later], onPage=pages.later, pagesize=pagesize),
    ])  # fmt: skip
    doc.build(_story(application, letter, village, width))
    return buf.getvalue()
