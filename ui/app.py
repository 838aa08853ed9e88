"""The kiosk window: header with step indicator, one screen per session state, footer.

`python -m ui --config /etc/smart-kampung/kiosk.toml [--windowed]`
"""

from __future__ import annotations

import argparse
import logging
import sys

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from terminal.config import ConfigError, KioskConfig
from terminal.kiosk import Kiosk
from terminal.messages import text
from terminal.session import Screen, Session
from ui.bridge import CardReaderBridge, QtRunner
from ui.screens import (
    AttractScreen,
    ChooseLetterScreen,
    FillScreen,
    MessageScreen,
    PinScreen,
    ReceiptScreen,
    ReviewScreen,
    WaitingScreen,
    _button,
)
from ui.style import STYLESHEET

log = logging.getLogger(__name__)

STEPS = {
    Screen.READING: 1,
    Screen.PIN: 1,
    Screen.CHECKING: 1,
    Screen.CHOOSE_LETTER: 2,
    Screen.FILL: 3,
    Screen.REVIEW: 4,
    Screen.RECEIPT: 5,
}
USER_ACTIVITY = {
    QEvent.MouseButtonPress,
    QEvent.TouchBegin,
    QEvent.KeyPress,
    QEvent.Wheel,
}


class IdleWatcher(QObject):
    """Restarts one single-shot timer on any touch, click or key anywhere in the app."""

    def __init__(self, seconds: float, on_idle):
        super().__init__()
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(int(seconds * 1000))
        self.timer.timeout.connect(on_idle)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        if event.type() in USER_ACTIVITY:
            self.timer.start()
        return False


class KioskWindow(QWidget):
    def __init__(self, kiosk: Kiosk, runner: QtRunner):
        super().__init__()
        self.kiosk = kiosk
        self.runner = runner
        session = kiosk.session
        self.setWindowTitle("Smart Kampung")
        self.setStyleSheet(STYLESHEET)

        header = QWidget()
        header.setObjectName("header")
        self.village = QLabel()
        self.step = QLabel()
        hl = QHBoxLayout(header)
        hl.setContentsMargins(32, 12, 32, 12)
        hl.addWidget(self.village, 1)
        hl.addWidget(self.step)
        v = kiosk.config.village
        self.village.setText(f"{v.kind} {v.name} · {v.district} · {v.regency}")

        self.screens = {
            Screen.ATTRACT: AttractScreen(session),
            Screen.PIN: PinScreen(session),
            Screen.READING: WaitingScreen(session, "reading_card"),
            Screen.CHECKING: WaitingScreen(session, "checking"),
            Screen.CHOOSE_LETTER: ChooseLetterScreen(session),
            Screen.FILL: FillScreen(session),
            Screen.REVIEW: ReviewScreen(session),
            Screen.RECEIPT: ReceiptScreen(session, v.code),
            Screen.MESSAGE: MessageScreen(session),
        }
        self.stack = QStackedWidget()
        for w in self.screens.values():
            self.stack.addWidget(w)

        footer = QWidget()
        fl = QHBoxLayout(footer)
        fl.setContentsMargins(32, 8, 32, 16)
        self.back: QPushButton = _button("back")
        self.cancel: QPushButton = _button("cancel", "danger")
        self.back.clicked.connect(session.back)
        self.cancel.clicked.connect(session.cancel)
        fl.addWidget(self.back)
        fl.addStretch(1)
        fl.addWidget(self.cancel)
        self.footer = footer

        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(header)
        lay.addWidget(self.stack, 1)
        lay.addWidget(footer)

        self.idle = IdleWatcher(kiosk.config.idle_timeout_s, session.idle_timeout)
        self.receipt_timer = QTimer(self)
        self.receipt_timer.setSingleShot(True)
        self.receipt_timer.setInterval(int(kiosk.config.receipt_timeout_s * 1000))
        self.receipt_timer.timeout.connect(session.finish)
        session.subscribe(self.render)
        self.render(session)

    def render(self, session: Session) -> None:
        lang = session.language
        if not session.holds_personal_data():
            for w in self.screens.values():
                w.clear()
        self.screens[Screen.ATTRACT].reader_ready = self.kiosk.reader_ready
        screen = self.screens[session.screen]
        screen.render(session)
        self.stack.setCurrentWidget(screen)
        step = STEPS.get(session.screen)
        self.step.setText(text("step", lang, step=step, total=5) if step else "")
        in_session = session.screen in (Screen.PIN, Screen.CHOOSE_LETTER, Screen.FILL,
                                        Screen.REVIEW)
        self.footer.setVisible(in_session)
        self.back.setVisible(session.screen in (Screen.FILL, Screen.REVIEW))
        self.back.setText(text("back", lang))
        self.cancel.setText(text("cancel", lang))
        self.idle.timer.start()  # every screen change counts as activity
        if session.screen is Screen.RECEIPT:
            if not self.receipt_timer.isActive():
                self.receipt_timer.start()
        else:
            self.receipt_timer.stop()


def build(config: KioskConfig) -> tuple[Kiosk, KioskWindow, CardReaderBridge]:
    """Create the kiosk, its window and its card reader (not started)."""
    runner = QtRunner()
    kiosk = Kiosk(config, runner,
                  on_delivered=lambda key: runner.later(kiosk.session.application_delivered, key))
    window = KioskWindow(kiosk, runner)
    QApplication.instance().installEventFilter(window.idle)
    reader = CardReaderBridge(config.reader, config.sam_reader)
    reader.event.connect(kiosk.handle_card_event)
    return kiosk, window, reader


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ui", description="Smart Kampung kiosk")
    parser.add_argument("--config", default="/etc/smart-kampung/kiosk.toml")
    parser.add_argument("--windowed", action="store_true", help="a window, for development")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        config = KioskConfig.load(args.config)
    except ConfigError as e:
        print(f"Kiosk configuration problem: {e}", file=sys.stderr)
        return 2
    app = QApplication.instance() or QApplication(sys.argv[:1])
    kiosk, window, reader = build(config)
    kiosk.start()
    reader.start()
    if args.windowed:
        window.resize(1280, 800)
        window.show()
    else:
        window.setWindowFlags(Qt.FramelessWindowHint)
        window.showFullScreen()
    try:
        return app.exec()
    finally:
        reader.stop()
        kiosk.stop()
