"""Indonesian and English through Qt Linguist (issue #7 item 3).

The English lives in ui/i18n/kiosk_en.ts; these tests fail when a text the kiosk can show has
no finished English, when the compiled .qm does not give it back, when a screen shows a text
that bypasses the catalogue, or when a screen in English still shows Indonesian.
"""

from __future__ import annotations

import ast
import os
import re
import string
from pathlib import Path

import pytest
from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit, QPlainTextEdit

import ui.i18n as i18n
from forms.catalogue import Text, load_catalogue
from forms.feedback import CATEGORIES, ELEMENTS
from terminal.messages import TEXTS
from tests.screen_walk import every_screen
from ui.i18n import Entry, compile_ts, problems, read_ts, text, updated_entries, write_ts

ROOT = Path(__file__).resolve().parent.parent


def test_every_text_the_kiosk_can_show_has_a_finished_english_translation():
    assert problems() == []


def test_the_compiled_catalogue_gives_back_every_english_text():
    english = read_ts()
    for code, source in TEXTS.items():
        params = {name: f"<{name}>" for _, name, _, _ in string.Formatter().parse(source)
                  if name}
        assert text(code, "en", **params) == english[code].translation.format(**params), code
        assert text(code, "id", **params) == source.format(**params)


@pytest.fixture
def scratch_catalogue(tmp_path, monkeypatch):
    """A private .ts/.qm pair and a private copy of the texts."""
    monkeypatch.setattr(i18n, "TEXTS", dict(TEXTS))
    monkeypatch.setattr(i18n, "_translators", {})
    monkeypatch.setattr(i18n, "HERE", tmp_path)
    monkeypatch.setattr(i18n, "QM_DIR", tmp_path / "qm")
    ts = tmp_path / "kiosk_en.ts"
    write_ts(updated_entries(read_ts()), ts)
    return ts


def test_a_new_or_changed_indonesian_text_is_reported_until_translated(scratch_catalogue):
    ts = scratch_catalogue
    assert problems(ts) == []
    i18n.TEXTS["printer_test"] = "Pencetak sedang diuji."
    i18n.TEXTS["take_card"] = "Silakan ambil kartu Anda dari pembaca."
    assert problems(ts) == [
        "take_card: the Indonesian changed since the .ts (run `python -m ui.i18n update`, then "
        "translate)",
        "printer_test: no English yet (run `python -m ui.i18n update`)",
    ]
    write_ts(updated_entries(read_ts(ts)), ts)  # what `python -m ui.i18n update` does
    entries = read_ts(ts)
    assert entries["printer_test"] == Entry("printer_test", "Pencetak sedang diuji.", "", False)
    assert not entries["take_card"].finished  # the old English kept for the translator to check
    assert entries["take_card"].translation == "Please take your card."
    assert problems(ts) == ["take_card: the English is unfinished",
                            "printer_test: the English is unfinished"]
    # Unfinished English is never shown: the kiosk says the Indonesian instead.
    assert text("take_card", "en") == "Silakan ambil kartu Anda dari pembaca."
    assert text("cancelled", "en").startswith("The application was cancelled")


def test_a_translation_must_keep_the_placeholders(scratch_catalogue):
    ts = scratch_catalogue
    entries = [e if e.code != "wrong_pin" else Entry(e.code, e.source, "Wrong PIN.", True)
               for e in updated_entries(read_ts(ts))]
    write_ts(entries, ts)
    assert problems(ts) == ["wrong_pin: the English has [] where the Indonesian has "
                            "['attempts_left']"]


def test_a_removed_text_is_kept_aside_for_translators_and_then_dropped(scratch_catalogue):
    ts = scratch_catalogue
    del i18n.TEXTS["take_card"]
    assert problems(ts) == ["take_card: in the .ts but no longer in messages.py (run update)"]
    write_ts(updated_entries(read_ts(ts)), ts)
    assert read_ts(ts)["take_card"].vanished and problems(ts) == []


def test_the_qm_is_compiled_again_when_the_ts_changes(scratch_catalogue):
    ts = scratch_catalogue
    qm = compile_ts(ts)
    assert qm.parent == i18n.QM_DIR
    first = qm.stat().st_mtime_ns
    assert compile_ts(ts) == qm and qm.stat().st_mtime_ns == first  # made from this .ts: kept
    write_ts([e if e.code != "take_card" else Entry(e.code, e.source, "Take your card.", True)
              for e in updated_entries(read_ts(ts))], ts)
    os.utime(ts, ns=(first - 10**9, first - 10**9))  # even with an older time stamp
    assert compile_ts(ts).stat().st_mtime_ns != first
    assert text("take_card", "en") == "Take your card."


# --- no screen bypasses the catalogue -------------------------------------------------------

SETTERS = {"setText", "setPlaceholderText", "setToolTip", "setWindowTitle", "QLabel",
           "QPushButton"}
# Not words of a language: symbols, digits, the product's name, and the staff PIN pad's "OK".
ALLOWED = {"Smart Kampung", "OK"}
# The demo-card window is a developer's tool beside the kiosk (bilingual on one line).
NOT_KIOSK = {"demo.py"}


def _literal_words(node: ast.AST) -> list[str]:
    parts = []
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        parts = [node.value]
    elif isinstance(node, ast.JoinedStr):
        parts = [v.value for v in node.values if isinstance(v, ast.Constant)]
    return [p for p in parts if re.search(r"[A-Za-z]{2,}", p) and p.strip() not in ALLOWED
            and not p.lstrip().startswith("<")]  # markup around translated texts


def test_no_screen_shows_a_text_written_in_the_code():
    found = []
    for path in sorted((ROOT / "ui").rglob("*.py")):
        if path.name in NOT_KIOSK:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
            if name in SETTERS:
                for arg in node.args:
                    found += [f"{path.relative_to(ROOT)}:{node.lineno}: {w!r}"
                              for w in _literal_words(arg)]
    assert not found, "texts that bypass ui.i18n:\n" + "\n".join(found)


# --- every screen in English ----------------------------------------------------------------


def _indonesian_only() -> dict[str, str]:
    """Indonesian texts whose English differs, long enough to tell apart: text → where from."""
    english = read_ts()
    pairs = [(source, english[code].translation, code) for code, source in TEXTS.items()]
    contents: list[Text] = []
    for letter in load_catalogue().letters():
        contents += [letter.title, letter.summary]
        for f in letter.fields:
            contents += [f.label, f.help, f.pattern_message, *(c.label for c in f.choices)]
    pairs += [(t.id, t.en, "catalogue") for t in contents if t]
    pairs += [(c.id, c.en, f"forms.feedback {c.code}") for c in (*CATEGORIES, *ELEMENTS)]
    pieces = {}
    for source, translation, where in pairs:
        for part in re.split(r"\{[^{}]*\}", source):  # the frame around {parameters}
            part = part.strip(" :.,;()")
            if len(part) >= 3 and part not in translation:  # terms the English keeps: fine
                pieces[part] = where
    return pieces


def _shows(shown: str, part: str) -> bool:
    """A long Indonesian piece anywhere in the text; a short word only as the whole text."""
    if len(part) >= 12:
        return part in shown
    return re.sub(r"[^\w\s-]", "", shown).strip() == part


# The resident's own record, shown as the letter prints it (in Indonesian, like the e-KTP).
RESIDENT_DATA = {"identity_value"}


def _visible_texts(window) -> list[str]:
    texts = []
    for kind, read in ((QLabel, QLabel.text), (QAbstractButton, QAbstractButton.text),
                       (QLineEdit, QLineEdit.placeholderText),
                       (QPlainTextEdit, QPlainTextEdit.placeholderText)):
        for w in window.findChildren(kind):
            if (w.isVisibleTo(window) and read(w).strip()
                    and w.objectName() not in RESIDENT_DATA):
                texts.append(read(w))
    return texts


@pytest.mark.pcsc
def test_every_screen_in_english_shows_no_indonesian(stack, kiosk_app, cards, qtbot):
    kiosk, window = kiosk_app
    session = kiosk.session
    indonesian = _indonesian_only()
    found, screens = [], 0
    for name in every_screen(window, session, cards, qtbot, "en"):
        assert session.language == "en", name
        screens += 1
        for shown in _visible_texts(window):
            found += [f"{name}: {shown[:60]!r} has {part!r} ({where})"
                      for part, where in indonesian.items() if _shows(shown, part)]
    assert screens >= 17 and not found, "\n".join(found)
