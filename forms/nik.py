"""NIK (Nomor Induk Kependudukan) rules, shared by the kiosk and the back office.

`PP RR SS DDMMYY NNNN`: province, regency, district where the number was first issued; birth
date with **day + 40 for women**; a serial from 0001. There is no check digit.

python-stdnum's `stdnum.id.nik` knows the province and regency codes (its `id/loc` database),
and we use that. It also gets two things wrong for our use, which this module does itself:
its birth date tries 19xx before 20xx (a NIK of someone born in 2001 gives 1901), and an unknown
region code makes the number invalid — but new regencies appear and the database lags, so here
an unknown region is a *warning* for staff, never a refusal. It checks only the province, and
accepts serial 0000.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from stdnum import numdb

NIK_RE = re.compile(r"^[0-9]{16}$")


@dataclass(frozen=True)
class NikProblem:
    code: str
    id: str  # a plain Indonesian sentence
    en: str


@dataclass(frozen=True)
class NikCheck:
    """The result of reading a NIK: refusals (`errors`) and things to look at (`warnings`)."""

    nik: str
    errors: tuple[NikProblem, ...] = ()
    warnings: tuple[NikProblem, ...] = ()
    sex: str | None = None  # "L" or "P", from the birth day
    birth_date: date | None = None
    province: str | None = None  # name, when the code is known
    regency: str | None = None
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def valid(self) -> bool:
        return not self.errors


def _problem(code: str, id_: str, en: str) -> NikProblem:
    return NikProblem(code, id_, en)


def resolve_century(yy: int, month: int, day: int, today: date) -> date:
    """The birth date for a two-digit year: the most recent one not in the future.

    Babies get a NIK at birth, so `yy` no later than this year means 20yy; the rare
    centenarian whose NIK says `25` is resolved wrongly and is why the registry's own birth
    date is authoritative (pass it as `known_birth_date` to `check_nik`).
    """
    candidate = date(2000 + yy, month, day)
    return candidate if candidate <= today else date(1900 + yy, month, day)


def check_nik(
    raw: str,
    *,
    today: date | None = None,
    known_birth_date: date | None = None,
    known_sex: str | None = None,
) -> NikCheck:
    """Check a NIK; compare with the registry's birth date and sex when they are known."""
    today = today or date.today()
    nik = re.sub(r"[\s.\-]", "", raw or "")
    if not NIK_RE.match(nik):
        return NikCheck(nik, errors=(_problem(
            "nik_format", "NIK harus 16 angka.", "A NIK has exactly 16 digits."),))

    errors: list[NikProblem] = []
    warnings: list[NikProblem] = []
    day, month, yy = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    sex = "P" if day > 40 else "L"
    day = day - 40 if day > 40 else day
    birth: date | None = None
    try:
        if known_birth_date and (known_birth_date.year % 100, known_birth_date.month,
                                 known_birth_date.day) == (yy, month, day):
            birth = known_birth_date
        else:
            birth = resolve_century(yy, month, day, today)
    except ValueError:
        errors.append(_problem(
            "nik_birth_date",
            "Tanggal lahir di dalam NIK tidak mungkin (hari atau bulan salah).",
            "The birth date inside the NIK is impossible (wrong day or month).",
        ))
    if nik[12:] == "0000":
        errors.append(_problem(
            "nik_serial", "Nomor urut NIK tidak boleh 0000.", "A NIK's serial cannot be 0000."))

    if birth and known_birth_date and birth != known_birth_date:
        warnings.append(_problem(
            "nik_birth_mismatch",
            "Tanggal lahir di NIK berbeda dengan tanggal lahir di data kependudukan.",
            "The birth date in the NIK differs from the registry's birth date.",
        ))
    if known_sex and known_sex != sex:
        warnings.append(_problem(
            "nik_sex_mismatch",
            "Jenis kelamin menurut NIK berbeda dengan data kependudukan.",
            "The sex implied by the NIK differs from the registry.",
        ))

    province = regency = None
    parts = numdb.get("id/loc").info(nik[:4])
    if parts and parts[0][1]:
        province = parts[0][1].get("name_id")
        if len(parts) > 1 and parts[1][1]:
            regency = parts[1][1].get("name_id")
    if province is None:
        warnings.append(_problem(
            "nik_province_unknown",
            "Kode provinsi di NIK tidak dikenal; mohon periksa kembali.",
            "The province code in the NIK is not known; please double-check it.",
        ))
    elif regency is None:
        warnings.append(_problem(
            "nik_regency_unknown",
            "Kode kabupaten/kota di NIK tidak dikenal; mohon periksa kembali.",
            "The regency code in the NIK is not known; please double-check it.",
        ))
    if nik[4:6] == "00":
        warnings.append(_problem(
            "nik_district_unknown",
            "Kode kecamatan di NIK tidak dikenal; mohon periksa kembali.",
            "The district code in the NIK is not known; please double-check it.",
        ))
    return NikCheck(nik, tuple(errors), tuple(warnings), sex, birth, province, regency)


def mask_nik(nik: str) -> str:
    """For public pages and receipts: region and serial hidden, e.g. `3510********0003`."""
    return nik[:4] + "*" * 8 + nik[12:] if len(nik) == 16 else "*" * len(nik)
