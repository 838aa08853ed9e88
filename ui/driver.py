"""Drives the kiosk window the way a villager's finger would: for the tour, benchmarks, tests.

It only presses the buttons and types into the fields that are on screen.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QPlainTextEdit, QPushButton

from terminal.config import KioskConfig
from terminal.session import Screen
from ui.app import build


@contextmanager
def running_kiosk(
    config: KioskConfig, size: tuple[int, int] = (1280, 900)
) -> Iterator[KioskDriver]:
    """The kiosk window shown, its outbox sender and card reader running; all stopped after."""
    kiosk, window, reader = build(config)
    window.resize(*size)
    window.show()
    kiosk.start()
    reader.start()
    try:
        yield KioskDriver(window, reader)
    finally:
        reader.stop()
        kiosk.stop()
        QApplication.instance().removeEventFilter(window.idle)
        window.close()


class KioskDriver:
    def __init__(self, window, reader=None):
        self.window = window
        self.reader = reader  # ui.bridge.CardReaderBridge, when the driver runs the kiosk
        self.kiosk = window.kiosk
        self.session = window.kiosk.session

    def click(self, action: str) -> None:
        for b in self.window.findChildren(QPushButton):
            if b.property("action") == action and b.isVisible() and b.isEnabled():
                b.click()
                return
        raise LookupError(f"no button {action!r} on the {self.session.screen} screen")

    def enter_pin(self, pin: str) -> None:
        for digit in pin:
            self.click(f"pin_{digit}")
        self.click("pin_ok")

    def type_into(self, field: str, value: str) -> None:
        w = self.window.findChild(QPlainTextEdit, f"field_{field}")
        if w is not None:
            w.setPlainText(value)
            return
        w = self.window.findChild(QLineEdit, f"field_{field}")
        if w is None:
            raise LookupError(f"no field {field!r} on the {self.session.screen} screen")
        w.setText(value)

    def choose(self, field: str, value: str) -> None:
        self.click(f"choice_{field}_{value}")

    def fill(self, values: dict[str, str], choices: set[str] = frozenset()) -> None:
        """Type or tap each value; `choices` names the fields answered by buttons."""
        for name, value in values.items():
            if name in choices:
                self.choose(name, value)
            else:
                self.type_into(name, value)

    def wait_until(self, predicate, timeout: float = 8.0, what: str = "") -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise TimeoutError(f"kiosk did not reach {what or predicate} "
                                   f"(screen {self.session.screen})")
            QApplication.processEvents()
            # What a running event loop also does, and processEvents() alone does not: delete
            # the widgets a screen let go of (deleteLater), or a scripted kiosk keeps them all.
            QApplication.sendPostedEvents(None, QEvent.DeferredDelete)
            time.sleep(0.002)

    def wait_for(self, screen: Screen, timeout: float = 8.0) -> None:
        self.wait_until(lambda: self.session.screen is screen, timeout, str(screen))

    def check_status(self) -> None:
        """From the letter menu to the villager's requests, once the back office answered."""
        self.click("status_open")
        self.wait_until(lambda: not self.session.status_pending, what="the status answer")

    def apply_for_domicile(self, purpose: str) -> None:
        """From the letter menu to the receipt."""
        self.click("letter_domisili")
        self.wait_for(Screen.FILL)
        self.type_into("keperluan", purpose)
        self.click("fill_next")
        self.wait_for(Screen.REVIEW)
        self.click("review_confirm")
        self.wait_for(Screen.RECEIPT)

    def answer_survey(self, scores: list[int]) -> None:
        """From the receipt through the nine questions to the thanks."""
        self.click("survey_start")
        for score in scores:
            self.wait_for(Screen.SURVEY)
            self.click(f"survey_answer_{score}")
        self.wait_for(Screen.SURVEY_THANKS)
