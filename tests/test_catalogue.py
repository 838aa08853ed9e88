"""The letter catalogue as data: every shipped letter, field types and their checks, the schema
check's messages, village overrides and the sample-value generator."""

from __future__ import annotations

import json
import re
import string
from datetime import date
from pathlib import Path

import pytest

from forms.catalogue import (
    FIELD_TYPES,
    ICONS,
    LETTERS_DIR,
    VILLAGE_PLACEHOLDERS,
    Letter,
    LetterFileError,
    clean_values,
    display_value,
    letter_from_dict,
    letter_to_dict,
    load_catalogue,
    load_letter_file,
    prefill,
    sample_values,
    validate,
)
from forms.samples import SITI

REPO = Path(__file__).resolve().parent.parent

EXPECTED = {
    "domisili": "S-41",
    "sktm": "S-11",
    "pengantar_skck": "S-07",
    "keterangan_usaha": "SKU",
    "domisili_usaha": "S-16",
    "pengantar_umum": "S-01",
    "keterangan_penduduk": "S-02",
    "pengantar_kehilangan": "S-13",
    "izin_keramaian": "S-12",
    "bepergian": "S-10",
    "ktp_dalam_proses": "S-08",
    "penghasilan_orang_tua": "S-42",
    "kelahiran": "S-17",
    "kematian": "S-21",
    "pindah": "S-04",
    "pengantar_nikah": "S-23",
    "belum_menikah": "SKBM",
}

TODAY = date(2026, 11, 25)


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


def all_letters() -> list[Letter]:
    return load_catalogue().letters()


def _ids(letters: list[Letter]) -> list[str]:
    return [x.id for x in letters]


# --------------------------------------------------------------------------- shipped letters


def test_catalogue_has_the_everyday_letters(catalogue) -> None:
    assert len(catalogue) >= 15
    assert {x.id: x.code for x in catalogue.letters()} == EXPECTED
    for path in LETTERS_DIR.glob("*.json"):
        assert load_letter_file(path).id == path.stem, "file name is the letter id"


@pytest.mark.parametrize("letter", all_letters(), ids=_ids(all_letters()))
def test_every_letter_speaks_both_languages(letter: Letter) -> None:
    for text in (letter.title, letter.summary):
        assert text is not None and text.id.strip() and text.en.strip()
        assert text.id != text.en
    assert letter.icon in ICONS
    assert len(letter.requirements) >= 2
    for req in letter.requirements:
        assert req.id.strip() and req.en.strip()
    for f in letter.fields:
        assert f.label.id.strip() and f.label.en.strip(), f.name
    for f in letter.input_fields():
        assert f.help.id.strip() and f.help.en.strip(), f.name
        if f.type in ("text", "long_text"):
            assert f.max_length is not None, f"{f.name}: typed text needs a max_length"
        for c in f.choices:
            assert c.label.id.strip() and c.label.en.strip()


@pytest.mark.parametrize("letter", all_letters(), ids=_ids(all_letters()))
def test_every_placeholder_resolves(letter: Letter) -> None:
    values = {name: f"<{name}>" for name in VILLAGE_PLACEHOLDERS}
    values.update({f.name: v for f, v in prefill(letter, SITI)})
    samples = sample_values(letter, TODAY)
    values.update({f.name: display_value(f, samples[f.name]) for f in letter.input_fields()})
    text = letter.body.format_map(values)  # KeyError on any unknown placeholder
    assert "{" not in text and "}" not in text
    used = {name for _, name, _, _ in string.Formatter().parse(letter.body) if name}
    unused = {f.name for f in letter.input_fields()} - used
    assert not unused, f"typed but never printed: {unused}"


@pytest.mark.parametrize("letter", all_letters(), ids=_ids(all_letters()))
@pytest.mark.parametrize("today", [TODAY, date(2028, 2, 29), date(2027, 1, 1)])
def test_sample_values_are_valid(letter: Letter, today: date) -> None:
    values = sample_values(letter, today)
    assert set(values) == {f.name for f in letter.input_fields()}
    assert validate(letter, values, today=today) == {}
    for f in letter.input_fields():
        assert values[f.name].strip(), f"{f.name}: samples fill optional fields too"


@pytest.mark.parametrize("letter", all_letters(), ids=_ids(all_letters()))
def test_letter_round_trips_through_its_file_form(letter: Letter) -> None:
    assert letter_from_dict(letter_to_dict(letter)) == letter


def test_every_field_type_is_used(catalogue) -> None:
    used = {f.type for x in catalogue.letters() for f in x.input_fields()}
    assert used == set(FIELD_TYPES)


def test_letters_for_someone_else_keep_the_applicant_as_reporter(catalogue) -> None:
    for letter_id, subject in (("kelahiran", "nama_bayi"), ("kematian", "nama_almarhum")):
        letter = catalogue.get(letter_id)
        reporter = {f.attribute: f.name for f in letter.identity_fields()}
        assert reporter["name"] == "pelapor_nama" and reporter["nik"] == "pelapor_nik"
        assert letter.get_field(subject).source == "input"
        assert letter.get_field("hubungan_pelapor").type == "choice"
        assert "{pelapor_nama}" in letter.body and "{" + subject + "}" in letter.body
    birth = catalogue.get("kelahiran")
    for name in ("jenis_kelamin_bayi", "tanggal_lahir", "jam_lahir", "tempat_lahir", "nama_ibu",
                 "nama_ayah", "saksi1_nama", "saksi2_nama"):  # fmt: skip
        birth.get_field(name)
    death = catalogue.get("kematian")
    for name in ("nik_almarhum", "tanggal_meninggal", "jam_meninggal", "tempat_meninggal", "sebab"):
        death.get_field(name)


def test_trimmed_letters_say_what_was_left_out(catalogue) -> None:
    for letter_id in ("pindah", "kelahiran", "kematian", "pengantar_nikah", "sktm"):
        notes = catalogue.get(letter_id).notes
        assert "rimmed" in notes or "clerk" in notes


def test_sktm_wording(catalogue) -> None:
    assert "tergolong keluarga tidak mampu" in catalogue.get("sktm").body


# --------------------------------------------------------------------------- field types


def _probe_letter() -> Letter:
    """One input field of every type, each with its rules."""

    def text(i: str, e: str) -> dict:
        return {"id": i, "en": e}

    def inp(name: str, type_: str, lid: str, len_: str, **kw) -> dict:
        d = {"name": name, "type": type_, "source": "input", "required": True,
             "label": text(lid, len_), "help": text("Bantuan.", "Help.")}  # fmt: skip
        d.update(kw)
        return d

    # fmt: off
    data = {
        "id": "probe",
        "code": "X-1",
        "title": text("Surat Uji", "Probe letter"),
        "fields": [
            {"name": "nama", "type": "text", "source": "identity", "attribute": "name",
             "label": text("Nama", "Name")},
            inp("nama_usaha", "text", "Nama Usaha", "Business name", min_length=3, max_length=10),
            inp("rincian", "long_text", "Rincian", "Details", max_length=20, required=False),
            inp("kode_pos", "text", "Kode Pos", "Postcode", pattern="[0-9]{5}",
                pattern_message=text("Kode pos harus 5 angka.", "The postcode must be 5 digits."),
                example="68432", required=False),
            inp("nis", "text", "NIS", "Student number", pattern="[0-9]{4}", example="1234",
                required=False),
            inp("jumlah", "number", "Jumlah Tamu", "Guests", min=1, max=10000),
            inp("tanggal_lahir", "date", "Tanggal Lahir", "Date of birth", min="01-01-1900",
                max="today"),
            inp("tanggal_acara", "date", "Tanggal Acara", "Event date", min="today",
                max="today+365", required=False),
            inp("jam", "time", "Jam Mulai", "Start time"),
            inp("jenis", "choice", "Jenis Acara", "Kind of event",
                choices=[{"value": "nikah", "label": text("Pernikahan", "Wedding")}, "Khitanan"]),
        ],
        "body": "{nama} {nama_usaha} {rincian} {kode_pos} {nis} {jumlah} {tanggal_lahir} "
        "{tanggal_acara} {jam} {jenis}",
    }
    # fmt: on
    return letter_from_dict(data, "probe.json")


PROBE = _probe_letter()
GOOD = {
    "nama_usaha": "Warung",
    "jumlah": "300",
    "tanggal_lahir": "17-08-1945",
    "jam": "19:30",
    "jenis": "nikah",
}


def _errors(**changes: str) -> dict[str, dict[str, str]]:
    return validate(PROBE, {**GOOD, **changes}, today=TODAY)


def test_probe_good_values() -> None:
    assert _errors() == {}
    assert _errors(jenis="Khitanan", rincian="a\nb", kode_pos="68432", nis="0042") == {}
    assert _errors(tanggal_acara="25-11-2026") == {}  # today is allowed
    assert _errors(tanggal_acara="25-11-2027") == {}  # today + 365
    assert _errors(tanggal_lahir="25-11-2026") == {}
    assert _errors(jumlah="10.000") == {}  # Indonesian thousands separator
    assert _errors(jumlah=" 1 ", jam="00:00") == {}
    assert _errors(jam="23:59") == {}


BAD = [
    # (field, value, Indonesian message, English message)
    ("nama_usaha", "", "Nama Usaha wajib diisi.", "Business name is required."),
    ("nama_usaha", "ab", "Nama Usaha terlalu pendek: paling sedikit 3 huruf (sekarang 2).",
     "Business name is too short: at least 3 characters (now 2)."),
    ("nama_usaha", "Warung Makan", "Nama Usaha terlalu panjang: paling banyak 10 huruf "
     "(sekarang 12).", "Business name is too long: at most 10 characters (now 12)."),
    ("nama_usaha", "a\nb", "Nama Usaha berisi tanda yang tidak boleh dipakai. Silakan ketik "
     "ulang.", "Business name contains characters that are not allowed. Please type it again."),
    ("kode_pos", "6843", "Kode pos harus 5 angka.", "The postcode must be 5 digits."),
    ("nis", "12a4", "Isian NIS tidak sesuai contoh.", "Student number is not in the expected "
     "form."),
    ("jumlah", "tiga ratus", "Jumlah Tamu harus berupa angka saja, tanpa huruf atau koma. "
     "Contoh: 1500000.", "Guests must be a whole number, digits only. Example: 1500000."),
    ("jumlah", "2,5", "Jumlah Tamu harus berupa angka saja, tanpa huruf atau koma. Contoh: "
     "1500000.", "Guests must be a whole number, digits only. Example: 1500000."),
    ("jumlah", "1.50", "Jumlah Tamu harus berupa angka saja, tanpa huruf atau koma. Contoh: "
     "1500000.", "Guests must be a whole number, digits only. Example: 1500000."),
    ("jumlah", "-5", "Jumlah Tamu harus berupa angka saja, tanpa huruf atau koma. Contoh: "
     "1500000.", "Guests must be a whole number, digits only. Example: 1500000."),
    ("jumlah", "0", "Jumlah Tamu paling kecil 1.", "Guests must be at least 1."),
    ("jumlah", "10001", "Jumlah Tamu paling besar 10.000.", "Guests must be at most 10,000."),
    ("tanggal_lahir", "1945-08-17", "Tanggal Lahir belum benar. Tulis tanggal-bulan-tahun, "
     "contoh: 17-08-2025.", "Date of birth is not a valid date. Write day-month-year, for "
     "example 17-08-2025."),
    ("tanggal_lahir", "31-02-2020", "Tanggal Lahir belum benar. Tulis tanggal-bulan-tahun, "
     "contoh: 17-08-2025.", "Date of birth is not a valid date. Write day-month-year, for "
     "example 17-08-2025."),
    ("tanggal_lahir", "7-8-2020", "Tanggal Lahir belum benar. Tulis tanggal-bulan-tahun, "
     "contoh: 17-08-2025.", "Date of birth is not a valid date. Write day-month-year, for "
     "example 17-08-2025."),
    ("tanggal_lahir", "26-11-2026", "Tanggal Lahir tidak boleh melewati hari ini.",
     "Date of birth cannot be after today."),
    ("tanggal_lahir", "31-12-1899", "Tanggal Lahir paling awal 01-01-1900.",
     "Date of birth must be on or after 01-01-1900."),
    ("tanggal_acara", "24-11-2026", "Tanggal Acara tidak boleh sebelum hari ini.",
     "Event date cannot be before today."),
    ("tanggal_acara", "26-11-2027", "Tanggal Acara paling lambat 25-11-2027.",
     "Event date must be on or before 25-11-2027."),
    ("jam", "24:00", "Jam Mulai belum benar. Tulis jam:menit (00:00 sampai 23:59), contoh: "
     "09:30.", "Start time is not a valid time. Write hours:minutes (00:00 to 23:59), for "
     "example 09:30."),
    ("jam", "9:30", "Jam Mulai belum benar. Tulis jam:menit (00:00 sampai 23:59), contoh: "
     "09:30.", "Start time is not a valid time. Write hours:minutes (00:00 to 23:59), for "
     "example 09:30."),
    ("jam", "09.30", "Jam Mulai belum benar. Tulis jam:menit (00:00 sampai 23:59), contoh: "
     "09:30.", "Start time is not a valid time. Write hours:minutes (00:00 to 23:59), for "
     "example 09:30."),
    ("jenis", "Pernikahan", "Pilih Jenis Acara dari daftar.",
     "Please choose Kind of event from the list."),
    ("jenis", "", "Jenis Acara wajib diisi.", "Kind of event is required."),
]  # fmt: skip


@pytest.mark.parametrize(("name", "value", "msg_id", "msg_en"), BAD)
def test_probe_bad_values(name: str, value: str, msg_id: str, msg_en: str) -> None:
    errors = _errors(**{name: value})
    assert errors == {name: {"id": msg_id, "en": msg_en}}
    for msg in errors[name].values():
        assert msg[0].isupper() and msg.endswith("."), msg


def test_one_message_per_field() -> None:
    errors = validate(PROBE, {"jumlah": "x", "jam": "x", "jenis": "x"}, today=TODAY)
    assert set(errors) == {"nama_usaha", "jumlah", "tanggal_lahir", "jam", "jenis"}
    assert all(set(m) == {"id", "en"} and m["id"] != m["en"] for m in errors.values())


def test_validate_today_defaults_to_the_real_day() -> None:
    tomorrow = date.fromordinal(date.today().toordinal() + 1)
    errors = validate(PROBE, {**GOOD, "tanggal_lahir": tomorrow.strftime("%d-%m-%Y")})
    assert "tanggal_lahir" in errors


def test_display_value_prints_indonesian() -> None:
    f = PROBE.get_field
    assert display_value(f("tanggal_lahir"), "17-08-1945") == "17 Agustus 1945"
    assert display_value(f("jam"), "19:30") == "19.30"
    assert display_value(f("jumlah"), "1500000") == "1.500.000"
    assert display_value(f("jumlah"), "300") == "300"
    assert display_value(f("jenis"), "nikah") == "Pernikahan"
    assert display_value(f("rincian"), "") == "-"


def test_clean_values_store_one_exact_form() -> None:
    cleaned = clean_values(PROBE, {**GOOD, "jumlah": " 1.500 ", "nama_usaha": " Warung\r\n"})
    assert cleaned["jumlah"] == "1500"
    assert cleaned["nama_usaha"] == "Warung"
    assert validate(PROBE, {**GOOD, **{k: v for k, v in cleaned.items() if v}}, TODAY) == {}


def test_shipped_dates_refuse_the_future(catalogue) -> None:
    for letter_id, name in (("kelahiran", "tanggal_lahir"), ("kematian", "tanggal_meninggal")):
        letter = catalogue.get(letter_id)
        values = {**sample_values(letter, TODAY), name: "26-11-2026"}
        errors = validate(letter, values, today=TODAY)
        assert set(errors) == {name}
        assert errors[name]["id"].endswith("tidak boleh melewati hari ini.")
    event = catalogue.get("izin_keramaian")
    errors = validate(event, {**sample_values(event, TODAY), "tanggal_acara": "01-01-2020"}, TODAY)
    assert set(errors) == {"tanggal_acara"}


# --------------------------------------------------------------------------- schema check


def _data(letter_id: str = "kelahiran") -> dict:
    return json.loads((LETTERS_DIR / f"{letter_id}.json").read_text(encoding="utf-8"))


def _field(data: dict, name: str) -> dict:
    return next(f for f in data["fields"] if f["name"] == name)


def _write(directory: Path, data: dict, name: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


MISTAKES = [
    (lambda d: _field(d, "tanggal_lahir").update(max="besok"), "field 'tanggal_lahir': max must"),
    (lambda d: _field(d, "tanggal_lahir").update(min="today+1"),
     "field 'tanggal_lahir': min is later than max"),
    (lambda d: _field(d, "anak_ke").update(min=30), "field 'anak_ke': min is larger than max"),
    (lambda d: _field(d, "anak_ke").update(max="20"), "field 'anak_ke': max must be a number"),
    (lambda d: _field(d, "anak_ke").update(max_length=2), "field 'anak_ke': 'max_length' applies"),
    (lambda d: _field(d, "nama_bayi").update(min=1), "field 'nama_bayi': 'min' applies"),
    (lambda d: _field(d, "nama_bayi").update(pattern="[A-Z].*", example=None) or _field(
        d, "nama_bayi").pop("example"),
     "field 'nama_bayi': a field with a pattern needs an 'example'"),
    (lambda d: _field(d, "nik_ibu").update(example="12345"),
     "field 'nik_ibu': example '12345' is refused: Mother's NIK must be 16 digits"),
    (lambda d: _field(d, "jam_lahir").update(example="14.35"),
     "field 'jam_lahir': example '14.35' is refused"),
    (lambda d: _field(d, "jam_lahir").update(choices=["pagi"]), "field 'jam_lahir': 'choices'"),
    (lambda d: _field(d, "penolong").update(choices=[]), "field 'penolong': type 'choice' needs"),
    (lambda d: _field(d, "penolong").update(type="dropdown"), "field 'penolong': unknown type"),
    (lambda d: _field(d, "penolong").pop("label"), "field 'penolong': missing label"),
    (lambda d: _field(d, "penolong").update(label={"id": "Penolong"}),
     "field 'penolong': label: must be"),
    (lambda d: _field(d, "pelapor_nik").update(max_length=16),
     "field 'pelapor_nik': 'max_length' applies to input fields only"),
    (lambda d: d["fields"].append(dict(_field(d, "nama_ibu"))),
     "field 'nama_ibu': name used twice"),
    (lambda d: d.update(icon="skull"), "icon: unknown icon 'skull'"),
    (lambda d: d.update(summary="Lahir"), "summary: must be"),
    (lambda d: d.update(summary={"id": "a\nb", "en": "c"}), "summary: must be one line"),
    (lambda d: d.update(notes=["x"]), "notes: must be a text"),
    (lambda d: d.update(colour="red"), "file: unknown key 'colour'"),
    (lambda d: d.update(body=d["body"] + " {nama_anak}"), "body: unknown placeholder {nama_anak}"),
]  # fmt: skip


@pytest.mark.parametrize(("change", "message"), MISTAKES)
def test_schema_check_names_file_and_field(tmp_path: Path, change, message: str) -> None:
    data = _data()
    change(data)
    path = _write(tmp_path, data, "kelahiran_desa.json")
    with pytest.raises(LetterFileError, match=re.escape(message)) as err:
        load_letter_file(path)
    assert str(err.value).startswith("kelahiran_desa.json: ")
    assert err.value.path == path
    # the same file in a village directory is refused the same way
    with pytest.raises(LetterFileError, match=re.escape(message)):
        load_catalogue(extra_dirs=[tmp_path])


def test_partial_file_needs_the_catalogue(tmp_path: Path) -> None:
    path = _write(tmp_path, {"id": "domisili", "extends": "domisili"}, "domisili.json")
    with pytest.raises(LetterFileError, match=r"^domisili\.json: file: 'extends' is only for"):
        load_letter_file(path)


# --------------------------------------------------------------------------- village overrides

TITLE = {"id": "Surat Keterangan Tempat Tinggal", "en": "Certificate of Residence"}


def test_partial_override_changes_only_wording(tmp_path: Path) -> None:
    _write(tmp_path, {
        "id": "domisili",
        "extends": "domisili",
        "title": TITLE,
        "body": "Versi Kemiren: {nama} tinggal di {alamat} untuk {keperluan}.",
        "fields": [{"name": "keperluan", "max_length": 300,
                    "help": {"id": "Tulis keperluan Anda.", "en": "Write your purpose."}},
                   {"name": "nama", "label": {"id": "Nama", "en": "Name"}}],
    }, "domisili_kemiren.json")  # fmt: skip
    base = load_catalogue().get("domisili")
    letter = load_catalogue(extra_dirs=[tmp_path]).get("domisili")
    assert letter.title.id == TITLE["id"]
    assert letter.body.startswith("Versi Kemiren")
    assert letter.source_path == tmp_path / "domisili_kemiren.json"
    assert letter.code == base.code and letter.requirements == base.requirements
    assert letter.summary == base.summary and letter.icon == base.icon
    assert [f.name for f in letter.fields] == [f.name for f in base.fields]
    keperluan = letter.get_field("keperluan")
    assert keperluan.max_length == 300 and keperluan.min_length == 3
    assert keperluan.help.en == "Write your purpose." and keperluan.label.id == "Keperluan"
    assert letter.get_field("nama").label.id == "Nama"
    assert letter.get_field("nama").attribute == "name"
    assert validate(letter, {"keperluan": "x" * 250}) == {}


def test_partial_override_may_add_an_input_field_and_drop_a_check(tmp_path: Path) -> None:
    _write(tmp_path, {
        "extends": "sktm",
        "fields": [
            {"name": "no_dtks", "pattern": None, "pattern_message": None, "example": None},
            {"name": "nama_rt", "type": "text", "source": "input", "max_length": 60,
             "label": {"id": "Nama Ketua RT", "en": "Neighbourhood head"},
             "help": {"id": "Siapa ketua RT Anda?", "en": "Who is your RT head?"}},
        ],
        "body": "{nama} warga RT pimpinan {nama_rt}, tergolong keluarga tidak mampu. {no_dtks}",
    }, "sktm.json")  # fmt: skip
    letter = load_catalogue(extra_dirs=[tmp_path]).get("sktm")
    assert letter.input_fields()[-1].name == "nama_rt"
    assert letter.get_field("no_dtks").pattern is None
    assert validate(letter, {**sample_values(letter), "no_dtks": "DTKS-12"}) == {}


def test_override_may_define_a_new_letter_from_an_old_one(tmp_path: Path) -> None:
    _write(tmp_path, {"id": "domisili_pendatang", "extends": "domisili", "code": "S-41A",
                      "title": {"id": "Domisili Pendatang", "en": "Domicile (newcomers)"}},
           "pendatang.json")  # fmt: skip
    cat = load_catalogue(extra_dirs=[tmp_path])
    assert len(cat) == len(load_catalogue()) + 1
    assert cat.get("domisili_pendatang").code == "S-41A"
    assert cat.get("domisili").code == "S-41"


def test_later_village_dir_builds_on_an_earlier_one(tmp_path: Path) -> None:
    _write(tmp_path / "district", {"extends": "domisili", "title": TITLE}, "a.json")
    _write(tmp_path / "village", {"extends": "domisili", "code": "DOM"}, "b.json")
    letter = load_catalogue(extra_dirs=[tmp_path / "district", tmp_path / "village"]).get(
        "domisili"
    )
    assert (letter.title.id, letter.code) == (TITLE["id"], "DOM")


def test_village_disables_a_letter(tmp_path: Path) -> None:
    note = "Izin keramaian diurus langsung di Polsek."
    _write(tmp_path, {"id": "izin_keramaian", "disabled": True, "notes": note}, "tanpa.json")
    cat = load_catalogue(extra_dirs=[tmp_path])
    assert "izin_keramaian" not in cat
    assert len(cat) == len(load_catalogue()) - 1


BAD_OVERRIDES = [
    ({"extends": "domisili", "fields": [{"name": "keperluan", "type": "text"}]},
     "field 'keperluan': a village file cannot change 'type'"),
    ({"extends": "domisili", "fields": [{"name": "nama", "attribute": "nik"}]},
     "field 'nama': a village file cannot change 'attribute'"),
    ({"extends": "domisili", "fields": [{"name": "nama", "source": "input"}]},
     "field 'nama': a village file cannot change 'source'"),
    ({"extends": "domisili", "fields": [{"name": "rt", "type": "text", "source": "identity",
                                         "attribute": "rt_rw", "label": TITLE}]},
     "field 'rt': a village file cannot add identity fields"),
    ({"extends": "domisili", "fields": [{"name": "nama", "max_length": 5}]},
     "field 'nama': 'max_length' applies to input fields only"),
    ({"extends": "domisili", "fields": [{"name": "keperluan", "max_length": "banyak"}]},
     "field 'keperluan': max_length must be"),
    ({"extends": "domisili", "fields": [{"name": "baru", "type": "text", "source": "input",
                                         "label": TITLE}]},
     "field 'baru': missing help"),
    ({"extends": "domisili", "body": "Untuk {keperluann}."}, "body: unknown placeholder"),
    ({"extends": "domisili", "title": "Domisili"}, "title: must be"),
    ({"extends": "domisili", "fields": {"keperluan": {}}}, "fields: must be a list"),
    ({"extends": "domisili", "disabled": True},
     "file: a disabling file holds only id, disabled and notes, not 'extends'"),
    ({"extends": "domisili", "warna": "merah"}, "file: unknown key 'warna'"),
    ({"extends": "domisilli", "title": TITLE}, "extends: no letter 'domisilli' to extend"),
    ({"id": "domisili", "disabled": False}, "disabled: must be true"),
    ({"id": "domisilli", "disabled": True}, "id: no letter 'domisilli' to disable"),
    ({"id": "domisili", "disabled": True, "title": TITLE},
     "a disabling file holds only id, disabled and notes"),
]  # fmt: skip


@pytest.mark.parametrize(("data", "message"), BAD_OVERRIDES)
def test_bad_override_is_refused_naming_the_village_file(
    tmp_path: Path, data: dict, message: str
) -> None:
    _write(tmp_path, data, "kemiren_domisili.json")
    with pytest.raises(LetterFileError, match=re.escape(message)) as err:
        load_catalogue(extra_dirs=[tmp_path])
    assert str(err.value).startswith("kemiren_domisili.json: ")
    assert err.value.path == tmp_path / "kemiren_domisili.json"


def test_one_id_per_village_dir(tmp_path: Path) -> None:
    _write(tmp_path, _data("domisili"), "a_domisili.json")
    _write(tmp_path, {"extends": "domisili", "title": TITLE}, "b_domisili.json")
    with pytest.raises(LetterFileError, match="b_domisili.json: id: 'domisili' is also used by"):
        load_catalogue(extra_dirs=[tmp_path])


def test_missing_village_dir_is_refused(tmp_path: Path) -> None:
    with pytest.raises(LetterFileError, match="letter directory not found"):
        load_catalogue(extra_dirs=[tmp_path / "tidak_ada"])


# --------------------------------------------------------------------------- README


def test_readme_example_is_the_shipped_file() -> None:
    readme = (REPO / "forms" / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```json\n(.*?)```", readme, re.S)
    example = next(b for b in blocks if '"id": "belum_menikah"' in b)
    assert json.loads(example) == _data("belum_menikah")
    assert "\n## Rendering\n" in readme


def test_unreadable_value_has_a_message() -> None:
    errors = validate(PROBE, {**GOOD, "jumlah": 300}, today=TODAY)  # type: ignore[dict-item]
    assert errors == {
        "jumlah": {
            "id": "Jumlah Tamu tidak terbaca. Silakan isi lagi.",
            "en": "Guests could not be read. Please fill it in again.",
        }
    }


def test_readme_lists_every_icon() -> None:
    readme = (REPO / "forms" / "README.md").read_text(encoding="utf-8")
    assert " ".join(ICONS) in readme
