"""The letter catalogue: every letter type is a JSON file in `forms/letters/`.

A letter file says which fields the letter shows, where each comes from (the resident's
identity, or what the villager types at the kiosk), how typed values are checked, the body
text of the letter with `{placeholders}`, and what to bring when collecting it.

A village may keep its own directory of letter files; a file there replaces the built-in
letter with the same `id` (`load_catalogue(extra_dirs=[...])`).

Every file is checked when loaded; a malformed one is refused with `LetterFileError`, whose
message names the file and the field, e.g. ``domisili.json: field 'keperluan': unknown type
'txt'``.
"""

from __future__ import annotations

import json
import re
import string
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from pathlib import Path
from typing import Any

from forms.identity import Resident

LETTERS_DIR = Path(__file__).resolve().parent / "letters"

FIELD_TYPES = ("text", "long_text", "number", "date", "time", "choice")
SOURCES = ("identity", "input")

MONTHS_ID = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip


def format_date_id(d: date) -> str:
    """`date(1958, 8, 12)` → ``"12 Agustus 1958"`` (Indonesian, as printed on letters)."""
    return f"{d.day} {MONTHS_ID[d.month - 1]} {d.year}"


def _dash(value: str) -> str:
    value = (value or "").strip()
    return value if value else "-"


def _address_line(r: Resident) -> str:
    parts = [r.address.strip(), f"RT {r.rt}/RW {r.rw}"]
    if r.dusun.strip():
        parts.append(f"Dusun {r.dusun.strip()}")
    return ", ".join(p for p in parts if p)


# What an identity field's `attribute` may name, and how it is printed (Indonesian).
# Plain `Resident` attributes print as stored; the rest are formatted or composed.
_FORMATTERS: dict[str, Any] = {
    "birth_date": lambda r: format_date_id(r.birth_date),
    "sex": lambda r: r.sex_label("id"),
    "rt_rw": lambda r: r.rt_rw,
    # composed values, as Indonesian letters print them on one line
    "birth_place_date": lambda r: f"{r.birth_place.strip()}, {format_date_id(r.birth_date)}",
    "address_line": _address_line,
}
IDENTITY_ATTRIBUTES: frozenset[str] = frozenset(
    {f.name for f in fields(Resident)} | set(_FORMATTERS)
)

# Placeholders a body may use besides the letter's own field names.
VILLAGE_PLACEHOLDERS = (
    "village_name", "village_kind", "village_code", "district", "regency", "province",
    "head_name", "head_title",
)  # fmt: skip


class LetterFileError(ValueError):
    """A letter file that cannot be used; the message names the file and the field."""

    def __init__(self, message: str, path: Path | None = None):
        super().__init__(message)
        self.path = path


@dataclass(frozen=True)
class Text:
    """A text in Indonesian (`id`) and English (`en`)."""

    id: str
    en: str

    def get(self, language: str = "id") -> str:
        return self.en if language == "en" else self.id


@dataclass(frozen=True)
class Choice:
    value: str  # what is stored in the application
    label: Text  # what the villager sees


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # one of FIELD_TYPES
    label: Text
    help: Text
    source: str  # "identity" or "input"
    attribute: str | None = None  # for source "identity": see IDENTITY_ATTRIBUTES
    required: bool = False
    max_length: int | None = None
    min_length: int | None = None
    pattern: str | None = None  # must match the whole (stripped) value
    pattern_message: Text | None = None  # said when `pattern` does not match
    choices: tuple[Choice, ...] = ()
    min_value: float | None = None  # type "number" only
    max_value: float | None = None

    @property
    def is_identity(self) -> bool:
        return self.source == "identity"

    def choice_label(self, value: str, language: str = "id") -> str:
        for c in self.choices:
            if c.value == value:
                return c.label.get(language)
        return value


@dataclass(frozen=True)
class Letter:
    id: str
    code: str  # OpenSID code, e.g. "S-41"
    title: Text
    fields: tuple[Field, ...]
    body: str  # Indonesian, `{placeholder}`s; a blank line separates paragraphs
    requirements: tuple[Text, ...] = ()  # what to bring when collecting the letter
    source_path: Path | None = field(default=None, compare=False)

    def get_field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    def identity_fields(self) -> list[Field]:
        return [f for f in self.fields if f.source == "identity"]

    def input_fields(self) -> list[Field]:
        return [f for f in self.fields if f.source == "input"]


class Catalogue:
    """The letters a village offers, by id, in a stable order (by title)."""

    def __init__(self, letters: Iterable[Letter]):
        self._by_id: dict[str, Letter] = {}
        for letter in letters:
            self._by_id[letter.id] = letter

    def get(self, letter_id: str) -> Letter:
        try:
            return self._by_id[letter_id]
        except KeyError:
            raise KeyError(f"unknown letter type {letter_id!r}") from None

    def letters(self) -> list[Letter]:
        return sorted(self._by_id.values(), key=lambda x: (x.title.id, x.id))

    def __contains__(self, letter_id: object) -> bool:
        return letter_id in self._by_id

    def __len__(self) -> int:
        return len(self._by_id)


# --------------------------------------------------------------------------- loading

_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_LETTER_KEYS = {"id", "code", "title", "fields", "body", "requirements"}
_LETTER_REQUIRED = {"id", "code", "title", "fields", "body"}
_FIELD_KEYS = {
    "name", "type", "label", "help", "source", "attribute", "required", "max_length",
    "min_length", "pattern", "pattern_message", "choices", "min", "max",
}  # fmt: skip
_COMMON_KEYS = {"name", "type", "label", "help", "source", "attribute", "required"}
_INPUT_ONLY_KEYS = _FIELD_KEYS - _COMMON_KEYS


class _Checker:
    """Builds a `Letter` from parsed JSON, raising `LetterFileError` with a located message."""

    def __init__(self, where: str, path: Path | None):
        self.where = where
        self.path = path

    def fail(self, what: str, problem: str) -> LetterFileError:
        return LetterFileError(f"{self.where}: {what}: {problem}", self.path)

    def text(self, value: Any, what: str) -> Text:
        if not isinstance(value, dict) or set(value) != {"id", "en"}:
            raise self.fail(what, 'must be {"id": ..., "en": ...}')
        for lang in ("id", "en"):
            if not isinstance(value[lang], str) or not value[lang].strip():
                raise self.fail(what, f"'{lang}' must be a non-empty text")
        return Text(value["id"], value["en"])

    def letter(self, data: Any) -> Letter:
        if not isinstance(data, dict):
            raise self.fail("file", "must hold one JSON object")
        unknown = set(data) - _LETTER_KEYS
        if unknown:
            raise self.fail("file", f"unknown key {sorted(unknown)[0]!r}")
        missing = _LETTER_REQUIRED - set(data)
        if missing:
            raise self.fail("file", f"missing key {sorted(missing)[0]!r}")
        letter_id = data["id"]
        if not isinstance(letter_id, str) or not _NAME_RE.match(letter_id):
            raise self.fail("id", f"{letter_id!r} must be lowercase letters, digits and '_'")
        code = data["code"]
        if not isinstance(code, str) or not code.strip():
            raise self.fail("code", "must be a non-empty text such as 'S-41'")
        title = self.text(data["title"], "title")

        raw_fields = data["fields"]
        if not isinstance(raw_fields, list) or not raw_fields:
            raise self.fail("fields", "must be a non-empty list")
        built: list[Field] = []
        for i, raw in enumerate(raw_fields):
            f = self.field(raw, i)
            if any(b.name == f.name for b in built):
                raise self.fail(f"field '{f.name}'", "name used twice")
            built.append(f)

        body = data["body"]
        if not isinstance(body, str) or not body.strip():
            raise self.fail("body", "must be a non-empty text")
        self.placeholders(body, {f.name for f in built})

        requirements: tuple[Text, ...] = ()
        if "requirements" in data:
            req = data["requirements"]
            if not isinstance(req, dict) or set(req) != {"id", "en"}:
                raise self.fail("requirements", 'must be {"id": [...], "en": [...]}')
            ids, ens = req["id"], req["en"]
            if not (isinstance(ids, list) and isinstance(ens, list)):
                raise self.fail("requirements", "'id' and 'en' must be lists")
            if len(ids) != len(ens):
                raise self.fail("requirements", "'id' and 'en' lists differ in length")
            requirements = tuple(
                self.text({"id": a, "en": b}, f"requirements[{k}]")
                for k, (a, b) in enumerate(zip(ids, ens, strict=True))
            )
        return Letter(letter_id, code.strip(), title, tuple(built), body, requirements, self.path)

    def placeholders(self, body: str, field_names: set[str]) -> None:
        allowed = field_names | set(VILLAGE_PLACEHOLDERS)
        try:
            parsed = list(string.Formatter().parse(body))
        except ValueError as e:
            msg = f"bad placeholder ({e}); write {{{{ and }}}} for literal braces"
            raise self.fail("body", msg) from None
        for _, name, spec, conv in parsed:
            if name is None:
                continue
            if name not in allowed:
                raise self.fail("body", f"unknown placeholder {{{name}}}")
            if spec or conv:
                raise self.fail("body", f"placeholder {{{name}}} takes no format")

    def field(self, raw: Any, index: int) -> Field:
        if not isinstance(raw, dict):
            raise self.fail(f"fields[{index}]", "must be an object")
        name = raw.get("name")
        if not isinstance(name, str) or not _NAME_RE.match(name):
            raise self.fail(f"fields[{index}]", f"bad or missing name {name!r}")
        what = f"field '{name}'"
        if name in VILLAGE_PLACEHOLDERS:
            raise self.fail(what, "name is reserved for the village's details")
        unknown = set(raw) - _FIELD_KEYS
        if unknown:
            raise self.fail(what, f"unknown key {sorted(unknown)[0]!r}")
        ftype = raw.get("type")
        if ftype not in FIELD_TYPES:
            raise self.fail(what, f"unknown type {ftype!r}")
        source = raw.get("source")
        if source not in SOURCES:
            raise self.fail(what, f"source must be 'identity' or 'input', not {source!r}")
        if "label" not in raw:
            raise self.fail(what, "missing label")
        label = self.text(raw["label"], f"{what}: label")
        if "help" in raw:
            help_ = self.text(raw["help"], f"{what}: help")
        elif source == "input":
            raise self.fail(what, "missing help (the villager needs it)")
        else:
            help_ = Text("", "")
        required = raw.get("required", False)
        if not isinstance(required, bool):
            raise self.fail(what, "required must be true or false")

        attribute = raw.get("attribute")
        if source == "identity":
            if attribute not in IDENTITY_ATTRIBUTES:
                raise self.fail(what, f"unknown identity attribute {attribute!r}")
            extra = _INPUT_ONLY_KEYS & set(raw)
            if extra:
                raise self.fail(what, f"{sorted(extra)[0]!r} applies to input fields only")
            return Field(name, ftype, label, help_, source, attribute, required)
        if attribute is not None:
            raise self.fail(what, "'attribute' applies to identity fields only")

        def length(key: str) -> int | None:
            v = raw.get(key)
            if v is None:
                return None
            if not isinstance(v, int) or isinstance(v, bool) or v < 0:
                raise self.fail(what, f"{key} must be a whole number ≥ 0, not {v!r}")
            return v

        max_length, min_length = length("max_length"), length("min_length")
        if max_length is not None and min_length is not None and min_length > max_length:
            raise self.fail(what, "min_length is larger than max_length")
        if max_length == 0:
            raise self.fail(what, "max_length must be at least 1")

        pattern = raw.get("pattern")
        if pattern is not None:
            if not isinstance(pattern, str):
                raise self.fail(what, "pattern must be a text")
            try:
                re.compile(pattern)
            except re.error as e:
                raise self.fail(what, f"pattern does not compile ({e})") from None
        pattern_message = None
        if "pattern_message" in raw:
            if pattern is None:
                raise self.fail(what, "pattern_message without pattern")
            pattern_message = self.text(raw["pattern_message"], f"{what}: pattern_message")

        choices: list[Choice] = []
        if ftype == "choice":
            raw_choices = raw.get("choices")
            if not isinstance(raw_choices, list) or not raw_choices:
                raise self.fail(what, "type 'choice' needs a non-empty 'choices' list")
            for c in raw_choices:
                if isinstance(c, str) and c.strip():
                    choices.append(Choice(c, Text(c, c)))
                elif isinstance(c, dict) and set(c) == {"value", "label"}:
                    if not isinstance(c["value"], str) or not c["value"].strip():
                        raise self.fail(what, "a choice value must be a non-empty text")
                    choices.append(Choice(c["value"], self.text(c["label"], f"{what}: choice")))
                else:
                    raise self.fail(what, f'bad choice {c!r}: a text or {{"value", "label"}}')
            values = [c.value for c in choices]
            if len(set(values)) != len(values):
                raise self.fail(what, "a choice is listed twice")
        elif "choices" in raw:
            raise self.fail(what, f"'choices' needs type 'choice', not {ftype!r}")

        bounds: dict[str, float | None] = {"min": None, "max": None}
        for key in bounds:
            if key in raw:
                if ftype != "number":
                    raise self.fail(what, f"'{key}' applies to type 'number' only")
                v = raw[key]
                if not isinstance(v, int | float) or isinstance(v, bool):
                    raise self.fail(what, f"{key} must be a number")
                bounds[key] = v
        return Field(
            name, ftype, label, help_, source, None, required, max_length, min_length,
            pattern, pattern_message, tuple(choices), bounds["min"], bounds["max"],
        )  # fmt: skip


def letter_from_dict(data: Any, where: str = "<letter>", path: Path | None = None) -> Letter:
    """Check parsed JSON and build a `Letter`; `where` starts every error message."""
    return _Checker(where, path).letter(data)


def load_letter_file(path: Path) -> Letter:
    """Read and check one letter file; raises `LetterFileError` naming the file."""
    path = Path(path)
    where = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise LetterFileError(f"{where}: cannot read ({e})", path) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise LetterFileError(
            f"{where}: not valid JSON at line {e.lineno}, column {e.colno}: {e.msg}", path
        ) from None
    return letter_from_dict(data, where, path)


def _load_dir(directory: Path) -> dict[str, Letter]:
    found: dict[str, Letter] = {}
    for path in sorted(directory.glob("*.json")):
        letter = load_letter_file(path)
        if letter.id in found:
            other = found[letter.id].source_path
            raise LetterFileError(
                f"{path.name}: id: {letter.id!r} is also used by {other.name if other else '?'}",
                path,
            )
        found[letter.id] = letter
    return found


def load_catalogue(extra_dirs: Sequence[Path] = ()) -> Catalogue:
    """Every letter in `forms/letters`, then each of `extra_dirs` in order; a later file with
    the same id replaces the earlier one (a village's own wording of a letter)."""
    letters = _load_dir(LETTERS_DIR)
    for d in extra_dirs:
        d = Path(d)
        if not d.is_dir():
            raise LetterFileError(f"{d}: letter directory not found", d)
        letters.update(_load_dir(d))
    return Catalogue(letters.values())


# --------------------------------------------------------------------------- prefill


def identity_value(resident: Resident, attribute: str) -> str:
    """How an identity attribute is printed on a letter (Indonesian); "-" when empty."""
    if attribute in _FORMATTERS:
        return _dash(_FORMATTERS[attribute](resident))
    if attribute not in IDENTITY_ATTRIBUTES:
        raise KeyError(attribute)
    value = getattr(resident, attribute)
    if isinstance(value, date):
        return format_date_id(value)
    return _dash(str(value))


def prefill(letter: Letter, resident: Resident) -> list[tuple[Field, str]]:
    """Each identity field of `letter` with the resident's value as the letter prints it."""
    return [(f, identity_value(resident, f.attribute or "")) for f in letter.identity_fields()]


def display_value(f: Field, value: str) -> str:
    """How a (valid) typed value is printed on the letter: dates and choices in Indonesian."""
    value = (value or "").strip()
    if not value:
        return "-"
    if f.type == "date":
        try:
            return format_date_id(date.fromisoformat(value))
        except ValueError:
            return value
    if f.type == "time":
        return value.replace(":", ".")  # Indonesian writes 09.30
    if f.type == "choice":
        return f.choice_label(value, "id")
    return value


# --------------------------------------------------------------------------- validation

_ALLOWED_NEWLINE_TYPES = ("long_text",)


def _bad_char(ch: str, ftype: str) -> bool:
    if ch == "\n" and ftype in _ALLOWED_NEWLINE_TYPES:
        return False
    # Cc: control characters; Cf: invisible format marks (bidi overrides, zero-width);
    # Cs/Co/Cn: surrogates, private use, unassigned.
    return unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn")


def clean_value(f: Field, value: str) -> str:
    """The value as stored: NFC, surrounding whitespace removed, CRLF as LF."""
    value = unicodedata.normalize("NFC", value.replace("\r\n", "\n"))
    return value.strip()


def clean_values(letter: Letter, values: Mapping[str, str]) -> dict[str, str]:
    """The villager's values for the letter's input fields, cleaned (see `clean_value`).
    Call after `validate` found no errors; unknown keys are dropped."""
    out = {}
    for f in letter.input_fields():
        v = values.get(f.name)
        out[f.name] = clean_value(f, v) if isinstance(v, str) else ""
    return out


def _msg(id_: str, en: str) -> dict[str, str]:
    return {"id": id_, "en": en}


def _check_one(f: Field, raw: Any) -> dict[str, str] | None:
    lid, len_ = f.label.id, f.label.en
    if raw is None:
        raw = ""
    if not isinstance(raw, str):
        return _msg(
            f"{lid} tidak terbaca. Silakan isi lagi.",
            f"{len_} could not be read. Please fill it in again.",
        )
    value = clean_value(f, raw)
    if any(_bad_char(ch, f.type) for ch in value):
        return _msg(
            f"{lid} berisi tanda yang tidak boleh dipakai. Silakan ketik ulang.",
            f"{len_} contains characters that are not allowed. Please type it again.",
        )
    if not value:
        if f.required:
            return _msg(f"{lid} wajib diisi.", f"{len_} is required.")
        return None
    n = len(value)
    if f.max_length is not None and n > f.max_length:
        return _msg(
            f"{lid} terlalu panjang: paling banyak {f.max_length} huruf (sekarang {n}).",
            f"{len_} is too long: at most {f.max_length} characters (now {n}).",
        )
    if f.min_length is not None and n < f.min_length:
        return _msg(
            f"{lid} terlalu pendek: paling sedikit {f.min_length} huruf (sekarang {n}).",
            f"{len_} is too short: at least {f.min_length} characters (now {n}).",
        )
    if f.type == "number":
        try:
            number = float(value.replace(",", "."))
        except ValueError:
            return _msg(f"{lid} harus berupa angka.", f"{len_} must be a number.")
        if f.min_value is not None and number < f.min_value:
            return _msg(
                f"{lid} paling kecil {f.min_value:g}.", f"{len_} must be at least {f.min_value:g}."
            )
        if f.max_value is not None and number > f.max_value:
            return _msg(
                f"{lid} paling besar {f.max_value:g}.", f"{len_} must be at most {f.max_value:g}."
            )
    elif f.type == "date":
        try:
            date.fromisoformat(value)
        except ValueError:
            return _msg(f"{lid} bukan tanggal yang benar.", f"{len_} is not a valid date.")
    elif f.type == "time":
        try:
            datetime.strptime(value, "%H:%M")
        except ValueError:
            return _msg(
                f"{lid} bukan jam yang benar. Contoh: 09:30.",
                f"{len_} is not a valid time. Example: 09:30.",
            )
    elif f.type == "choice" and value not in {c.value for c in f.choices}:
        return _msg(f"Pilih {lid} dari daftar.", f"Please choose {len_} from the list.")
    if f.pattern is not None and not re.fullmatch(f.pattern, value):
        if f.pattern_message is not None:
            return _msg(f.pattern_message.id, f.pattern_message.en)
        return _msg(f"Isian {lid} tidak sesuai contoh.", f"{len_} is not in the expected form.")
    return None


def validate(letter: Letter, values: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """Check what the villager typed for `letter`'s input fields.

    Returns field name → {"id": ..., "en": ...} (one short sentence each); empty when valid.
    Keys that are not input fields of this letter are refused under their own name.
    """
    errors: dict[str, dict[str, str]] = {}
    inputs = {f.name: f for f in letter.input_fields()}
    for key in values:
        if key in inputs:
            continue
        if any(f.name == key for f in letter.fields):
            errors[key] = _msg(
                f"Isian '{key}' diambil dari KTP dan tidak bisa diubah di sini.",
                f"'{key}' comes from the ID card and cannot be changed here.",
            )
        else:
            errors[key] = _msg(
                f"Isian '{key}' tidak ada pada surat ini.",
                f"This letter has no field '{key}'.",
            )
    for name, f in inputs.items():
        problem = _check_one(f, values.get(name))
        if problem is not None:
            errors[name] = problem
    return errors
