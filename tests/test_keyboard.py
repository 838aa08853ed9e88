"""The on-screen keyboard, offscreen: keys tapped like a finger would, in a small form of its own
and in the real fill screen with real letters from the catalogue.

The session's services are test_session's in-memory stand-in (no back office is needed to fill
a form); everything else is the real thing.
"""

import pytest
from PySide6.QtCore import QPoint, QRegularExpression, Qt
from PySide6.QtGui import QFont, QFontMetrics, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QApplication,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from devices.ektp import ektp_type_a_atr
from forms.catalogue import load_catalogue, sample_values
from terminal.session import Screen
from tests.test_session import UID, Services, make_session
from ui.i18n import text
from ui.keyboard import FUNCTIONS, KEY_MIN, MODE_PROPERTY, SIGN_NAMES, OnScreenKeyboard
from ui.screens import FillScreen, PinScreen, keyboard_mode
from ui.style import STYLESHEET

# ui/app.py's header (52 px) and footer (116 px) around every screen: what a window leaves the
# fill screen, landscape and portrait.
SCREEN_SIZES = {"landscape": (1280, 800 - 52 - 116), "portrait": (800, 1280 - 52 - 116)}


def settle() -> None:
    for _ in range(3):  # layout requests, then the scroll that waits for them
        QApplication.processEvents()


def key(keyboard: OnScreenKeyboard, name: str) -> QPushButton:
    action = f"key_{SIGN_NAMES.get(name, name)}"
    shown = [b for b in keyboard.findChildren(QPushButton)
             if b.property("action") == action and b.isVisible()]
    assert len(shown) == 1, f"{len(shown)} keys {action!r} on screen"
    return shown[0]


def tap(qtbot, keyboard: OnScreenKeyboard, *names: str) -> None:
    for name in names:
        qtbot.mouseClick(key(keyboard, name), Qt.LeftButton)


def type_text(qtbot, keyboard: OnScreenKeyboard, chars: str) -> None:
    """Letters as their keys (the case is the test's business), a space as the space bar."""
    tap(qtbot, keyboard, *("space" if c == " " else c.lower() for c in chars))


def visible_keys(keyboard: OnScreenKeyboard) -> list[QPushButton]:
    return [b for b in keyboard.findChildren(QPushButton) if b.isVisible()]


def label(b: QPushButton) -> str:
    return b.text().replace("\n", " ")  # a long label may sit on two lines


class Form(QWidget):
    """A name, an RT number (3 digits at most) and a note over the keyboard, styled as the kiosk."""

    def __init__(self):
        super().__init__()
        self.setStyleSheet(STYLESHEET)
        self.name = QLineEdit()
        self.rt = QLineEdit()
        self.rt.setMaxLength(3)
        self.rt.setProperty(MODE_PROPERTY, "digits")
        self.note = QPlainTextEdit()
        self.keyboard = OnScreenKeyboard()
        lay = QVBoxLayout(self)
        for w in (self.name, self.rt, self.note, self.keyboard):
            lay.addWidget(w)


@pytest.fixture
def form(qtbot):
    f = Form()
    qtbot.addWidget(f)
    f.resize(1280, 800)
    f.show()
    f.name.setFocus()
    settle()
    assert QApplication.focusWidget() is f.name
    return f


def test_a_word_typed_on_keys_lands_in_the_focused_field_in_the_case_shown(qtbot, form):
    kb = form.keyboard
    # An empty field starts with a capital, and the keys say so.
    assert kb.shift and key(kb, "a").text() == "A"
    type_text(qtbot, kb, "budi")
    assert form.name.text() == "Budi"
    assert not kb.shift and key(kb, "a").text() == "a"  # Shift is for one letter only
    tap(qtbot, kb, "space", "shift", "s", "r", "i", ".")
    assert form.name.text() == "Budi Sri."
    tap(qtbot, kb, "space", "caps")
    type_text(qtbot, kb, "rt ok")
    assert form.name.text() == "Budi Sri. RT OK"
    assert kb.caps and key(kb, "caps").isChecked() and key(kb, "b").text() == "B"
    tap(qtbot, kb, "caps", "space", "(", "x", ")", "-", "/", "'", ",", "7")
    assert form.name.text() == "Budi Sri. RT OK (x)-/',7"
    assert QApplication.focusWidget() is form.name


def test_backspace_erases_one_sign_at_the_cursor_and_repeats_when_held(qtbot, form):
    kb = form.keyboard
    form.name.setText("Sitii Aminah")
    form.name.setCursorPosition(5)
    tap(qtbot, kb, "backspace")
    assert form.name.text() == "Siti Aminah" and form.name.cursorPosition() == 4
    assert key(kb, "backspace").autoRepeat()
    form.note.setFocus()
    form.note.setPlainText("Baris")
    form.note.moveCursor(form.note.textCursor().MoveOperation.End)
    tap(qtbot, kb, "backspace", "backspace")
    assert form.note.toPlainText() == "Bar"


def test_keys_never_take_the_focus(qtbot, form):
    kb = form.keyboard
    for page_field in (form.name, form.rt, form.note):
        page_field.setFocus()
        settle()
        for b in visible_keys(kb):
            assert b.focusPolicy() == Qt.NoFocus, label(b)
        tap(qtbot, kb, "backspace", "1")
        assert QApplication.focusWidget() is page_field


def test_next_goes_down_the_form_keeps_the_text_and_stops_at_the_last_field(qtbot, form):
    kb = form.keyboard
    form.rt.setText("1")
    type_text(qtbot, kb, "Ani")
    tap(qtbot, kb, "next")
    assert QApplication.focusWidget() is form.rt
    tap(qtbot, kb, "2")  # the cursor is at the end; nothing was selected to be typed over
    assert form.rt.text() == "12"
    tap(qtbot, kb, "next")
    assert QApplication.focusWidget() is form.note
    assert not key(kb, "next").isEnabled()  # Continue is for after the last field
    tap(qtbot, kb, "next")
    assert QApplication.focusWidget() is form.note
    form.name.setFocus()
    settle()
    assert key(kb, "next").isEnabled()


def test_a_field_that_takes_lines_gets_a_new_line_key(qtbot, form):
    kb = form.keyboard
    assert not kb.letter_keys["newline"].isVisible()
    form.note.setFocus()
    settle()
    type_text(qtbot, kb, "Ani")
    tap(qtbot, kb, "newline")
    type_text(qtbot, kb, "Budi")
    assert form.note.toPlainText() == "Ani\nBudi"


@pytest.mark.parametrize("mode, sign", [("digits", None), ("date", "-"), ("time", ":")])
def test_a_numeric_field_gets_a_big_digit_pad(qtbot, form, mode, sign):
    kb = form.keyboard
    form.rt.setMaxLength(10)
    form.rt.setProperty(MODE_PROPERTY, mode)
    form.rt.setFocus()
    settle()
    assert kb.pages.currentWidget() is kb.pad_page
    assert not kb.letter_keys["q"].isVisible()
    assert kb.pad_keys["sign"].isVisible() == (sign is not None)
    tap(qtbot, kb, "0", "9")
    if sign:
        tap(qtbot, kb, sign)
    tap(qtbot, kb, "3", "backspace", "1")
    assert form.rt.text() == f"09{sign or ''}1"
    for b in visible_keys(kb):
        assert b.height() >= 1.2 * KEY_MIN and b.width() >= 1.2 * KEY_MIN, label(b)  # large
    form.name.setFocus()
    settle()
    assert kb.pages.currentWidget() is kb.letters_page


def test_the_field_limits_apply_as_if_typed(qtbot, form):
    kb = form.keyboard
    edited = []
    form.rt.textEdited.connect(edited.append)
    form.rt.setFocus()
    settle()
    tap(qtbot, kb, "0", "0", "7", "1")
    assert form.rt.text() == "007"  # maxLength 3
    assert edited == ["0", "00", "007"]
    form.name.setValidator(QRegularExpressionValidator(QRegularExpression("[A-Za-z ]*")))
    form.name.setFocus()
    settle()
    tap(qtbot, kb, "a", "1", "b")
    assert form.name.text() == "Ab"


def test_the_labels_follow_the_language(qtbot, form):
    kb = form.keyboard
    for lang in ("en", "id"):
        kb.set_texts(lang)
        settle()
        for name in FUNCTIONS:
            if name != "newline":  # not for a one-line field
                assert label(key(kb, name)) == text(f"key_{name}", lang)
    assert text("key_backspace", "id").endswith("Hapus")  # a word besides ⌫ for those who read
    assert text("key_next", "en") != text("key_next", "id")


def test_every_key_label_has_glyphs_the_kiosk_font_can_draw(qapp):
    metrics = QFontMetrics(QFont("DejaVu Sans", 24))
    labels = [text(f"key_{name}", lang) for name in FUNCTIONS for lang in ("id", "en")]
    for chars in labels:
        for c in chars:
            assert metrics.inFontUcs4(ord(c)), f"{chars!r}: {c!r} would show as a box"


# -- the real fill screen ------------------------------------------------------------------


def session_filling(letter: str, language: str = "id"):
    services = Services()
    session = make_session(services)
    session.card_presented(ektp_type_a_atr(), UID)
    session.enter_pin("123456")
    session.choose_letter(letter)
    session.language = language
    assert session.screen is Screen.FILL
    return session, services


class Host(QWidget):
    """The fill screen where the kiosk window puts it, with the window's style."""

    def __init__(self, session, size):
        super().__init__()
        self.setStyleSheet(STYLESHEET)
        self.fill = FillScreen(session)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.fill)
        session.subscribe(self.fill.render)
        self.fill.render(session)
        self.resize(*size)


@pytest.fixture
def host(qtbot):
    def make(letter, size=SCREEN_SIZES["landscape"], language="id"):
        session, _ = session_filling(letter, language)
        h = Host(session, size)
        qtbot.addWidget(h)
        h.show()
        settle()
        return h, session

    return make


def in_view(scroll, w) -> bool:
    top = w.mapTo(scroll.viewport(), QPoint(0, 0)).y()
    return top >= 0 and top + w.height() <= scroll.viewport().height()


def test_each_catalogue_field_gets_the_keys_it_needs():
    fields = {f.name: f for letter in load_catalogue().letters() for f in letter.input_fields()}
    expected = {
        "nik_ibu": "digits", "kode_pos_tujuan": "digits", "no_dtks": "digits",  # digit patterns
        "berat_bayi": "digits", "tanggal_lahir": "date", "jam_lahir": "time",
        "nis": "text",  # a school number may hold letters and signs
        "nama_bayi": "text", "keperluan": "text",
    }  # fmt: skip
    assert {name: keyboard_mode(fields[name]) for name in expected} == expected


def test_filling_a_real_letter_with_the_keys_only(qtbot, host):
    h, session = host("pindah")
    fill, kb = h.fill, h.fill.keyboard
    fields = {name: w.editor for name, w in fill.inputs.items()}
    assert QApplication.focusWidget() is fields["alamat_tujuan"]  # ready to type at once
    assert kb.letter_keys["newline"].isVisible()  # an address may take lines
    type_text(qtbot, kb, "Jl")
    tap(qtbot, kb, ".", "space", "shift")
    type_text(qtbot, kb, "melati 4")
    tap(qtbot, kb, "next")
    assert QApplication.focusWidget() is fields["desa_tujuan"]
    assert not kb.letter_keys["newline"].isVisible()
    type_text(qtbot, kb, "sumberejo")
    tap(qtbot, kb, "next", "next", "next", "next")
    assert QApplication.focusWidget() is fields["kode_pos_tujuan"]  # its pattern: digits only
    assert kb.pages.currentWidget() is kb.pad_page
    settle()
    assert in_view(fill.scroll, fields["kode_pos_tujuan"])  # scrolled up above the keyboard
    tap(qtbot, kb, "6", "5", "1", "5", "4", "9")  # five digits at most
    tap(qtbot, kb, "next")
    assert QApplication.focusWidget() is fields["tanggal_pindah"]  # past the choice buttons
    assert key(kb, "-").isVisible()
    settle()
    assert in_view(fill.scroll, fields["tanggal_pindah"])
    assert fields["alamat_tujuan"].toPlainText() == "Jl. Melati 4"
    assert fields["desa_tujuan"].text() == "Sumberejo"
    assert fields["kode_pos_tujuan"].text() == "65154"

    # The rest as a finger would leave it, then Continue.
    typed = {"alamat_tujuan", "desa_tujuan", "kode_pos_tujuan"}
    today = Services().now().date()
    for name, value in sample_values(session.letter, today=today).items():
        if name not in typed:
            fill.inputs[name].set_value(value)
    fill.next.click()
    assert session.screen is Screen.REVIEW, session.field_errors
    assert session.values["kode_pos_tujuan"] == "65154"
    assert session.values["alamat_tujuan"] == "Jl. Melati 4"


def test_after_a_refused_continue_the_first_field_to_fix_gets_the_keys(qtbot, host):
    h, session = host("kelahiran", SCREEN_SIZES["portrait"])
    fill = h.fill
    type_text(qtbot, fill.keyboard, "Rizki")
    fill.next.click()
    settle()
    assert session.screen is Screen.FILL and "tanggal_lahir" in session.field_errors
    first_wrong = next(w.editor for name, w in fill.inputs.items()
                       if w.typed and name in session.field_errors)
    assert QApplication.focusWidget() is first_wrong
    assert in_view(fill.scroll, first_wrong)
    assert fill.inputs["nama_bayi"].value() == "Rizki"  # nothing typed is lost


@pytest.mark.parametrize("orientation", SCREEN_SIZES)
def test_the_fill_screen_fits_and_every_key_is_big_enough(qtbot, host, orientation):
    size = SCREEN_SIZES[orientation]
    h, _ = host("pindah", size)
    fill, kb = h.fill, h.fill.keyboard
    assert fill.size().toTuple() == size  # the window does not have to grow for it
    assert fill.minimumSizeHint().width() <= size[0]
    assert fill.minimumSizeHint().height() <= size[1]
    assert fill.portrait == (orientation == "portrait")
    screen = fill.rect()
    for field in ("alamat_tujuan", "desa_tujuan", "kode_pos_tujuan", "tanggal_pindah"):
        editor = fill.inputs[field].editor
        editor.setFocus()
        settle()
        assert in_view(fill.scroll, editor)
        for b in visible_keys(kb) + [fill.next]:
            where = b.geometry().translated(b.parentWidget().mapTo(fill, QPoint(0, 0)))
            assert screen.contains(where), f"{label(b)} is off the screen"
            assert b.width() >= KEY_MIN and b.height() >= KEY_MIN, f"{label(b)}: {b.size()}"
            assert b.font().pixelSize() >= 24, label(b)
            assert b.fontMetrics().horizontalAdvance(label(b).split(" ")[-1]) < b.width()
    # No key ever shows as a window of its own (a key without a parent would).
    assert [w for w in QApplication.topLevelWidgets() if w.isVisible()] == [h]


def test_the_keyboard_speaks_the_villagers_language_on_the_fill_screen(qtbot, host):
    h, session = host("domisili", language="en")
    assert label(key(h.fill.keyboard, "backspace")) == text("key_backspace", "en")
    session.set_language("id")
    settle()
    assert label(key(h.fill.keyboard, "backspace")) == text("key_backspace", "id")


def test_the_pin_pad_keys_are_big_enough(qtbot):
    session, _ = session_filling("domisili")
    pin = PinScreen(session)
    pin.setStyleSheet(STYLESHEET)
    qtbot.addWidget(pin)
    pin.resize(pin.minimumSizeHint())
    pin.show()
    settle()
    keys = [b for b in pin.findChildren(QPushButton) if b.isVisible()]
    assert len(keys) == 12
    for b in keys:
        assert b.width() >= KEY_MIN and b.height() >= KEY_MIN, b.property("action")
