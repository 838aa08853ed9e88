"""What every printed document shares: fonts, escaping, styles, QR code, logo, letterhead.

Used by the application copy and the final letter (forms/render.py) and the receipt slip
(forms/receipt.py). All user text reaches Paragraph markup through `esc`, and canvas text
through `plain`.

Characters the embedded font cannot draw are refused before printing (`printable_errors`),
so nothing prints as an empty box: the font is DejaVu Sans (Latin, Greek, Cyrillic and many
symbols). Right-to-left scripts are refused too, although DejaVu has Arabic and Hebrew
glyphs: ReportLab neither reorders nor joins them, so they would print unreadable.
"""

from __future__ import annotations

import functools
import io
import os
import string
import unicodedata
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import escape

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4, A6
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Paragraph, Table, TableStyle

from forms.catalogue import Letter
from forms.village import VillageProfile

PAPERS: dict[str, tuple[float, float]] = {"F4": (215 * mm, 330 * mm), "A4": A4}
RECEIPT_PAPERS: dict[str, tuple[float, float | None]] = {"80mm": (80 * mm, None), "A6": A6}

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


# --------------------------------------------------------------------------- printable text


@functools.cache
def _covered() -> frozenset[int]:
    """Code points both faces draw (names print in bold in the signature block)."""
    register_fonts()
    regular = pdfmetrics.getFont(FONT).face.charToGlyph
    bold = pdfmetrics.getFont(FONT_BOLD).face.charToGlyph
    return frozenset(cp for cp in regular if cp in bold and regular[cp] and bold[cp])


def _printable(ch: str) -> bool:
    if ch in "\n ":
        return True
    cp = ord(ch)
    if cp < 0x20 or cp not in _covered():
        return False
    if unicodedata.category(ch) in ("Zl", "Zp", "Cc", "Cf", "Cs", "Co", "Cn"):
        return False
    return unicodedata.bidirectional(ch) not in ("R", "AL", "AN")


def unprintable(text: str) -> list[str]:
    """The distinct characters of `text` the letters cannot print, in order of appearance."""
    if text.isascii() and text.isprintable():
        return []
    seen: list[str] = []
    for ch in unicodedata.normalize("NFC", text):
        if ch not in seen and not _printable(ch):
            seen.append(ch)
    return seen


def _shown(chars: list[str]) -> str:
    return ", ".join(f"«{c}» (U+{ord(c):04X})" for c in chars[:3]) + (
        " …" if len(chars) > 3 else ""
    )


def printable_errors(letter: Letter, values: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """Like `catalogue.validate`: field name → {"id", "en"} message for every typed value
    holding a character the letter cannot print; empty when all print. `catalogue.validate`
    includes it."""
    errors: dict[str, dict[str, str]] = {}
    for f in letter.input_fields():
        value = values.get(f.name)
        if not isinstance(value, str):
            continue
        bad = unprintable(value)
        if bad:
            errors[f.name] = {
                "id": f"{f.label.id} berisi huruf yang tidak bisa dicetak: {_shown(bad)}. "
                "Silakan ganti atau hapus huruf itu.",
                "en": f"{f.label.en} contains characters that cannot be printed: "
                f"{_shown(bad)}. Please replace or remove them.",
            }
    return errors


# --------------------------------------------------------------------------- text helpers


def plain(text: str) -> str:
    """Control and invisible format characters become spaces (newlines are kept)."""
    text = str(text)
    if text.isprintable():
        return text
    return "".join(
        ch
        if ch == "\n"
        or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")
        else " "
        for ch in text
    )


def esc(text: str) -> str:
    """User text → Paragraph markup that prints it verbatim; newlines become line breaks."""
    return escape(plain(text)).replace("\n", "<br/>")


def strip_prefix(value: str, prefix: str) -> str:
    v = value.strip()
    return v[len(prefix) :].strip() if v.lower().startswith(prefix.lower() + " ") else v


def tz_label(dt: datetime) -> str:
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
        "district": strip_prefix(village.district, "Kecamatan"),
        "regency": village.regency.strip(),
        "province": village.province.strip(),
        "head_name": village.head_name.strip(),
        "head_title": village.head_title.strip(),
    }


def body_placeholders(letter: Letter) -> set[str]:
    """The placeholder names the letter's body uses."""
    return {name for _, name, _, _ in string.Formatter().parse(letter.body) if name}


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
            parts.append(esc(literal))
            if name is not None:
                value = values.get(name, "-")
                parts.append(esc(value))
                skip_dot = value.rstrip().endswith((".", "!", "?"))
        text = "".join(parts).strip()
        if text:
            out.append(text)
    return out


# --------------------------------------------------------------------------- styles

_BASE = ParagraphStyle("base", fontName=FONT, fontSize=11, leading=15, splitLongWords=1)
STYLES = {
    "body": ParagraphStyle("body", _BASE, alignment=TA_JUSTIFY, spaceAfter=4),
    "letter_body": ParagraphStyle(
        "letter_body", _BASE, alignment=TA_JUSTIFY, firstLineIndent=12 * mm, spaceAfter=6
    ),
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
    "tiny_c": ParagraphStyle("tiny_c", _BASE, fontSize=7, leading=8.5, alignment=TA_CENTER),
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


def logo_reader(path: str) -> ImageReader | None:
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


# --------------------------------------------------------------------------- canvas text


def draw_fitted(
    c, x: float, y: float, text: str, font: str, size: float, width: float,
    align: str = "centre", min_size: float = 6,
) -> float:  # fmt: skip
    """Draw one line of text no wider than `width`: shrunk down to `min_size`, then narrowed
    (horizontal scaling) so that even a very long village name never leaves the page.
    `x` is the centre, left or right edge per `align`. Returns the size used."""
    text = plain(text).replace("\n", " ")
    w = pdfmetrics.stringWidth(text, font, size)
    scale = 100.0
    if w > width:
        size = max(min_size, size * width / w)
        w = pdfmetrics.stringWidth(text, font, size)
        if w > width:
            scale = 100.0 * width / w
            w = width
    left = {"centre": x - w / 2, "left": x, "right": x - w}[align]
    t = c.beginText(left, y)
    t.setFont(font, size)
    if scale != 100.0:
        t.setHorizScale(scale)
    t.textOut(text)
    c.drawText(t)
    return size


def draw_kop(c, village: VillageProfile, page_w: float, page_h: float) -> None:
    """The letterhead: logo on the left, regency / district / village / address centred,
    then the double rule (thick over thin) across the text width."""
    v = village
    top = page_h - TOP
    text_w = page_w - LEFT - RIGHT
    logo = logo_reader(v.logo)
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
    cx = LEFT + (page_w - LEFT - RIGHT) / 2
    district = strip_prefix(v.district, "Kecamatan")
    address = v.address.strip()
    extras = []
    if v.postal_code.strip():
        extras.append(f"Kode Pos {v.postal_code.strip()}")
    if v.phone.strip():
        extras.append(f"Telp. {v.phone.strip()}")
    if extras:
        address = " · ".join([address, *extras]) if address else " · ".join(extras)
    lines = [
        (f"PEMERINTAH {v.regency.strip().upper()}", FONT, 13),
        (f"KECAMATAN {district.upper()}", FONT, 13),
        (f"{v.kind.strip().upper()} {v.name.strip().upper()}", FONT_BOLD, 18),
        (address, FONT, 9),
    ]
    y = top
    prev = 0.0
    c.setFillColor(colors.black)
    for text, font, nominal in lines:
        if not text.strip():
            continue
        size = min(nominal, max(6, nominal * text_w / max(1, pdfmetrics.stringWidth(
            plain(text), font, nominal))))  # fmt: skip
        y -= 0.32 * prev + 0.95 * size + (2 if prev else 0)
        draw_fitted(c, cx, y, text, font, nominal, text_w)
        prev = size
    rule_y = page_h - TOP - KOP_HEIGHT + 3 * mm
    c.setStrokeColor(colors.black)
    c.setLineWidth(2.2)
    c.line(LEFT, rule_y, page_w - RIGHT, rule_y)
    c.setLineWidth(0.7)
    c.line(LEFT, rule_y - 3.2, page_w - RIGHT, rule_y - 3.2)


# --------------------------------------------------------------------------- tables

CELL_SIZE, CELL_MIN = 11.0, 9.0


def cell(text: str, width: float) -> str | Paragraph:
    """A table cell. A value that fits on one line at 11 pt is a plain string (drawn
    verbatim, and much cheaper than a Paragraph); one that fits at 9–11 pt is shrunk to keep
    it on one line; anything longer wraps (long words are split) at 11 pt."""
    text = plain(text)
    if "\n" not in text:
        w = pdfmetrics.stringWidth(text, FONT, CELL_SIZE)
        if w <= width:
            return text
        size = CELL_SIZE * width / w
        if size >= CELL_MIN:
            size = int(size * 4) / 4  # quarter points, for stable output
            style = ParagraphStyle("cell_fit", STYLES["cell"], fontSize=size, leading=15)
            return Paragraph(esc(text), style)
    return Paragraph(esc(text), STYLES["cell"])


def kv_table(rows: list[tuple[str, str]], width: float) -> Table:
    """label : value rows; both sides wrap, the value column takes the rest of the width.
    The label column is 46 mm, widened (up to 64 mm) to keep every label on one line at
    full size: a shrunken label among full-size ones looks like a mistake."""
    colon_w = 4 * mm
    pad = 3
    longest = max((pdfmetrics.stringWidth(plain(k), FONT, CELL_SIZE) for k, _ in rows), default=0)
    label_w = min(64 * mm, max(46 * mm, longest + pad + 1))
    data = [
        [cell(label, label_w - pad), ":", cell(value, width - label_w - colon_w - pad)]
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
    return t
