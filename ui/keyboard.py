"""The on-screen keyboard: no physical keyboard is needed anywhere on the kiosk.

Letters (Indonesian uses the plain Latin QWERTY layout), a row of digits and the signs of names
and addresses; or, for number, date and time fields, a big digit pad like the PIN pad.

It types into the text field that has the focus in its window by sending that field the key
events a real keyboard would, so the field's own length limit, validator and `textEdited` /
`textChanged` signals work as if typed. Its keys never take the focus: the field keeps its cursor.
A field asks for the digit pad with the Qt property `keyboard` (see `MODES`).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent, QTextCursor
from PySide6.QtWidgets import (
    QApplication,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ui.i18n import text
from ui.style import NAVY

KEY_MIN = 60  # px: the kiosk's smallest touch target, both ways (issue #7)
MODE_PROPERTY = "keyboard"  # a field's Qt property naming the keys it needs
TEXT = "text"
# The digit-pad modes, and the one sign each needs besides the digits (17-08-2025, 09:30).
MODES = {"digits": "", "date": "-", "time": ":"}

# Twelve columns a row: at 800 px wide (portrait) a column is still above KEY_MIN.
LETTER_ROWS = (
    (*"1234567890", "backspace"),
    (*"qwertyuiop()",),
    (*"asdfghjkl'-/",),
    ("shift", *"zxcvbnm,."),
    ("caps", "space", "newline", "next"),
)
SPANS = {"backspace": 2, "shift": 3, "caps": 2, "space": 4, "newline": 3, "next": 3}
FUNCTIONS = ("shift", "caps", "backspace", "space", "newline", "next")  # their labels: key_<name>
SIGN_NAMES = {
    ".": "period", ",": "comma", "-": "dash", "/": "slash", "'": "apostrophe",
    "(": "paren_open", ")": "paren_close", ":": "colon",
}  # fmt: skip

PALE = "#dde5ee"
KEYBOARD_TRAY = "#c9d3de"  # sets the keys apart from the form above them
STYLE = f"""
QWidget {{ background: transparent; }}
QWidget#keyboard {{ background: {KEYBOARD_TRAY}; }}
QPushButton {{ min-width: {KEY_MIN - 8}px; min-height: {KEY_MIN - 4}px; padding: 0px 2px;
    border: 2px solid {NAVY}; border-radius: 10px; background: white; color: #111;
    font-size: 30px; font-weight: bold; }}
QPushButton:pressed {{ background: #9fb6cf; }}
QPushButton#key_function {{ background: {PALE}; color: {NAVY}; font-size: 24px; }}
QPushButton#key_function:checked {{ background: {NAVY}; color: white; }}
QPushButton#key_function:pressed {{ background: #9fb6cf; }}
QPushButton#key_function:disabled {{ color: #8a8a8a; border-color: #a0a0a0; background: #e6e6e6; }}
QPushButton#key_pad {{ font-size: 40px; }}
"""
# The keyboard carries its own sheet: a widget's own rules beat the window's, whose QPushButton
# minimum (120 px wide) would make twelve keys too wide for a portrait screen.


def _typable(w) -> bool:
    return (
        isinstance(w, QLineEdit | QPlainTextEdit)
        and w.isVisible() and w.isEnabled() and not w.isReadOnly()
    )


def _send_key(w: QWidget, key: int, chars: str = "") -> None:
    for kind in (QEvent.KeyPress, QEvent.KeyRelease):
        QApplication.sendEvent(w, QKeyEvent(kind, key, Qt.NoModifier, chars))


class Key(QPushButton):
    """One key. Never takes the focus; a label too wide for it goes on two lines."""

    def __init__(self, name: str, label: str = "", object_name: str = "key"):
        super().__init__()
        self.name = name
        self.setObjectName(object_name)
        self.setProperty("action", f"key_{SIGN_NAMES.get(name, name)}")
        self.setFocusPolicy(Qt.NoFocus)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
        self.height_hint = KEY_MIN
        self._label = ""
        self.set_label(label)

    # The keyboard's grid shares its width out evenly only if no key asks for more.
    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(KEY_MIN, self.height_hint)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(KEY_MIN, KEY_MIN)

    def set_label(self, label: str) -> None:
        self._label = label
        self._fit()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._fit()

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().changeEvent(event)
        if event.type() in (QEvent.FontChange, QEvent.StyleChange):  # the sheet's font came
            self._fit()

    def _fit(self) -> None:
        label, metrics = self._label, self.fontMetrics()
        if " " in label and metrics.horizontalAdvance(label) > self.width() - 12:
            splits = [label[:i] + "\n" + label[i + 1:] for i, c in enumerate(label) if c == " "]
            label = min(splits, key=lambda t: max(map(metrics.horizontalAdvance, t.split("\n"))))
        if self.text() != label:
            self.setText(label)


class OnScreenKeyboard(QWidget):
    """Types into the focused text field of its window; see the module's docstring."""

    field_changed = Signal(object)  # the text field the keys now type into

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("keyboard")
        self.setAttribute(Qt.WA_StyledBackground, True)
        self.setStyleSheet(STYLE)
        self.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Fixed)
        self.shift = False  # one-shot: the next letter only
        self.caps = False  # every letter, until tapped again
        self.mode = TEXT
        self.letter_keys: dict[str, Key] = {}
        self.pad_keys: dict[str, Key] = {}
        self.pages = QStackedWidget()
        self.letters_page = self._letters_page()
        self.pad_page = self._pad_page()
        self.pages.addWidget(self.letters_page)
        self.pages.addWidget(self.pad_page)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 8, 8, 8)
        lay.addWidget(self.pages)
        self.set_texts("id")
        self._show_case()
        QApplication.instance().focusChanged.connect(self._focus_changed)

    # -- building ----------------------------------------------------------------------

    def _key(self, name: str, keys: dict[str, Key], object_name: str = "") -> Key:
        is_function = name in FUNCTIONS
        key = Key(name, "" if is_function else name,
                  object_name or ("key_function" if is_function else "key"))
        key.clicked.connect(lambda _=False, n=name: self.press(n))
        if name == "backspace":  # held down, it keeps erasing
            key.setAutoRepeat(True)
            key.setAutoRepeatDelay(500)
            key.setAutoRepeatInterval(100)
        if name in ("shift", "caps"):
            key.setCheckable(True)
        keys[name] = key
        return key

    def _letters_page(self) -> QWidget:
        page = QWidget()
        self.letter_grid = grid = QGridLayout(page)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(4)
        for r, row in enumerate(LETTER_ROWS):
            col = 0
            for name in row:
                span = SPANS.get(name, 1)
                grid.addWidget(self._key(name, self.letter_keys), r, col, 1, span)
                col += span
        for c in range(12):
            grid.setColumnStretch(c, 1)
        return page

    def _pad_page(self) -> QWidget:
        """Digits as on the PIN pad; erase and next field in a column on the right."""
        page = QWidget()
        centred = QHBoxLayout(page)  # a pad as wide as a landscape screen would be hard to use
        centred.setContentsMargins(0, 0, 0, 0)
        self.pad_grid = grid = QGridLayout()
        grid.setSpacing(8)
        centred.addStretch(1)
        centred.addLayout(grid, 6)  # the grid is the page's now: its keys will be too
        centred.addStretch(1)
        for i, d in enumerate("123456789"):
            grid.addWidget(self._key(d, self.pad_keys, "key_pad"), i // 3, i % 3)
        grid.addWidget(self._key("0", self.pad_keys, "key_pad"), 3, 0, 1, 3)
        grid.addWidget(self._key("sign", self.pad_keys, "key_pad"), 3, 0)
        grid.addWidget(self._key("backspace", self.pad_keys), 0, 3, 2, 1)
        grid.addWidget(self._key("next", self.pad_keys), 2, 3, 2, 1)
        for c, stretch in enumerate((2, 2, 2, 3)):
            grid.setColumnStretch(c, stretch)
        for key in self.pad_keys.values():
            key.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self._place_sign("")
        return page

    def _place_sign(self, sign: str) -> None:
        zero, key = self.pad_keys["0"], self.pad_keys["sign"]
        self.pad_grid.removeWidget(zero)
        self.pad_grid.removeWidget(key)
        if sign:
            key.set_label(sign)
            key.setProperty("action", f"key_{SIGN_NAMES[sign]}")
            self.pad_grid.addWidget(key, 3, 0)
            self.pad_grid.addWidget(zero, 3, 1, 1, 2)
        else:
            self.pad_grid.addWidget(zero, 3, 0, 1, 3)
        key.setVisible(bool(sign))

    def _place_newline(self, shown: bool) -> None:
        """A new-line key only for a field that takes several lines; else a longer space bar."""
        space, newline = self.letter_keys["space"], self.letter_keys["newline"]
        self.letter_grid.removeWidget(space)
        self.letter_grid.removeWidget(newline)
        if shown:
            self.letter_grid.addWidget(space, 4, 2, 1, SPANS["space"])
            self.letter_grid.addWidget(newline, 4, 6, 1, SPANS["newline"])
        else:
            self.letter_grid.addWidget(space, 4, 2, 1, SPANS["space"] + SPANS["newline"])
        newline.setVisible(shown)

    # -- outside ------------------------------------------------------------------------

    def set_texts(self, lang: str) -> None:
        for keys in (self.letter_keys, self.pad_keys):
            for name in FUNCTIONS:
                if name in keys:
                    keys[name].set_label(text(f"key_{name}", lang))

    def set_key_height(self, px: int) -> None:
        """Taller keys where the screen has the room (portrait); never below KEY_MIN."""
        for key in self.letter_keys.values():
            key.height_hint = max(px, KEY_MIN)
            key.updateGeometry()

    def target(self) -> QWidget | None:
        """The text field the keys type into: the focused one of this window."""
        w = self.window().focusWidget()
        return w if _typable(w) else None

    def fields(self) -> list[QWidget]:
        """The window's text fields as the villager reads them: top to bottom, then left to
        right (the order the screens give their tab order, too).

        Not by walking the focus chain: every `nextInFocusChain()` makes PySide6 keep the
        widget it returns as a child of the widget asked (its return-value heuristic), so a
        walk ties the wrappers of the window's lasting widgets to those of a form's fields and
        back; when the fields are deleted, ~9 invalid wrappers a session stayed behind for
        good. Only the text fields themselves are asked for here (all made in Python)."""
        window = self.window()
        found = [w for kind in (QLineEdit, QPlainTextEdit) for w in window.findChildren(kind)
                 if _typable(w)]

        def place(w: QWidget) -> tuple[int, int]:
            at = w.mapToGlobal(QPoint(0, 0))
            return at.y(), at.x()

        return sorted(found, key=place)

    def next_field(self) -> QWidget | None:
        """The field after the focused one; none after the last (Continue is for that)."""
        fields, current = self.fields(), self.target()
        if current not in fields:
            return fields[0] if fields else None
        i = fields.index(current)
        return fields[i + 1] if i + 1 < len(fields) else None

    # -- keys ---------------------------------------------------------------------------

    def press(self, name: str) -> None:
        if name == "shift":
            self.shift = not self.shift
        elif name == "caps":
            self.caps, self.shift = not self.caps, False
        elif name == "next":
            self._go_next()
            return
        elif (w := self.target()) is not None:
            if name == "backspace":
                _send_key(w, Qt.Key_Backspace)
            elif name == "space":
                _send_key(w, Qt.Key_Space, " ")
            elif name == "newline":  # a new line is a new entry (one person a line)
                _send_key(w, Qt.Key_Return, "\r")
                self.shift = not self.caps
            else:
                sign = self.pad_keys["sign"].text() if name == "sign" else name
                upper = sign.isalpha() and (self.shift or self.caps)
                chars = sign.upper() if upper else sign
                _send_key(w, ord(chars.upper()), chars)  # Qt's key codes are upper-case ASCII
                if sign.isalpha():
                    self.shift = False
        self._show_case()

    def _go_next(self) -> None:
        w = self.next_field()
        if w is None:
            return
        w.setFocus(Qt.OtherFocusReason)  # not Tab: a line edit would select all its text
        if isinstance(w, QLineEdit):
            w.end(False)
        else:
            w.moveCursor(QTextCursor.End)

    def _show_case(self) -> None:
        upper = self.shift or self.caps
        for name, key in self.letter_keys.items():
            if name.isalpha() and len(name) == 1:
                key.set_label(name.upper() if upper else name)
        self.letter_keys["shift"].setChecked(self.shift)
        self.letter_keys["caps"].setChecked(self.caps)

    # -- following the focus --------------------------------------------------------------

    def _focus_changed(self, _old, new) -> None:
        if new is not None and _typable(new) and new.window() is self.window():
            self.follow(new)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self.follow(self.target())

    def follow(self, field: QWidget | None) -> None:
        """Show the keys `field` needs; a new, empty field starts with a capital."""
        self.mode = (field.property(MODE_PROPERTY) if field is not None else None) or TEXT
        if self.mode in MODES:
            self._place_sign(MODES[self.mode])
            self.pages.setCurrentWidget(self.pad_page)
        else:
            self._place_newline(isinstance(field, QPlainTextEdit))
            self.pages.setCurrentWidget(self.letters_page)
        empty = field is not None and not (
            field.toPlainText() if isinstance(field, QPlainTextEdit) else field.text()
        )
        self.shift = empty and not self.caps
        self._show_case()
        can_go_on = field is None or self.next_field() is not None
        for keys in (self.letter_keys, self.pad_keys):
            keys["next"].setEnabled(can_go_on)
        if field is not None:
            self.field_changed.emit(field)
