"""The letter catalogue (data files, schema check, prefill, validation) and the PDF renderer."""

from __future__ import annotations

import dataclasses
import io
import json
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pypdf
import pytest

from forms.application import Application
from forms.catalogue import (
    LETTERS_DIR,
    Letter,
    LetterFileError,
    format_date_id,
    load_catalogue,
    load_letter_file,
    prefill,
    validate,
)
from forms.identity import Resident
from forms.render import QR_MASK, QRFlowable, render_application
from forms.samples import KEMIREN, SITI, sample_application

REPO = Path(__file__).resolve().parent.parent

PURPOSE = "Persyaratan melamar pekerjaan"


def application(resident: Resident = SITI, **values: str) -> Application:
    return sample_application(resident, **(values or {"keperluan": PURPOSE}))


@pytest.fixture(scope="module")
def domisili() -> Letter:
    return load_catalogue().get("domisili")


def pdf_text(pdf: bytes) -> str:
    return "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


# --------------------------------------------------------------------------- catalogue


def test_catalogue_loads_domisili(domisili: Letter) -> None:
    cat = load_catalogue()
    assert "domisili" in cat
    assert domisili in cat.letters()
    assert domisili.code == "S-41"
    assert domisili.title.id == "Surat Keterangan Domisili"
    assert domisili.title.en == "Certificate of Domicile"
    assert domisili.requirements and domisili.requirements[0].id == "KTP asli"
    with pytest.raises(KeyError):
        cat.get("surat_tidak_ada")


def test_domisili_fields(domisili: Letter) -> None:
    attributes = {f.attribute for f in domisili.identity_fields()}
    assert {"nik", "name", "birth_place_date", "sex", "religion", "marital_status"} <= attributes
    assert {"occupation", "citizenship", "address_line", "family_card_number"} <= attributes
    inputs = domisili.input_fields()
    assert [f.name for f in inputs] == ["keperluan"]
    keperluan = inputs[0]
    assert keperluan.type == "long_text"
    assert keperluan.required and keperluan.max_length == 200
    assert "Persyaratan melamar pekerjaan" in keperluan.help.id
    assert keperluan.label.en == "Purpose"


def test_prefill_prints_indonesian(domisili: Letter) -> None:
    values = {f.attribute: v for f, v in prefill(domisili, SITI)}
    assert values["nik"] == "3510155208580003"
    assert values["name"] == "Siti Aminah"
    assert values["birth_place_date"] == "Banyuwangi, 12 Agustus 1958"
    assert values["sex"] == "Perempuan"
    assert values["address_line"] == "Jl. Barong No. 12, RT 003/RW 012, Dusun Krajan"
    assert format_date_id(date(2026, 11, 25)) == "25 November 2026"


def _write(tmp_path: Path, data: dict, name: str = "domisili.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _domisili_data() -> dict:
    return json.loads((LETTERS_DIR / "domisili.json").read_text(encoding="utf-8"))


def test_malformed_letter_file_names_file_and_field(tmp_path: Path) -> None:
    data = _domisili_data()
    next(f for f in data["fields"] if f["name"] == "keperluan")["type"] = "txt"
    _write(tmp_path, data)
    with pytest.raises(LetterFileError) as err:
        load_catalogue(extra_dirs=[tmp_path])
    assert str(err.value) == "domisili.json: field 'keperluan': unknown type 'txt'"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["fields"][0].update(attribute="shoe_size"), "field 'nama': unknown identity"),
        (lambda d: d["fields"][-1].update(max_length="200"), "field 'keperluan': max_length"),
        (lambda d: d["fields"][-1].update(pattern="(["), "field 'keperluan': pattern"),
        (lambda d: d["fields"][-1].pop("help"), "field 'keperluan': missing help"),
        (lambda d: d["fields"][-1].update(colour="red"), "field 'keperluan': unknown key"),
        (lambda d: d.update(body="di {dusunn}"), "body: unknown placeholder {dusunn}"),
        (lambda d: d.pop("title"), "file: missing key 'title'"),
        (lambda d: d["requirements"]["en"].pop(), "requirements"),
    ],
)
def test_schema_check_refuses(tmp_path: Path, change, message: str) -> None:
    data = _domisili_data()
    change(data)
    path = _write(tmp_path, data, "desa_sendiri.json")
    with pytest.raises(LetterFileError, match=re.escape(message)) as err:
        load_letter_file(path)
    assert str(err.value).startswith("desa_sendiri.json: ")


def test_bad_json_is_refused_with_position(tmp_path: Path) -> None:
    path = tmp_path / "rusak.json"
    path.write_text('{"id": "rusak",', encoding="utf-8")
    with pytest.raises(LetterFileError, match=r"^rusak\.json: not valid JSON at line 1"):
        load_letter_file(path)


def test_village_dir_overrides_by_id(tmp_path: Path) -> None:
    data = _domisili_data()
    data["body"] = "Versi desa: {nama} untuk {keperluan}."
    _write(tmp_path, data, "domisili_kemiren.json")
    cat = load_catalogue(extra_dirs=[tmp_path])
    assert cat.get("domisili").body.startswith("Versi desa")
    assert len(cat) == len(load_catalogue())


# --------------------------------------------------------------------------- validate


def test_validate_ok(domisili: Letter) -> None:
    assert validate(domisili, {"keperluan": "  " + PURPOSE + "  "}) == {}


def test_validate_empty_required(domisili: Letter) -> None:
    for values in ({}, {"keperluan": ""}, {"keperluan": "   \n "}):
        assert validate(domisili, values) == {
            "keperluan": {"id": "Keperluan wajib diisi.", "en": "Purpose is required."}
        }


def test_validate_too_long(domisili: Letter) -> None:
    errors = validate(domisili, {"keperluan": "x" * 231})
    assert errors["keperluan"]["id"] == (
        "Keperluan terlalu panjang: paling banyak 200 huruf (sekarang 231)."
    )
    assert errors["keperluan"]["en"] == "Purpose is too long: at most 200 characters (now 231)."
    # surrounding whitespace does not count
    assert validate(domisili, {"keperluan": " " * 10 + "x" * 200 + " " * 10}) == {}


def test_validate_unknown_field(domisili: Letter) -> None:
    errors = validate(domisili, {"keperluan": PURPOSE, "warna": "merah", "nik": "1"})
    assert set(errors) == {"warna", "nik"}
    assert errors["warna"]["en"] == "This letter has no field 'warna'."
    assert "KTP" in errors["nik"]["id"]


@pytest.mark.parametrize("bad", ["Melamar\x00kerja", "Melamar\x1b[2Jkerja", "abc\u202edef"])
def test_validate_control_characters(domisili: Letter, bad: str) -> None:
    errors = validate(domisili, {"keperluan": bad})
    assert errors["keperluan"]["id"] == (
        "Keperluan berisi tanda yang tidak boleh dipakai. Silakan ketik ulang."
    )


def test_validate_messages_are_sentences(domisili: Letter) -> None:
    for values in ({}, {"keperluan": "x" * 300}, {"keperluan": "a\x07"}, {"keperluan": "ab"}):
        for msg in validate(domisili, values)["keperluan"].values():
            assert msg[0].isupper() and msg.endswith(".")


# --------------------------------------------------------------------------- render


@pytest.fixture(scope="module")
def siti_pdf(domisili: Letter) -> bytes:
    return render_application(application(), domisili, KEMIREN)


def test_render_contents(siti_pdf: bytes) -> None:
    assert siti_pdf.startswith(b"%PDF")
    reader = pypdf.PdfReader(io.BytesIO(siti_pdf))
    assert len(reader.pages) == 1
    width, height = (float(x) for x in reader.pages[0].mediabox[2:])
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (215, 330)
    text = pdf_text(siti_pdf)
    for needle in (
        "3510155208580003",
        "Siti Aminah",
        PURPOSE,
        "KMR01-261125-0007",
        "PERMOHONAN",
        "PERMOHONAN SURAT KETERANGAN DOMISILI",
        "DESA KEMIREN",
        "PEMERINTAH KABUPATEN BANYUWANGI",
        "KECAMATAN GLAGAH",
        "Kemiren, 25 November 2026",
        "Banyuwangi, 12 Agustus 1958",
        "Perempuan",
        "KTP asli",
    ):
        assert needle in text, needle


def test_render_a4(domisili: Letter) -> None:
    pdf = render_application(application(), domisili, KEMIREN, paper="A4")
    page = pypdf.PdfReader(io.BytesIO(pdf)).pages[0]
    assert round(float(page.mediabox[3]) / 72 * 25.4) == 297
    with pytest.raises(ValueError):
        render_application(application(), domisili, KEMIREN, paper="Letter")


def test_render_refuses_other_village(domisili: Letter) -> None:
    other = dataclasses.replace(KEMIREN, code="35.10.15.2004")
    with pytest.raises(ValueError):
        render_application(application(), domisili, other)


def test_render_is_deterministic(domisili: Letter, siti_pdf: bytes) -> None:
    assert render_application(application(), domisili, KEMIREN) == siti_pdf


def test_markup_in_user_text_prints_verbatim(domisili: Letter) -> None:
    name = 'Ahmad Ma\'ruf & "Udin" <b>x</b>'
    purpose = 'Syarat <i>kerja</i> & beasiswa "S1" anak\'s'
    pdf = render_application(
        application(dataclasses.replace(SITI, name=name), keperluan=purpose), domisili, KEMIREN
    )
    text = pdf_text(pdf)
    assert name in text  # the identity table
    # every place it is printed: table, draft letter text, signature (lines may wrap)
    assert squash(text).count(squash(name)) == 3
    assert squash(text).count(squash(purpose)) == 2


def _word_boxes(pdf: bytes, tmp_path: Path) -> tuple[float, list[tuple[float, float, str]]]:
    src = tmp_path / "letter.pdf"
    src.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", "-bbox", str(src), "-"], check=True, capture_output=True, text=True
    ).stdout
    page_w = float(re.search(r'<page width="([\d.]+)"', out).group(1))
    word = re.compile(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"[^>]*>([^<]*)')
    words = [(float(a), float(b), w) for a, b, w in word.findall(out)]
    return page_w, words


def test_long_words_wrap_inside_the_page(domisili: Letter, tmp_path: Path) -> None:
    purpose = ("Persyaratanmelamarpekerjaandiperusahaanperkebunankopi" * 4)[:200]
    long_name = "Raden " + "Mas" * 40 + " Wiryo"
    resident = dataclasses.replace(SITI, name=long_name, address="Jl. " + "Panjang" * 30)
    app = application(resident, keperluan=purpose)
    assert validate(domisili, app.values) == {}
    pdf = render_application(app, domisili, KEMIREN)
    text = squash(pdf_text(pdf))
    assert purpose in text
    assert squash(long_name) in text
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) not installed")
    page_w, words = _word_boxes(pdf, tmp_path)
    assert words
    right_edge = page_w - 20 / 25.4 * 72 + 1  # right margin 2 cm, 1 pt slack
    for x_min, x_max, word in words:
        assert x_min >= 25 / 25.4 * 72 - 1, word
        assert x_max <= right_edge, word


def test_qr_modules_drawn_where_the_matrix_says(tmp_path: Path) -> None:
    """Rasterise the QR path and read every module back (checks orientation and runs)."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) not installed")
    from PIL import Image
    from reportlab.pdfgen.canvas import Canvas

    ref = "SKAPP1:35.10.15.2003:KMR01-261125-0007"
    qr = QRFlowable(ref, size=72 * 2, quiet_modules=4)
    assert QR_MASK in range(8)
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=(qr.size, qr.size), invariant=1)
    qr.drawOn(c, 0, 0)
    c.save()
    (tmp_path / "qr.pdf").write_bytes(buf.getvalue())
    subprocess.run(
        ["pdftoppm", "-png", "-r", "300", "-singlefile", str(tmp_path / "qr.pdf"),
         str(tmp_path / "qr")],
        check=True,
    )  # fmt: skip
    img = Image.open(tmp_path / "qr.png").convert("L")
    n = len(qr.matrix)
    module = img.size[0] / (n + 8)
    for y in range(n):
        for x in range(n):
            px = img.getpixel((int((x + 4.5) * module), int((y + 4.5) * module)))
            assert (px < 128) == qr.matrix[y][x], (x, y)


def test_tour_png(siti_pdf: bytes, tmp_path: Path) -> None:
    """The first page as PNG for the visual tour (build/tour/letters/domisili.png)."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) not installed")
    out_dir = REPO / "build" / "tour" / "letters"
    out_dir.mkdir(parents=True, exist_ok=True)
    src = tmp_path / "domisili.pdf"
    src.write_bytes(siti_pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(src),
         str(out_dir / "domisili")],
        check=True,
    )  # fmt: skip
    png = out_dir / "domisili.png"
    assert png.read_bytes().startswith(b"\x89PNG")
