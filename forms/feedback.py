"""Complaints (pengaduan) and the satisfaction survey (SKM): the vocabulary kiosk and back office
share, the payloads the kiosk sends, and the one check of what a villager typed.

Complaint: a category, the villager's own words, an optional mobile number; it carries the
resident's NIK so staff can answer, and is answered within RESPONSE_HOURS of receipt (the
Banyuwangi rule). Survey: the nine elements of PermenPANRB 14/2017, each scored 1–4; anonymous —
no NIK, no name, no time of day (a timestamp could be matched to the application just before it).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime

SCHEMA_VERSION = 1
COMPLAINT, SURVEY = "complaint", "survey"  # outbox item kinds (besides "application")
RESPONSE_HOURS = 4  # every complaint answered within 4 hours of receipt
TEXT_MIN, TEXT_MAX = 10, 1000
PHONE_RE = re.compile(r"08[1-9][0-9]{7,10}")  # an Indonesian mobile: 08xx, 10 to 13 digits
NUMBER_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


@dataclass(frozen=True)
class Choice:
    code: str
    id: str
    en: str

    def label(self, language: str = "id") -> str:
        return self.en if language == "en" else self.id


CATEGORIES = (
    Choice("layanan_surat", "Layanan surat", "Letter service"),
    Choice("pelayanan_petugas", "Pelayanan petugas", "Staff service"),
    Choice("fasilitas_kantor", "Fasilitas kantor desa", "Village office facilities"),
    Choice("lainnya", "Lainnya", "Something else"),
)
CATEGORY_CODES = frozenset(c.code for c in CATEGORIES)

# The nine SKM elements (PermenPANRB 14/2017), each as a short plain question.
ELEMENTS = (
    Choice("persyaratan", "Bagaimana persyaratan untuk mengurus surat?",
           "How were the requirements for the letter?"),
    Choice("prosedur", "Bagaimana cara dan langkah mengurus surat?",
           "How were the steps to apply for the letter?"),
    Choice("waktu", "Bagaimana kecepatan waktu pelayanan?", "How was the speed of the service?"),
    Choice("biaya", "Bagaimana kesesuaian biaya pelayanan?",
           "How fair was the cost of the service?"),
    Choice("produk", "Bagaimana kesesuaian surat yang Anda terima?",
           "How well did the letter match what you needed?"),
    Choice("kompetensi", "Bagaimana kemampuan petugas?", "How capable were the staff?"),
    Choice("perilaku", "Bagaimana kesopanan dan keramahan petugas?",
           "How polite and friendly were the staff?"),
    Choice("pengaduan", "Bagaimana penanganan pengaduan dan saran?",
           "How were complaints and suggestions handled?"),
    Choice("sarana", "Bagaimana sarana dan prasarana kantor desa?",
           "How were the village office's facilities?"),
)
ELEMENT_CODES = tuple(e.code for e in ELEMENTS)
# The answer scale, 1 to 4 (SKM's own), each with a picture DejaVu Sans can draw.
ANSWERS = (
    (1, Choice("1", "Tidak baik", "Poor"), "★☆☆☆"),
    (2, Choice("2", "Kurang baik", "Fair"), "★★☆☆"),
    (3, Choice("3", "Baik", "Good"), "★★★☆"),
    (4, Choice("4", "Sangat baik", "Very good"), "★★★★"),
)
SCORES = frozenset(score for score, _, _ in ANSWERS)

_ERRORS = {
    "category": ("Pilih salah satu jenis pengaduan.", "Choose one kind of complaint."),
    "text_short": (f"Tulis pengaduan Anda, paling sedikit {TEXT_MIN} huruf.",
                   f"Write your complaint, at least {TEXT_MIN} letters."),
    "text_long": (f"Pengaduan paling panjang {TEXT_MAX} huruf. Silakan persingkat.",
                  f"A complaint may be at most {TEXT_MAX} letters. Please shorten it."),
    "phone": ("Nomor HP diawali 08 dan terdiri dari 10 sampai 13 angka, atau kosongkan.",
              "A mobile number starts with 08 and has 10 to 13 digits; or leave it empty."),
}


def _error(code: str) -> dict[str, str]:
    id_text, en_text = _ERRORS[code]
    return {"id": id_text, "en": en_text}


def clean_complaint_text(text: str) -> str:
    """Trimmed, lines kept, no control characters (what the villager meant, nothing hidden)."""
    kept = "".join(c for c in text.replace("\r\n", "\n") if c == "\n" or c.isprintable())
    return kept.strip()


def clean_phone(phone: str) -> str:
    return re.sub(r"[\s-]", "", phone)


def validate_complaint(category: str, text: str, phone: str) -> dict[str, dict[str, str]]:
    """Problems by field ("category", "text", "phone"), each in Indonesian and English."""
    problems = {}
    if category not in CATEGORY_CODES:
        problems["category"] = _error("category")
    text = clean_complaint_text(text)
    if len(text) < TEXT_MIN:
        problems["text"] = _error("text_short")
    elif len(text) > TEXT_MAX:
        problems["text"] = _error("text_long")
    phone = clean_phone(phone)
    if phone and not PHONE_RE.fullmatch(phone):
        problems["phone"] = _error("phone")
    return problems


def _aware(value: str) -> datetime:
    when = datetime.fromisoformat(value)
    if when.tzinfo is None:
        raise ValueError("a time without its zone")
    return when


@dataclass(frozen=True)
class Complaint:
    complaint_number: str  # shown to the villager, e.g. "KMR01-261125-P001"
    village_code: str
    kiosk_id: str
    created_at: datetime  # timezone-aware
    nik: str  # the resident's, so staff can answer
    category: str
    text: str
    phone: str = ""
    language: str = "id"
    kind = COMPLAINT

    @property
    def number(self) -> str:
        return self.complaint_number

    def to_dict(self) -> dict:
        return {
            "schema": SCHEMA_VERSION, "complaint_number": self.complaint_number,
            "village_code": self.village_code, "kiosk_id": self.kiosk_id,
            "created_at": self.created_at.isoformat(), "nik": self.nik,
            "category": self.category, "text": self.text, "phone": self.phone,
            "language": self.language,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_dict(cls, d: dict) -> Complaint:
        if d.get("schema") != SCHEMA_VERSION:
            raise ValueError(f"unsupported complaint schema {d.get('schema')!r}")
        return cls(
            complaint_number=str(d["complaint_number"]), village_code=str(d["village_code"]),
            kiosk_id=str(d["kiosk_id"]), created_at=_aware(str(d["created_at"])),
            nik=str(d["nik"]), category=str(d["category"]), text=str(d["text"]),
            phone=str(d.get("phone") or ""), language=str(d.get("language") or "id"),
        )


@dataclass(frozen=True)
class SurveyAnswers:
    """One villager's nine answers; anonymous (see the module's docstring)."""

    survey_id: str  # random, for the outbox and idempotency only
    village_code: str
    kiosk_id: str
    letter: str  # the letter type just applied for
    answered_on: date
    answers: dict[str, int]  # element code → 1..4
    kind = SURVEY

    @property
    def number(self) -> str:
        return self.survey_id

    def to_dict(self) -> dict:
        return {
            "schema": SCHEMA_VERSION, "survey_id": self.survey_id,
            "village_code": self.village_code, "kiosk_id": self.kiosk_id, "letter": self.letter,
            "answered_on": self.answered_on.isoformat(), "answers": dict(self.answers),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)


def survey_problem(answers: dict) -> str | None:
    """Why these are not nine answers 1–4, one per element; None when they are."""
    if not isinstance(answers, dict) or set(answers) != set(ELEMENT_CODES):
        return "every one of the nine elements needs one answer"
    if any(isinstance(v, bool) or v not in SCORES for v in answers.values()):
        return "each answer is 1, 2, 3 or 4"
    return None
