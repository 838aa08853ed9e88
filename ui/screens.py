"""One widget per session screen. Each renders the session; none decides anything."""

from __future__ import annotations

import io
import re

import qrcode
import shiboken6
from PySide6.QtCore import QEvent, QPoint, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QBoxLayout,
    QButtonGroup,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from forms.application import application_reference
from forms.catalogue import prefill
from forms.feedback import ANSWERS, CATEGORIES, ELEMENT_CODES, ELEMENTS, TEXT_MAX
from terminal.client import RequestStatus
from terminal.session import Runner, Session
from ui.i18n import date_text, notice_text, text
from ui.keyboard import KEYBOARD_TRAY, MODE_PROPERTY, OnScreenKeyboard
from ui.preview import PagePreview
from ui.style import GREEN, NAVY


def _label(name: str = "", wrap: bool = True) -> QLabel:
    label = QLabel()
    if name:
        label.setObjectName(name)
    label.setWordWrap(wrap)
    label.setTextFormat(Qt.PlainText)  # resident text is shown verbatim, never as markup
    return label


def _button(name: str, object_name: str = "") -> QPushButton:
    b = QPushButton()
    b.setObjectName(object_name or name)
    b.setProperty("action", name)
    b.setFocusPolicy(Qt.NoFocus)
    return b


FIRST_LINE_PX = 56  # an editor's first line of text, with its frame


def _keep_in_view(scroll: QScrollArea, label: QWidget, editor: QWidget,
                  error: QLabel | None = None) -> None:
    """Scroll so a field shows whole above the keyboard: its label, help, editor and the red
    error under it (when there is one; the help then steps aside). Where that does not fit,
    from the editor down, or else the editor's first line: whole lines, never a label cut in
    half."""
    body, bar = scroll.widget(), scroll.verticalScrollBar()
    if not (body.isAncestorOf(label) and body.isAncestorOf(editor)):
        return  # a field of a form since taken down
    view = scroll.viewport().height()

    def top(w: QWidget) -> int:
        return w.mapTo(body, QPoint(0, 0)).y()

    editor_top = top(editor)
    bottom = editor_top + editor.height() + 8
    if error is not None and error.text() and body.isAncestorOf(error):
        bottom = max(bottom, top(error) + error.height() + 8)
    start = next((y for y in (top(label), editor_top) if bottom - y <= view), None)
    if start is None:  # even the editor and its error do not fit: its first line
        bar.setValue(max(editor_top, editor_top + min(editor.height(), FIRST_LINE_PX) - view))
    elif start < bar.value():
        bar.setValue(start)
    elif bottom > bar.value() + view:
        bar.setValue(bottom - view)


def _empty(layout: QLayout) -> None:
    """Take every item out of `layout`: its widgets are deleted (later), and so is the item.

    QLayout.takeAt hands the item to the caller, and PySide6 leaves it C++-owned: the Python
    wrapper never deletes it, so each row a screen let go of would leak its QWidgetItem
    (~100 bytes; ~40 a session on the fill and review screens)."""
    while layout.count():
        item = layout.takeAt(0)
        w = item.widget()
        if w is not None:
            w.setParent(None)
            w.deleteLater()
        shiboken6.delete(item)


def scroll_column(*parts) -> QScrollArea:
    """A vertical scroll area holding layouts, widgets and spacings (ints), top-aligned."""
    body = QWidget()
    inner = QVBoxLayout(body)
    inner.setSizeConstraint(QLayout.SetMinimumSize)  # scroll rather than squash the rows
    for part in parts:
        if isinstance(part, int):
            inner.addSpacing(part)
        elif isinstance(part, QLayout):
            inner.addLayout(part)
        else:
            inner.addWidget(part)
    inner.addStretch(1)
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setWidget(body)
    return scroll


class ScreenWidget(QWidget):
    def render(self, session: Session) -> None:
        raise NotImplementedError

    def clear(self) -> None:
        """Forget everything personal this screen shows."""


class AttractScreen(ScreenWidget):
    def __init__(self, session: Session):
        super().__init__()
        self.session = session
        self.title = _label("title")
        self.tap = _label("headline")
        self.picture = QLabel()
        self.picture.setAlignment(Qt.AlignCenter)
        self.picture.setPixmap(tap_card_picture())
        self.hours = _label("status")
        self.notice = _label("notice")
        self.reader = _label("status")
        self.language = _button("language")
        self.language.clicked.connect(
            lambda: session.set_language("en" if session.language == "id" else "id")
        )
        lay = QVBoxLayout(self)
        lay.setContentsMargins(48, 48, 48, 48)
        lay.addWidget(self.title)
        lay.addStretch(1)
        lay.addWidget(self.picture)
        lay.addWidget(self.tap)
        lay.addWidget(self.notice)
        lay.addStretch(1)
        lay.addWidget(self.hours)
        row = QHBoxLayout()
        row.addWidget(self.reader, 1)
        row.addWidget(self.language)
        lay.addLayout(row)
        for w in (self.title, self.tap, self.hours):
            w.setAlignment(Qt.AlignCenter)
        self.notice.setAlignment(Qt.AlignCenter)
        self.reader_ready = True

    def render(self, session: Session) -> None:
        lang = session.language
        self.title.setText(text("app_title", lang))
        self.tap.setText(text("attract_tap", lang))
        self.hours.setText(text("attract_hours", lang))
        self.language.setText(text("language_other", lang))
        if self.reader_ready:
            self.notice.setText(notice_text(session.notice, lang))
            self.reader.setText(text("reader_ready", lang))
        else:  # say it where the villager looks, not in the corner
            self.notice.setText(text("reader_missing", lang))
            self.reader.setText("")
        self.picture.setEnabled(self.reader_ready)


class PinScreen(ScreenWidget):
    def __init__(self, session: Session):
        super().__init__()
        self.session = session
        self.digits = ""
        self.title = _label("headline")
        self.dots = _label("pin_dots")
        self.dots.setAlignment(Qt.AlignCenter)
        self.notice = _label("notice")
        self.notice.setAlignment(Qt.AlignCenter)
        pad = QGridLayout()
        pad.setSpacing(16)
        for i, d in enumerate("123456789"):
            b = _button(f"pin_{d}", "pin_key")
            b.setText(d)
            b.clicked.connect(lambda _=False, d=d: self.press(d))
            pad.addWidget(b, i // 3, i % 3)
        self.erase = _button("pin_erase", "pin_key")
        self.erase.clicked.connect(self.erase_one)
        zero = _button("pin_0", "pin_key")
        zero.setText("0")
        zero.clicked.connect(lambda: self.press("0"))
        self.ok = _button("pin_ok", "primary")
        self.ok.setMinimumHeight(96)
        self.ok.clicked.connect(lambda: self.session.enter_pin(self.digits))
        pad.addWidget(self.erase, 3, 0)
        pad.addWidget(zero, 3, 1)
        pad.addWidget(self.ok, 3, 2)
        # Landscape: the words on the left, the pad on the right (a 4-row pad of big keys
        # under them would not fit 800 px high); portrait: the pad under the words.
        words = QVBoxLayout()
        self.title.setAlignment(Qt.AlignCenter)
        words.addStretch(1)
        words.addWidget(self.title)
        words.addWidget(self.dots)
        words.addWidget(self.notice)
        words.addStretch(1)
        self.layout_ = QBoxLayout(QBoxLayout.LeftToRight, self)
        self.layout_.setContentsMargins(48, 24, 48, 24)
        self.layout_.setSpacing(32)
        self.layout_.addLayout(words, 1)
        self.layout_.addLayout(pad)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        portrait = event.size().height() > event.size().width()
        self.layout_.setDirection(QBoxLayout.TopToBottom if portrait else QBoxLayout.LeftToRight)

    def press(self, digit: str) -> None:
        if len(self.digits) < 6:
            self.digits += digit
            self._show_dots()

    def erase_one(self) -> None:
        self.digits = self.digits[:-1]
        self._show_dots()

    def _show_dots(self) -> None:
        self.dots.setText("●" * len(self.digits) + "○" * (6 - len(self.digits)))

    def render(self, session: Session) -> None:
        lang = session.language
        self.digits = ""  # a fresh entry after every answer, right or wrong
        self._show_dots()
        self.title.setText(text("pin_title", lang))
        self.erase.setText(text("pin_erase", lang))
        self.ok.setText(text("pin_ok", lang))
        self.notice.setText(notice_text(session.notice, lang))

    def clear(self) -> None:
        self.digits = ""
        self._show_dots()


class WaitingScreen(ScreenWidget):
    """One sentence while the kiosk works (reading the chip, asking the back office)."""

    def __init__(self, session: Session, text_code: str):
        super().__init__()
        self.text_code = text_code
        self.label = _label("headline")
        self.label.setAlignment(Qt.AlignCenter)
        lay = QVBoxLayout(self)
        lay.addWidget(self.label)

    def render(self, session: Session) -> None:
        self.label.setText(text(self.text_code, session.language))


# A symbol per letter type, from glyphs the embedded DejaVu Sans really has (checked with
# QFontMetrics.inFontUcs4): a picture helps villagers who read little.
# One symbol for each name in forms.catalogue.ICONS (test_kiosk_ui checks none is missing).
LETTER_SYMBOLS = {
    "house": "⌂", "money": "₨", "police": "⚖", "shop": "⚒", "building": "▦", "document": "✉",
    "person": "☺", "search": "⚲", "ticket": "⚐", "bag": "✈", "id-card": "▤", "school": "✎",
    "baby": "☻", "flower": "⚘", "cross": "✝", "truck": "➜", "ring": "⚭", "heart": "♥",
}  # fmt: skip


class _TileButton(QPushButton):
    """A button laid out like a card (a sign, a title, a line of text): sized by its layout,
    so wrapped lines make it taller instead of being cut off (QPushButton would size by its
    own, empty, text). `name` prefixes the object names the style sheet knows."""

    def __init__(self, name: str, action: str, line: str, min_height: int):
        super().__init__()
        self.setObjectName(name)
        self.setProperty("action", action)
        self.setFocusPolicy(Qt.NoFocus)
        self.symbol = QLabel()
        self.symbol.setObjectName(f"{name}_symbol")
        self.title = _label(f"{name}_title")
        self.line = _label(f"{name}_{line}")
        for w in (self.symbol, self.title, self.line):
            w.setAttribute(Qt.WA_TransparentForMouseEvents)  # the button takes the touch
        lay = QGridLayout(self)
        lay.setContentsMargins(16, 8, 16, 8)
        lay.addWidget(self.symbol, 0, 0, 2, 1, alignment=Qt.AlignVCenter)
        lay.addWidget(self.title, 0, 1)
        lay.addWidget(self.line, 1, 1)
        lay.setColumnStretch(1, 1)
        self.setMinimumHeight(min_height)

    def sizeHint(self):  # noqa: N802 - Qt's name
        return self.layout().totalSizeHint()

    def minimumSizeHint(self):  # noqa: N802 - Qt's name
        return self.layout().totalMinimumSize()

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt's name
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt's name
        return max(self.minimumHeight(), self.layout().totalHeightForWidth(width))


class LetterButton(_TileButton):
    """A big button: the symbol, the letter's name and one line on what it is for."""

    def __init__(self, letter_id: str):
        # room for a title and a summary of two lines each
        super().__init__("letter", f"letter_{letter_id}", "summary", 150)
        self.summary = self.line

    def show_letter(self, letter, lang: str) -> None:
        self.symbol.setText(LETTER_SYMBOLS.get(letter.icon or "", "✉"))
        self.title.setText(letter.title.get(lang))
        self.summary.setText(letter.summary.get(lang) if letter.summary else "")


def _menu_tile_style(name: str, colour: str, pale: str, pressed: str, dark: str) -> str:
    return f"""
QPushButton#{name} {{ min-height: 96px; padding: 0; background: {pale};
    border: 3px solid {colour}; border-radius: 12px; }}
QPushButton#{name}:pressed {{ background: {pressed}; }}
QLabel {{ background: transparent; }}
QLabel#{name}_symbol {{ font-size: 48px; color: {colour}; min-width: 64px; }}
QLabel#{name}_title {{ font-size: 28px; font-weight: bold; color: {dark}; }}
QLabel#{name}_hint {{ font-size: 24px; color: #222; }}
"""


# The menu's tiles look unlike the letters: they are not one more letter to apply for. The
# status tile is green like a ready letter on the status screen; the complaint tile amber.
STATUS_TILE_STYLE = _menu_tile_style("status_tile", GREEN, "#e6f4ea", "#c8e6d0", "#0f5a28")
COMPLAINT_TILE_STYLE = _menu_tile_style("complaint_tile", "#8a4500", "#fff3e0", "#ffe0b2",
                                        "#6b3500")


STATUS_TILE_SIGN = "☑"  # a ticked list; DejaVu Sans has it (test_status_check checks)
COMPLAINT_TILE_SIGN = "✍"  # a writing hand (test_feedback_session checks the font has it)


class MenuTile(_TileButton):
    """A tile of the letter menu that is not a letter: a sign, what it does, what it is for."""

    def __init__(self, name: str, action: str, sign: str, style: str):
        super().__init__(name, action, "hint", 96)
        self.setStyleSheet(style)
        self.codes = (action, f"{action}_hint")
        self.symbol.setText(sign)
        self.hint = self.line

    def set_texts(self, lang: str) -> None:
        self.title.setText(text(self.codes[0], lang))
        self.hint.setText(text(self.codes[1], lang))


class StatusTile(MenuTile):
    """The letter menu's "check my requests"."""

    def __init__(self):
        super().__init__("status_tile", "status_open", STATUS_TILE_SIGN, STATUS_TILE_STYLE)


class ComplaintTile(MenuTile):
    """The letter menu's "make a complaint"."""

    def __init__(self):
        super().__init__("complaint_tile", "complaint_open", COMPLAINT_TILE_SIGN,
                         COMPLAINT_TILE_STYLE)


class ReflowGrid(QGridLayout):
    """Buttons in `wide` columns on a screen at least 1000 px wide, in `narrow` columns on a
    narrower (portrait) one, in the same order; the screen calls `fit` from its resizeEvent.
    A button hidden (one a kiosk does not need now) leaves no gap: the grid watches them."""

    def __init__(self, widgets, wide: int, narrow: int, spacing: int):
        super().__init__()
        self.setSpacing(spacing)
        self.widgets, self.wide, self.narrow, self.columns = list(widgets), wide, narrow, 0
        for w in self.widgets:
            w.installEventFilter(self)
        self._place(wide)

    def fit(self, width: int) -> None:
        self._place(self.wide if width >= 1000 else self.narrow)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        if event.type() in (QEvent.ShowToParent, QEvent.HideToParent):
            columns, self.columns = self.columns, 0
            self._place(columns)
        return False

    def _place(self, columns: int) -> None:
        if columns == self.columns:
            return
        self.columns = columns
        for w in self.widgets:
            self.removeWidget(w)
        shown = [w for w in self.widgets  # not hidden on purpose (a new one is not shown yet)
                 if not (w.isHidden() and w.testAttribute(Qt.WA_WState_ExplicitShowHide))]
        for i, w in enumerate(shown):
            self.addWidget(w, i // columns, i % columns)


class ChooseLetterScreen(ScreenWidget):
    def __init__(self, session: Session):
        super().__init__()
        self.session = session
        self.greeting = _label("headline")
        self.status_tile = StatusTile()
        self.status_tile.clicked.connect(session.check_status)
        self.complaint_tile = ComplaintTile()
        self.complaint_tile.clicked.connect(session.open_complaint)
        tiles = QHBoxLayout()  # side by side: the letters keep the room below
        tiles.setSpacing(12)
        tiles.addWidget(self.status_tile, 1)
        tiles.addWidget(self.complaint_tile, 1)
        self.title = _label("status")
        self.buttons: dict[str, LetterButton] = {}
        for letter in session.catalogue.letters():
            b = LetterButton(letter.id)
            b.clicked.connect(lambda _=False, i=letter.id: self.session.choose_letter(i))
            self.buttons[letter.id] = b
        # Two columns of letters in landscape, one in portrait (titles stay whole).
        self.grid = grid = ReflowGrid(self.buttons.values(), 2, 1, spacing=12)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(48, 16, 48, 16)
        lay.addWidget(self.greeting)
        lay.addLayout(tiles)
        lay.addWidget(self.title)
        lay.addWidget(scroll_column(grid), 1)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self.grid.fit(event.size().width())

    def render(self, session: Session) -> None:
        lang = session.language
        name = session.resident.name if session.resident else ""
        self.greeting.setText(text("greeting", lang, name=name))
        self.title.setText(text("choose_title", lang))
        self.status_tile.set_texts(lang)
        self.complaint_tile.set_texts(lang)
        for letter in session.catalogue.letters():
            self.buttons[letter.id].show_letter(letter, lang)

    def clear(self) -> None:
        self.greeting.clear()


class IdentityTable(QWidget):
    """The resident's details as label : value rows (read-only)."""

    def __init__(self):
        super().__init__()
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(24)
        self.grid.setVerticalSpacing(6)

    def show_rows(self, rows: list[tuple[str, str]]) -> None:
        self.clear()
        for i, (key, value) in enumerate(rows):
            k, v = _label("identity_key"), _label("identity_value")
            k.setText(key)
            v.setText(value)
            self.grid.addWidget(k, i, 0, alignment=Qt.AlignTop)
            self.grid.addWidget(v, i, 1)
            # Word-wrapped labels report too small a minimum height; without this, rows get
            # squashed instead of the screen scrolling.
            lines = max(1, len(value) // 60 + 1)
            self.grid.setRowMinimumHeight(i, v.fontMetrics().lineSpacing() * lines + 4)
        self.grid.setColumnStretch(1, 1)

    def clear(self) -> None:
        _empty(self.grid)


class ChoiceButtons(QWidget):
    """A choice as big toggle buttons, one tap each: friendlier to a finger than a drop-down."""

    def __init__(self, field):
        super().__init__()
        self.field = field
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: dict[str, QPushButton] = {}
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.columns = 0
        for choice in field.choices:
            b = _button(f"choice_{field.name}_{choice.value}", "choice")
            b.setCheckable(True)
            self.group.addButton(b)
            self.buttons[choice.value] = b
        self._place(min(3, len(self.buttons)))

    def _place(self, columns: int) -> None:
        if columns == self.columns:
            return
        self.columns = columns
        for i, b in enumerate(self.buttons.values()):
            self.grid.removeWidget(b)
            self.grid.addWidget(b, i // columns, i % columns)

    def _fit(self, width: int) -> None:
        """As many columns (up to 3) as the widest answer allows: its words never cut."""
        gap = max(0, self.grid.horizontalSpacing())
        widest = max(b.sizeHint().width() for b in self.buttons.values())
        self._place(max(1, min(3, len(self.buttons), (width + gap) // (widest + gap))))

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._fit(event.size().width())

    def value(self) -> str:
        return next((v for v, b in self.buttons.items() if b.isChecked()), "")

    def set_value(self, value: str) -> None:
        if value in self.buttons:
            self.buttons[value].setChecked(True)
        else:  # nothing chosen: an exclusive group needs a moment without exclusivity
            self.group.setExclusive(False)
            for b in self.buttons.values():
                b.setChecked(False)
            self.group.setExclusive(True)

    def set_texts(self, lang: str) -> None:
        for choice in self.field.choices:
            self.buttons[choice.value].setText(choice.label.get(lang))
        if self.width() > 0:
            self._fit(self.width())


# A text field whose pattern admits digits only (NIK, postcode, DTKS number) gets the digit pad.
_DIGITS_ONLY = re.compile(r"\[0-9\](\{[0-9]+(,[0-9]*)?\}|\+)?")
# Which keys each field type needs (ui.keyboard.MODES); any other field gets the letters.
KEYBOARD_MODES = {"number": "digits", "date": "date", "time": "time"}


def keyboard_mode(field) -> str:
    if field.type == "text" and field.pattern and _DIGITS_ONLY.fullmatch(field.pattern):
        return "digits"
    return KEYBOARD_MODES.get(field.type, "text")


class FieldInput(QWidget):
    """One typed field: its label, help, the editor for its type, and its error line."""

    def __init__(self, field):
        super().__init__()
        self.field = field
        self.label, self.help = _label("field_label"), _label("help")
        self.error = _label("field_error")
        if field.type == "long_text":
            self.editor = QPlainTextEdit()
            self.editor.setFixedHeight(120)  # three lines; the keyboard needs the rest
        elif field.type == "choice":
            self.editor = ChoiceButtons(field)
        else:
            self.editor = QLineEdit()
            if field.max_length:
                self.editor.setMaxLength(field.max_length)
        self.editor.setObjectName(f"field_{field.name}")
        self.editor.setProperty(MODE_PROPERTY, keyboard_mode(field))
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 4, 0, 4)
        for w in (self.label, self.help, self.editor, self.error):
            lay.addWidget(w)

    @property
    def typed(self) -> bool:
        """Typed on the on-screen keyboard (not answered with buttons)."""
        return isinstance(self.editor, QLineEdit | QPlainTextEdit)

    def value(self) -> str:
        e = self.editor
        if isinstance(e, QPlainTextEdit):
            return e.toPlainText()
        return e.value() if isinstance(e, ChoiceButtons) else e.text()

    def set_value(self, value: str) -> None:
        e = self.editor
        if isinstance(e, QPlainTextEdit):
            if e.toPlainText() != value:
                e.setPlainText(value)
        elif isinstance(e, ChoiceButtons):
            e.set_value(value)
        elif e.text() != value:
            e.setText(value)

    def set_texts(self, lang: str, error: dict[str, str] | None) -> None:
        f = self.field
        optional = "" if f.required else f" ({text('optional', lang)})"
        self.label.setText(f.label.get(lang) + optional)
        self.help.setText(f.help.get(lang))  # the letter file explains formats here
        if isinstance(self.editor, ChoiceButtons):
            self.editor.set_texts(lang)
        elif isinstance(self.editor, QLineEdit | QPlainTextEdit):
            shown = text("example", lang, example=f.example) if f.example else ""
            self.editor.setPlaceholderText(shown)
        self.error.setText(error.get(lang, "") if error else "")
        self.error.setVisible(bool(error))  # no empty line under every field
        # One message at a time: the red line says what to fix, the help steps aside (and the
        # field, its editor and the red line fit above the docked keyboard).
        self.help.setVisible(not error and bool(self.help.text()))


# Where the keyboard types shows at a glance: a thick dark frame on a pale yellow field.
FILL_STYLE = f"""
QLineEdit:focus, QPlainTextEdit:focus {{ border: 4px solid {NAVY}; padding: 6px;
    background: #fff8d6; }}
QWidget#dock {{ background: {KEYBOARD_TRAY}; }}
QWidget#next_box {{ background: transparent; }}
"""


class KeyboardScreen(ScreenWidget):
    """A form over the on-screen keyboard, which is always there while typing: a title and a
    notice, the form (scrolling), then the keyboard's tray.

    Landscape screens are short: there the Continue button sits beside the keyboard instead of
    above it, and the keys are as low as a touch target may be. Subclasses make their form and
    its Continue button, then call `_lay_out`, and say in `_scroll_to` what to keep in view.
    """

    def __init__(self, session: Session):
        super().__init__()
        self.session = session
        self.setStyleSheet(FILL_STYLE)
        self.title = _label("headline")
        self.notice = _label("notice")
        self.keyboard = OnScreenKeyboard()
        self.keyboard.field_changed.connect(self._scroll_to)

    def _lay_out(self, scroll: QScrollArea, next_button: QPushButton) -> None:
        self.scroll, self.next = scroll, next_button
        self.scroll.setFocusPolicy(Qt.NoFocus)  # a tap between fields keeps the typing field
        # Title and form in widgets of their own: in one layout the word-wrapped title would
        # make Qt treat the form's whole height as a minimum and squash the keyboard.
        head = QWidget()
        hl = QVBoxLayout(head)
        hl.setContentsMargins(48, 8, 48, 0)
        hl.addWidget(self.title)
        hl.addWidget(self.notice)
        body = QWidget()
        bl = QVBoxLayout(body)
        bl.setContentsMargins(48, 8, 48, 8)
        bl.addWidget(self.scroll)
        self.next_box = QWidget()
        self.next_box.setObjectName("next_box")
        box = QHBoxLayout(self.next_box)
        box.addStretch(1)
        box.addWidget(self.next, alignment=Qt.AlignBottom)
        # Beside the keyboard it must not widen the screen's minimum: a narrow window could
        # then never become narrow enough to put it above the keyboard instead.
        self.next_box.setMinimumWidth(1)
        dock = QWidget()
        dock.setObjectName("dock")  # one tray under the keyboard (and Continue, in landscape)
        self.dock = QHBoxLayout(dock)
        self.dock.setContentsMargins(0, 0, 0, 0)
        self.dock.setSpacing(0)
        self.dock.addWidget(self.keyboard, 1)
        self.columns = lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(head)
        lay.addWidget(body, 1)
        lay.addWidget(dock)
        self.portrait: bool | None = None
        self._arrange(portrait=False)

    def _arrange(self, portrait: bool) -> None:
        if portrait == self.portrait:
            return
        self.portrait = portrait
        self.dock.removeWidget(self.next_box)
        self.columns.removeWidget(self.next_box)
        if portrait:  # under the form, lined up with its right edge
            self.next_box.layout().setContentsMargins(48, 0, 48, 8)
            self.columns.insertWidget(2, self.next_box)
        else:  # on the keyboard's tray, at its right
            self.next_box.layout().setContentsMargins(8, 8, 16, 8)
            self.dock.addWidget(self.next_box)
        self.keyboard.set_key_height(76 if portrait else 62)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        side_by_side = self.keyboard.minimumSizeHint().width() + self.next_box.sizeHint().width()
        self._arrange(portrait=self.height() > self.width() or self.width() < side_by_side)

    def _scroll_to(self, editor: QWidget) -> None:
        raise NotImplementedError


class FillScreen(KeyboardScreen):
    """The letter's fields over the on-screen keyboard."""

    def __init__(self, session: Session):
        super().__init__(session)
        self.identity_title = _label("field_label")
        self.identity = IdentityTable()
        self.inputs: dict[str, FieldInput] = {}
        self.form = QVBoxLayout()
        next_button = _button("fill_next", "primary")
        next_button.clicked.connect(lambda: self.session.submit_fields(self.values()))
        self._letter_id: str | None = None
        self._errors_shown: set[str] = set()
        self._scroll_target: QWidget | None = None
        self._scroll_later = QTimer(self)  # after the layout has placed a new error line
        self._scroll_later.setSingleShot(True)
        self._scroll_later.setInterval(0)
        self._scroll_later.timeout.connect(self._scroll_now)
        self._lay_out(scroll_column(self.form, 24, self.identity_title, self.identity), next_button)

    def values(self) -> dict[str, str]:
        return {name: w.value() for name, w in self.inputs.items()}

    def render(self, session: Session) -> None:
        lang = session.language
        if self._letter_id != session.letter.id or not self.inputs:
            self._clear_form()
            previous = None
            for f in session.letter.input_fields():
                self.inputs[f.name] = FieldInput(f)
                self.form.addWidget(self.inputs[f.name])
                if self.inputs[f.name].typed:
                    editor = self.inputs[f.name].editor
                    if previous is not None:  # the keyboard's next key goes down the form
                        QWidget.setTabOrder(previous, editor)
                    previous = editor
            self._letter_id = session.letter.id
            self.keyboard.setVisible(previous is not None)
            if self.isVisible():
                self._focus_field()
        self.title.setText(text("fill_title", lang, letter=session.letter.title.get(lang)))
        self.notice.setText(notice_text(session.notice, lang))
        self.notice.setVisible(session.notice is not None)
        self.identity_title.setText(text("fill_identity", lang))
        self.identity.show_rows(
            [(f.label.get(lang), v) for f, v in prefill(session.letter, session.resident)]
        )
        for name, w in self.inputs.items():
            w.set_value(session.values.get(name, ""))
            w.set_texts(lang, session.field_errors.get(name))
        self.next.setText(text("fill_next", lang))
        self.keyboard.set_texts(lang)
        errors = set(session.field_errors)
        if errors and errors != self._errors_shown and self.isVisible():
            self._focus_field()  # straight to the first answer to fix
        self._errors_shown = errors

    def _typed(self) -> list[tuple[str, QWidget]]:
        return [(name, w.editor) for name, w in self.inputs.items() if w.typed]

    def _focus_field(self) -> None:
        """The first field to fix, else the first empty one, else the first."""
        typed = self._typed()
        if not typed:
            return
        errors = self.session.field_errors
        empty = [e for name, e in typed if not self.inputs[name].value()]
        wrong = [e for name, e in typed if name in errors]
        editor = (wrong or empty or [typed[0][1]])[0]
        editor.setFocus(Qt.OtherFocusReason)
        self._scroll_to(editor)  # also when it had the focus: its red text must show

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        last = self.focusWidget()  # back from the review: where the villager left off
        if last is not None and any(last is e for _, e in self._typed()):
            last.setFocus(Qt.OtherFocusReason)
        else:
            self._focus_field()

    def _scroll_to(self, editor: QWidget) -> None:
        """Keep the field being typed in on screen, above the keyboard."""
        self._scroll_target = editor
        self._scroll_later.start()

    def _scroll_now(self) -> None:
        editor = self._scroll_target
        for w in self.inputs.values():
            if w.editor is editor:
                _keep_in_view(self.scroll, w.label, editor, w.error)
                return

    def _clear_form(self) -> None:
        _empty(self.form)
        self.inputs, self._letter_id, self._scroll_target = {}, None, None
        self._errors_shown = set()

    def clear(self) -> None:
        self._clear_form()
        self.identity.clear()


class ReviewDetails(IdentityTable):
    """The review's label : value rows, or, in a narrow column, each label over its value (a
    side-by-side row needs the longest label and the longest number whole, the page that room)."""

    def __init__(self):
        super().__init__()
        self.stacked_width = 0  # the column's width when stacked, else 0
        self.rows: list[tuple[str, str]] = []

    def stack(self, width: int) -> None:
        if width != self.stacked_width:
            self.stacked_width = width
            self.show_rows(self.rows)

    def show_rows(self, rows: list[tuple[str, str]]) -> None:
        rows = list(rows)
        for i in range(self.grid.rowCount()):  # heights the other arrangement asked for
            self.grid.setRowMinimumHeight(i, 0)
        if not self.stacked_width:
            super().show_rows(rows)
            self.rows = rows
            return
        self.clear()
        per_line = max(12, self.stacked_width // 15)  # bold 24 px signs are ~15 px wide
        for i, (key, value) in enumerate(rows):
            k, v = _label("identity_key"), _label("identity_value")
            k.setText(key)
            v.setText(value)
            if i:
                k.setContentsMargins(0, 12, 0, 0)  # a gap between one pair and the next
            self.grid.addWidget(k, 2 * i, 0)
            self.grid.addWidget(v, 2 * i + 1, 0)
            lines = max(1, len(value) // per_line + 1)  # see IdentityTable.show_rows
            self.grid.setRowMinimumHeight(2 * i + 1, v.fontMetrics().lineSpacing() * lines + 8)
        self.grid.setColumnStretch(1, 0)
        self.rows = rows

    def clear(self) -> None:
        super().clear()
        self.rows = []


class ReviewScreen(ScreenWidget):
    """The application as it will be printed (its page images), beside the details in large
    type, the hint and KIRIM in landscape, above them in portrait. Only the page and the details
    scroll: the hint and the button are always in view."""

    def __init__(self, session: Session, runner: Runner | None = None):
        super().__init__()
        self.session = session
        self.title = _label("headline")
        self.hint = _label("status")
        self.notice = _label("notice")
        self.table = ReviewDetails()
        self.preview = PagePreview(session, runner)
        self.confirm = _button("review_confirm", "primary")
        self.confirm.setMinimumWidth(320)
        self.confirm.clicked.connect(session.confirm)
        self.details = QWidget()
        dl = QVBoxLayout(self.details)
        dl.setContentsMargins(0, 0, 0, 0)
        dl.addWidget(self.hint)
        dl.addWidget(self.notice)
        self.table_scroll = scroll_column(self.table)
        # Never sideways: in a narrow column each label goes over its value instead.
        self.table_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        dl.addWidget(self.table_scroll, 1)
        dl.addWidget(self.confirm, alignment=Qt.AlignRight)
        self.body = QBoxLayout(QBoxLayout.LeftToRight)
        self.body.setSpacing(24)
        self.body.addWidget(self.preview, 3)
        self.body.addWidget(self.details, 2)
        self.columns = lay = QVBoxLayout(self)
        lay.addWidget(self.title)
        lay.addLayout(self.body, 1)
        # The details' rows are new labels on every render, sized once the style has given them
        # their font: measure them when their layout asks for room.
        self._arrange_soon = QTimer(self)
        self._arrange_soon.setSingleShot(True)
        self._arrange_soon.setInterval(0)
        self._arrange_soon.timeout.connect(self._arrange)
        self.table_scroll.widget().installEventFilter(self)
        self._arrange()

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.LayoutRequest:
            self._arrange_soon.start()
        return False

    def _arrange(self) -> None:
        """Landscape: the page beside the details, which take two fifths of the width and put
        each label over its value if their rows need more; portrait: the page over the details,
        both the full width."""
        portrait = self.height() > self.width()
        self.body.setDirection(QBoxLayout.TopToBottom if portrait else QBoxLayout.LeftToRight)
        self.columns.setContentsMargins(32, 12, 32, 12)  # every pixel for the page
        if portrait:
            self.details.setMinimumWidth(0)
            self.details.setMaximumWidth(16777215)
            self.table.stack(0)
            return
        width = (self.width() - 64) * 2 // 5
        self.details.setFixedWidth(width)
        t = self.table_scroll
        chrome = t.verticalScrollBar().sizeHint().width() + 2 * t.frameWidth() + 24
        if self.table.stacked_width not in (0, width - chrome):
            self.table.stack(0)  # the window changed: try the rows side by side again
        self.table.ensurePolished()  # new rows measured in the style's font, not the default
        if not self.table.stacked_width and self.table.rows:
            if t.widget().minimumSizeHint().width() + chrome > width:
                self.table.stack(width - chrome)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._arrange()

    def render(self, session: Session) -> None:
        lang = session.language
        letter = session.letter
        self.title.setText(text("review_title", lang, letter=letter.title.get(lang)))
        self.hint.setText(text("review_hint", lang))
        self.notice.setText(notice_text(session.notice, lang))
        self.notice.setVisible(session.notice is not None)
        rows = [(text("application_number", lang), session.application.application_number)]
        rows += [(f.label.get(lang), v) for f, v in prefill(letter, session.resident)]
        rows += [(f.label.get(lang), session.application.values.get(f.name, ""))
                 for f in letter.input_fields()]
        self.table.show_rows(rows)
        self._arrange()  # now, so the first frame shows the rows as they will stay
        self.preview.render(session)
        self.confirm.setText(text("review_confirm", lang))
        self.confirm.setEnabled(session.notice is None or session.notice.code != "disk_full")

    def clear(self) -> None:
        self.table.clear()
        self.preview.clear()


class ReceiptScreen(ScreenWidget):
    def __init__(self, session: Session, village_code: str):
        super().__init__()
        self.session = session
        self.village_code = village_code
        self.title = _label("headline")
        self.label = _label("status")
        self.number = _label("big_number", wrap=False)
        self.qr = QLabel()
        self.status = _label("status")
        self.paper = _label("status")  # printing, or take your receipt
        self.notice = _label("notice")  # the printer's problem and what to do
        self.hint = _label("status")
        self.done = _button("receipt_done", "primary")
        self.done.clicked.connect(session.finish)
        # The survey is offered here, beside Selesai, which skips it.
        self.offer = QFrame()
        self.offer.setObjectName("survey_offer")
        self.offer.setStyleSheet(f"QFrame#survey_offer {{ background: #eef3f8; border: 2px solid "
                                 f"{NAVY}; border-radius: 12px; }} QFrame#survey_offer QLabel "
                                 f"{{ background: transparent; border: none; }}")
        self.offer_text = _label("status")
        self.survey = _button("survey_start")
        self.survey.clicked.connect(session.start_survey)
        ol = QHBoxLayout(self.offer)
        ol.setContentsMargins(16, 8, 16, 8)
        ol.addWidget(self.offer_text, 1)
        ol.addWidget(self.survey)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(48, 24, 48, 24)
        for w in (self.title, self.label, self.number, self.qr, self.notice, self.paper,
                  self.status, self.hint):
            w.setAlignment(Qt.AlignCenter)
            if w is self.number:
                lay.addWidget(w, alignment=Qt.AlignHCenter)  # a framed box, as wide as the text
            else:
                lay.addWidget(w)
        lay.addStretch(1)
        self.bottom = QBoxLayout(QBoxLayout.LeftToRight)
        self.bottom.setSpacing(16)
        self.bottom.addWidget(self.offer, 1)
        self.bottom.addWidget(self.done, 0, Qt.AlignRight | Qt.AlignVCenter)
        lay.addLayout(self.bottom)
        self._qr_for: str | None = None

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        portrait = event.size().height() > event.size().width()
        self.bottom.setDirection(QBoxLayout.TopToBottom if portrait else QBoxLayout.LeftToRight)

    def render(self, session: Session) -> None:
        lang = session.language
        r = session.receipt
        self.title.setText(text("receipt_title", lang))
        self.label.setText(text("receipt_number", lang))
        self.number.setText(r.application_number)
        if self._qr_for != r.application_number:
            ref = application_reference(self.village_code, r.application_number)
            self.qr.setPixmap(_qr_pixmap(ref))
            self._qr_for = r.application_number
        self.status.setText(text("receipt_delivered" if r.delivered else "receipt_queued", lang))
        paper = {"printing": "receipt_printing",
                 "printed": "receipt_printed_copy" if session.prints_copy else "receipt_printed"}
        self.paper.setText(text(paper[r.printing], lang) if r.printing in paper else "")
        self.paper.setVisible(r.printing in paper)
        self.notice.setText(notice_text(session.notice, lang))
        self.notice.setVisible(session.notice is not None)
        # With a printer problem its notice says to photograph the QR code: no second hint.
        self.hint.setText(text("receipt_hint", lang))
        self.hint.setVisible(session.notice is None)
        self.done.setText(text("receipt_done", lang))
        self.offer_text.setText(text("survey_offer", lang))
        self.survey.setText(text("survey_start", lang))

    def clear(self) -> None:
        self.number.clear()
        self.qr.clear()
        self._qr_for = None


class MessageScreen(ScreenWidget):
    def __init__(self, session: Session):
        super().__init__()
        self.message = _label("headline")
        self.message.setAlignment(Qt.AlignCenter)
        self.take = _label("status")
        self.take.setAlignment(Qt.AlignCenter)
        self.ok = _button("message_ok", "primary")
        self.ok.clicked.connect(session.finish)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(64, 64, 64, 64)
        lay.addStretch(1)
        lay.addWidget(self.message)
        lay.addWidget(self.take)
        lay.addStretch(1)
        lay.addWidget(self.ok, alignment=Qt.AlignHCenter)

    def render(self, session: Session) -> None:
        lang = session.language
        self.message.setText(notice_text(session.notice, lang))
        self.take.setText(text("take_card", lang))
        self.ok.setText(text("message_ok", lang))


# A sign and a colour per status word, so that a villager who reads little still finds the
# ready letter: green with a check mark. Any other status is "in progress".
REQUEST_STATES = {"siap_diambil": "ready", "dikembalikan": "returned",
                  "dibatalkan": "closed", "sudah_diambil": "closed"}
REQUEST_SIGNS = {"siap_diambil": "✔", "dikembalikan": "↩", "dibatalkan": "✘",
                 "sudah_diambil": "✓"}
IN_PROGRESS_SIGN = "↻"
DARK_GREEN, AMBER = "#0f5a28", "#8a4500"
STATUS_STYLE = f"""
QFrame#request {{ background: white; border: 2px solid #8a8a8a; border-radius: 12px; }}
QFrame#request[state="ready"] {{ background: #e6f4ea; border: 5px solid {GREEN}; }}
QFrame#request[state="returned"] {{ background: #fff3e0; border: 3px solid {AMBER}; }}
QFrame#request QLabel {{ background: transparent; border: none; }}
QLabel#request_sign {{ font-size: 48px; color: {NAVY}; min-width: 64px; }}
QLabel#request_sign[state="ready"] {{ color: {GREEN}; }}
QLabel#request_sign[state="returned"] {{ color: {AMBER}; }}
QLabel#request_sign[state="closed"] {{ color: #555; }}
QLabel#request_title {{ font-size: 26px; color: #111; }}
QLabel#request_status {{ font-size: 30px; font-weight: bold; color: {NAVY}; }}
QLabel#request_status[state="ready"] {{ color: {DARK_GREEN}; }}
QLabel#request_status[state="returned"] {{ color: {AMBER}; }}
QLabel#request_status[state="closed"] {{ color: #444; }}
QLabel#request_ready {{ font-size: 26px; font-weight: bold; color: {DARK_GREEN}; }}
QLabel#request_message {{ font-size: 24px; color: #111; }}
QLabel#request_detail {{ font-size: 24px; color: #444; }}
QLabel#status_message {{ font-size: 30px; font-weight: bold; color: {NAVY}; }}
QLabel#status_summary {{ font-size: 30px; font-weight: bold; color: {NAVY}; }}
QLabel#status_summary[state="ready"] {{ color: white; background: {GREEN};
    border-radius: 12px; }}
"""


def _unbroken(words: str) -> str:
    """"e-KTP" kept on one line: a line break after "e-" loses readers."""
    return words.replace("e-KTP", "e\u2011KTP")


class RequestRow(QFrame):
    """One of the villager's requests: the letter, its status, what to do, number and date."""

    def __init__(self, request: RequestStatus, letter_title: str, lang: str):
        super().__init__()
        self.setObjectName("request")
        self.request = request
        state = REQUEST_STATES.get(request.status, "open")
        self.setProperty("state", state)
        self.sign = _label("request_sign", wrap=False)
        self.sign.setText(REQUEST_SIGNS.get(request.status, IN_PROGRESS_SIGN))
        self.sign.setAlignment(Qt.AlignHCenter | Qt.AlignTop)
        self.title = _label("request_title")
        self.title.setText(letter_title)
        self.status = _label("request_status")
        self.status.setText(request.label(lang))
        for w in (self.sign, self.status):
            w.setProperty("state", state)
        lines = [self.title, self.status]
        self.ready = None
        if request.ready:
            self.ready = _label("request_ready")
            self.ready.setText(_unbroken(text("status_ready", lang)))
            lines.append(self.ready)
        self.message = None
        if request.message:  # the clerk's own words: why it was sent back or cancelled
            self.message = _label("request_message")
            self.message.setText(text("status_message", lang, message=request.message))
            lines.append(self.message)
        self.number = _label("request_detail")  # number and date: what staff will ask for
        applied = text("status_applied", lang, date=date_text(request.received_at.date(), lang))
        self.number.setText(f"{text('application_number', lang)}: "
                            f"{request.application_number} · {applied}")
        lines.append(self.number)
        lay = QGridLayout(self)
        lay.setContentsMargins(12, 12, 16, 12)
        lay.setHorizontalSpacing(12)
        lay.setVerticalSpacing(4)
        lay.addWidget(self.sign, 0, 0, len(lines), 1)
        for i, w in enumerate(lines):
            lay.addWidget(w, i, 1)
        lay.setColumnStretch(1, 1)


class StatusScreen(ScreenWidget):
    """The villager's requests, newest first; a ready letter stands out in green, and the line
    above the list says at once whether any is ready (the list may need scrolling).

    Its own Kembali and Selesai, in one row at the bottom (the window's footer is hidden here):
    in landscape a second row of buttons would leave room for only one request."""

    def __init__(self, session: Session):
        super().__init__()
        self.session = session
        self.setStyleSheet(STATUS_STYLE)
        self.title = _label("headline")
        self.summary = _label("status_summary")
        self.message = _label("status_message")  # asking / none / cannot be checked now
        self.message.setAlignment(Qt.AlignCenter)
        self.rows: list[RequestRow] = []
        self.list = QVBoxLayout()
        self.list.setSpacing(16)
        self.scroll = scroll_column(self.list)
        self.filler = QWidget()  # keeps the title up when there is no list
        self.back = _button("back")
        self.back.clicked.connect(session.back)
        self.done = _button("status_done", "primary")
        self.done.setMinimumWidth(240)
        self.done.clicked.connect(session.status_done)
        buttons = QHBoxLayout()
        buttons.addWidget(self.back)
        buttons.addStretch(1)
        buttons.addWidget(self.done)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(48, 16, 48, 16)
        lay.addWidget(self.title)
        lay.addWidget(self.summary)
        lay.addWidget(self.message)
        lay.addWidget(self.scroll, 1)
        lay.addWidget(self.filler, 1)
        lay.addLayout(buttons)
        self._shown: tuple | None = None

    def render(self, session: Session) -> None:
        lang = session.language
        self.title.setText(text("status_title", lang))
        if session.status_pending:
            self.message.setText(text("status_checking", lang))
        else:
            self.message.setText(notice_text(session.notice, lang))
        self.message.setVisible(bool(self.message.text()))
        ready = sum(r.ready for r in session.requests)
        self.summary.setProperty("state", "ready" if ready else "")
        self.summary.setText((f"{REQUEST_SIGNS['siap_diambil']} "
                              f"{text('status_ready_count', lang, count=ready)}") if ready
                             else text("status_none_ready", lang) if session.requests else "")
        self.summary.style().unpolish(self.summary)  # the state changed: restyle
        self.summary.style().polish(self.summary)
        inset = 16 if ready else 0  # inside the green band; else in line with the title
        self.summary.setContentsMargins(inset, inset // 2, inset, inset // 2)
        self.summary.setVisible(bool(session.requests))
        if self._shown != (session.requests, lang):
            self.clear()
            for request in session.requests:
                letter = session.catalogue.get(request.letter) if (
                    request.letter in session.catalogue) else None
                title = letter.title.get(lang) if letter else request.letter
                row = RequestRow(request, title, lang)
                self.rows.append(row)
                self.list.addWidget(row)
            self._shown = (session.requests, lang)
        self.scroll.setVisible(bool(self.rows))
        self.filler.setVisible(not self.rows)
        self.back.setText(text("back", lang))
        self.done.setText(text("receipt_done", lang))

    def clear(self) -> None:
        for row in self.rows:
            self.list.removeWidget(row)
            row.setParent(None)
            row.deleteLater()
        self.rows = []
        self._shown = None


# --- complaints (pengaduan) -----------------------------------------------------------------

# A sign per complaint category, from glyphs DejaVu Sans has (test_feedback_session checks).
COMPLAINT_SIGNS = {"layanan_surat": "✉", "pelayanan_petugas": "☺", "fasilitas_kantor": "⌂",
                   "lainnya": "✎"}
FEEDBACK_STYLE = f"""
QPushButton#complaint_category {{ min-height: 110px; font-size: 30px; font-weight: bold;
    text-align: left; padding-left: 24px; }}
QPushButton#complaint_category:checked {{ background: {NAVY}; color: white; }}
QPushButton#survey_answer {{ min-height: 150px; padding: 8px; font-size: 34px;
    font-weight: bold; }}
QPushButton#survey_answer:pressed {{ background: #dde6f0; }}
QLabel#promise {{ font-size: 28px; font-weight: bold; color: {DARK_GREEN};
    background: #e6f4ea; border: 3px solid {GREEN}; border-radius: 12px; padding: 12px; }}
QLabel#survey_step {{ font-size: 26px; color: #333; }}
"""


def _nik_line(session: Session, lang: str) -> str:
    nik = session.resident.nik if session.resident else ""
    return text("complaint_in_name", lang, nik=nik)


def _category_label(code: str, lang: str) -> str:
    return next((c.label(lang) for c in CATEGORIES if c.code == code), code)


class ComplaintCategoryScreen(ScreenWidget):
    """What the complaint is about: four big buttons, and whose name it goes in."""

    def __init__(self, session: Session):
        super().__init__()
        self.session = session
        self.setStyleSheet(FEEDBACK_STYLE)
        self.title = _label("headline")
        self.in_name = _label("status")
        self.buttons: dict[str, QPushButton] = {}
        for c in CATEGORIES:
            b = _button(f"complaint_{c.code}", "complaint_category")
            b.setCheckable(True)
            b.clicked.connect(lambda _=False, code=c.code: session.choose_complaint_category(code))
            self.buttons[c.code] = b
        self.grid = ReflowGrid(self.buttons.values(), 2, 1, spacing=16)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(48, 16, 48, 16)
        lay.addWidget(self.title)
        lay.addWidget(self.in_name)
        lay.addSpacing(16)
        lay.addLayout(self.grid)
        lay.addStretch(1)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self.grid.fit(event.size().width())

    def render(self, session: Session) -> None:
        lang = session.language
        self.title.setText(text("complaint_title", lang))
        self.in_name.setText(_nik_line(session, lang))
        for c in CATEGORIES:
            b = self.buttons[c.code]
            b.setText(f"{COMPLAINT_SIGNS[c.code]}   {c.label(lang)}")
            b.setChecked(c.code == session.complaint_category)

    def clear(self) -> None:
        self.in_name.clear()
        for b in self.buttons.values():
            b.setChecked(False)


class ComplaintFormScreen(KeyboardScreen):
    """The complaint's words and an optional mobile number, over the on-screen keyboard (the
    number field brings up the digit pad)."""

    def __init__(self, session: Session):
        super().__init__(session)
        self.text_label = _label("field_label")  # with its length limit (landscape is short)
        self.text_error = _label("field_error")
        self.text = QPlainTextEdit()
        self.text.setObjectName("field_complaint_text")
        self.text.setProperty(MODE_PROPERTY, "text")
        self.text.setFixedHeight(100)  # under three lines: landscape leaves little above the keys
        self.phone_label, self.phone_help = _label("field_label"), _label("help")
        self.phone_error = _label("field_error")
        self.phone = QLineEdit()
        self.phone.setObjectName("field_complaint_phone")
        self.phone.setProperty(MODE_PROPERTY, "digits")
        self.phone.setMaxLength(16)
        self.in_name = _label("status")
        next_button = _button("complaint_next", "primary")
        next_button.clicked.connect(
            lambda: session.submit_complaint(self.text.toPlainText(), self.phone.text()))
        self._lay_out(scroll_column(self.text_label, self.text, self.text_error, 16,
                                 self.phone_label, self.phone_help, self.phone, self.phone_error,
                                 16, self.in_name), next_button)
        # A keyboard's Tab key goes from the text to the phone (both in one window by now:
        # before they were laid out Qt refused, "must be in the same window").
        QWidget.setTabOrder(self.text, self.phone)

    def _scroll_to(self, editor: QWidget) -> None:
        QTimer.singleShot(0, lambda: self._scroll_now(editor))  # after the layout settles

    def _scroll_now(self, editor: QWidget) -> None:
        if editor is self.text:
            _keep_in_view(self.scroll, self.text_label, editor, self.text_error)
        elif editor is self.phone:
            _keep_in_view(self.scroll, self.phone_label, editor, self.phone_error)

    def render(self, session: Session) -> None:
        lang = session.language
        self.title.setText(text("complaint_form_title", lang,
                                category=_category_label(session.complaint_category, lang)))
        self.notice.setText(notice_text(session.notice, lang))
        self.notice.setVisible(session.notice is not None)
        self.text_label.setText(f"{text('complaint_text', lang)} "
                                f"({text('complaint_text_help', lang, max=TEXT_MAX)})")
        self.phone_label.setText(f"{text('complaint_phone', lang)} ({text('optional', lang)})")
        self.phone_help.setText(text("complaint_phone_help", lang))
        self.phone.setPlaceholderText(text("example", lang, example="081234567890"))
        if self.text.toPlainText() != session.complaint_text:
            self.text.setPlainText(session.complaint_text)
        if self.phone.text() != session.complaint_phone:
            self.phone.setText(session.complaint_phone)
        for name, label in (("text", self.text_error), ("phone", self.phone_error)):
            error = session.complaint_errors.get(name)
            label.setText(error.get(lang, "") if error else "")
            label.setVisible(bool(error))
        self.phone_help.setVisible("phone" not in session.complaint_errors)  # as FieldInput
        self.in_name.setText(_nik_line(session, lang))
        self.next.setText(text("fill_next", lang))
        self.keyboard.set_texts(lang)
        if self.isVisible():
            self._focus_field()

    def _focus_field(self) -> None:
        errors = self.session.complaint_errors
        wrong_phone = "phone" in errors and "text" not in errors
        editor = self.phone if wrong_phone else self.text
        editor.setFocus(Qt.OtherFocusReason)
        self._scroll_to(editor)  # also when it had the focus: its red text must show

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self._focus_field()

    def clear(self) -> None:
        self.text.clear()
        self.phone.clear()
        self.in_name.clear()


class ComplaintReviewScreen(ScreenWidget):
    """The complaint as it will be sent, and KIRIM."""

    def __init__(self, session: Session):
        super().__init__()
        self.session = session
        self.title = _label("headline")
        self.hint = _label("status")
        self.notice = _label("notice")
        self.table = IdentityTable()
        self.confirm = _button("complaint_confirm", "primary")
        self.confirm.setMinimumWidth(320)
        self.confirm.clicked.connect(session.confirm_complaint)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(48, 16, 48, 16)
        lay.addWidget(self.title)
        lay.addWidget(self.hint)
        lay.addWidget(self.notice)
        lay.addWidget(scroll_column(self.table), 1)
        lay.addWidget(self.confirm, alignment=Qt.AlignRight)

    def render(self, session: Session) -> None:
        lang = session.language
        c = session.complaint
        self.title.setText(text("complaint_review_title", lang))
        self.hint.setText(text("review_hint", lang))
        self.notice.setText(notice_text(session.notice, lang))
        self.notice.setVisible(session.notice is not None)
        if c is not None:
            self.table.show_rows([
                (text("complaint_category", lang), _category_label(c.category, lang)),
                (text("complaint_text", lang), c.text),
                (text("complaint_phone", lang), c.phone or text("complaint_no_phone", lang)),
                (text("complaint_nik", lang), c.nik),
            ])
        self.confirm.setText(text("review_confirm", lang))

    def clear(self) -> None:
        self.table.clear()


class ComplaintSentScreen(ScreenWidget):
    """The complaint's number and the promise of an answer within 4 hours."""

    def __init__(self, session: Session):
        super().__init__()
        self.setStyleSheet(FEEDBACK_STYLE)
        self.title = _label("headline")
        self.label = _label("status")
        self.number = _label("big_number", wrap=False)
        self.promise = _label("promise")
        self.status = _label("status")
        self.take = _label("status")
        self.done = _button("complaint_done", "primary")
        self.done.clicked.connect(session.finish)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(48, 24, 48, 24)
        lay.setSpacing(16)
        for w in (self.title, self.label, self.number, self.promise, self.status, self.take):
            w.setAlignment(Qt.AlignCenter)
            if w is self.number:
                lay.addWidget(w, alignment=Qt.AlignHCenter)
            else:
                lay.addWidget(w)
        lay.addStretch(1)
        lay.addWidget(self.done, alignment=Qt.AlignRight)

    def render(self, session: Session) -> None:
        lang = session.language
        r = session.complaint_receipt
        self.title.setText(text("complaint_sent_title", lang))
        self.label.setText(text("complaint_number", lang))
        self.number.setText(r.complaint_number if r else "")
        self.promise.setText(text("complaint_promise", lang))
        delivered = r is not None and r.delivered
        self.status.setText(text("complaint_delivered" if delivered else "complaint_queued", lang))
        self.take.setText(_unbroken(text("take_card", lang)))
        self.done.setText(text("receipt_done", lang))


# --- the satisfaction survey (SKM) ---------------------------------------------------------


def _survey_answer(score: int) -> QPushButton:
    """One answer: its stars over its word, the whole button one touch."""
    b = _button(f"survey_answer_{score}", "survey_answer")
    b.setMinimumHeight(150)
    return b


class SurveyScreen(ScreenWidget):
    """One SKM element: the question, four answers, and the ways out (previous, skip)."""

    def __init__(self, session: Session):
        super().__init__()
        self.session = session
        self.setStyleSheet(FEEDBACK_STYLE)
        self.step = _label("survey_step")
        self.question = _label("headline")
        self.answers: dict[int, QPushButton] = {}
        for score, _, _ in ANSWERS:
            b = _survey_answer(score)
            b.clicked.connect(lambda _=False, score=score: session.answer_survey(score))
            self.answers[score] = b
        # Four in a row in landscape, two by two in portrait; worst to best, left to right.
        self.grid = ReflowGrid(self.answers.values(), 4, 2, spacing=16)
        self.previous = _button("survey_previous")
        self.previous.clicked.connect(session.back)
        self.skip = _button("survey_skip")
        self.skip.clicked.connect(session.skip_survey)
        buttons = QHBoxLayout()
        buttons.addWidget(self.previous)
        buttons.addStretch(1)
        buttons.addWidget(self.skip)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(48, 16, 48, 16)
        lay.addWidget(self.step)
        lay.addWidget(self.question)
        lay.addStretch(1)
        lay.addLayout(self.grid)
        lay.addStretch(1)
        lay.addLayout(buttons)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self.grid.fit(event.size().width())

    def render(self, session: Session) -> None:
        lang = session.language
        step = min(session.survey_step, len(ELEMENT_CODES) - 1)
        self.step.setText(text("survey_step", lang, step=step + 1, total=len(ELEMENT_CODES)))
        self.question.setText(ELEMENTS[step].label(lang))
        for score, choice, stars in ANSWERS:
            self.answers[score].setText(f"{stars}\n{choice.label(lang)}")
        self.previous.setText(text("survey_previous", lang))
        self.previous.setVisible(step > 0)
        self.skip.setText(text("survey_skip", lang))


class SurveyThanksScreen(ScreenWidget):
    def __init__(self, session: Session):
        super().__init__()
        self.message = _label("headline")
        self.message.setAlignment(Qt.AlignCenter)
        self.done = _button("survey_done", "primary")
        self.done.clicked.connect(session.finish)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(64, 64, 64, 64)
        lay.addStretch(1)
        lay.addWidget(self.message)
        lay.addStretch(1)
        lay.addWidget(self.done, alignment=Qt.AlignHCenter)

    def render(self, session: Session) -> None:
        lang = session.language
        self.message.setText(notice_text(session.notice, lang) or text("survey_thanks", lang))
        self.done.setText(text("receipt_done", lang))


def tap_card_picture() -> QPixmap:
    """A card held flat over a contactless reader, with waves: how to tap, without words."""
    pm = QPixmap(420, 230)
    pm.fill(Qt.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.Antialiasing)
    # the reader
    p.setPen(Qt.NoPen)
    p.setBrush(QColor("#2b2b2b"))
    p.drawRoundedRect(QRectF(90, 150, 240, 60), 14, 14)
    p.setBrush(QColor("#7fd17f"))
    p.drawEllipse(QRectF(290, 170, 16, 16))
    # the waves
    pen = QPen(QColor(NAVY), 6)
    pen.setCapStyle(Qt.RoundCap)
    p.setPen(pen)
    p.setBrush(Qt.NoBrush)
    for r in (30, 55, 80):
        p.drawArc(QRectF(210 - r, 150 - r * 0.55, 2 * r, r * 1.1), 30 * 16, 120 * 16)
    # the card (blue like an e-KTP), tilted a little above the reader
    p.translate(210, 60)
    p.rotate(-6)
    p.setPen(QPen(QColor("#0d3b66"), 3))
    p.setBrush(QColor("#8ecae6"))
    p.drawRoundedRect(QRectF(-110, -50, 220, 100), 12, 12)
    p.setBrush(QColor("#f4a261"))
    p.setPen(Qt.NoPen)
    p.drawRoundedRect(QRectF(-95, -30, 50, 60), 6, 6)  # the photo
    p.setBrush(QColor("#0d3b66"))
    for i, w in enumerate((120, 100, 110)):
        p.drawRoundedRect(QRectF(-35, -25 + i * 20, w, 8), 4, 4)
    p.end()
    return pm


def _qr_pixmap(data: str) -> QPixmap:
    img = qrcode.make(data, box_size=8, border=2)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    pm = QPixmap()
    pm.loadFromData(buf.getvalue(), "PNG")
    return pm

