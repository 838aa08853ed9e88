"""The letter catalogue: every letter type is a JSON file in `forms/letters/`.

A letter file says which fields the letter shows, where each comes from (the resident's
identity, or what the villager types at the kiosk), how typed values are checked, the body
text of the letter with `{placeholders}`, and what to bring when collecting it.
`forms/README.md` describes the format key by key.

A village may keep its own directory of letter files (`load_catalogue(extra_dirs=[...])`):
a file there replaces the letter with the same `id`, or changes only some of its wording
(`"extends"`), or switches a letter off (`"disabled": true`).

Every file is checked when loaded; a malformed one is refused with `LetterFileError`, whose
message names the file and the field, e.g. ``domisili.json: field 'keperluan': unknown type
'txt'``.

Typed values are stored in one exact form each: dates `DD-MM-YYYY`, times `HH:MM` (24 hours),
numbers as digits (a villager may type `1.500.000`; it is stored as `1500000`). `display_value`
prints them the Indonesian way (`17 Agustus 2025`, `09.30`, `1.500.000`).
"""

from __future__ import annotations

import copy
import json
import re
import string
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from forms.identity import Resident

LETTERS_DIR = Path(__file__).resolve().parent / "letters"

FIELD_TYPES = ("text", "long_text", "number", "date", "time", "choice")
SOURCES = ("identity", "input")

# Pictures the kiosk's letter menu knows; a letter file names one of them in "icon".
ICONS = (
    "house", "money", "police", "shop", "building", "document", "person", "search", "ticket",
    "bag", "id-card", "school", "baby", "flower", "cross", "truck", "ring", "heart",
)  # fmt: skip

MONTHS_ID = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip

DATE_EXAMPLE = "17-08-2025"
TIME_EXAMPLE = "09:30"
_DATE_RE = re.compile(r"^([0-9]{2})-([0-9]{2})-([0-9]{4})$")
_TIME_RE = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$")
_NUMBER_RE = re.compile(r"^(?:[0-9]+|[0-9]{1,3}(?:\.[0-9]{3})+)$")  # 1500000 or 1.500.000
_RELATIVE_RE = re.compile(r"^today(?:([+-])([0-9]{1,5}))?$")


def format_date_id(d: date) -> str:
    """`date(1958, 8, 12)` → ``"12 Agustus 1958"`` (Indonesian, as printed on letters)."""
    return f"{d.day} {MONTHS_ID[d.month - 1]} {d.year}"


def parse_date(value: str) -> date:
    """A typed date in the stored form `DD-MM-YYYY`; `ValueError` for anything else."""
    m = _DATE_RE.match(value.strip())
    if not m:
        raise ValueError(f"not a DD-MM-YYYY date: {value!r}")
    day, month, year = (int(x) for x in m.groups())
    return date(year, month, day)


def format_date_input(d: date) -> str:
    """A date in the stored (typed) form: `date(2025, 8, 17)` → ``"17-08-2025"``."""
    return f"{d.day:02d}-{d.month:02d}-{d.year:04d}"


def parse_time(value: str) -> tuple[int, int]:
    """A typed time in the stored form `HH:MM` (24 hours) → (hour, minute)."""
    m = _TIME_RE.match(value.strip())
    if not m:
        raise ValueError(f"not an HH:MM time: {value!r}")
    return int(m.group(1)), int(m.group(2))


def parse_number(value: str) -> int:
    """A typed whole number: digits, optionally grouped by dots (`1.500.000`)."""
    value = value.strip()
    if not _NUMBER_RE.match(value):
        raise ValueError(f"not a whole number: {value!r}")
    return int(value.replace(".", ""))


def format_number_id(n: float) -> str:
    """`1500000` → ``"1.500.000"`` (Indonesian thousands separator)."""
    return f"{int(n):,}".replace(",", ".")


def _format_number_en(n: float) -> str:
    return f"{int(n):,}"


def resolve_date_bound(spec: str, today: date) -> date:
    """A date bound from a letter file: ``"today"``, ``"today+30"``, ``"today-365"`` or a
    fixed `DD-MM-YYYY` date."""
    m = _RELATIVE_RE.match(spec)
    if m:
        days = int(m.group(2) or 0)
        return today + timedelta(days=-days if m.group(1) == "-" else days)
    return parse_date(spec)


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
    max_length: int | None = None  # types "text" and "long_text"
    min_length: int | None = None
    pattern: str | None = None  # must match the whole (stripped) value; text types only
    pattern_message: Text | None = None  # said when `pattern` does not match
    choices: tuple[Choice, ...] = ()
    min_value: float | None = None  # type "number" only
    max_value: float | None = None
    min_date: str | None = None  # type "date": "today", "today-365", "today+30" or DD-MM-YYYY
    max_date: str | None = None
    example: str | None = None  # a valid value (checked when loaded); used by `sample_values`

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
    summary: Text | None = None  # one plain line: what the letter is for (letter menu)
    icon: str | None = None  # one of ICONS, for the letter menu
    notes: str = ""  # for clerks and developers: what was trimmed, where wording comes from

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
_LETTER_KEYS = {
    "id", "code", "title", "summary", "icon", "notes", "fields", "body", "requirements",
}  # fmt: skip
_LETTER_REQUIRED = {"id", "code", "title", "fields", "body"}
_OVERRIDE_KEYS = (_LETTER_KEYS - {"id"}) | {"extends"}  # besides "id" (optional there)
_DISABLE_KEYS = {"id", "disabled", "notes"}
_FIELD_KEYS = {
    "name", "type", "label", "help", "source", "attribute", "required", "max_length",
    "min_length", "pattern", "pattern_message", "choices", "min", "max", "example",
}  # fmt: skip
_COMMON_KEYS = {"name", "type", "label", "help", "source", "attribute", "required"}
_INPUT_ONLY_KEYS = _FIELD_KEYS - _COMMON_KEYS
_TEXT_TYPES = ("text", "long_text")
# What a village's partial file ("extends") may not change in an existing field: the kind of
# value and where it comes from stay as the letter defines them.
_FIXED_FIELD_KEYS = ("type", "source", "attribute")


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
        for key in ("extends", "disabled"):
            if key in data:
                raise self.fail("file", f"{key!r} is only for a village's own letter directory")
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
        summary = self.text(data["summary"], "summary") if "summary" in data else None
        if summary is not None and ("\n" in summary.id or "\n" in summary.en):
            raise self.fail("summary", "must be one line")
        icon = data.get("icon")
        if icon is not None and icon not in ICONS:
            raise self.fail("icon", f"unknown icon {icon!r}; one of: {', '.join(ICONS)}")
        notes = data.get("notes", "")
        if not isinstance(notes, str):
            raise self.fail("notes", "must be a text")

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
        return Letter(
            letter_id, code.strip(), title, tuple(built), body, requirements, self.path,
            summary=summary, icon=icon, notes=notes,
        )  # fmt: skip

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
            if ftype not in _TEXT_TYPES:
                raise self.fail(what, f"'{key}' applies to types 'text' and 'long_text' only")
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
            if ftype not in _TEXT_TYPES:
                raise self.fail(what, "'pattern' applies to types 'text' and 'long_text' only")
            if not isinstance(pattern, str):
                raise self.fail(what, "pattern must be a text")
            try:
                re.compile(pattern)
            except re.error as e:
                raise self.fail(what, f"pattern does not compile ({e})") from None
            if "example" not in raw:
                raise self.fail(what, "a field with a pattern needs an 'example' that matches")
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

        bounds: dict[str, Any] = {"min": None, "max": None}
        for key in bounds:
            if key not in raw:
                continue
            v = raw[key]
            if ftype == "number":
                if not isinstance(v, int | float) or isinstance(v, bool):
                    raise self.fail(what, f"{key} must be a number")
            elif ftype == "date":
                if not isinstance(v, str) or not self._date_bound_ok(v):
                    raise self.fail(
                        what,
                        f"{key} must be 'today', 'today+N', 'today-N' (days) or a DD-MM-YYYY "
                        f"date, not {v!r}",
                    )
            else:
                raise self.fail(what, f"'{key}' applies to types 'number' and 'date' only")
            bounds[key] = v
        lo, hi = bounds["min"], bounds["max"]
        if lo is not None and hi is not None:
            if ftype == "number" and lo > hi:
                raise self.fail(what, "min is larger than max")
            if ftype == "date":
                anchor = date(2000, 1, 1)  # relative bounds compare the same on any day
                if resolve_date_bound(lo, anchor) > resolve_date_bound(hi, anchor):
                    raise self.fail(what, "min is later than max")

        is_number = ftype == "number"
        built = Field(
            name, ftype, label, help_, source, None, required, max_length, min_length,
            pattern, pattern_message, tuple(choices),
            lo if is_number else None, hi if is_number else None,
            None if is_number else lo, None if is_number else hi,
        )  # fmt: skip
        if "example" in raw:
            example = raw["example"]
            if not isinstance(example, str) or not example.strip():
                raise self.fail(what, "example must be a non-empty text")
            # Date ranges move with the calendar; the example is checked for its form only.
            problem = _check_one(replace(built, min_date=None, max_date=None), example, None)
            if problem is not None:
                raise self.fail(what, f"example {example!r} is refused: {problem['en']}")
            built = replace(built, example=example)
        return built

    @staticmethod
    def _date_bound_ok(spec: str) -> bool:
        if _RELATIVE_RE.match(spec):
            return True
        try:
            parse_date(spec)
        except ValueError:
            return False
        return True


def letter_from_dict(data: Any, where: str = "<letter>", path: Path | None = None) -> Letter:
    """Check parsed JSON and build a `Letter`; `where` starts every error message."""
    return _Checker(where, path).letter(data)


def _text_dict(t: Text) -> dict[str, str]:
    return {"id": t.id, "en": t.en}


def field_to_dict(f: Field) -> dict[str, Any]:
    """A field as its letter file writes it (inverse of the schema check)."""
    out: dict[str, Any] = {"name": f.name, "type": f.type, "source": f.source}
    if f.attribute is not None:
        out["attribute"] = f.attribute
    out["required"] = f.required
    out["label"] = _text_dict(f.label)
    if f.help.id or f.help.en:
        out["help"] = _text_dict(f.help)
    optional = {
        "max_length": f.max_length,
        "min_length": f.min_length,
        "pattern": f.pattern,
        "pattern_message": _text_dict(f.pattern_message) if f.pattern_message else None,
        "choices": [{"value": c.value, "label": _text_dict(c.label)} for c in f.choices] or None,
        "min": f.min_value if f.type == "number" else f.min_date,
        "max": f.max_value if f.type == "number" else f.max_date,
        "example": f.example,
    }
    out.update({k: v for k, v in optional.items() if v is not None})
    return out


def letter_to_dict(letter: Letter) -> dict[str, Any]:
    """A letter as its file writes it; `letter_from_dict(letter_to_dict(x)) == x`."""
    out: dict[str, Any] = {"id": letter.id, "code": letter.code, "title": _text_dict(letter.title)}
    if letter.summary is not None:
        out["summary"] = _text_dict(letter.summary)
    if letter.icon is not None:
        out["icon"] = letter.icon
    if letter.notes:
        out["notes"] = letter.notes
    out["fields"] = [field_to_dict(f) for f in letter.fields]
    out["body"] = letter.body
    if letter.requirements:
        out["requirements"] = {
            "id": [t.id for t in letter.requirements],
            "en": [t.en for t in letter.requirements],
        }
    return out


def _read_json(path: Path) -> Any:
    where = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise LetterFileError(f"{where}: cannot read ({e})", path) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise LetterFileError(
            f"{where}: not valid JSON at line {e.lineno}, column {e.colno}: {e.msg}", path
        ) from None


def load_letter_file(path: Path) -> Letter:
    """Read and check one complete letter file; raises `LetterFileError` naming the file.

    (A village's partial file, with `extends` or `disabled`, needs the letters it changes:
    load it through `load_catalogue`.)"""
    path = Path(path)
    return letter_from_dict(_read_json(path), path.name, path)


def _merge_override(base: Letter, data: dict[str, Any], ck: _Checker) -> dict[str, Any]:
    """The base letter's file with a village's partial file laid over it (see README)."""
    merged = letter_to_dict(base)
    merged["id"] = data.get("id", base.id)
    for key in _LETTER_KEYS - {"id", "fields"}:
        if key in data:
            merged[key] = data[key]
    if "fields" not in data:
        return merged
    overrides = data["fields"]
    if not isinstance(overrides, list):
        raise ck.fail("fields", "must be a list of changed or added fields")
    by_name = {f["name"]: f for f in merged["fields"]}
    seen: set[str] = set()
    for i, raw in enumerate(overrides):
        if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
            raise ck.fail(f"fields[{i}]", "must be an object with a 'name'")
        name = raw["name"]
        what = f"field '{name}'"
        if name in seen:
            raise ck.fail(what, "name used twice")
        seen.add(name)
        if name not in by_name:
            # a new field: complete, typed by the villager (identity fields stay as they are)
            if raw.get("source") == "identity":
                raise ck.fail(what, f"a village file cannot add identity fields to {base.id!r}")
            merged["fields"].append(copy.deepcopy(raw))
            continue
        target = by_name[name]
        for key in _FIXED_FIELD_KEYS:
            if key in raw and raw[key] != target.get(key):
                problem = f"a village file cannot change {key!r} (only wording and checks)"
                raise ck.fail(what, problem)
        for key, value in raw.items():
            if value is None:  # "max_length": null removes a check
                target.pop(key, None)
            else:
                target[key] = copy.deepcopy(value)
    return merged


def _load_dir(directory: Path, known: dict[str, Letter]) -> dict[str, Letter]:
    """The letters after applying `directory` to `known` (earlier directories).

    Complete files first, then partial files (`extends`) which may build on letters from
    earlier directories or on this directory's complete files, then `disabled` files."""
    files = [(p, _read_json(p)) for p in sorted(directory.glob("*.json"))]
    owner: dict[str, Path] = {}

    def claim(letter_id: Any, path: Path) -> None:
        if isinstance(letter_id, str) and letter_id in owner:
            raise LetterFileError(
                f"{path.name}: id: {letter_id!r} is also used by {owner[letter_id].name}", path
            )
        owner[letter_id] = path

    def kind(data: Any) -> int:
        if isinstance(data, dict) and "disabled" in data:
            return 2
        if isinstance(data, dict) and "extends" in data:
            return 1
        return 0

    result = dict(known)
    for path, data in sorted(files, key=lambda pd: kind(pd[1])):
        ck = _Checker(path.name, path)
        k = kind(data)
        if k == 0:
            letter = ck.letter(data)
            claim(letter.id, path)
            result[letter.id] = letter
        elif k == 1:
            unknown = set(data) - _OVERRIDE_KEYS - {"id"}
            if unknown:
                raise ck.fail("file", f"unknown key {sorted(unknown)[0]!r}")
            base_id = data["extends"]
            if not isinstance(base_id, str) or base_id not in result:
                raise ck.fail("extends", f"no letter {base_id!r} to extend")
            merged = _merge_override(result[base_id], data, ck)
            letter = ck.letter(merged)
            claim(letter.id, path)
            base = result[base_id]
            if letter.id == base_id and [
                (f.name, f.attribute) for f in letter.identity_fields()
            ] != [(f.name, f.attribute) for f in base.identity_fields()]:
                raise ck.fail("fields", "identity fields must stay as the extended letter has them")
            result[letter.id] = letter
        else:
            unknown = set(data) - _DISABLE_KEYS
            if unknown:
                raise ck.fail("file", f"a disabling file holds only id, disabled and notes, not "
                              f"{sorted(unknown)[0]!r}")  # fmt: skip
            if data["disabled"] is not True:
                raise ck.fail("disabled", "must be true (delete the file to enable the letter)")
            letter_id = data.get("id")
            if letter_id not in result:
                raise ck.fail("id", f"no letter {letter_id!r} to disable")
            claim(letter_id, path)
            del result[letter_id]
    return result


def load_catalogue(extra_dirs: Sequence[Path] = ()) -> Catalogue:
    """Every letter in `forms/letters`, then each of `extra_dirs` in order (a village's own
    letters). In a later directory, a complete file with the same id replaces the letter; a
    file with `"extends": "<id>"` changes only the keys it gives; a file `{"id": "<id>",
    "disabled": true}` removes the letter. Every resulting letter passes the same schema check,
    and errors name the file that caused them."""
    letters = _load_dir(LETTERS_DIR, {})
    for d in extra_dirs:
        d = Path(d)
        if not d.is_dir():
            raise LetterFileError(f"{d}: letter directory not found", d)
        letters = _load_dir(d, letters)
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
    """How a (valid) typed value is printed on the letter, the Indonesian way: dates as
    ``17 Agustus 2025``, times as ``09.30``, numbers as ``1.500.000``, choices by label."""
    value = (value or "").strip()
    if not value:
        return "-"
    try:
        if f.type == "date":
            return format_date_id(parse_date(value))
        if f.type == "time":
            hour, minute = parse_time(value)
            return f"{hour:02d}.{minute:02d}"
        if f.type == "number":
            return format_number_id(parse_number(value))
    except ValueError:
        return value
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
    """The value as stored: NFC, surrounding whitespace removed, CRLF as LF; a number as plain
    digits (`1.500.000` → `1500000`)."""
    value = unicodedata.normalize("NFC", value.replace("\r\n", "\n")).strip()
    if f.type == "number":
        try:
            return str(parse_number(value))
        except ValueError:
            return value
    return value


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


def _check_date_range(f: Field, d: date, today: date) -> dict[str, str] | None:
    lid, len_ = f.label.id, f.label.en
    if f.min_date is not None:
        lo = resolve_date_bound(f.min_date, today)
        if d < lo:
            if lo == today:
                return _msg(
                    f"{lid} tidak boleh sebelum hari ini.", f"{len_} cannot be before today."
                )
            return _msg(
                f"{lid} paling awal {format_date_input(lo)}.",
                f"{len_} must be on or after {format_date_input(lo)}.",
            )
    if f.max_date is not None:
        hi = resolve_date_bound(f.max_date, today)
        if d > hi:
            if hi == today:
                return _msg(
                    f"{lid} tidak boleh melewati hari ini.", f"{len_} cannot be after today."
                )
            return _msg(
                f"{lid} paling lambat {format_date_input(hi)}.",
                f"{len_} must be on or before {format_date_input(hi)}.",
            )
    return None


def _check_one(f: Field, raw: Any, today: date | None) -> dict[str, str] | None:
    """The message for one field's value, or None; `today` None skips date ranges."""
    lid, len_ = f.label.id, f.label.en
    if raw is None:
        raw = ""
    if not isinstance(raw, str):
        return _msg(
            f"{lid} tidak terbaca. Silakan isi lagi.",
            f"{len_} could not be read. Please fill it in again.",
        )
    value = unicodedata.normalize("NFC", raw.replace("\r\n", "\n")).strip()
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
            number = parse_number(value)
        except ValueError:
            return _msg(
                f"{lid} harus berupa angka saja, tanpa huruf atau koma. Contoh: 1500000.",
                f"{len_} must be a whole number, digits only. Example: 1500000.",
            )
        if f.min_value is not None and number < f.min_value:
            return _msg(
                f"{lid} paling kecil {format_number_id(f.min_value)}.",
                f"{len_} must be at least {_format_number_en(f.min_value)}.",
            )
        if f.max_value is not None and number > f.max_value:
            return _msg(
                f"{lid} paling besar {format_number_id(f.max_value)}.",
                f"{len_} must be at most {_format_number_en(f.max_value)}.",
            )
    elif f.type == "date":
        try:
            d = parse_date(value)
        except ValueError:
            return _msg(
                f"{lid} belum benar. Tulis tanggal-bulan-tahun, contoh: {DATE_EXAMPLE}.",
                f"{len_} is not a valid date. Write day-month-year, for example {DATE_EXAMPLE}.",
            )
        if today is not None:
            return _check_date_range(f, d, today)
    elif f.type == "time":
        try:
            parse_time(value)
        except ValueError:
            return _msg(
                f"{lid} belum benar. Tulis jam:menit (00:00 sampai 23:59), contoh: {TIME_EXAMPLE}.",
                f"{len_} is not a valid time. Write hours:minutes (00:00 to 23:59), for example "
                f"{TIME_EXAMPLE}.",
            )
    elif f.type == "choice" and value not in {c.value for c in f.choices}:
        return _msg(f"Pilih {lid} dari daftar.", f"Please choose {len_} from the list.")
    if f.pattern is not None and not re.fullmatch(f.pattern, value):
        if f.pattern_message is not None:
            return _msg(f.pattern_message.id, f.pattern_message.en)
        return _msg(f"Isian {lid} tidak sesuai contoh.", f"{len_} is not in the expected form.")
    return None


def validate(
    letter: Letter, values: Mapping[str, str], today: date | None = None
) -> dict[str, dict[str, str]]:
    """Check what the villager typed for `letter`'s input fields.

    Returns field name → {"id": ..., "en": ...} (one short sentence each); empty when valid.
    Keys that are not input fields of this letter are refused under their own name.
    Date ranges ("not after today") are measured from `today` (default: `date.today()`);
    the back office should pass the day the application was made.
    """
    today = today or date.today()
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
        problem = _check_one(f, values.get(name), today)
        if problem is not None:
            errors[name] = problem
    # A value the letter's font cannot draw would print as empty boxes: refuse it here, so the
    # kiosk and the back office need only this one check. (Imported late: the font coverage
    # belongs to the renderer, which imports this module.)
    from forms.layout import printable_errors

    for name, problem in printable_errors(letter, values).items():
        errors.setdefault(name, problem)
    return errors


# --------------------------------------------------------------------------- samples


def _sample_date(f: Field, today: date) -> str:
    lo = resolve_date_bound(f.min_date, today) if f.min_date else None
    hi = resolve_date_bound(f.max_date, today) if f.max_date else None
    if f.example is not None:
        d = parse_date(f.example)
        if (lo is None or d >= lo) and (hi is None or d <= hi):
            return f.example
    if lo is not None and lo > today:
        d = lo + timedelta(days=7)
    elif hi is not None and hi < today:
        d = hi - timedelta(days=7)
    else:
        d = today - timedelta(days=30) if lo is None or lo < today else today + timedelta(days=7)
    if hi is not None and d > hi:
        d = hi
    if lo is not None and d < lo:
        d = lo
    return format_date_input(d)


def _sample_text(f: Field) -> str:
    value = f"Contoh {f.label.id.lower()}"
    if f.max_length is not None:
        value = value[: f.max_length].strip()
    if f.min_length is not None and len(value) < f.min_length:
        value = value + "x" * (f.min_length - len(value))
    return value


def sample_value(f: Field, today: date | None = None) -> str:
    """A value `validate` accepts for input field `f` (the file's `example` where it fits)."""
    today = today or date.today()
    if f.type == "date":
        return _sample_date(f, today)
    if f.example is not None:
        return f.example
    if f.type == "choice":
        return f.choices[0].value
    if f.type == "time":
        return TIME_EXAMPLE
    if f.type == "number":
        n = 1 if f.min_value is None else int(f.min_value)
        if f.min_value is not None and n < f.min_value:
            n += 1
        if f.max_value is not None and n > f.max_value:
            n = int(f.max_value)
        return str(n)
    return _sample_text(f)


def sample_values(letter: Letter, today: date | None = None) -> dict[str, str]:
    """Valid values for every input field of `letter` (optional ones too), built from the
    field definitions: for tests, the renderer's samples and the kiosk tour."""
    return {f.name: sample_value(f, today) for f in letter.input_fields()}
