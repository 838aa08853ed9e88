"""Importing the resident registry from the CSV a village information system exports.

Headers are matched loosely (case, spaces, punctuation, common aliases: "Nama Lengkap",
"NO_KK", "tgl_lahir", "Tempat/Tanggal Lahir" …); dates are DD-MM-YYYY (also with / or .) or
YYYY-MM-DD; sex L/P or LAKI-LAKI/PEREMPUAN; RT/RW separate or combined ("003/012"). Each bad
row is reported (row number as in a spreadsheet, the header being row 1; field; message in
Indonesian and English) and skipped; good rows are kept; a NIK already registered is updated.
Pendidikan, golongan darah and hubungan dalam keluarga are kept as registry details (the back
office's own, never sent to a kiosk). Columns we do not keep are listed in the result as
ignored. Nothing personal is logged.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from backoffice.db import RegistryDetails, ResidentRow, Village, find_resident
from backoffice.registry import InvalidNik, upsert_resident
from forms.identity import Resident
from forms.nik import check_nik

# canonical field → header spellings (after normalisation: lower case, words split by spaces)
ALIASES: dict[str, tuple[str, ...]] = {
    "nik": ("nik", "no nik", "nomor nik", "nomor induk kependudukan"),
    "name": ("nama", "nama lengkap", "nama penduduk", "name"),
    "birth_place": ("tempat lahir", "tempatlahir", "tmp lahir", "tempat lhr"),
    "birth_date": ("tanggal lahir", "tanggallahir", "tgl lahir", "tgl lhr", "tgllahir"),
    "ttl": ("tempat tanggal lahir", "tempat tgl lahir", "ttl"),
    "sex": ("jenis kelamin", "jeniskelamin", "jk", "kelamin", "sex", "l p"),
    "religion": ("agama",),
    "marital_status": ("status perkawinan", "status kawin", "perkawinan", "status"),
    "occupation": ("pekerjaan", "pekerjaan utama"),
    "address": ("alamat", "alamat lengkap", "alamat sekarang"),
    "dusun": ("dusun", "nama dusun", "lingkungan"),
    "rt": ("rt",),
    "rw": ("rw",),
    "rt_rw": ("rt rw", "rtrw"),
    "citizenship": ("kewarganegaraan", "warga negara", "wni wna"),
    "family_card_number": ("no kk", "nokk", "nomor kk", "no kartu keluarga", "nkk", "kk"),
    "education": ("pendidikan", "pendidikan terakhir", "pendidikan dalam kk", "pendidikan kk"),
    "blood_type": ("golongan darah", "gol darah", "goldar", "gol dar"),
    "family_relationship": ("hubungan keluarga", "hubungan dalam keluarga", "shdk",
                            "status hubungan dalam keluarga", "hubungan"),
}
_HEADER = {alias: canon for canon, aliases in ALIASES.items() for alias in aliases}
REQUIRED = ("nik", "name", "birth_date", "sex")
LABELS = {
    "nik": "NIK", "name": "nama", "birth_place": "tempat lahir", "birth_date": "tanggal lahir",
    "sex": "jenis kelamin", "rt": "RT", "rw": "RW", "family_card_number": "no. KK",
    "citizenship": "kewarganegaraan", "education": "pendidikan", "blood_type": "golongan darah",
    "family_relationship": "hubungan keluarga", "address": "alamat", "occupation": "pekerjaan",
}  # fmt: skip
SEX = {"l": "L", "laki laki": "L", "lakilaki": "L", "pria": "L", "p": "P", "perempuan": "P",
       "wanita": "P"}  # fmt: skip


def normalise_header(text: str) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.lower()).split())


@dataclass(frozen=True)
class RowProblem:
    row: int  # spreadsheet row (header = 1); 0 for the file as a whole
    field: str
    id: str
    en: str


@dataclass
class ImportResult:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowProblem] = field(default_factory=list)
    warnings: list[RowProblem] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    def summary(self) -> dict:
        return {
            "added": self.added, "updated": self.updated, "unchanged": self.unchanged,
            "errors": len(self.errors), "warnings": len(self.warnings),
            "ignored_columns": list(self.ignored_columns),
        }  # fmt: skip


class _RowError(Exception):
    def __init__(self, field_: str, id_msg: str, en_msg: str) -> None:
        super().__init__(en_msg)
        self.problem = (field_, id_msg, en_msg)


def parse_date(text: str, what: str = "birth_date") -> date:
    t = text.strip()
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", t)
    if m:
        y, mo, d = (int(x) for x in m.groups())
    else:
        m = re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", t)
        if not m:
            raise _RowError(what, "Tanggal harus HH-BB-TTTT atau TTTT-BB-HH.",
                            "A date must be DD-MM-YYYY or YYYY-MM-DD.")
        d, mo, y = (int(x) for x in m.groups())
    try:
        return date(y, mo, d)
    except ValueError:
        raise _RowError(what, "Tanggal tidak ada di kalender.",
                        "The date does not exist in the calendar.") from None


def _rt_rw(text: str, what: str) -> str:
    t = text.strip()
    if not t:
        return ""
    if not re.fullmatch(r"\d{1,3}", t):
        raise _RowError(what, f"{what.upper()} harus angka, paling banyak 3 digit.",
                        f"{what.upper()} must be a number of at most 3 digits.")
    return t.zfill(3)


def _read_text(data: bytes | str) -> str:
    if isinstance(data, str):
        return data.lstrip("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")  # older Excel exports


def _dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    try:
        return csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t|")
    except csv.Error:
        return csv.excel


def _details(values: dict[str, str]) -> RegistryDetails:
    """The details in this row; a column the file lacks stays None (the stored value stays)."""
    def text(name: str) -> str | None:
        return " ".join(values[name].split()) if name in values else None

    blood = text("blood_type")
    return RegistryDetails(text("education"), blood.upper() if blood is not None else None,
                           text("family_relationship"))


def _check_lengths(resident: Resident, details: RegistryDetails) -> None:
    """The column limits, on every database alike (SQLite would store a longer value and
    PostgreSQL refuse it)."""
    for name, value in (*vars(resident).items(), *vars(details).items()):
        limit = getattr(ResidentRow.__table__.c[name].type, "length", None)
        if isinstance(value, str) and limit and len(value) > limit:
            label = LABELS.get(name, name)
            raise _RowError(name, f"Isian {label} terlalu panjang (paling banyak {limit}).",
                            f"The {label} value is too long (at most {limit}).")


def _resident(values: dict[str, str]) -> Resident:
    get = values.get
    for name in REQUIRED:
        if name == "birth_date" and get("ttl"):
            continue
        if not (get(name) or "").strip():
            label = LABELS.get(name, name)
            raise _RowError(name, f"Kolom {label} kosong.", f"The {label} column is empty.")
    birth_place = (get("birth_place") or "").strip()
    birth_text = (get("birth_date") or "").strip()
    if not birth_text and get("ttl"):
        place, _, when = get("ttl").rpartition(",")
        birth_place = birth_place or place.strip()
        birth_text = when.strip()
    birth = parse_date(birth_text)
    sex = SEX.get(normalise_header(get("sex") or ""))
    if sex is None:
        raise _RowError("sex", "Jenis kelamin harus L/P atau LAKI-LAKI/PEREMPUAN.",
                        "Sex must be L/P or LAKI-LAKI/PEREMPUAN.")
    rt, rw = get("rt") or "", get("rw") or ""
    if get("rt_rw") and not (rt or rw):
        rt, _, rw = get("rt_rw").partition("/")
    kk = re.sub(r"[\s.\-']", "", get("family_card_number") or "")
    if kk and not re.fullmatch(r"\d{16}", kk):
        raise _RowError("family_card_number", "Nomor KK harus 16 angka.",
                        "A family card number has exactly 16 digits.")
    return Resident(
        nik=re.sub(r"[\s.\-']", "", get("nik") or ""),
        name=" ".join((get("name") or "").split()),
        birth_place=birth_place,
        birth_date=birth,
        sex=sex,
        address=(get("address") or "").strip(),
        dusun=(get("dusun") or "").strip(),
        rt=_rt_rw(rt, "rt"),
        rw=_rt_rw(rw, "rw"),
        religion=(get("religion") or "").strip(),
        marital_status=(get("marital_status") or "").strip(),
        occupation=(get("occupation") or "").strip(),
        citizenship=(get("citizenship") or "").strip().upper() or "WNI",
        family_card_number=kk,
    )


def import_residents(session: Session, village_code: str, data: bytes | str) -> ImportResult:
    """Import (add or update by NIK) the residents in a CSV export. Does not commit; each row
    is written in its own savepoint, so a row the database refuses loses only that row."""
    result = ImportResult()
    if session.get(Village, village_code) is None:
        result.errors.append(RowProblem(0, "village", f"Desa {village_code} tidak dikenal.",
                                        f"Unknown village {village_code}."))
        return result
    text = _read_text(data)
    reader = csv.reader(io.StringIO(text, newline=""), _dialect(text))
    header = next(reader, None)
    if not header:
        result.errors.append(RowProblem(0, "file", "Berkas kosong.", "The file is empty."))
        return result
    columns: dict[int, str] = {}
    for i, h in enumerate(header):
        canon = _HEADER.get(normalise_header(h))
        if canon is None or canon in columns.values():
            if h.strip():
                result.ignored_columns.append(h.strip())
            continue
        columns[i] = canon
    present = set(columns.values())
    missing = [n for n in REQUIRED if n not in present and not (n == "birth_date" and "ttl" in
                                                                   present)]
    if missing:
        names = ", ".join(LABELS.get(n, n) for n in missing)
        result.errors.append(RowProblem(1, ",".join(missing), f"Kolom wajib tidak ada: {names}.",
                                        f"Required columns missing: {names}."))
        return result

    seen: dict[str, int] = {}
    for row_number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        values = {canon: cells[i] for i, canon in columns.items() if i < len(cells)}
        try:
            resident = _resident(values)
            details = _details(values)
            _check_lengths(resident, details)
        except _RowError as e:
            result.errors.append(RowProblem(row_number, *e.problem))
            continue
        check = check_nik(resident.nik, known_birth_date=resident.birth_date,
                          known_sex=resident.sex)
        if check.errors:
            for p in check.errors:
                result.errors.append(RowProblem(row_number, "nik", p.id, p.en))
            continue
        if resident.nik in seen:
            result.errors.append(RowProblem(
                row_number, "nik", f"NIK ini sudah ada di baris {seen[resident.nik]}.",
                f"This NIK already appears in row {seen[resident.nik]}."))
            continue
        seen[resident.nik] = row_number
        existing = find_resident(session, village_code, resident.nik)
        if existing is not None and existing.to_resident() == resident \
                and not details.differs_from(existing):
            result.unchanged += 1
            continue
        try:
            with session.begin_nested():
                upsert_resident(session, village_code, resident, details)
        except InvalidNik as e:  # checked above; kept for the day the rules diverge
            for p in e.problems:
                result.errors.append(RowProblem(row_number, "nik", p.id, p.en))
            continue
        except SQLAlchemyError:
            result.errors.append(RowProblem(
                row_number, "row", "Baris ini tidak dapat disimpan (isian terlalu panjang?).",
                "This row could not be stored (a value too long?)."))
            continue
        for p in check.warnings:
            result.warnings.append(RowProblem(row_number, "nik", p.id, p.en))
        if existing is None:
            result.added += 1
        else:
            result.updated += 1
    return result
