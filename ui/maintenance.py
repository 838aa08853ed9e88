"""Kiosk hardening and the staff maintenance screen (the rules live in terminal/maintenance.py).

- `KioskKeyFilter`: in kiosk mode the keys that would close or leave the app do nothing.
- `StaffGesture`: five taps on the header's village name within three seconds, on the start
  screen only (a villager's session is never interrupted).
- `MaintenancePanel`: over the whole window, the staff PIN pad, then the kiosk's state: card
  readers, the village office link, the outbox, the printer; a reader test; close; quit.
"""

from __future__ import annotations

import logging
import time

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from terminal.maintenance import KioskStatus, StaffAccess
from ui.i18n import text
from ui.screens import ReflowGrid, scroll_column

log = logging.getLogger(__name__)

TAPS = 5
TAP_WINDOW_S = 3.0


class KioskKeyFilter(QObject):
    """Swallows Alt+F4, Alt+Tab, Ctrl+Q, Ctrl+W and Esc: nothing on a kiosk's keyboard (or a
    stray USB keyboard plugged into it) may close or leave the app."""

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        if event.type() not in (QEvent.KeyPress, QEvent.ShortcutOverride):
            return False
        key, mods = event.key(), event.modifiers()
        if key == Qt.Key_Escape:
            return True
        if mods & Qt.AltModifier and key in (Qt.Key_F4, Qt.Key_Tab):
            return True
        return bool(mods & Qt.ControlModifier and key in (Qt.Key_Q, Qt.Key_W))


class StaffGesture(QObject):
    """Counts taps on one widget; `opened` after TAPS of them within TAP_WINDOW_S seconds."""

    opened = Signal()

    def __init__(self, target: QWidget, allowed, clock=time.monotonic):
        super().__init__(target)
        self.allowed = allowed  # () -> bool: only where no villager is busy
        self.clock = clock
        self.taps: list[float] = []
        target.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        if event.type() in (QEvent.MouseButtonPress, QEvent.TouchBegin):
            now = self.clock()
            self.taps = [t for t in self.taps if now - t < TAP_WINDOW_S] + [now]
            if len(self.taps) >= TAPS and self.allowed():
                self.taps.clear()
                self.opened.emit()
        return False


class _ResultLine(QLabel):
    """The answer to a staff action: hidden while it has nothing to say (an empty label still
    takes a line of the page)."""

    def __init__(self):
        super().__init__()
        self.setWordWrap(True)
        self.hide()

    def setText(self, words: str) -> None:  # noqa: N802 - Qt's name
        super().setText(words)
        self.setVisible(bool(words))

    def clear(self) -> None:
        super().clear()
        self.hide()


def _big(action: str, object_name: str = "") -> QPushButton:
    b = QPushButton()
    b.setProperty("action", action)
    b.setFocusPolicy(Qt.NoFocus)
    if object_name:
        b.setObjectName(object_name)
    return b


class MaintenancePanel(QWidget):
    """The staff PIN, then the kiosk's state. `status()` is asked for fresh figures."""

    quit_requested = Signal()

    def __init__(self, parent: QWidget, access: StaffAccess, status, test_reader,
                 printing=None, *, runner, requeue=None):
        super().__init__(parent)
        self.access = access
        self.status = status  # () -> KioskStatus
        self.test_reader = test_reader  # () -> list[str]: the reader names PC/SC lists now
        self.requeue = requeue  # () -> int: set-aside items sent again
        self.printing = printing  # terminal.printing.ReceiptPrinting, or None: no printer
        # The state, the reader test and printing wait on pcscd and CUPS: never on the GUI
        # thread.
        self.runner = runner
        self._asked = 0  # which state request an answer belongs to
        self.language = "id"
        self.pin = ""
        self.setObjectName("maintenance")
        self.setAttribute(Qt.WA_StyledBackground, True)

        self.title = QLabel()
        self.title.setObjectName("title")
        self.title.setWordWrap(True)  # portrait: beside the Close button it needs two lines
        self.pages = QStackedWidget()

        # page 1: the staff PIN pad
        pin_page = QWidget()
        self.prompt = QLabel()
        self.dots = QLabel()
        self.dots.setObjectName("pin_dots")
        self.dots.setAlignment(Qt.AlignCenter)
        grid = QGridLayout()
        self.keys: list[QPushButton] = []
        for i, digit in enumerate("123456789"):
            b = _big(f"staff_pin_{digit}", "pin_key")
            b.setText(digit)
            b.clicked.connect(lambda _=False, d=digit: self._press(d))
            grid.addWidget(b, i // 3, i % 3)
        self.erase = _big("staff_pin_erase", "pin_key")
        self.erase.setText("⌫")
        self.erase.clicked.connect(self._erase)
        zero = _big("staff_pin_0", "pin_key")
        zero.setText("0")
        zero.clicked.connect(lambda: self._press("0"))
        self.ok = _big("staff_pin_ok", "primary")
        self.ok.setText("OK")
        self.ok.clicked.connect(self._check)
        grid.addWidget(self.erase, 3, 0)
        grid.addWidget(zero, 3, 1)
        grid.addWidget(self.ok, 3, 2)
        pl = QVBoxLayout(pin_page)
        pl.addWidget(self.prompt)
        pl.addWidget(self.dots)
        pl.addLayout(grid)
        pl.addStretch(1)

        # page 2: the kiosk's state
        state_page = QWidget()
        self.rows = QLabel()
        self.rows.setTextFormat(Qt.RichText)
        self.rows.setWordWrap(True)
        self.reader_result = _ResultLine()
        self.test_button = _big("staff_test_reader")
        self.test_button.clicked.connect(self._test_reader)
        self.printer_result = _ResultLine()
        self.test_printer_button = _big("staff_test_printer")
        self.test_printer_button.clicked.connect(self._test_printer)
        self.reprint_button = _big("staff_reprint")
        self.reprint_button.clicked.connect(self._reprint)
        # Shown only while something is set aside: staff press it after fixing the cause.
        self.requeue_result = _ResultLine()
        self.requeue_button = _big("staff_requeue")
        self.requeue_button.clicked.connect(self._requeue)
        self.requeue_button.hide()
        self.exit_button = _big("staff_exit", "danger")
        self.exit_button.clicked.connect(self.quit_requested.emit)
        sl = QVBoxLayout(state_page)
        # The state scrolls (a long list of set-aside items); the actions stay in view below.
        state = scroll_column(self.rows, self.requeue_result, self.reader_result,
                              self.printer_result)
        state.setFrameShape(QFrame.NoFrame)
        sl.addWidget(state, 1)
        # Two columns on a landscape screen, one on a portrait one: no label cut short; the
        # buttons a kiosk does not need now are left out, without a gap.
        self.actions = ReflowGrid((self.requeue_button, self.test_button,
                                   self.test_printer_button, self.reprint_button,
                                   self.exit_button), 2, 1, 12)
        sl.addLayout(self.actions)

        self.pages.addWidget(pin_page)
        self.pages.addWidget(state_page)
        self.close_button = _big("staff_close")
        self.close_button.clicked.connect(self.close_panel)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(48, 32, 48, 32)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.close_button)
        lay.addLayout(top)
        lay.addWidget(self.pages, 1)
        self.hide()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self.actions.fit(event.size().width())

    # -- opening and closing ------------------------------------------------------------

    def open_panel(self, language: str) -> None:
        self.language = language
        self.pin = ""
        self.pages.setCurrentIndex(0)
        self.prompt.setText(text("staff_pin", language))
        self._texts()
        self._show_dots()
        self.setGeometry(self.parentWidget().rect())
        self.show()
        self.raise_()

    def close_panel(self) -> None:
        self.pin = ""
        self._show_dots()
        self.rows.clear()
        self.requeue_result.clear()
        self.requeue_button.hide()
        self.reader_result.clear()
        self.printer_result.clear()
        self.hide()

    # -- the staff PIN --------------------------------------------------------------------

    def _press(self, digit: str) -> None:
        if len(self.pin) < 8:
            self.pin += digit
            self._show_dots()

    def _erase(self) -> None:
        self.pin = self.pin[:-1]
        self._show_dots()

    def _show_dots(self) -> None:
        self.dots.setText("●" * len(self.pin) or " ")

    def _check(self) -> None:
        result = self.access.check(self.pin)
        self.pin = ""
        self._show_dots()
        if result == "ok":
            self.pages.setCurrentIndex(1)
            self.refresh()
        elif result == "locked":
            self.prompt.setText(text("staff_pin_locked", self.language))
        else:
            self.prompt.setText(text("staff_pin_wrong", self.language))

    # -- the state page -------------------------------------------------------------------

    def _texts(self) -> None:
        lang = self.language
        self.title.setText(text("staff_title", lang))
        self.test_button.setText(text("staff_test_reader", lang))
        self.test_printer_button.setText(text("staff_test_printer", lang))
        self.reprint_button.setText(text("staff_reprint", lang))
        for b in (self.test_printer_button, self.reprint_button):
            b.setVisible(self.printing is not None)
        self.requeue_button.setText(text("staff_requeue", lang))
        self.exit_button.setText(text("staff_exit", lang))
        self.close_button.setText(text("staff_close", lang))

    def refresh(self) -> None:
        """Ask for the kiosk's state off the GUI thread (CUPS and PC/SC may take seconds to
        answer, or hang: the screen, and the watchdog's timer, must not wait for them)."""
        self._asked += 1
        asked = self._asked
        if not self.rows.text():
            self.rows.setText(text("staff_checking", self.language))

        def ask() -> KioskStatus | None:
            try:
                return self.status()
            except Exception:  # the staff are told, not left with "checking…"
                log.exception("staff screen: the kiosk's state could not be read")
                return None

        self.runner.run(ask, lambda s: self._show_status(asked, s))

    def _show_status(self, asked: int, s: KioskStatus | None) -> None:
        if asked != self._asked or not self.isVisible() or self.pages.currentIndex() != 1:
            return  # an older answer, or the staff have closed the screen meanwhile
        lang = self.language
        if s is None:
            self.rows.setText(text("staff_state_failed", lang))
            return
        oldest = "-" if s.oldest_pending_s is None else text(
            "staff_minutes", lang, minutes=int(s.oldest_pending_s // 60))
        rows = [
            (text("staff_kiosk", lang), s.kiosk_id),
            (text("staff_readers", lang),
             f"{', '.join(s.readers) or '-'} — "
             + text("staff_reader_ok" if s.reader_ready else "staff_reader_missing", lang)),
            (text("staff_office", lang),
             text("staff_office_up" if s.backoffice_up else "staff_office_down", lang)),
            (text("staff_outbox", lang),
             text("staff_outbox_counts", lang, pending=s.outbox_pending,
                  set_aside=s.outbox_set_aside)),
            (text("staff_oldest", lang), oldest),
            (text("staff_printer", lang), self._printer_words(s)),
        ]
        if s.printer != "none":
            rows.append((text("staff_unprinted", lang), str(s.receipts_unprinted)))
        if s.set_aside_items:  # numbers and answer codes only: nothing personal
            more = s.outbox_set_aside - len(s.set_aside_items)
            rows.append((text("staff_set_aside", lang), "<br>".join(
                [f"{number} ({reason})" for number, reason in s.set_aside_items]
                + ([text("staff_set_aside_more", lang, count=more)] if more > 0 else []))))
        self.requeue_button.setVisible(bool(s.outbox_set_aside) and self.requeue is not None)
        self.rows.setText("<table cellpadding=8>" + "".join(
            f"<tr><td>{k}</td><td><b>{v}</b></td></tr>" for k, v in rows) + "</table>")

    def _printer_words(self, s: KioskStatus) -> str:
        lang = self.language
        words = text(f"staff_printer_{s.printer}", lang)
        problems = ", ".join(text(f"staff_problem_{p}", lang) for p in s.printer_problems
                             if p != "printer_missing" or s.printer != "missing")
        return f"{words}: {problems}" if problems else words

    def _test_printer(self) -> None:
        """A test page, after the staff fixed the printer (restarts a stopped queue)."""
        self.printer_result.setText(text("staff_printer_testing", self.language))
        self.runner.run(self.printing.test_page, self._tested)

    def _tested(self, outcome) -> None:
        lang = self.language
        self.printer_result.setText(
            text("staff_printer_test_ok", lang) if outcome.printed else text(
                "staff_printer_test_failed", lang,
                problem=text(f"staff_problem_{outcome.problem}", lang)))
        if self.isVisible() and self.pages.currentIndex() == 1:
            self.refresh()

    def _reprint(self) -> None:
        self.runner.run(self.printing.reprint_unprinted, self._reprinted)

    def _reprinted(self, count: int) -> None:
        self.printer_result.setText(text("staff_reprinted", self.language, count=count))
        if self.isVisible() and self.pages.currentIndex() == 1:
            self.refresh()

    def _requeue(self) -> None:
        """Send the set-aside items again (the outbox write waits on the disk: a worker)."""
        self.requeue_button.hide()
        self.runner.run(self.requeue, self._requeued)

    def _requeued(self, count: int) -> None:
        self.requeue_result.setText(text("staff_requeued", self.language, count=count))
        if self.isVisible() and self.pages.currentIndex() == 1:
            self.refresh()

    def _test_reader(self) -> None:
        """List the readers PC/SC offers now (off the GUI thread: pcscd may be slow)."""
        def ask() -> tuple[list[str], str]:
            try:
                return self.test_reader(), ""
            except Exception as exc:  # a broken PC/SC service must not close the staff screen
                return [], type(exc).__name__
        self.reader_result.setText(text("staff_checking", self.language))
        self.runner.run(ask, self._reader_tested)

    def _reader_tested(self, answer: tuple[list[str], str]) -> None:
        names, detail = answer
        found = ", ".join(names) if names else text("staff_reader_missing", self.language)
        self.reader_result.setText(
            f"{text('staff_readers', self.language)}: {found} {detail}".rstrip())
        if self.isVisible() and self.pages.currentIndex() == 1:
            self.refresh()
