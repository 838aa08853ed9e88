"""The kiosk's texts in the villager's language, through Qt Linguist.

Indonesian is the source language: every sentence the kiosk says is written once, in
`terminal/messages.py`, under a code. The English translation lives in `kiosk_en.ts`, the file
a translator opens in Qt Linguist (`pyside6-linguist ui/i18n/kiosk_en.ts`); `python -m ui.i18n
update` brings it in line with the Indonesian texts (new codes come in unfinished, a changed
Indonesian text puts its translation back to unfinished) and `python -m ui.i18n check` says what
is missing. At start the kiosk compiles the .ts into a .qm (`pyside6-lrelease`) when the .qm is
missing or older, and looks every English text up through a QTranslator.

Letter content (titles, field labels, validation messages), the complaint categories and the
survey questions are not here: they are data shared with the back office and carry both
languages in `forms/` (checked when the catalogue loads), like pretix keeps event content apart
from its interface catalogue.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from terminal.messages import TEXTS

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
TS_FILE = HERE / "kiosk_en.ts"
QM_DIR = ROOT / "build" / "i18n"
CONTEXT = "kiosk"  # one Linguist context; each message is told apart by its code
LANGUAGES = ("id", "en")
MESSAGES_PY = ROOT / "terminal" / "messages.py"
_FIELD = re.compile(r"{([^{}]*)}")


@dataclass(frozen=True)
class Entry:
    """One message of the .ts file."""

    code: str
    source: str
    translation: str
    finished: bool
    vanished: bool = False


# --- the .ts file ---------------------------------------------------------------------------


def read_ts(path: Path = TS_FILE) -> dict[str, Entry]:
    """The messages of a .ts file by code (its disambiguation comment)."""
    entries: dict[str, Entry] = {}
    for message in ET.parse(path).getroot().iter("message"):
        code = message.findtext("comment") or ""
        translation = message.find("translation")
        kind = "" if translation is None else translation.get("type", "")
        entries[code] = Entry(
            code=code,
            source=message.findtext("source") or "",
            translation=(translation.text or "") if translation is not None else "",
            finished=kind == "",
            vanished=kind in ("vanished", "obsolete"),
        )
    return entries


def _source_lines() -> dict[str, int]:
    """Where each code is written in messages.py, for Linguist's source view."""
    lines = {}
    for n, line in enumerate(MESSAGES_PY.read_text(encoding="utf-8").splitlines(), 1):
        m = re.match(r'\s*"([a-z0-9_]+)": ', line)
        if m:
            lines.setdefault(m.group(1), n)
    return lines


def write_ts(entries: list[Entry], path: Path = TS_FILE) -> None:
    root = ET.Element("TS", version="2.1", language="en_GB", sourcelanguage="id_ID")
    context = ET.SubElement(root, "context")
    ET.SubElement(context, "name").text = CONTEXT
    lines = _source_lines()
    where = os.path.relpath(MESSAGES_PY, path.parent)
    for e in entries:
        message = ET.SubElement(context, "message")
        if e.code in lines and not e.vanished:
            ET.SubElement(message, "location", filename=where, line=str(lines[e.code]))
        ET.SubElement(message, "source").text = e.source
        ET.SubElement(message, "comment").text = e.code
        translation = ET.SubElement(message, "translation")
        translation.text = e.translation
        if e.vanished:
            translation.set("type", "vanished")
        elif not e.finished:
            translation.set("type", "unfinished")
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    path.write_text('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n' + body + "\n",
                    encoding="utf-8")


def updated_entries(old: dict[str, Entry]) -> list[Entry]:
    """The .ts for the current Indonesian texts, keeping what translators did (like lupdate)."""
    entries = []
    for code, source in TEXTS.items():
        before = old.get(code)
        if before is None:
            entries.append(Entry(code, source, "", finished=False))
        elif before.source != source:  # the Indonesian changed: the English needs a look
            entries.append(Entry(code, source, before.translation, finished=False))
        else:
            entries.append(Entry(code, source, before.translation, before.finished))
    for code, before in old.items():  # kept for a translator, never compiled
        if code not in TEXTS and before.translation:
            entries.append(Entry(code, before.source, before.translation, False, vanished=True))
    return entries


def problems(path: Path = TS_FILE) -> list[str]:
    """What stops the English from being complete; empty when every text is translated."""
    found = []
    try:
        entries = read_ts(path)
    except (OSError, ET.ParseError) as e:
        return [f"{path.name}: cannot be read ({e})"]
    for code, source in TEXTS.items():
        e = entries.get(code)
        if e is None:
            found.append(f"{code}: no English yet (run `python -m ui.i18n update`)")
        elif e.source != source:
            found.append(f"{code}: the Indonesian changed since the .ts (run `python -m ui.i18n "
                         f"update`, then translate)")
        elif not e.finished or not e.translation.strip():
            found.append(f"{code}: the English is unfinished")
        elif set(_FIELD.findall(e.translation)) != set(_FIELD.findall(source)):
            found.append(f"{code}: the English has {sorted(set(_FIELD.findall(e.translation)))}"
                         f" where the Indonesian has {sorted(set(_FIELD.findall(source)))}")
    for code, e in entries.items():
        if code not in TEXTS and not e.vanished:
            found.append(f"{code}: in the .ts but no longer in messages.py (run update)")
    return found


# --- the compiled catalogue ------------------------------------------------------------------


def lrelease() -> str:
    """pyside6-lrelease of this Python (the venv's bin), else on PATH."""
    beside = Path(sys.executable).with_name("pyside6-lrelease")
    return str(beside) if beside.exists() else (shutil.which("pyside6-lrelease") or "")


def compile_ts(ts: Path = TS_FILE, qm_dir: Path | None = None) -> Path:
    """The .qm for `ts`, compiled unless the one there was made from this very .ts.

    Unfinished translations are left out: the kiosk shows the Indonesian rather than an English
    text nobody approved."""
    qm_dir = QM_DIR if qm_dir is None else qm_dir
    digest = hashlib.sha256(ts.read_bytes()).hexdigest()
    qm = qm_dir / ts.with_suffix(".qm").name
    made_from = qm.with_suffix(".qm.sha256")  # the .ts the .qm was compiled from
    if qm.exists() and made_from.exists() and made_from.read_text().strip() == digest:
        return qm
    tool = lrelease()
    if not tool:
        raise RuntimeError("pyside6-lrelease not found (it comes with PySide6)")
    try:
        qm_dir.mkdir(parents=True, exist_ok=True)
    except OSError:  # a read-only install: compile into a private temporary directory
        qm_dir = Path(tempfile.mkdtemp(prefix="kiosk-i18n-"))
        qm, made_from = qm_dir / qm.name, qm_dir / made_from.name
    part = qm.with_suffix(".qm.part")
    subprocess.run([tool, "-silent", "-nounfinished", str(ts), "-qm", str(part)],
                   check=True, capture_output=True, timeout=60)
    os.replace(part, qm)
    made_from.write_text(digest + "\n")
    return qm


_lock = threading.Lock()
_translators: dict[str, object] = {}


def translator(language: str):
    """The QTranslator for `language` ("en"); loaded once, usable from any thread."""
    with _lock:
        if language not in _translators:
            from PySide6.QtCore import QTranslator

            t = QTranslator()
            try:
                qm = compile_ts(HERE / f"kiosk_{language}.ts")
                if not t.load(str(qm)):
                    raise RuntimeError(f"{qm} does not load")
            except (OSError, RuntimeError, subprocess.SubprocessError) as e:
                log.error("i18n: no %s texts, showing Indonesian (%s)", language, e)
            _translators[language] = t
        return _translators[language]


_missing_said: set[tuple[str, str]] = set()


def text(code: str, language: str = "id", **params) -> str:
    """The text under `code` in `language`, with its parameters filled in."""
    source = TEXTS[code]
    words = source
    if language != "id":
        words = translator(language).translate(CONTEXT, source, code) or source
        if words is source and (language, code) not in _missing_said:
            _missing_said.add((language, code))
            log.error("i18n: %s has no %s text; showing Indonesian", code, language)
    return words.format(**params)


def date_text(d: date, language: str = "id") -> str:
    """A date as villagers say it: ``25 November 2026`` (month names in the language)."""
    return f"{d.day} {text(f'month_{d.month}', language)} {d.year}"


def notice_text(notice, language: str = "id") -> str:
    """A session's Notice (or None) in words; empty when there is none."""
    return text(notice.code, language, **notice.params) if notice else ""
