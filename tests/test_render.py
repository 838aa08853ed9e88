"""Rendering: letter numbers, verification tokens, the final letter, the receipt slip, and the
PDFs of every letter type (text round trip, page bounds, determinism, golden hashes).

The first page of every document is written to build/tour/letters/ as PNG: look at them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import re
import shutil
import string
import subprocess
import unicodedata
from datetime import date, datetime
from pathlib import Path

import pypdf
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from forms import catalogue as cat
from forms.application import Application
from forms.catalogue import Letter, display_value, load_catalogue, prefill, validate
from forms.issued import IssuedLetter, Signer, village_head
from forms.layout import LEFT, RIGHT, esc, plain, printable_errors, unprintable
from forms.numbering import (
    DEFAULT_FORMAT,
    NumberFormatError,
    check_number_format,
    format_letter_number,
    roman_month,
)
from forms.receipt import render_printer_test, render_receipt
from forms.render import render_application, render_letter
from forms.samples import KEMIREN, SITI, WIB
from forms.verification import (
    InvalidToken,
    nik_tag,
    sign_letter,
    token_from_url,
    verification_url,
    verify_token,
)

REPO = Path(__file__).resolve().parent.parent
TOUR = REPO / "build" / "tour" / "letters"
KEY = bytes(range(32))
ISSUED = date(2026, 11, 26)
BASE_URL = "https://kemiren.desa.id/cek"
HAVE_POPPLER = shutil.which("pdftotext") is not None and shutil.which("pdftoppm") is not None

CATALOGUE = load_catalogue()
LETTERS = CATALOGUE.letters()


def pdf_pages(pdf: bytes) -> list[str]:
    return [p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def squash(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFC", text))


def sample_values_for(letter: Letter) -> dict[str, str]:
    """Valid typed values: the catalogue's `sample_values` when it has one, else simple
    values per field type (enough for domisili)."""
    maker = getattr(cat, "sample_values", None)
    if maker is not None:
        values = dict(maker(letter))
    else:
        values = {}
        for f in letter.input_fields():
            if f.type == "choice":
                values[f.name] = f.choices[0].value
            elif f.type == "date":
                values[f.name] = "2026-12-01"
            elif f.type == "time":
                values[f.name] = "09:30"
            elif f.type == "number":
                values[f.name] = str(int(f.min_value or 1))
            else:
                values[f.name] = "Persyaratan melamar pekerjaan"[: f.max_length or 100]
    errors = validate(letter, values)
    if errors:
        pytest.skip(f"no valid sample values for {letter.id}: {errors}")
    return cat.clean_values(letter, values)


def make_application(letter: Letter, resident=SITI, values=None, number="KMR01-261125-0007"):
    return Application(
        application_number=number,
        letter=letter.id,
        village_code=KEMIREN.code,
        kiosk_id="KMR01",
        created_at=datetime(2026, 11, 25, 9, 14, tzinfo=WIB),
        resident=resident,
        values=sample_values_for(letter) if values is None else values,
    )


def make_issued(app: Application, letter: Letter, signer: Signer | None = None) -> IssuedLetter:
    number = format_letter_number(
        code=letter.code, number=7, village_code=KEMIREN.code, issued=ISSUED
    )
    token = sign_letter(village_code=KEMIREN.code, letter_number=number, issued=ISSUED,
                        letter_id=letter.id, nik=app.resident.nik, key=KEY)  # fmt: skip
    return IssuedLetter(app, number, ISSUED, signer or village_head(KEMIREN),
                        verification_url(BASE_URL, token))  # fmt: skip


def write_png(pdf: bytes, name: str, tmp_path: Path) -> Path:
    TOUR.mkdir(parents=True, exist_ok=True)
    src = tmp_path / f"{name}.pdf"
    src.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile",
                    str(src), str(TOUR / name)], check=True)  # fmt: skip
    return TOUR / f"{name}.png"


def words_outside(pdf: bytes, tmp_path: Path, left: float, right: float) -> list[str]:
    """Words (per pdftotext -bbox) not inside [left, right] × the page height, every page."""
    src = tmp_path / "bounds.pdf"
    src.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-bbox", str(src), "-"], check=True,
                         capture_output=True, text=True).stdout  # fmt: skip
    bad = []
    for page in re.finditer(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', out, re.S):
        w, h = float(page.group(1)), float(page.group(2))
        for x0, y0, x1, y1, word in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)',
            page.group(3),
        ):
            if not (left - 1 <= float(x0) and float(x1) <= w - right + 1
                    and 0 <= float(y0) and float(y1) <= h):  # fmt: skip
                bad.append(word)
    return bad


# --------------------------------------------------------------------------- numbering


def test_default_number_format() -> None:
    n = format_letter_number(DEFAULT_FORMAT, code="S-41", number=7,
                             village_code="35.10.15.2003", issued=date(2026, 11, 25))  # fmt: skip
    assert n == "S-41/007/35.10.15.2003/XI/2026"
    assert format_letter_number("{number:04}.{month}/{year}", code="x", number=1234,
                                village_code="v", issued=date(2026, 2, 1)) == "1234.02/2026"
    assert [roman_month(m) for m in (1, 4, 9, 12)] == ["I", "IV", "IX", "XII"]
    assert format_letter_number(DEFAULT_FORMAT, code="S-41", number=1000, village_code="v",
                                issued=date(2026, 1, 1)) == "S-41/1000/v/I/2026"


@pytest.mark.parametrize(
    ("fmt", "message"),
    [
        ("{code}/{nomor:03}/{year}", "unknown placeholder {nomor}"),
        ("{code}/{number}/{year:04}", "{year:04} not allowed"),
        ("{code}/{number:x}", "{number:x} not allowed"),
        ("{code}/{year}", "has no {number}"),
        ("{code}/{number", "literal braces"),
        ("", "empty"),
    ],
)
def test_bad_number_formats_are_refused(fmt: str, message: str) -> None:
    with pytest.raises(NumberFormatError, match=re.escape(message)):
        check_number_format(fmt)


def test_number_must_be_positive() -> None:
    with pytest.raises(ValueError):
        format_letter_number(code="S", number=0, village_code="v", issued=ISSUED)


# --------------------------------------------------------------------------- verification


def _token() -> str:
    return sign_letter(village_code=KEMIREN.code, letter_number="S-41/007/35.10.15.2003/XI/2026",
                       issued=ISSUED, letter_id="domisili", nik=SITI.nik, key=KEY)  # fmt: skip


def test_token_round_trip() -> None:
    token = _token()
    assert re.fullmatch(r"[A-Za-z0-9_-]+", token)
    got = verify_token(token, KEY)
    assert (got.village_code, got.letter_number, got.issued, got.letter_id) == (
        KEMIREN.code, "S-41/007/35.10.15.2003/XI/2026", ISSUED, "domisili")  # fmt: skip
    assert got.is_for_nik(SITI.nik, KEY)
    assert not got.is_for_nik("3510155208580004", KEY)
    assert got.nik_tag == nik_tag(SITI.nik, KEY)
    url = verification_url(BASE_URL + "/", token)
    assert url == f"{BASE_URL}/{token}" and token_from_url(url) == token


def test_token_never_carries_the_nik() -> None:
    import base64

    token = _token()
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    assert SITI.nik.encode() not in raw and SITI.nik not in token


def test_every_single_character_alteration_is_refused() -> None:
    token = _token()
    alphabet = string.ascii_letters + string.digits + "-_"
    tried = 0
    for i, original in enumerate(token):
        for ch in alphabet + "=.+/ ":
            if ch == original:
                continue
            with pytest.raises(InvalidToken):
                verify_token(token[:i] + ch + token[i + 1 :], KEY)
            tried += 1
    assert tried > 60 * len(token)


def test_truncated_extended_and_foreign_tokens_are_refused() -> None:
    token = _token()
    for n in range(len(token)):
        with pytest.raises(InvalidToken):
            verify_token(token[:n], KEY)
    for extra in ("A", "AA", "AAAA", "="):
        with pytest.raises(InvalidToken):
            verify_token(token + extra, KEY)
    with pytest.raises(InvalidToken):
        verify_token(token, bytes(32))  # another village's key
    with pytest.raises(ValueError):
        verify_token(token, b"short")


# --------------------------------------------------------------------------- signer


def test_signer_lines() -> None:
    assert village_head(KEMIREN).title_lines() == ["Kepala Desa Kemiren,"]
    an = Signer("Rina Wulandari", "Sekretaris Desa", "a.n.", "Kepala Desa Kemiren")
    assert an.title_lines() == ["a.n. Kepala Desa Kemiren", "Sekretaris Desa,"]
    ub = Signer("Budi", "Kepala Urusan Umum", "u.b.", "Kepala Desa Kemiren", "Sekretaris Desa")
    assert ub.title_lines() == [
        "a.n. Kepala Desa Kemiren", "Sekretaris Desa", "u.b.", "Kepala Urusan Umum,"]  # fmt: skip
    with pytest.raises(ValueError):
        Signer("Budi", "Kaur", "u.b.", "Kepala Desa Kemiren")
    with pytest.raises(ValueError):
        Signer("Budi", "Kaur", "atas nama")


# --------------------------------------------------------------------------- every letter type


def expected_texts(app: Application, letter: Letter) -> list[str]:
    out = [v for _, v in prefill(letter, app.resident)]
    out += [display_value(f, app.values.get(f.name, "")) for f in letter.input_fields()]
    return out


@pytest.mark.parametrize("letter", LETTERS, ids=lambda x: x.id)
def test_every_letter_type_renders_every_value(letter: Letter, tmp_path: Path) -> None:
    app = make_application(letter)
    issued = make_issued(app, letter)
    final = render_letter(issued, letter, KEMIREN)
    copy = render_application(app, letter, KEMIREN)
    final_text, copy_text = squash("".join(pdf_pages(final))), squash("".join(pdf_pages(copy)))
    for value in expected_texts(app, letter):
        assert squash(value) in final_text, (letter.id, value)
        assert squash(value) in copy_text, (letter.id, value)
    assert squash(issued.number) in final_text
    assert squash(letter.title.id.upper()) in final_text
    for text in ("DESAKEMIREN", "PEMERINTAHKABUPATENBANYUWANGI", "KECAMATANGLAGAH",
                 "Kemiren,26November2026", "H.Suhaimi", "KepalaDesaKemiren,"):  # fmt: skip
        assert text in final_text, text
    # the application copy is marked, the final letter is not; requirements only on the copy
    assert "PERMOHONAN" in copy_text and "PERMOHONAN" not in final_text
    for r in letter.requirements:
        assert squash(r.id) in copy_text
    assert len(pdf_pages(final)) == 1, "a sample letter fits on one page"
    if HAVE_POPPLER:
        assert words_outside(final, tmp_path, LEFT, RIGHT) == []
        assert words_outside(copy, tmp_path, LEFT, RIGHT) == []
        write_png(final, letter.id, tmp_path)
        write_png(copy, f"{letter.id}-permohonan", tmp_path)


@pytest.mark.parametrize("paper", ["80mm", "A6"])
def test_receipt(paper: str, tmp_path: Path) -> None:
    letter = CATALOGUE.get("domisili")
    app = make_application(letter)
    pdf = render_receipt(app, letter, KEMIREN, paper, expected_pickup=date(2026, 11, 27))
    assert pdf == render_receipt(app, letter, KEMIREN, paper, expected_pickup=date(2026, 11, 27))
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    w, h = (float(x) / 72 * 25.4 for x in reader.pages[0].mediabox[2:])
    if paper == "80mm":
        assert round(w) == 80 and 100 < h < 200
    else:
        assert (round(w), round(h)) == (105, 148)
    text = reader.pages[0].extract_text()
    for needle in ("KMR01-261125-0007", "Surat Keterangan Domisili", "Rabu, 25 November 2026",
                   "09.14 WIB", "Jumat, 27 November 2026", "KTP asli", "DESA KEMIREN"):  # fmt: skip
        assert squash(needle) in squash(text), needle
    if HAVE_POPPLER:
        side = 4 if paper == "80mm" else 8
        assert words_outside(pdf, tmp_path, side / 25.4 * 72, side / 25.4 * 72) == []
        write_png(pdf, f"tanda-terima-{paper}", tmp_path)


def test_receipt_without_pickup_date() -> None:
    letter = CATALOGUE.get("domisili")
    text = pdf_pages(render_receipt(make_application(letter), letter, KEMIREN))[0]
    assert "Perkiraan" not in text and "KMR01-261125-0007" in text
    with pytest.raises(ValueError):
        render_receipt(make_application(letter), letter, KEMIREN, "58mm")


def test_the_printer_test_slip_says_village_and_time_and_fits_the_roll(tmp_path: Path) -> None:
    when = datetime(2026, 11, 26, 7, 5)
    pdf = render_printer_test(KEMIREN, when)
    assert pdf == render_printer_test(KEMIREN, when)
    page = pypdf.PdfReader(io.BytesIO(pdf)).pages[0]
    assert round(float(page.mediabox.width) / 72 * 25.4) == 80
    text = page.extract_text()
    assert "Kemiren" in text and "26-11-2026 07.05" in text and "printer test" in text
    if HAVE_POPPLER:
        assert words_outside(pdf, tmp_path, 4 / 25.4 * 72, 4 / 25.4 * 72) == []


def test_signing_on_behalf_and_a4(tmp_path: Path) -> None:
    letter = CATALOGUE.get("domisili")
    app = make_application(letter)
    ub = Signer("Budi Santoso", "Kepala Urusan Umum", "u.b.", "Kepala Desa Kemiren",
                "Sekretaris Desa", staff_id="19800101 200501 1 001")  # fmt: skip
    pdf = render_letter(make_issued(app, letter, ub), letter, KEMIREN, paper="A4")
    page = pypdf.PdfReader(io.BytesIO(pdf)).pages[0]
    assert round(float(page.mediabox[3]) / 72 * 25.4) == 297
    text = page.extract_text()
    for line in ("a.n. Kepala Desa Kemiren", "Sekretaris Desa", "u.b.", "Kepala Urusan Umum,",
                 "Budi Santoso", "NIP. 19800101 200501 1 001"):  # fmt: skip
        assert line in text, line
    assert "H. Suhaimi" not in text
    with pytest.raises(ValueError):
        render_letter(make_issued(app, letter), letter, KEMIREN, paper="Letter")


def test_markup_in_user_text_prints_verbatim_everywhere() -> None:
    letter = CATALOGUE.get("domisili")
    name = 'Ahmad Ma\'ruf & "Udin" <b>x</b>'
    purpose = 'Syarat <i>kerja</i> & beasiswa "S1" anak\'s'
    app = make_application(letter, dataclasses.replace(SITI, name=name), {"keperluan": purpose})
    signer = Signer("Rina <Wulan> & Co", "Sekretaris Desa", "a.n.", "Kepala Desa Kemiren")
    final = squash("".join(pdf_pages(render_letter(make_issued(app, letter, signer), letter,
                                                    KEMIREN))))  # fmt: skip
    assert final.count(squash(name)) == 2  # body and identity table
    assert final.count(squash(purpose)) == 1
    assert squash(signer.name) in final
    slip = dataclasses.replace(app, application_number="A&B<1>")
    assert "A&B<1>" in pdf_pages(render_receipt(slip, letter, KEMIREN))[0]


def _qr_page(pdf: bytes) -> list[int]:
    """Pages (0-based) whose content stream draws the QR path (a run of `re` operators)."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return [i for i, p in enumerate(reader.pages) if p.get_contents().get_data().count(b" re\n")
            > 50]  # fmt: skip


def test_long_values_wrap_and_keep_the_signature_with_the_qr(tmp_path: Path) -> None:
    letter = CATALOGUE.get("domisili")
    resident = dataclasses.replace(
        SITI,
        name="Raden " + "Mas" * 40 + " Wiryo",
        address=" ".join(["Jl. Perkebunan Kopi Kalibendo Blok"] * 40) + " " + "Panjang" * 30,
        occupation="Pekerja" * 12,  # one word: shrunk or split, never past the margin
    )
    purpose = ("Persyaratanmelamarpekerjaandiperusahaanperkebunankopi" * 4)[:200]
    app = make_application(letter, resident, {"keperluan": purpose})
    final = render_letter(make_issued(app, letter), letter, KEMIREN)
    pages = pdf_pages(final)
    assert len(pages) == 2, "this letter is meant to run to two pages"
    text = squash("".join(pages))
    for value in (resident.name, purpose, resident.occupation, resident.address):
        assert squash(value) in text
    # signature block, closing paragraph and QR code on one page
    sig_pages = [i for i, t in enumerate(pages) if "H. Suhaimi" in t]
    assert sig_pages == [1] and "Pindai untuk memeriksa" in pages[1]
    assert "Demikian surat keterangan ini" in pages[1]
    assert _qr_page(final) == [1]
    copy = render_application(app, letter, KEMIREN)
    assert squash(resident.address) in squash("".join(pdf_pages(copy)))
    if HAVE_POPPLER:
        assert words_outside(final, tmp_path, LEFT, RIGHT) == []
        assert words_outside(copy, tmp_path, LEFT, RIGHT) == []


def test_a_very_long_village_name_stays_on_the_page(tmp_path: Path) -> None:
    if not HAVE_POPPLER:
        pytest.skip("poppler-utils not installed")
    letter = CATALOGUE.get("domisili")
    village = dataclasses.replace(KEMIREN, name="Kemiren " * 20, regency="Kabupaten " * 20,
                                  address="Jl. Barong " * 40)  # fmt: skip
    app = make_application(letter)
    for pdf in (render_letter(make_issued(app, letter), letter, village),
                render_application(app, letter, village)):  # fmt: skip
        assert words_outside(pdf, tmp_path, LEFT, RIGHT) == []


def test_logo_is_drawn_when_readable(tmp_path: Path) -> None:
    from PIL import Image

    logo = tmp_path / "logo.png"
    Image.new("RGB", (64, 64), (20, 90, 40)).save(logo)
    letter = CATALOGUE.get("domisili")
    app = make_application(letter)
    with_logo = render_letter(make_issued(app, letter), letter,
                              dataclasses.replace(KEMIREN, logo=str(logo)))  # fmt: skip
    page = pypdf.PdfReader(io.BytesIO(with_logo)).pages[0]
    assert any(page["/Resources"]["/XObject"][k]["/Subtype"] == "/Image"
               for k in page["/Resources"]["/XObject"])  # fmt: skip
    (tmp_path / "bad.png").write_bytes(b"not a png")
    broken = render_letter(make_issued(app, letter), letter,
                           dataclasses.replace(KEMIREN, logo=str(tmp_path / "bad.png")))
    assert broken == render_letter(make_issued(app, letter), letter, KEMIREN)


# --------------------------------------------------------------------------- determinism


# To update after an intended layout change: run this test, check the PNGs in
# build/tour/letters/, and paste the new hashes printed by the failure message.
GOLDEN = {
    "application": "ad1288132355b57940a7478be8a8fd8ab0eeddfff26c14c8bae5e1963c948da3",
    "letter": "b58de980143b1ce6fa35104dec027dbe44aa9d9ed59e68466abb6aed35716a07",
}


def test_golden_domisili() -> None:
    letter = CATALOGUE.get("domisili")
    app = make_application(letter, values={"keperluan": "Persyaratan melamar pekerjaan"})
    docs = {
        "application": render_application(app, letter, KEMIREN),
        "letter": render_letter(make_issued(app, letter), letter, KEMIREN),
    }
    got = {k: hashlib.sha256(v).hexdigest() for k, v in docs.items()}
    for k, v in docs.items():
        assert v == {"application": lambda: render_application(app, letter, KEMIREN),
                     "letter": lambda: render_letter(make_issued(app, letter), letter,
                                                     KEMIREN)}[k](), f"{k} not deterministic"
    assert got == GOLDEN, (
        "The domicile PDFs changed. If the layout changed on purpose, look at the PNGs in "
        "build/tour/letters/ and set GOLDEN in tests/test_render.py to: " + repr(got)
        + " (a different ReportLab or DejaVu version also changes the bytes)."
    )


# --------------------------------------------------------------------------- property tests

_ANY = st.characters(codec=None, exclude_categories=("Cs",))
_LATINISH = st.characters(max_codepoint=0x24F, exclude_categories=("Cs",))
_VALUE = st.one_of(
    st.text(_ANY, max_size=60),
    st.text(_LATINISH, min_size=3, max_size=120),
    st.text(st.sampled_from(list("aeiouKkMm &<>\"'/;.,-()\n\t\u00a0éñß–…€")), min_size=3,
            max_size=200),
)  # fmt: skip
_INPUT_LETTERS = [x for x in LETTERS if x.input_fields()]


def _case(data, letter: Letter) -> tuple[dict[str, str], str, str]:
    values = sample_values_for(letter)
    field = data.draw(st.sampled_from(letter.input_fields()), label="field")
    raw = data.draw(_VALUE, label="value")
    values[field.name] = raw
    return values, field.name, raw


def _refused_or_printable(letter: Letter, values: dict[str, str], name: str):
    """None if refused with a message; else the cleaned value as the letter prints it."""
    errors = validate(letter, values)  # includes printable_errors
    event("refused" if errors else "printed")
    if errors:
        for msg in errors.values():
            assert msg["id"].strip() and msg["en"].strip() and msg["id"].endswith(".")
        return None
    clean = cat.clean_values(letter, values)
    return display_value(letter.get_field(name), clean[name])


@settings(max_examples=10_000, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))  # fmt: skip
@given(data=st.data())
def test_random_unicode_is_refused_or_escaped_verbatim(data) -> None:
    """Every value is refused with a message, or is all printable and its Paragraph markup
    parses back to exactly the value, up to white space (no markup, entity or quote changes
    it)."""
    from reportlab.platypus import Paragraph

    from forms.layout import STYLES, register_fonts

    register_fonts()
    letter = data.draw(st.sampled_from(_INPUT_LETTERS), label="letter")
    values, name, _ = _case(data, letter)
    shown = _refused_or_printable(letter, values, name)
    if shown is None:
        return
    assert unprintable(shown) == []
    para = Paragraph(esc(shown), STYLES["body"])
    parsed = "".join("\n" if getattr(f, "lineBreak", False) else f.text for f in para.frags)
    # (runs of white space print as one space, as in any typeset text)
    assert parsed.split() == plain(shown).split()


@settings(max_examples=300, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))  # fmt: skip
@given(data=st.data())
def test_random_unicode_round_trips_through_the_pdf(data) -> None:
    """The same inputs rendered for real: refused, or the letter's text contains the value."""
    letter = data.draw(st.sampled_from(_INPUT_LETTERS), label="letter")
    values, name, _ = _case(data, letter)
    shown = _refused_or_printable(letter, values, name)
    if shown is None:
        return
    app = make_application(letter, values=cat.clean_values(letter, values))
    for pdf in (render_letter(make_issued(app, letter), letter, KEMIREN),
                render_application(app, letter, KEMIREN)):  # fmt: skip
        assert squash(shown) in squash("".join(pdf_pages(pdf)))


def test_unprintable_characters_get_a_message() -> None:
    letter = CATALOGUE.get("domisili")
    for text in ("Syarat 漢字 kerja", "Syarat עברית kerja", "Syarat مرحبا kerja"):
        msg = printable_errors(letter, {"keperluan": text})["keperluan"]
        assert "tidak bisa dicetak" in msg["id"] and "U+" in msg["en"]
        assert validate(letter, {"keperluan": text}) == {"keperluan": msg}  # validate says it
    assert printable_errors(letter, {"keperluan": "Ĉu Ελληνικά Кириллица € ß"}) == {}

